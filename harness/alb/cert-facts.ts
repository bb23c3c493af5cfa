import { X509Certificate, constants, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { AsnConvert, Certificate, ExtendedKeyUsage, id_ce_extKeyUsage } from '../../certs/x509/asn1.ts';
import { formatName } from '../../certs/x509/dn.ts';

/**
 * What the ALB verifier needs to know about one certificate, read from its DER: ALB's rules are
 * about key types, signature algorithms and the X.509 version, none of which Node's
 * `X509Certificate` exposes directly. Parsed once per certificate object (WeakMap cache), because
 * the listener verifies every connection against the same trust-store objects.
 */
export interface CertInfo {
  x509: X509Certificate;
  /** RFC 2253 subject / issuer (certs/x509/dn.ts). */
  subject: string;
  issuer: string;
  /** Uppercase hex without the DER sign byte; a negative serial (first byte >= 0x80) is prefixed with `-`. */
  serial: string;
  /** 1, 2 or 3. */
  version: number;
  notBefore: Date;
  notAfter: Date;
  signature: SignatureAlgorithmInfo;
  /** EKU OIDs, or undefined when the certificate has no EKU extension. */
  extendedKeyUsages?: string[];
  derBytes: number;
  fingerprint256: string;
  selfSigned: boolean;
  /** Whether ALB accepts the public key (type and size), with a description for reasons. */
  keyVerdict: KeyVerdict;
}

export interface SignatureAlgorithmInfo {
  oid: string;
  /** OpenSSL's name (`ecdsa-with-SHA256`, `sha1WithRSAEncryption`, `rsassaPss`), or the OID. */
  name: string;
  family: 'rsa' | 'ecdsa' | 'rsa-pss' | 'ed25519' | 'other';
  /** Node digest name, e.g. `sha256`; for RSASSA-PSS the hash of its parameters (RFC 4055 default `sha1`). */
  hash?: string;
  /** RSASSA-PSS only: the MGF1 hash and the salt length (defaults `sha1` / 20 as RFC 4055 says). */
  pss?: { mgf1Hash: string; saltLength: number };
}

/** The ALB-accepted key of a certificate, or a phrase saying what is wrong with it. */
export type KeyVerdict = { ok: true; description: string } | { ok: false; description: string };

const SIGNATURES: Record<string, Omit<SignatureAlgorithmInfo, 'oid'>> = {
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', family: 'rsa', hash: 'md5' },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', family: 'rsa', hash: 'sha1' },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', family: 'rsa', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', family: 'rsa', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', family: 'rsa', hash: 'sha512' },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', family: 'ecdsa', hash: 'sha1' },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', family: 'ecdsa', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', family: 'ecdsa', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', family: 'ecdsa', hash: 'sha512' },
  '1.2.840.113549.1.1.10': { name: 'rsassaPss', family: 'rsa-pss' },
  '1.3.101.112': { name: 'ED25519', family: 'ed25519' },
};

const HASH_OIDS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
const MGF1_OID = '1.2.840.113549.1.1.8';
const SHA2 = new Set(['sha256', 'sha384', 'sha512']);

/** ALB's accepted curves, by Node's `namedCurve` names. */
const ALB_CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

const cache = new WeakMap<X509Certificate, CertInfo>();
/**
 * Facts by DER fingerprint: every connection brings new X509Certificate objects for the same few
 * certificates, and the ASN.1 parse is the costliest step of a verification. Bounded, oldest out.
 */
const byFingerprint = new Map<string, Omit<CertInfo, 'x509'>>();
const MAX_CACHED = 2000;

/** Parses (once) the facts of a certificate. Throws when the DER does not parse as an X.509 certificate. */
export function certInfo(x509: X509Certificate): CertInfo {
  const hit = cache.get(x509);
  if (hit) return hit;
  const fingerprint256 = x509.fingerprint256;
  const known = byFingerprint.get(fingerprint256);
  const info: CertInfo = known ? { ...known, x509 } : { ...parseFacts(x509, fingerprint256), x509 };
  if (!known) {
    if (byFingerprint.size >= MAX_CACHED) byFingerprint.delete(byFingerprint.keys().next().value!);
    const { x509: _omit, ...facts } = info;
    byFingerprint.set(fingerprint256, facts);
  }
  cache.set(x509, info);
  return info;
}

