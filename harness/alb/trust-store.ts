import { X509Certificate } from 'node:crypto';
import { UserError } from '../errors.ts';
import { recentResults } from '../recent-results.ts';
import { verifySignedDer } from '../../certs/x509/algorithms.ts';
import { crlModel } from '../../certs/x509/crl-model.ts';
import { certModel } from '../../certs/x509/model.ts';
import { splitPemBlocks } from '../../certs/x509/pem.ts';
import type { LoadedCrl, LoadedTrustStore, TrustStoreOptions } from './types.ts';

/**
 * ALB's fixed trust-store and client-certificate quotas (load-balancer-limits.html). The CA count is
 * adjustable in AWS; the emulator holds the default.
 */
export const ALB_TRUST_STORE_LIMITS = {
  /** "CA certificates per trust store". */
  maxCaCertificates: 25,
  /** "CA certificate size", 16 KB. Measured on the PEM text of the block (what the bundle file holds). */
  maxCaCertificateBytes: 16 * 1024,
  /** "Maximum certificate chain depth", counted leaf through anchor. */
  maxChainDepth: 4,
  /** "TLS message size", 64 K: the client's Certificate message. */
  maxCertificateMessageBytes: 64 * 1024,
} as const;

const BEGIN = /^-----BEGIN ([A-Z0-9 ]+)-----$/;
const END_CERT = '-----END CERTIFICATE-----';
const BEGIN_CERT = '-----BEGIN CERTIFICATE-----';

/**
 * Loads an ALB trust store: the CA bundle under ALB's bundle rules, then the PEM CRLs.
 *
 * Bundle rules (mutual-authentication.html): PEM only, `-----BEGIN/END CERTIFICATE-----` blocks,
 * `#` comment lines without `-`, no blank lines (a final newline is fine), nothing else outside a
 * block (an `openssl x509 -text` dump is the classic mistake), at most 25 CAs, each at most 16 KB.
 * The first broken rule, in line order, throws `UserError('HARNESS_ERR_TRUST_STORE')` with the
 * message `<source> line N: <rule>. <fix>`.
 *
 * CRLs must be `-----BEGIN X509 CRL-----` PEM (`HARNESS_ERR_CRL` otherwise, like AWS's
 * `InvalidRevocationContent`). A CRL whose issuer is a CA of the bundle is signature-checked now;
 * a bad signature sets `processingError` (the verifier then answers `ClientCertCrlProcessingError`
 * for that issuer's certificates). A CRL whose issuer is not in the bundle (typically the
 * intermediate's CRL while the bundle holds only the root) cannot be checked yet: the verifier
 * checks it against the issuer in the built path.
 */
export function loadTrustStore(options: TrustStoreOptions): LoadedTrustStore {
  const source = options.source ?? 'trustStore.caCertificatesBundle';
  const bundle = options.caCertificatesBundle;
  const pems = parsedBundles(bundle, () => parseBundle(bundle, source));
  const certificates = pems.map((p) => p.x509);
  const crls = (options.revocations ?? []).flatMap((text, index) => {
    const crlSource = options.revocationSources?.[index] ?? `trustStore.revocations[${index}]`;
    // The bundle's text stands for its parsed CAs (the same objects, from parsedBundles); the source names the CRL in its processing error.
    const loaded = loadedCrls(`${bundle}\0${crlSource}\0${text}`, () => loadCrls(text, crlSource, certificates));
    for (const crl of loaded) {
      const issuerKey = crlModel(splitPemBlocks(crl.pem)[0]!.der).issuerKey;
      if (!certificates.some((ca) => certModel(ca).subjectKey === issuerKey)) options.onWarning?.(foreignCrlWarning(crlSource, crl.issuer, source));
    }
    return loaded;
  });
  for (const warning of bundleWarnings(certificates, source)) options.onWarning?.(warning);
  return { certificates, pems: pems.map((p) => p.pem), crls };
}

/**
 * A CRL whose issuer is no CA of the bundle applies only to certificates issued by an intermediate
 * the client itself presents; a CRL from another PKI (kept by mistake) never applies at all.
 */
