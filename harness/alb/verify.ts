import type { X509Certificate } from 'node:crypto';
import { failed, type AlbFailureCode } from '../../certs/alb-codes.ts';
import { splitPemBlocks } from '../../certs/x509/pem.ts';
import { albSignatureAccepted, certInfo, verifySignedDer, type CertInfo } from './cert-facts.ts';
import { ALB_TRUST_STORE_LIMITS } from './trust-store.ts';
import type { LoadedCrl, LoadedTrustStore, VerifyInput, VerifyResult } from './types.ts';

/**
 * The ALB's client-certificate verifier: pure, no sockets, the clock is `input.now`. It builds the
 * path from the presented leaf to a trust-store anchor and returns exactly one `tls_verify_status`.
 *
 * Precedence (the first rule that fails decides; "leaf first" = the certificate nearest the leaf
 * decides within one rule):
 *
 * | #  | rule                                                                                   | status                                   |
 * |----|----------------------------------------------------------------------------------------|------------------------------------------|
 * | 1  | no certificate presented                                                               | `noCertificateStatus` (default `Failed:UnmappedConnectionError`) |
 * | 2  | Certificate message over 64 KB                                                         | `Failed:ClientCertMaxSizeExceeded`       |
 * | 3  | a presented certificate cannot be parsed                                               | `Failed:ClientCertInvalid`               |
 * | 4  | leaf not X.509 v3 / key not RSA 2048-8192 or EC P-256/384/521 / signature not SHA-2 RSA, ECDSA or RSASSA-PSS | `Failed:ClientCertTypeUnsupported` |
 * | 5  | path building: an issuer is found by name but its signature does not verify             | `Failed:ClientCertInvalid`               |
 * | 6  | path building: no path to an anchor                                                    | `Failed:ClientCertUntrusted`             |
 * | 7  | rule 4 for every CA in the path (the anchor's own self-signature is not judged)         | `Failed:ClientCertTypeUnsupported`       |
 * | 8  | path longer than 4 certificates, leaf through anchor                                    | `Failed:ClientCertMaxChainDepthExceeded` |
 * | 9  | a CA certificate in the path over 16 KB (DER)                                           | `Failed:ClientCertMaxSizeExceeded`       |
 * | 10 | validity, leaf first, anchor included: notBefore > now / notAfter < now                 | `Failed:ClientCertNotYetValid` / `Failed:ClientCertExpired` |
 * | 11 | leaf has an EKU extension without clientAuth                                            | `Failed:ClientCertPurposeInvalid`        |
 * | 12 | CRLs, leaf first, anchor excluded: a CRL of the cert's issuer that cannot be processed / lists the serial | `Failed:ClientCertCrlProcessingError` / `Failed:ClientCertCrlHit` |
 *
 * Decisions where AWS is silent:
 * - Anchors: with `partialChain` (default true) any trust-store CA ends the path; otherwise only a
 *   self-signed one. A presented copy of a trust-store CA is that CA; an unrelated leaf does not
 *   become trusted because a trusted root travels with it.
 * - `ignoreClientCertificateExpiry` ignores the expiry of the client's *leaf* only ("expired client
 *   certificates"); an expired CA in the path still fails, and the reason says so. It never covers
 *   not-yet-valid.
 * - CRLs are per level: a CRL applies to a certificate only when the CRL's issuer is that
 *   certificate's issuer and its signature verifies with the issuer's key in the path. A level
 *   without a CRL is not checked (unlike Node's `crl`, which demands one per level). A stale CRL
 *   (nextUpdate < now) still applies: AWS documents no expiry check (OpenSSL would say CRL_HAS_EXPIRED).
 *   Within one certificate, a processing error wins over a hit.
 */
