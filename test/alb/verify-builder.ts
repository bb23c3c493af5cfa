import { KeyObject, X509Certificate, sign as nodeSign, type webcrypto } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';
import { extension, issueCertificate, publicKeyInfo, signatureAlgorithm, asnName, type RawName } from '../../certs/pki/issue.ts';
import { generateKeys } from '../../certs/pki/keys.ts';
import type { CryptoKeyPair } from '../../certs/pki/crypto-types.ts';
import { derBitString, derSequence } from '../../certs/x509/der.ts';
import { children, readTlv } from '../../certs/x509/der-reader.ts';
import { derToPem } from '../../certs/x509/pem.ts';
import { loadTrustStore } from '../../harness/alb/trust-store.ts';
import type { LoadedTrustStore } from '../../harness/alb/types.ts';

/**
 * Small hierarchies for the verifier's rule pairs: each test builds exactly the certificates its
 * rule needs (EC P-256 keys, reused), with any extension, name or encoding.
 */
export const NOW = new Date('2026-06-01T00:00:00Z');
const DAY = 86_400_000;
export const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
export const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

export interface Made {
  name: RawName;
  keys: CryptoKeyPair;
  x509: X509Certificate;
  pem: string;
  serial: string;
}

let keyPool: CryptoKeyPair[] = [];
let serialCounter = 0x100000;

/** Key pairs, made once per test file (the `n`th distinct pair). */
export async function keyPair(n: number): Promise<CryptoKeyPair> {
  while (keyPool.length <= n) keyPool = [...keyPool, await generateKeys('ec-p256')];
  return keyPool[n]!;
}

export interface MakeOptions {
  /** The CN, or the whole name in DER order. */
  name: string | RawName;
  keys: CryptoKeyPair;
  /** The issuing CA, or self-signed when absent. */
  issuer?: Made;
  /** Written as the issuer name instead of the issuing CA's subject (RFC 4518 comparison tests). */
  issuerName?: RawName;
  ca?: boolean;
  pathLength?: number;
  eku?: string[];
  san?: { dns?: string[]; ip?: string[] };
  notBefore?: Date;
  notAfter?: Date;
  extensions?: asn.Extension[];
  omit?: string[];
  spki?: asn.SubjectPublicKeyInfo;
  rewriteTbs?: (tbs: Buffer) => Buffer;
}

export function make(o: MakeOptions): Made {
  const name: RawName = typeof o.name === 'string' ? [['O', 'verify-rules'], ['CN', o.name]] : o.name;
  const serial = (serialCounter++).toString(16).toUpperCase();
  const issued = issueCertificate({
    subject: name,
    keys: o.keys,
    signer: o.issuer
      ? { name: asnName(o.issuerName ?? o.issuer.name), keys: o.issuer.keys, keyId: publicKeyInfo(o.issuer.keys.publicKey).keyId }
      : 'self',
    serial,
    notBefore: o.notBefore ?? new Date(NOW.getTime() - 30 * DAY),
    notAfter: o.notAfter ?? new Date(NOW.getTime() + 300 * DAY),
    ca: o.ca,
    pathLength: o.pathLength,
    extendedKeyUsages: o.ca ? o.eku : (o.eku ?? [CLIENT_AUTH]),
    subjectAltNames: o.san,
    extensions: o.extensions,
    omitExtensions: o.omit,
    subjectPublicKeyInfo: o.spki,
    rewriteTbs: o.rewriteTbs,
  });
  return { name, keys: o.keys, x509: issued.node, pem: issued.pem, serial };
}

/** An extension from its schema value. */
export const ext = extension;

/** A raw extension whose value is given as DER bytes. */
export function rawExt(oid: string, critical: boolean, valueDer: Uint8Array): asn.Extension {
  return new asn.Extension({ extnID: oid, critical, extnValue: new OctetString(valueDer) });
}