export const foreignCrlWarning = (crlSource: string, issuer: string, bundleSource: string) =>
  `${crlSource}: the CRL's issuer "${issuer}" is not a CA in ${bundleSource}; it applies only to certificates issued by an ` +
  'intermediate of that name that clients present. If that is not your intermediate, remove this CRL (it revokes nothing here).';

/**
 * What AWS accepts in a bundle but is almost surely a mistake: a certificate that is not a CA cannot
 * issue client certificates, so it anchors no chain but itself. Warned about, not refused.
 */
function bundleWarnings(certificates: X509Certificate[], source: string): string[] {
  return certificates.flatMap((cert, i) => {
    const m = certModel(cert);
    if (m.isCa) return [];
    const why = m.extensions.basicConstraints ? 'basicConstraints CA:FALSE' : 'no basicConstraints';
    return [`${source}: certificate ${i + 1} (${JSON.stringify(m.subject)}) is not a CA (${why}); it cannot issue client certificates, so only a client presenting this very certificate could match it`];
  });
}

// Every ALB start of a scenario run loads the same few bundles and CRLs: their parsed forms (read-only)
// are kept by content. Only what loaded is kept, so a broken bundle still throws, naming its own source.
const parsedBundles = recentResults<{ pem: string; x509: X509Certificate }[]>(32);
const loadedCrls = recentResults<LoadedCrl[]>(64);

function bundleError(source: string, line: number, rule: string, fix: string): UserError {
  return new UserError('HARNESS_ERR_TRUST_STORE', `${source} line ${line}: ${rule}. ${fix}`);
}

function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

function parseBundle(text: string, source: string): { pem: string; x509: X509Certificate }[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  // A final newline ends the last line; it does not make a blank line.
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const out: { pem: string; x509: X509Certificate }[] = [];
  let block: { line: number; body: string[] } | undefined;

  lines.forEach((line, i) => {
    const n = i + 1;
    if (line.trim() === '') {
      throw bundleError(source, n, 'blank line', 'ALB rejects CA bundles with blank lines anywhere; delete the line');
    }
    if (block) {
      if (line === END_CERT) {
        out.push(finishBlock(source, block.line, block.body, out.length));
        block = undefined;
      } else if (line.startsWith('-----')) {
        throw bundleError(source, block.line, `"${BEGIN_CERT}" has no matching "${END_CERT}" line before line ${n}`, 'Restore the END line of that certificate');
      } else {
        block.body.push(line);
      }
      return;
    }
    if (line.startsWith('#')) {
      if (line.includes('-')) {
        throw bundleError(source, n, `comment contains "-" (${quote(line)})`, 'ALB comment lines start with # and must not contain "-"; remove the dashes or the comment');
      }
      return;
    }
    const begin = BEGIN.exec(line);
    if (begin) {
      const label = begin[1]!;
      if (label !== 'CERTIFICATE') {
        const fix = label.includes('CRL')
          ? 'A CA bundle holds only certificates; give CRLs as trustStore.revocations'
          : 'A CA bundle holds only CERTIFICATE blocks; remove this block';
        throw bundleError(source, n, `"${line}" block is not a certificate`, fix);
      }
      if (out.length >= ALB_TRUST_STORE_LIMITS.maxCaCertificates) {
        throw bundleError(
          source,
          n,
          `certificate ${out.length + 1} exceeds ALB's quota of ${ALB_TRUST_STORE_LIMITS.maxCaCertificates} CA certificates per trust store`,
          'Keep only the roots and intermediates that issue your client certificates',
        );
      }
      block = { line: n, body: [] };
      return;
    }
    throw bundleError(
      source,
      n,
      `text outside a PEM block (${quote(line)})`,
      'ALB bundles hold only PEM certificates and # comments (no "openssl x509 -text" dump); delete the text or re-export with: openssl x509 -in cert.pem -outform PEM',
    );
  });

  if (block) {
    throw bundleError(source, block.line, `"${BEGIN_CERT}" has no matching "${END_CERT}" line`, 'The file is truncated; restore the END line');
  }
  if (out.length === 0) {
    throw bundleError(source, 1, 'the bundle holds no CA certificate', `Add at least one PEM block starting with "${BEGIN_CERT}"`);
  }
  return out;
}