function parseFacts(x509: X509Certificate, fingerprint256: string): Omit<CertInfo, 'x509'> {
  const asn = AsnConvert.parse(x509.raw, Certificate);
  const tbs = asn.tbsCertificate;
  const ekuExt = tbs.extensions?.find((e) => e.extnID === id_ce_extKeyUsage);
  const signed = parseSigned(x509.raw);
  const subject = formatName(tbs.subject);
  const issuer = formatName(tbs.issuer);
  return {
    subject,
    issuer,
    serial: normaliseSerial(new Uint8Array(tbs.serialNumber)),
    version: tbs.version + 1,
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    signature: signatureAlgorithmInfo(signed.algorithmOid, signed.algorithmParams),
    extendedKeyUsages: ekuExt ? [...AsnConvert.parse(ekuExt.extnValue.buffer, ExtendedKeyUsage)] : undefined,
    derBytes: x509.raw.length,
    fingerprint256,
    // Same name and signed by its own key. Not checkIssued(): that also demands keyCertSign, which a self-signed *leaf* lacks.
    selfSigned: subject === issuer && x509.verify(x509.publicKey),
    keyVerdict: albKeyVerdict(x509.publicKey),
  };
}

/**
 * Serial as ALB writes it (uppercase hex, whole bytes, no `00` sign byte). A DER INTEGER whose first
 * byte has the high bit set is negative: ALB "cannot revoke certificates with a negative serial
 * number", so such values get a `-` prefix and never equal a positive serial.
 */
export function normaliseSerial(bytes: Uint8Array): string {
  let b = bytes;
  if (b.length > 0 && b[0]! >= 0x80) return `-${Buffer.from(b).toString('hex').toUpperCase()}`;
  while (b.length > 1 && b[0] === 0 && b[1]! >= 0x80) b = b.subarray(1);
  return Buffer.from(b).toString('hex').toUpperCase();
}

/** Same normalisation for a hex string (as @peculiar/x509 gives CRL entry serials). */
export function normaliseSerialHex(hex: string): string {
  const even = hex.length % 2 ? `0${hex}` : hex;
  return normaliseSerial(Buffer.from(even, 'hex'));
}

/** Whether ALB accepts the key: RSA 2048-8192 bits, or EC P-256 / P-384 / P-521. */
export function albKeyVerdict(key: KeyObject): KeyVerdict {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa' || type === 'rsa-pss') {
    const bits = details.modulusLength ?? 0;
    const description = `an RSA ${bits}-bit public key`;
    return bits >= 2048 && bits <= 8192 ? { ok: true, description } : { ok: false, description };
  }
  if (type === 'ec') {
    const curve = ALB_CURVES[details.namedCurve ?? ''];
    return curve
      ? { ok: true, description: `an EC ${curve} public key` }
      : { ok: false, description: `an EC public key on curve ${details.namedCurve ?? 'unknown'}` };
  }
  const names: Record<string, string> = { ed25519: 'Ed25519', ed448: 'Ed448', dsa: 'DSA', dh: 'DH', x25519: 'X25519' };
  return { ok: false, description: `an ${names[type ?? ''] ?? type ?? 'unknown'} public key` };
}

/** Whether ALB accepts the signature algorithm: SHA-256/384/512 with RSA, ECDSA, or RSASSA-PSS with MGF1. */
export function albSignatureAccepted(sig: SignatureAlgorithmInfo): boolean {
  if (sig.family === 'rsa' || sig.family === 'ecdsa') return SHA2.has(sig.hash ?? '');
  if (sig.family === 'rsa-pss') return SHA2.has(sig.hash ?? '') && SHA2.has(sig.pss?.mgf1Hash ?? '');
  return false;
}

export function signatureAlgorithmInfo(oid: string, params?: Buffer): SignatureAlgorithmInfo {
  const known = SIGNATURES[oid];
  if (!known) return { oid, name: oid, family: 'other' };
  if (known.family !== 'rsa-pss') return { oid, ...known };
  const pss = parsePssParams(params);
  return { oid, ...known, name: `rsassaPss(${pss.hash})`, hash: pss.hash, pss: { mgf1Hash: pss.mgf1Hash, saltLength: pss.saltLength } };
}

/**
 * Verifies a signed DER structure (`SEQUENCE { tbs, AlgorithmIdentifier, BIT STRING }`: a CRL or a
 * certificate) synchronously with node:crypto. @peculiar/x509's `verify()` is async (WebCrypto), and
 * trust-store loading and verification are synchronous.
 */
