import { X509Certificate } from 'node:crypto';
import type { TlsVerifyStatus } from '../../certs/alb-codes.ts';
import { subjectRfc2253 } from '../../certs/x509/cert-names.ts';
import { certificateBlocks } from '../../certs/x509/pem.ts';
import { DEFAULT_MTLS_HEADER_NAMES, verifyModeHeaders } from '../alb/headers.ts';
import { loadTrustStore } from '../alb/trust-store.ts';
import type { LoadedTrustStore } from '../alb/types.ts';
import { verifyClientChain } from '../alb/verify.ts';
import { UserError } from '../errors.ts';
import { readPemInput, type PemInput } from '../user-input.ts';

export type { PemInput } from '../user-input.ts';

export interface VerifyChainOptions {
  /** The chain the client presents, leaf first. */
  chain: PemInput;
  /** The trust store's CA bundle (the S3 object), or a store already loaded with `loadTrustStoreInputs`. */
  trustStore: PemInput | LoadedTrustStore;
  /** PEM CRLs added to the trust store (ignored when `trustStore` is already loaded). */
  crls?: PemInput[];
  /** Judge as of this date. Default: now. */
  at?: Date;
  /** IgnoreClientCertificateExpiry=true. */
  ignoreClientCertificateExpiry?: boolean;
  /** Let any trust-store CA anchor a chain (not only a self-signed root). Default: the verifier's default. */
  partialChain?: boolean;
  /** Receives trust-store load warnings (a CRL from an issuer the bundle does not hold). */
  onWarning?(message: string): void;
}

export interface VerifyChainResult {
  /** AWS's tls_verify_status. */
  status: TlsVerifyStatus;
  ok: boolean;
  /** One sentence: why. */
  reason: string;
  /** Subjects (RFC 2253) of the built path, leaf first. */
  path: string[];
  /** The X-Amzn-Mtls-* headers an ALB in verify mode adds for its targets (Success only; otherwise empty). */
  headers: Record<string, string>;
  /** The presented leaf. */
  leaf: X509Certificate;
  /** What loading the trust store warned about (bundle CAs the rules frown on, CRLs from issuers the bundle lacks). */
  warnings: string[];
}

/** Loads a trust store from files or inline PEM, naming each input as the user named it. */
export async function loadTrustStoreInputs(
  bundle: PemInput,
  crls: readonly PemInput[] = [],
  onWarning?: (message: string) => void,
): Promise<LoadedTrustStore> {
  const b = await readPemInput(bundle);
  const revocations = await Promise.all(crls.map(readPemInput));
  return loadTrustStore({
    caCertificatesBundle: b.text,
    source: b.source,
    revocations: revocations.map((r) => r.text),
    revocationSources: revocations.map((r) => r.source),
    ...(onWarning ? { onWarning } : {}),
  });
}

/** The certificates of a PEM chain, leaf first; a UserError names the input and the block's line. */
export function parseChain(text: string, source: string): X509Certificate[] {
  return certificateBlocks(text, source).map((block, i) => {
    try {
      return new X509Certificate(block.der);
    } catch (err) {
      throw new UserError('HARNESS_ERR_PEM', `${source} line ${block.line}: certificate ${i + 1} does not parse (${(err as Error).message}). Re-export it as PEM.`);
    }
  });
}

/**
 * "Would an ALB in verify mode accept this client chain?", offline: reads the inputs, loads the
 * trust store under ALB's bundle rules, runs the emulator's own verifier and returns its verdict,
 * the reason, and the headers the targets would get. Bad input throws a UserError naming it.
 */
export async function verifyChain(options: VerifyChainOptions): Promise<VerifyChainResult> {
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    options.onWarning?.(message);
  };
  const trustStore = 'certificates' in options.trustStore
    ? options.trustStore
    : await loadTrustStoreInputs(options.trustStore, options.crls, warn);
  const chain = await readPemInput(options.chain);
  const presented = parseChain(chain.text, chain.source);
  const result = verifyClientChain({
    presented,
    trustStore,
    now: options.at ?? new Date(),
    ignoreClientCertificateExpiry: options.ignoreClientCertificateExpiry ?? false,
    ...(options.partialChain !== undefined ? { partialChain: options.partialChain } : {}),
  });
  const ok = result.status === 'Success';
  return {
    status: result.status,
    ok,
    reason: result.reason,
    path: result.path.map((c) => subjectRfc2253(c)),
    headers: ok ? verifyModeHeaders(presented[0]!, DEFAULT_MTLS_HEADER_NAMES) : {},
    leaf: presented[0]!,
    warnings,
  };
}
