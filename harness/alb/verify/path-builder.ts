import type { CertView } from '../../../certs/x509/model.ts';
import { q } from './context.ts';

/**
 * The path builder: from the leaf, every certificate (trust store first, then the rest of what the
 * client sent, in any order) whose subject equals the current certificate's issuer by RFC 4518
 * comparison, whose key identifier does not contradict the authorityKeyIdentifier, and whose key
 * verifies the current signature, is a candidate issuer; each is tried in turn (depth first), so
 * several copies of one CA, cross-signed intermediates and reverse-ordered chains all get their
 * chance. A path is complete at a trust-store certificate that is self-signed, or at any
 * trust-store certificate with `partialChain`. The caller judges each complete path and stops at
 * the first valid one.
 *
 * Bounded against loops and pathological bundles: a certificate appears once per path, a path has
 * at most `BUILD_BOUNDS.maxCertificates` certificates, and the whole search does at most
 * `BUILD_BOUNDS.maxIssuerTrials` issuer trials.
 */
export const BUILD_BOUNDS = {
  /** Longer than ALB's depth limit of 4, so that a too-deep but otherwise complete path is reported as too deep. */
  maxCertificates: 10,
  maxIssuerTrials: 256,
} as const;

export type DeadEndKind = 'bad-signature' | 'no-issuer' | 'self-signed' | 'loop' | 'too-long' | 'bound';

/** A branch that ended before a trust anchor. */
export interface DeadEnd {
  kind: DeadEndKind;
  path: CertView[];
  reason: string;
}

export interface BuildState {
  /** The most promising branch that did not reach an anchor: a bad signature first, then the longest. */
  deadEnd?: DeadEnd;
  issuerTrials: number;
  bounded: boolean;
}

export interface BuildInput {
  leaf: CertView;
  /** The other presented certificates (any order, extras allowed). */
  presented: CertView[];
  store: CertView[];
  partialChain: boolean;
  now: Date;
}

// Signature checks by (child, issuer) fingerprints: the costliest step, the same pairs every connection.
const edgeCache = new Map<string, boolean>();
const EDGE_CACHE_LIMIT = 4000;

function signedBy(child: CertView, issuer: CertView): boolean {
  const key = `${child.fingerprint256}>${issuer.fingerprint256}`;
  const known = edgeCache.get(key);
  if (known !== undefined) return known;
  let ok: boolean;
  try {
    ok = issuer.publicKey !== undefined && child.x509.verify(issuer.publicKey);
  } catch {
    ok = false;
  }
  if (edgeCache.size >= EDGE_CACHE_LIMIT) edgeCache.delete(edgeCache.keys().next().value!);
  edgeCache.set(key, ok);
  return ok;
}

/** Whether `candidate` may have issued `child` by names and key identifiers (RFC 5280 §4.2.1.1; OpenSSL's check_akid). */
function namesIssuer(child: CertView, candidate: CertView): boolean {
  if (candidate.structureError || candidate.subjectKey !== child.issuerKey) return false;
  const aki = child.extensions.authorityKeyId;
  const ski = candidate.extensions.subjectKeyId?.hex;
  if (aki?.keyIdHex && ski && aki.keyIdHex !== ski) return false;
  if (aki?.serialHex && aki.serialHex.replace(/^0+/, '').toUpperCase() !== candidate.serialHex.replace(/^0+/, '')) return false;
  return true;
}

export function* candidatePaths(input: BuildInput, state: BuildState): Generator<CertView[]> {
  const storeFps = new Set(input.store.map((c) => c.fingerprint256));
  // Distinct certificates, a trust-store copy preferred over a presented copy of the same DER.
  const pool: CertView[] = [];
  const seen = new Set<string>();
  for (const c of [...input.store, ...input.presented]) {
    if (c.structureError || seen.has(c.fingerprint256)) continue;
    seen.add(c.fingerprint256);
    pool.push(c);
  }
  const validNow = (c: CertView): boolean =>
    !!c.notBefore && !!c.notAfter && c.notBefore.getTime() <= input.now.getTime() && c.notAfter.getTime() >= input.now.getTime();
  const isAnchor = (c: CertView): boolean => storeFps.has(c.fingerprint256) && (input.partialChain || c.selfSigned);

  const record = (end: DeadEnd): void => {
    const best = state.deadEnd;
    const better = !best
      || (end.kind === 'bad-signature' && best.kind !== 'bad-signature')
      || ((end.kind === 'bad-signature') === (best.kind === 'bad-signature') && end.path.length > best.path.length);
    if (better) state.deadEnd = end;
  };

  function* extend(path: CertView[]): Generator<CertView[]> {
    const current = path.at(-1)!;
    if (isAnchor(current)) {
      yield path;
      return;
    }
    if (current.selfSigned) {
      const why = storeFps.has(current.fingerprint256) ? '' : ' and is not in the trust store';
      record({ kind: 'self-signed', path, reason: `certificate ${q(current)} is self-signed${why}` });
      return;
    }
    if (path.length >= BUILD_BOUNDS.maxCertificates) {
      record({ kind: 'too-long', path, reason: `the path from ${q(path[0]!)} reaches ${BUILD_BOUNDS.maxCertificates} certificates without a trust anchor` });
      return;
    }
    const named = pool
      .filter((c) => namesIssuer(current, c))
      .sort((a, b) => Number(storeFps.has(b.fingerprint256)) - Number(storeFps.has(a.fingerprint256)) || Number(validNow(b)) - Number(validNow(a)));
    const fresh = named.filter((c) => !path.some((p) => p.fingerprint256 === c.fingerprint256));
    let badSignature: CertView | undefined;
    for (const issuer of fresh) {
      if (state.issuerTrials >= BUILD_BOUNDS.maxIssuerTrials) {
        state.bounded = true;
        record({ kind: 'bound', path, reason: `path building stopped after ${BUILD_BOUNDS.maxIssuerTrials} issuer trials (the bound against loops and oversized bundles)` });
        return;
      }
      state.issuerTrials += 1;
      if (!signedBy(current, issuer)) {
        badSignature ??= issuer;
        continue;
      }
      yield* extend([...path, issuer]);
    }
    if (badSignature) {
      record({
        kind: 'bad-signature',
        path,
        reason: `the signature of certificate ${q(current)} does not verify with the public key of its issuer ${JSON.stringify(current.issuer)}`,
      });
    } else if (named.length > 0 && fresh.length === 0) {
      record({ kind: 'loop', path, reason: `certificate ${q(current)} was issued by ${JSON.stringify(current.issuer)}, which appears only earlier in the same path (a loop)` });
    } else if (fresh.length === 0) {
      const reason = storeFps.has(current.fingerprint256)
        ? `certificate ${q(current)} is in the trust store but is not self-signed, partialChain is false, and its issuer ${JSON.stringify(current.issuer)} is neither in the trust store nor in the presented chain`
        : `certificate ${q(current)} was issued by ${JSON.stringify(current.issuer)}, which is neither in the trust store nor in the presented chain`;
      record({ kind: 'no-issuer', path, reason });
    }
  }

  yield* extend([input.leaf]);
}