export function verifyClientChain(input: VerifyInput): VerifyResult {
  const { presented, trustStore, now } = input;
  if (presented.length === 0) {
    return { status: input.noCertificateStatus ?? failed('UnmappedConnectionError'), path: [], reason: 'the client sent no certificate' };
  }

  const messageBytes = input.certificateMessageBytes ?? presented.reduce((sum, c) => sum + c.raw.length, 0);
  if (messageBytes > ALB_TRUST_STORE_LIMITS.maxCertificateMessageBytes) {
    return fail('ClientCertMaxSizeExceeded', [], 0,
      `the client's certificate message is ${messageBytes} bytes, over ALB's TLS message size limit of 64 KB (${ALB_TRUST_STORE_LIMITS.maxCertificateMessageBytes} bytes)`);
  }

  const infos: CertInfo[] = [];
  for (const [i, cert] of presented.entries()) {
    try {
      infos.push(certInfo(cert));
    } catch (err) {
      return fail('ClientCertInvalid', [], i, `presented certificate ${i + 1} does not parse as an X.509 certificate (${(err as Error).message})`);
    }
  }
  const leaf = infos[0]!;

  const leafType = typeProblem(leaf, true);
  if (leafType) return fail('ClientCertTypeUnsupported', [], 0, leafType);

  const built = buildPath(leaf, infos.slice(1), trustStore, input.partialChain ?? true);
  const path = built.path.map((i) => i.x509);
  if (!built.anchored) {
    return { status: failed(built.badSignature ? 'ClientCertInvalid' : 'ClientCertUntrusted'), path, failingIndex: path.length - 1, reason: built.reason };
  }
  const chain = built.path;

  for (let i = 1; i < chain.length; i++) {
    const problem = typeProblem(chain[i]!, i < chain.length - 1);
    if (problem) return fail('ClientCertTypeUnsupported', path, i, problem);
  }

  if (chain.length > ALB_TRUST_STORE_LIMITS.maxChainDepth) {
    return fail('ClientCertMaxChainDepthExceeded', path, ALB_TRUST_STORE_LIMITS.maxChainDepth,
      `the path from ${q(leaf)} to trust anchor ${q(chain.at(-1)!)} has ${chain.length} certificates; ALB allows at most ${ALB_TRUST_STORE_LIMITS.maxChainDepth}`);
  }

  for (let i = 1; i < chain.length; i++) {
    const bytes = chain[i]!.derBytes;
    if (bytes > ALB_TRUST_STORE_LIMITS.maxCaCertificateBytes) {
      return fail('ClientCertMaxSizeExceeded', path, i,
        `CA certificate ${q(chain[i]!)} is ${bytes} bytes (DER), over ALB's CA certificate size limit of 16 KB (${ALB_TRUST_STORE_LIMITS.maxCaCertificateBytes} bytes)`);
    }
  }

  for (const [i, info] of chain.entries()) {
    if (info.notBefore.getTime() > now.getTime()) {
      return fail('ClientCertNotYetValid', path, i, `certificate ${q(info)} is not valid before ${iso(info.notBefore)} (notBefore)`);
    }
    if (info.notAfter.getTime() < now.getTime()) {
      if (i === 0 && input.ignoreClientCertificateExpiry) continue;
      const note = i > 0 && input.ignoreClientCertificateExpiry
        ? '; ignoreClientCertificateExpiry covers only the client\'s leaf certificate, not the CAs in its chain'
        : '';
      return fail('ClientCertExpired', path, i, `certificate ${q(info)} expired at ${iso(info.notAfter)} (notAfter)${note}`);
    }
  }

  if (leaf.extendedKeyUsages && !leaf.extendedKeyUsages.includes(CLIENT_AUTH)) {
    const names = leaf.extendedKeyUsages.map((o) => EKU_NAMES[o] ?? o).join(', ') || 'none';
    return fail('ClientCertPurposeInvalid', path, 0,
      `certificate ${q(leaf)} has an extended key usage without clientAuth (${CLIENT_AUTH}): ${names}`);
  }

  for (let i = 0; i < chain.length - 1; i++) {
    const cert = chain[i]!;
    const issuer = chain[i + 1]!;
    const crls = trustStore.crls.filter((crl) => crl.issuer === cert.issuer);
    for (const crl of crls) {
      const problem = crl.processingError ?? (crlSignedBy(crl, issuer) ? undefined : `its signature does not verify with the public key of ${q(issuer)}`);
      if (problem) {
        return fail('ClientCertCrlProcessingError', path, i, `the CRL of ${JSON.stringify(crl.issuer)} that covers certificate ${q(cert)} could not be processed: ${problem}`);
      }
    }
    const hit = crls.find((crl) => crl.revokedSerials.has(cert.serial));
    if (hit) {
      const stale = hit.nextUpdate && hit.nextUpdate.getTime() < now.getTime() ? ` (the CRL is stale since ${iso(hit.nextUpdate)}; it still applies)` : '';
      return fail('ClientCertCrlHit', path, i, `certificate ${q(cert)} (serial ${cert.serial}) is revoked by the CRL of ${JSON.stringify(hit.issuer)}${stale}`);
    }
  }

  return {
    status: 'Success',
    path,
    reason: `certificate ${q(leaf)} chains to trust-store CA ${q(chain.at(-1)!)} (${chain.length} certificates) and meets every ALB rule`,
  };
}

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const EKU_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  [CLIENT_AUTH]: 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '2.5.29.37.0': 'anyExtendedKeyUsage',
};