export function verifySignedDer(der: Uint8Array, publicKey: KeyObject): boolean {
  try {
    const signed = parseSigned(der);
    const sig = signatureAlgorithmInfo(signed.algorithmOid, signed.algorithmParams);
    if (sig.family === 'other') return false;
    if (sig.family === 'ed25519') return cryptoVerify(null, signed.tbs, publicKey, signed.signature);
    if (sig.family === 'rsa-pss') {
      return cryptoVerify(
        sig.hash!,
        signed.tbs,
        { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: sig.pss!.saltLength },
        signed.signature,
      );
    }
    return cryptoVerify(sig.hash!, signed.tbs, { key: publicKey, dsaEncoding: 'der' }, signed.signature);
  } catch {
    return false;
  }
}

// --- a minimal DER reader: enough for SEQUENCE { tbs, algId, BIT STRING } and RSASSA-PSS params ---

interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  contentStart: number;
  end: number;
}

function readTlv(buf: Uint8Array, offset: number): Tlv {
  const tag = buf[offset];
  let len = buf[offset + 1];
  if (tag === undefined || len === undefined) throw new Error('DER: truncated');
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('DER: unsupported length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos + i]!;
    pos += n;
  }
  const end = pos + len;
  if (end > buf.length) throw new Error('DER: length beyond end');
  return { tag, start: offset, contentStart: pos, end };
}

function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = parent.contentStart; pos < parent.end; ) {
    const child = readTlv(buf, pos);
    out.push(child);
    pos = child.end;
  }
  return out;
}

function decodeOid(bytes: Uint8Array): string {
  const parts: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  const first = parts.shift() ?? 0;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...parts].join('.');
}

function readAlgorithmIdentifier(buf: Uint8Array, tlv: Tlv): { oid: string; params?: Buffer } {
  const [oidTlv, paramsTlv] = children(buf, tlv);
  if (!oidTlv || oidTlv.tag !== 0x06) throw new Error('DER: AlgorithmIdentifier without OID');
  return {
    oid: decodeOid(buf.subarray(oidTlv.contentStart, oidTlv.end)),
    params: paramsTlv ? Buffer.from(buf.subarray(paramsTlv.start, paramsTlv.end)) : undefined,
  };
}

function parseSigned(der: Uint8Array): { tbs: Buffer; algorithmOid: string; algorithmParams?: Buffer; signature: Buffer } {
  const outer = readTlv(der, 0);
  const [tbs, alg, sig] = children(der, outer);
  if (!tbs || !alg || !sig || sig.tag !== 0x03) throw new Error('DER: not a signed structure');
  const { oid, params } = readAlgorithmIdentifier(der, alg);
  // BIT STRING content starts with the count of unused bits (always 0 for signatures).
  return {
    tbs: Buffer.from(der.subarray(tbs.start, tbs.end)),
    algorithmOid: oid,
    algorithmParams: params,
    signature: Buffer.from(der.subarray(sig.contentStart + 1, sig.end)),
  };
}

/** RFC 4055 RSASSA-PSS-params; absent fields take the RFC's defaults (SHA-1, MGF1-SHA-1, salt 20). */
function parsePssParams(params?: Buffer): { hash: string; mgf1Hash: string; saltLength: number } {
  const result = { hash: 'sha1', mgf1Hash: 'sha1', saltLength: 20 };
  if (!params || params[0] !== 0x30) return result;
  try {
    for (const field of children(params, readTlv(params, 0))) {
      const inner = readTlv(params, field.contentStart);
      if (field.tag === 0xa0) {
        const oid = readAlgorithmIdentifier(params, inner).oid;
        result.hash = HASH_OIDS[oid] ?? oid;
      } else if (field.tag === 0xa1) {
        const mgf = readAlgorithmIdentifier(params, inner);
        if (mgf.oid !== MGF1_OID || !mgf.params) result.mgf1Hash = mgf.oid;
        else {
          const oid = readAlgorithmIdentifier(mgf.params, readTlv(mgf.params, 0)).oid;
          result.mgf1Hash = HASH_OIDS[oid] ?? oid;
        }
      } else if (field.tag === 0xa2) {
        let n = 0;
        for (const b of params.subarray(inner.contentStart, inner.end)) n = n * 256 + b;
        result.saltLength = n;
      }
    }
  } catch {
    // Malformed parameters: keep the defaults, which ALB rejects (SHA-1) - the safe side.
  }
  return result;
}
