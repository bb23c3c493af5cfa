import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../harness/errors.ts';
import type { TlsVerifyStatus } from '../alb-codes.ts';

/** The files an ALB listener needs from a written PKI, relative to its directory. */
export interface PkiManifestListener {
  serverChain: string;
  serverKey: string;
  /** The CA a client trusts for the server certificate. */
  serverCa: string;
  /** The default trust-store bundle, and the CRLs every expected verdict assumes. */
  trustStore: string;
  revocations: string[];
}

export interface PkiManifestFile {
  path: string;
  kind: string;
  description: string;
  variant?: string;
  expectedVerdict?: TlsVerifyStatus | null;
}

/** A PKI directory as its manifest.json describes it, with absolute paths. */
export interface WrittenPki {
  dir: string;
  albDnsName: string;
  listener: PkiManifestListener;
  /** A client variant's files: `chain` (leaf first), `cert` (leaf only), `key`, and the expected ALB verdict. */
  client(variant: string): { chain: string; cert: string; key: string; expectedVerdict: TlsVerifyStatus | null } | undefined;
}

/**
 * Reads `<dir>/manifest.json`, the one description of a written PKI's layout. `label` names the
 * directory as the user gave it (e.g. `--pki`).
 */
export async function readPkiManifest(dir: string, label = 'PKI directory'): Promise<WrittenPki> {
  const regenerate = `Regenerate it with "alb-mtls certs --out ${dir} --force".`;
  let manifest: { albDnsName?: string; listener?: PkiManifestListener; files?: PkiManifestFile[] };
  try {
    manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError('HARNESS_ERR_FILE', `${label} ${dir}: ${code === 'ENOENT' ? 'no manifest.json (not a PKI written by "alb-mtls certs")' : `manifest.json does not load (${(err as Error).message})`}. ${regenerate}`);
  }
  const listener = manifest.listener;
  if (!listener || !Array.isArray(manifest.files)) {
    throw new UserError('HARNESS_ERR_FILE', `${label} ${dir}: manifest.json lacks "listener" or "files" (written by an older version). ${regenerate}`);
  }
  const abs = (p: string) => join(dir, p);
  const files = manifest.files;
  return {
    dir,
    albDnsName: manifest.albDnsName ?? '',
    listener: { ...listener, serverChain: abs(listener.serverChain), serverKey: abs(listener.serverKey), serverCa: abs(listener.serverCa), trustStore: abs(listener.trustStore), revocations: listener.revocations.map(abs) },
    client(variant) {
      const of = (kind: string) => files.find((f) => f.kind === kind && f.variant === variant);
      const chain = of('client-chain');
      const cert = of('client-certificate');
      const key = of('client-private-key');
      if (!chain || !cert || !key) return undefined;
      return { chain: abs(chain.path), cert: abs(cert.path), key: abs(key.path), expectedVerdict: chain.expectedVerdict ?? null };
    },
  };
}
