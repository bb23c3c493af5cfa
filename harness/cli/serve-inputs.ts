import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createPki } from '../../certs/index.ts';
import type { TlsVerifyStatus } from '../../certs/alb-codes.ts';
import { readPkiManifest, type WrittenPki } from '../../certs/pki/manifest.ts';
import { loadTrustStore } from '../alb/trust-store.ts';
import type { TrustStoreOptions } from '../alb/types.ts';
import { verifyChain } from '../doctor/verify-chain.ts';
import { UserError } from '../errors.ts';
import { PRINTED_VARIANTS } from './serve-printed-commands.ts';

/** What `serve` reads for one listener or several: the target URL, the PKI directory, and the verdicts its printed commands announce. */

export function parseTarget(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `--target "${value}" is not a URL. Use e.g. --target http://127.0.0.1:8080.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `--target "${value}" must be an http:// or https:// URL.`);
  }
  return url.href.replace(/\/$/, '');
}

/**
 * What the listener will answer for the clients the printed commands use, judged by the same
 * verifier with the same trust store (yours, if given), so each line announces the real outcome.
 */
export async function printedVerdicts(pki: WrittenPki, trustStore: TrustStoreOptions, ignoreExpiry: boolean): Promise<Map<string, TlsVerifyStatus>> {
  const loaded = loadTrustStore({ ...trustStore, onWarning: () => {} });
  const verdicts = new Map<string, TlsVerifyStatus>();
  for (const variant of PRINTED_VARIANTS) {
    const files = pki.client(variant);
    if (!files) continue;
    const result = await verifyChain({ chain: { file: files.chain }, trustStore: loaded, ignoreClientCertificateExpiry: ignoreExpiry });
    verdicts.set(variant, result.status);
  }
  return verdicts;
}

/** The PKI in `dir` as its manifest describes it; writes a fresh one into a missing or empty dir (or with --force). */
export async function pkiAt(dir: string, force: boolean): Promise<WrittenPki> {
  const entries = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw new UserError('HARNESS_ERR_FILE', `--pki ${dir}: ${err.code === 'ENOTDIR' ? 'is a file, not a directory' : `cannot be read (${err.code})`}. Point --pki at a directory written by "alb-mtls certs", or at a new one.`);
  });
  if (entries.length === 0 || force) await (await createPki()).writeTo(dir, { force: true });
  else if (!entries.includes('manifest.json')) {
    throw new UserError('HARNESS_ERR_FILE', `--pki ${dir}: not a PKI written by "alb-mtls certs" (no manifest.json). Point --pki at such a directory, at an empty one, or add --force to write a fresh PKI into it.`);
  }
  return readPkiManifest(dir, '--pki');
}

/** The PKI one `serve` run uses, and how to let it go. */
export interface ServePki {
  pki: WrittenPki;
  /** Removes a PKI serve made for itself: it holds private keys and never outlives the command. */
  close(): Promise<void>;
}

/** `--pki DIR` (see pkiAt), or without it a fresh PKI in a temporary directory. */
export async function openServePki(pkiFlag: string | undefined, force: boolean): Promise<ServePki> {
  if (pkiFlag !== undefined) return { pki: await pkiAt(resolve(pkiFlag), force), close: async () => {} };
  const dir = await mkdtemp(join(tmpdir(), 'alb-mtls-serve-'));
  const close = () => rm(dir, { recursive: true, force: true });
  try {
    return { pki: await pkiAt(dir, force), close };
  } catch (err) {
    await close();
    throw err;
  }
}