function fail(code: AlbFailureCode, path: X509Certificate[], failingIndex: number, reason: string): VerifyResult {
  return { status: failed(code), path, failingIndex, reason };
}

function q(info: CertInfo): string {
  return `"${info.subject}"`;
}

function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** ALB's type rules for one certificate; `judgeSignature` is false for the anchor (its self-signature is not relied on). */
function typeProblem(info: CertInfo, judgeSignature: boolean): string | undefined {
  if (info.version !== 3) return `certificate ${q(info)} is X.509 version ${info.version}; ALB accepts only version 3`;
  const key = info.keyVerdict;
  if (!key.ok) return `certificate ${q(info)} has ${key.description}; ALB accepts RSA 2048-8192 bits or EC P-256, P-384, P-521`;
  if (judgeSignature && !albSignatureAccepted(info.signature)) {
    return `certificate ${q(info)} is signed with ${info.signature.name}; ALB accepts SHA-256/384/512 with RSA, ECDSA or RSASSA-PSS`;
  }
  return undefined;
}

interface BuiltPath {
  path: CertInfo[];
  anchored: boolean;
  /** Set when the path broke because a name-matching issuer's signature did not verify. */
  badSignature?: boolean;
  reason: string;
}

/**
 * From the leaf, repeatedly pick an issuer among the trust-store CAs (preferred, as OpenSSL's
 * trusted-first) and the rest of the presented chain: same DN, `checkIssued` (name, AKI/SKI, key
 * usage) and a verifying signature. Ends at an anchor, or fails; a certificate is never used twice.
 */
function buildPath(leaf: CertInfo, rest: CertInfo[], store: LoadedTrustStore, partialChain: boolean): BuiltPath {
  const storeInfos = store.certificates.map(certInfo);
  const inStore = new Set(storeInfos.map((s) => s.fingerprint256));
  const isAnchor = (c: CertInfo): boolean => inStore.has(c.fingerprint256) && (partialChain || c.selfSigned);
  const path: CertInfo[] = [leaf];
  const used = new Set([leaf.fingerprint256]);
  // Distinct candidates, store copies first.
  const candidates: CertInfo[] = [];
  for (const c of [...storeInfos, ...rest]) {
    if (!candidates.some((o) => o.fingerprint256 === c.fingerprint256)) candidates.push(c);
  }

  for (;;) {
    const current = path.at(-1)!;
    if (isAnchor(current)) return { path, anchored: true, reason: '' };
    if (current.selfSigned) {
      const why = inStore.has(current.fingerprint256) ? '' : ' and is not in the trust store';
      return { path, anchored: false, reason: `certificate ${q(current)} is self-signed${why}` };
    }
    const named = candidates.filter((c) => !used.has(c.fingerprint256) && c.subject === current.issuer && current.x509.checkIssued(c.x509));
    const issuer = named.find((c) => current.x509.verify(c.x509.publicKey));
    if (issuer) {
      path.push(issuer);
      used.add(issuer.fingerprint256);
      continue;
    }
    if (named.length > 0) {
      return {
        path,
        anchored: false,
        badSignature: true,
        reason: `the signature of certificate ${q(current)} does not verify with the public key of its issuer ${JSON.stringify(current.issuer)}`,
      };
    }
    if (inStore.has(current.fingerprint256)) {
      return {
        path,
        anchored: false,
        reason: `certificate ${q(current)} is in the trust store but is not self-signed, partialChain is false, and its issuer ${JSON.stringify(current.issuer)} is neither in the trust store nor in the presented chain`,
      };
    }
    return {
      path,
      anchored: false,
      reason: `certificate ${q(current)} was issued by ${JSON.stringify(current.issuer)}, which is neither in the trust store nor in the presented chain`,
    };
  }
}

// CRL signatures are checked against the actual issuer in the path; cached per CRL and issuer key.
const crlDer = new WeakMap<LoadedCrl, Buffer>();
const crlChecks = new WeakMap<LoadedCrl, Map<string, boolean>>();

function crlSignedBy(crl: LoadedCrl, issuer: CertInfo): boolean {
  let checks = crlChecks.get(crl);
  if (!checks) crlChecks.set(crl, (checks = new Map()));
  const known = checks.get(issuer.fingerprint256);
  if (known !== undefined) return known;
  let der = crlDer.get(crl);
  if (!der) {
    der = splitPemBlocks(crl.pem)[0]?.der ?? Buffer.alloc(0);
    crlDer.set(crl, der);
  }
  const ok = verifySignedDer(der, issuer.x509.publicKey);
  checks.set(issuer.fingerprint256, ok);
  return ok;
}
