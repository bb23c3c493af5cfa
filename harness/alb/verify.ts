import { failed } from '../../certs/alb-codes.ts';
import { certModel, type CertView } from '../../certs/x509/model.ts';
import { leafIsCa, malformed, typeProblem, unparsable } from './verify/certificate-rules.ts';
import { fail, q, type PathContext, type RuleFailure } from './verify/context.ts';
import { revocation } from './verify/crl-check.ts';
import { issuerNotCa, pathLengthExceeded, unknownCriticalExtension } from './verify/issuer-rules.ts';
import { nameConstraintViolation } from './verify/name-constraints.ts';
import { candidatePaths, type BuildState } from './verify/path-builder.ts';
import { profileViolation } from './verify/profile.ts';
import { caPurpose, leafPurpose } from './verify/purpose.ts';
import { cacheKey, cached, remember } from './verify/verdict-cache.ts';
import { validity } from './verify/validity.ts';
import { ALB_TRUST_STORE_LIMITS } from './trust-store.ts';
import type { VerifyInput, VerifyResult } from './types.ts';

/**
 * The ALB's client-certificate verifier: pure, no sockets, the clock is `input.now`, never throws.
 * It returns exactly one `tls_verify_status`. The first rule that fails decides; within a rule the
 * certificate nearest the leaf decides.
 *
 * Rules 1-6 judge what the client sent. Then the path builder (verify/path-builder.ts) proposes
 * candidate paths from the leaf to a trust anchor (every issuer candidate by name and key
 * identifier, trust store first); rules 9-21 judge each candidate in order, and the first
 * candidate that passes them all is the verdict `Success`. When none passes, the verdict is the
 * failure of the most promising candidate: the one that failed at the latest rule (ties: the first
 * found). When no candidate reaches an anchor, rules 7-8 report the most promising dead end.
 *
 * | #  | rule                                                                                          | status |
 * |----|-----------------------------------------------------------------------------------------------|--------|
 * | 1  | no certificate presented                                                                      | `noCertificateStatus` (default `Failed:UnmappedConnectionError`) |
 * | 2  | Certificate message over 64 KB                                                                | `ClientCertMaxSizeExceeded` |
 * | 3  | a presented certificate does not parse as X.509                                               | `ClientCertInvalid` |
 * | 4  | the leaf has a malformed field (time not `YYMMDDHHMMSSZ`, undecodable or duplicate extension) | `ClientCertInvalid` |
 * | 5  | leaf type: not v3 / key not RSA 2048-8192 or named EC P-256/384/521 (explicit curve parameters included) / signature not SHA-2 RSA, ECDSA or RSASSA-PSS | `ClientCertTypeUnsupported` |
 * | 6  | the leaf is a CA (basicConstraints CA:TRUE): a CA sent alone, or a chain in reverse order     | `ClientCertPurposeInvalid` |
 * | 7  | no path: the issuer is neither in the trust store nor presented; self-signed and not trusted  | `ClientCertUntrusted` |
 * | 8  | no path: an issuer matches by name but its key does not verify the signature                  | `ClientCertInvalid` |
 * | 9  | a CA of the path has a malformed field                                                        | `ClientCertInvalid` |
 * | 10 | rule 5 for every CA of the path (the anchor's own self-signature is not judged)               | `ClientCertTypeUnsupported` |
 * | 11 | path longer than 4 certificates, leaf through anchor                                          | `ClientCertMaxChainDepthExceeded` |
 * | 12 | a CA certificate of the path over 16 KB (DER)                                                 | `ClientCertMaxSizeExceeded` |
 * | 13 | an issuer (anchor included) is not a CA (CA:FALSE or no basicConstraints) or lacks keyCertSign | `ClientCertUntrusted` |
 * | 14 | RFC 5280 profile, paths of 2+ certificates (verify/profile.ts: critical CA basicConstraints, CA keyUsage and SKI, AKI below the anchor, ...) | `ClientCertInvalid` |
 * | 15 | a pathLenConstraint is exceeded                                                               | `ClientCertUntrusted` |
 * | 16 | a certificate of the path has a critical extension the verifier does not process              | `ClientCertInvalid` |
 * | 17 | a name is outside a CA's permitted subtrees or inside its excluded ones (DNS, email, IP, URI, directoryName) | `ClientCertUntrusted` |
 * | 18 | validity, leaf first, anchor included: notBefore > now / notAfter < now                       | `ClientCertNotYetValid` / `ClientCertExpired` |
 * | 19 | leaf purpose: EKU present without clientAuth; keyUsage present without digitalSignature; nsCertType without SSL client | `ClientCertPurposeInvalid` |
 * | 20 | a CA of the path (anchor included) has an EKU without clientAuth                             | `ClientCertPurposeInvalid` |
 * | 21 | CRLs, leaf first, anchor excluded: a covering CRL cannot be processed / lists the serial       | `ClientCertCrlProcessingError` / `ClientCertCrlHit` |
 *
 * Where AWS is silent, the README's "Divergences" section says what was chosen and why.
 */
const PRESENTED_RULES: ReadonlyArray<readonly [rule: number, check: (presented: CertView[]) => RuleFailure | undefined]> = [
  [3, (presented) => firstOf(presented, 0, unparsable)],
  [4, ([leaf]) => malformed(leaf!, 0)],
  [5, ([leaf]) => typeProblem(leaf!, 0, true)],
  [6, ([leaf]) => leafIsCa(leaf!)],
];

