import { children, GENERALIZED_TIME, name, O, CN, pemOf, rawTime, resign, SEQUENCE, TBS, tlv, UTC_TIME, UTF8_STRING, type Tlv } from './der.ts';
import type { Cert, CorpusCa, Key } from './openssl-ca.ts';

/**
 * Edits of certificates and CRLs OpenSSL made, re-signed with the issuer's key through the DER
 * builder: the encodings `openssl ca` will not write.
 */

/** `[O, CN]` as UTF8Strings: the shape of every corpus CA name, with any spelling. */
export function caName(org: string, cn: string, tag = UTF8_STRING): Buffer {
  return name([[O, tag, org], [CN, tag, cn]]);
}

async function editCert(ca: CorpusCa, cert: Cert, issuerKey: Key, edit: (tbs: Tlv[]) => Buffer[]): Promise<Cert> {
  const pem = pemOf('CERTIFICATE', resign(cert.der, issuerKey.pem, edit));
  return ca.adopt(pem, cert.key, cert.subject);
}

function replaceAt(tbs: Tlv[], index: number, value: Buffer): Buffer[] {
  return tbs.map((t, i) => (i === index ? value : t.raw));
}

export function withIssuerName(ca: CorpusCa, cert: Cert, issuerKey: Key, issuer: Buffer): Promise<Cert> {
  return editCert(ca, cert, issuerKey, (tbs) => replaceAt(tbs, TBS.issuer, issuer));
}

export function withSubjectName(ca: CorpusCa, cert: Cert, issuerKey: Key, subject: Buffer): Promise<Cert> {
  return editCert(ca, cert, issuerKey, (tbs) => replaceAt(tbs, TBS.subject, subject));
}

/** Validity written as given, e.g. `{ tag: UTC_TIME, notAfter: '2701010000Z' }` (no seconds). */
export function withValidity(ca: CorpusCa, cert: Cert, issuerKey: Key, v: { notBefore?: Buffer; notAfter?: Buffer }): Promise<Cert> {
  return editCert(ca, cert, issuerKey, (tbs) => {
    const [nb, na] = children(tbs[TBS.validity]!.content);
    return replaceAt(tbs, TBS.validity, tlv(SEQUENCE, v.notBefore ?? nb!.raw, v.notAfter ?? na!.raw));
  });
}

export { rawTime, UTC_TIME, GENERALIZED_TIME };

/** Position of a CRL's issuer: after the optional version and the signature algorithm. */
function crlIssuerIndex(tbs: Tlv[]): number {
  return tbs[0]!.tag === 0x02 ? 2 : 1;
}

function editCrl(crlPem: string, issuerKey: Key, edit: (tbs: Tlv[]) => Buffer[]): string {
  const der = Buffer.from(crlPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return pemOf('X509 CRL', resign(der, issuerKey.pem, edit));
}

/** The same CRL with no nextUpdate (RFC 5280 makes it optional in the syntax). */
export function crlWithoutNextUpdate(crlPem: string, issuerKey: Key): string {
  return editCrl(crlPem, issuerKey, (tbs) => {
    const next = crlIssuerIndex(tbs) + 2;
    const t = tbs[next];
    return tbs.filter((_, i) => !(i === next && t && (t.tag === UTC_TIME || t.tag === GENERALIZED_TIME))).map((x) => x.raw);
  });
}

/** The same CRL naming its issuer another way. */
export function crlWithIssuerName(crlPem: string, issuerKey: Key, issuer: Buffer): string {
  return editCrl(crlPem, issuerKey, (tbs) => replaceAt(tbs, crlIssuerIndex(tbs), issuer));
}