function finishBlock(source: string, line: number, body: string[], index: number): { pem: string; x509: X509Certificate } {
  const pem = `${BEGIN_CERT}\n${body.join('\n')}\n${END_CERT}\n`;
  // The size quota is checked on the PEM text of the block (BEGIN..END, newline-terminated): that is
  // what the bundle file holds, and it is stricter than the DER size (base64 adds a third).
  const bytes = Buffer.byteLength(pem);
  if (bytes > ALB_TRUST_STORE_LIMITS.maxCaCertificateBytes) {
    throw bundleError(
      source,
      line,
      `certificate ${index + 1} is ${bytes} bytes of PEM, over ALB's CA certificate size limit of 16 KB (${ALB_TRUST_STORE_LIMITS.maxCaCertificateBytes} bytes)`,
      'Use a smaller CA certificate (fewer extensions or names); this quota cannot be raised',
    );
  }
  try {
    const x509 = new X509Certificate(pem);
    // The verifier needs these facts; a certificate they cannot be read from is as bad as unparsable.
    const problem = certModel(x509).structureError;
    if (problem) throw new Error(problem);
    return { pem, x509 };
  } catch (err) {
    throw bundleError(
      source,
      line,
      `certificate ${index + 1} does not parse as an X.509 certificate (${(err as Error).message})`,
      'Re-export it with: openssl x509 -in cert.pem -outform PEM',
    );
  }
}

function crlError(source: string, problem: string): UserError {
  return new UserError('HARNESS_ERR_CRL', `${source}: ${problem}`);
}

function loadCrls(text: string, source: string, cas: X509Certificate[]): LoadedCrl[] {
  const fix = 'ALB takes CRLs in PEM only; re-encode with: openssl crl -in FILE -outform PEM (add -inform DER for a DER file)';
  // DER starts with a SEQUENCE tag and holds bytes no PEM text has.
  // eslint-disable-next-line no-control-regex -- control bytes are exactly what marks DER here
  if (text.charCodeAt(0) === 0x30 && /[\x00-\x08\x0e-\x1f\x80-\uffff]/.test(text.slice(0, 8))) {
    throw crlError(source, `looks like a DER-encoded CRL, not PEM. ${fix}`);
  }
  const blocks = splitPemBlocks(text);
  if (blocks.length === 0) throw crlError(source, `holds no "-----BEGIN X509 CRL-----" block. ${fix}`);
  return blocks.map((block) => {
    const where = blocks.length > 1 ? `${source} line ${block.line}` : source;
    if (block.label === 'CRL') {
      throw crlError(where, `uses the "-----BEGIN CRL-----" label; ALB and OpenSSL accept only "-----BEGIN X509 CRL-----". ${fix}`);
    }
    if (block.label !== 'X509 CRL') throw crlError(where, `holds a "${block.label}" block, not a CRL. ${fix}`);
    const crl = crlModel(block.der);
    if (crl.structureError) throw crlError(where, `does not parse as a CRL (${crl.structureError}). ${fix}`);
    const loaded: LoadedCrl = {
      issuer: crl.issuer,
      pem: block.pem,
      revokedSerials: crl.revokedSerials,
      thisUpdate: crl.thisUpdate ?? new Date(Number.NaN),
      nextUpdate: crl.nextUpdate,
    };
    // Issuer by RFC 4518 name comparison; a CRL of a bundle CA whose signature fits none of the CAs of that name is unusable.
    const candidates = cas.filter((ca) => certModel(ca).subjectKey === crl.issuerKey);
    if (candidates.length > 0 && !candidates.some((ca) => verifySignedDer(block.der, ca.publicKey))) {
      loaded.processingError = `the signature of ${where} does not verify with the public key of trust-store CA ${JSON.stringify(crl.issuer)}`;
    }
    return loaded;
  });
}