const PATH_RULES: ReadonlyArray<readonly [rule: number, check: (ctx: PathContext) => RuleFailure | undefined]> = [
  [9, (ctx) => firstOf(ctx.path, 1, (c, i) => malformed(c, i))],
  [10, (ctx) => firstOf(ctx.path, 1, (c, i) => typeProblem(c, i, i < ctx.path.length - 1))],
  [11, chainDepth],
  [12, caSize],
  [13, issuerNotCa],
  [14, profileViolation],
  [15, pathLengthExceeded],
  [16, unknownCriticalExtension],
  [17, nameConstraintViolation],
  [18, validity],
  [19, leafPurpose],
  [20, caPurpose],
  [21, revocation],
];

export function verifyClientChain(input: VerifyInput): VerifyResult {
  try {
    const key = cacheKey(input);
    const hit = cached(input, key);
    if (hit) return hit;
    const result = decide(input);
    remember(input, key, result);
    return result;
  } catch (err) {
    return crashed(err);
  }
}

/** The same verdict computed again, without the per-chain verdict cache (for the benchmark). */
export function verifyClientChainUncached(input: VerifyInput): VerifyResult {
  try {
    return decide(input);
  } catch (err) {
    return crashed(err);
  }
}

/** Every rule records problems instead of throwing; this is the last guard of "never throws". */
function crashed(err: unknown): VerifyResult {
  return { status: failed('ClientCertInvalid'), path: [], failingIndex: 0, reason: `the chain could not be processed: ${(err as Error).message}` };
}

function decide(input: VerifyInput): VerifyResult {
  const { presented, trustStore, now } = input;
  if (presented.length === 0) {
    return { status: input.noCertificateStatus ?? failed('UnmappedConnectionError'), path: [], reason: 'the client sent no certificate' };
  }
  const messageBytes = input.certificateMessageBytes ?? presented.reduce((sum, c) => sum + c.raw.length, 0);
  if (messageBytes > ALB_TRUST_STORE_LIMITS.maxCertificateMessageBytes) {
    return result(fail('ClientCertMaxSizeExceeded', 0,
      `the client's certificate message is ${messageBytes} bytes, over ALB's TLS message size limit of 64 KB (${ALB_TRUST_STORE_LIMITS.maxCertificateMessageBytes} bytes)`), []);
  }
  const views = presented.map((c) => certModel(c));
  const leaf = views[0]!;
  for (const [, check] of PRESENTED_RULES) {
    const failure = check(views);
    if (failure) return result(failure, []);
  }

  const state: BuildState = { issuerTrials: 0, bounded: false };
  const store = trustStore.certificates.map((c) => certModel(c));
  let best: { rule: number; failure: RuleFailure; path: CertView[] } | undefined;
  for (const path of candidatePaths({ leaf, presented: views.slice(1), store, partialChain: input.partialChain ?? false, now }, state)) {
    const ctx: PathContext = { path, now, input, store: trustStore };
    const found = judge(ctx);
    if (!found) {
      return {
        status: 'Success',
        path: path.map((c) => c.x509),
        reason: `certificate ${q(leaf)} chains to trust-store CA ${q(path.at(-1)!)} (${path.length} certificates) and meets every ALB rule`,
      };
    }
    if (!best || found.rule > best.rule) best = { ...found, path };
  }
  if (best) return result(best.failure, best.path.map((c) => c.x509));
  const end = state.deadEnd;
  const path = end?.path.map((c) => c.x509) ?? [leaf.x509];
  const code = end?.kind === 'bad-signature' ? 'ClientCertInvalid' : 'ClientCertUntrusted';
  const bounded = state.bounded && end?.kind !== 'bound' ? `; path building stopped after ${state.issuerTrials} issuer trials` : '';
  return { status: failed(code), path, failingIndex: path.length - 1, reason: `${end?.reason ?? `certificate ${q(leaf)} has no path to the trust store`}${bounded}` };
}

function judge(ctx: PathContext): { rule: number; failure: RuleFailure } | undefined {
  for (const [rule, check] of PATH_RULES) {
    const failure = check(ctx);
    if (failure) return { rule, failure };
  }
  return undefined;
}

function result(f: RuleFailure, path: VerifyResult['path']): VerifyResult {
  return { status: failed(f.code), path, failingIndex: f.index, reason: f.reason };
}

function firstOf(certs: CertView[], from: number, rule: (c: CertView, i: number) => RuleFailure | undefined): RuleFailure | undefined {
  for (let i = from; i < certs.length; i++) {
    const failure = rule(certs[i]!, i);
    if (failure) return failure;
  }
  return undefined;
}

function chainDepth(ctx: PathContext): RuleFailure | undefined {
  const { path } = ctx;
  if (path.length <= ALB_TRUST_STORE_LIMITS.maxChainDepth) return undefined;
  return fail('ClientCertMaxChainDepthExceeded', ALB_TRUST_STORE_LIMITS.maxChainDepth,
    `the path from ${q(path[0]!)} to trust anchor ${q(path.at(-1)!)} has ${path.length} certificates; ALB allows at most ${ALB_TRUST_STORE_LIMITS.maxChainDepth}`);
}

function caSize(ctx: PathContext): RuleFailure | undefined {
  return firstOf(ctx.path, 1, (c, i) => c.derBytes > ALB_TRUST_STORE_LIMITS.maxCaCertificateBytes
    ? fail('ClientCertMaxSizeExceeded', i,
      `CA certificate ${q(c)} is ${c.derBytes} bytes (DER), over ALB's CA certificate size limit of 16 KB (${ALB_TRUST_STORE_LIMITS.maxCaCertificateBytes} bytes)`)
    : undefined);
}