export function store(cas: Made[], revocations: string[] = []): LoadedTrustStore {
  return loadTrustStore({ caCertificatesBundle: cas.map((c) => c.pem).join(''), revocations });
}

export interface CrlOptions {
  issuer: Made;
  revoke?: string[];
  /** Absent by default only when `null`; default NOW + 7 days. */
  nextUpdate?: Date | null;
  /** The issuer name written in the CRL (RFC 4518 comparison tests). */
  issuerName?: RawName;
  extensions?: asn.Extension[];
  entryExtensions?: asn.Extension[];
  signWith?: CryptoKeyPair;
}

/** A v2 CRL, PEM. */
export function crl(o: CrlOptions): string {
  const keys = o.signWith ?? o.issuer.keys;
  const { algorithm, digest } = signatureAlgorithm(keys.privateKey);
  const tbs = new asn.TBSCertList({
    version: asn.Version.v2,
    signature: algorithm,
    issuer: asnName(o.issuerName ?? o.issuer.name),
    thisUpdate: new asn.Time(new Date(NOW.getTime() - DAY)),
    nextUpdate: o.nextUpdate === null ? undefined : new asn.Time(o.nextUpdate ?? new Date(NOW.getTime() + 7 * DAY)),
    revokedCertificates: o.revoke?.length
      ? o.revoke.map((serial) => new asn.RevokedCertificate({
          userCertificate: Uint8Array.from(Buffer.from(serial.length % 2 ? `0${serial}` : serial, 'hex')).buffer,
          revocationDate: new asn.Time(NOW),
          crlEntryExtensions: o.entryExtensions,
        }))
      : undefined,
    crlExtensions: o.extensions,
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signature = nodeSign(digest, tbsDer, KeyObject.from(keys.privateKey as unknown as webcrypto.CryptoKey));
  return derToPem(derSequence(tbsDer, Buffer.from(AsnConvert.serialize(algorithm)), derBitString(signature)), 'X509 CRL');
}

/** Replaces top-level field `index` of a TBSCertificate DER with `element` (a whole TLV). */
export function replaceTbsField(tbs: Buffer, index: number, element: Buffer): Buffer {
  const fields = children(tbs, readTlv(tbs, 0)).map((f) => tbs.subarray(f.start, f.end));
  fields[index] = element;
  return derSequence(...fields);
}

/** A time TLV with exactly the given text (UTCTime tag 0x17 unless `generalized`). */
export function timeTlv(text: string, generalized = false): Buffer {
  return Buffer.concat([Buffer.from([generalized ? 0x18 : 0x17, text.length]), Buffer.from(text, 'latin1')]);
}

/** The SubjectPublicKeyInfo of a P-256 key rewritten with explicit curve parameters (RFC 5480 forbids them). */
export function explicitP256Spki(keys: CryptoKeyPair): asn.SubjectPublicKeyInfo {
  const named = publicKeyInfo(keys.publicKey).spki;
  const int = (hex: string) => asnInteger(Buffer.from(hex, 'hex'));
  const octets = (hex: string) => Buffer.concat([Buffer.from([0x04, hex.length / 2]), Buffer.from(hex, 'hex')]);
  const oid = Buffer.from('06072a8648ce3d0101', 'hex'); // prime-field
  const params = derSequence(
    Buffer.from('020101', 'hex'),
    derSequence(oid, int('00ffffffff00000001000000000000000000000000ffffffffffffffffffffffff')),
    derSequence(
      octets('ffffffff00000001000000000000000000000000fffffffffffffffffffffffc'),
      octets('5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b'),
    ),
    octets('046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5'),
    int('00ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'),
    Buffer.from('020101', 'hex'),
  );
  return new asn.SubjectPublicKeyInfo({
    algorithm: new asn.AlgorithmIdentifier({ algorithm: '1.2.840.10045.2.1', parameters: Uint8Array.from(params).buffer }),
    subjectPublicKey: named.subjectPublicKey,
  });
}

function asnInteger(bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

