import { X509Certificate as NodeX509, KeyObject, createHash, sign as nodeSign, type webcrypto } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';
import { derToPem } from '../x509/pem.ts';
import { derBitString, derSequence } from '../x509/der.ts';
import { derSerial } from '../x509/serial.ts';
import type { CryptoKey, CryptoKeyPair, EcKeyAlgorithm } from './crypto-types.ts';

/**
 * The certificate builder. It writes X.509 with @peculiar/asn1-x509 (the schema library under
 * @peculiar/x509) and signs with node:crypto: the high-level generator re-parses every certificate
 * it makes, which was two thirds of a PKI build. Any shape is possible here, including the
 * deliberately bad ones (X.509 v1, SHA-1 signatures).
 */

const ATTRIBUTE_OIDS = { CN: '2.5.4.3', OU: '2.5.4.11', O: '2.5.4.10', L: '2.5.4.7', ST: '2.5.4.8', C: '2.5.4.6' } as const;
export type AttributeType = keyof typeof ATTRIBUTE_OIDS;
export const ATTRIBUTE_TYPES = Object.keys(ATTRIBUTE_OIDS) as AttributeType[];

/** RDNs in DER order (C/O first, CN last), each value a UTF8String: any character survives as given. */
export type RawName = Array<[AttributeType, string]>;

export function asnName(rdns: RawName): asn.Name {
  return new asn.Name(
    rdns.map(([type, value]) => new asn.RelativeDistinguishedName([
      new asn.AttributeTypeAndValue({ type: ATTRIBUTE_OIDS[type], value: new asn.DirectoryString({ utf8String: value }) }),
    ])),
  );
}

/** A key pair's public half as the certificate carries it, and its RFC 5280 key identifier. */
export interface PublicKeyInfo {
  spki: asn.SubjectPublicKeyInfo;
  /** SHA-1 of the subjectPublicKey bits (RFC 5280 §4.2.1.2, method 1). */
  keyId: Buffer;
}

const publicKeyInfos = new WeakMap<CryptoKey, PublicKeyInfo>();

/** Cached per key: the same few keys sign and are certified many times in one PKI. */
export function publicKeyInfo(key: CryptoKey): PublicKeyInfo {
  const known = publicKeyInfos.get(key);
  if (known) return known;
  const der = KeyObject.from(key as unknown as webcrypto.CryptoKey).export({ type: 'spki', format: 'der' });
  const spki = AsnConvert.parse(der, asn.SubjectPublicKeyInfo);
  const info = { spki, keyId: createHash('sha1').update(Buffer.from(spki.subjectPublicKey)).digest() };
  publicKeyInfos.set(key, info);
  return info;
}

/** Who signs: a CA (its name, key pair and key id), or `self`. */
export type Signer = { name: asn.Name; keys: CryptoKeyPair; keyId: Buffer } | 'self';

export interface IssueParams {
  subject: RawName;
  keys: CryptoKeyPair;
  signer: Signer;
  /** Hex serial, no sign byte (one is added when needed). */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** CA certificate (basicConstraints cA, keyCertSign + cRLSign). */
  ca?: boolean;
  pathLength?: number;
  /** EKU OIDs; omitted = no EKU extension. */
  extendedKeyUsages?: string[];
  /** DNS names and IP addresses. */
  subjectAltNames?: { dns?: string[]; ip?: string[] };
  /** `SHA-1` for the weak-signature variant; default: the hash that fits the signer's key. */
  hash?: 'SHA-1';
  /** X.509 version 1 (no extensions at all). Default 3. */
  version?: 1 | 3;
  /** For test pairs: extensions that replace the default of the same OID, or are added after the defaults. */
  extensions?: asn.Extension[];
  /** For test pairs: default extensions to leave out, by OID. */
  omitExtensions?: string[];
  /** For test pairs: the key to certify instead of `keys.publicKey` (e.g. an EC key with explicit curve parameters). */
  subjectPublicKeyInfo?: asn.SubjectPublicKeyInfo;
  /** For test pairs: rewrites the TBSCertificate DER before it is signed (malformed encodings). */
  rewriteTbs?: (tbsDer: Buffer) => Buffer;
}

export interface Issued {
  /** The TBSCertificate exactly as serialized and signed: facts are read from it without re-parsing the DER. */
  tbs: asn.TBSCertificate;
  der: Buffer;
  pem: string;
  node: NodeX509;
  name: asn.Name;
  keyId: Buffer;
}

export const EKU = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** Issues one certificate. Synchronous apart from nothing: the keys already exist. */
export function issueCertificate(p: IssueParams): Issued {
  const subjectKey = publicKeyInfo(p.keys.publicKey);
  const name = asnName(p.subject);
  const signer = p.signer === 'self' ? { name, keys: p.keys, keyId: subjectKey.keyId } : p.signer;
  const { algorithm, digest } = signatureAlgorithm(signer.keys.privateKey, p.hash);
  const tbs = new asn.TBSCertificate({
    version: p.version === 1 ? asn.Version.v1 : asn.Version.v3,
    serialNumber: Uint8Array.from(Buffer.from(derSerial(p.serial), 'hex')).buffer,
    signature: algorithm,
    issuer: signer.name,
    validity: new asn.Validity({ notBefore: p.notBefore, notAfter: p.notAfter }),
    subject: name,
    subjectPublicKeyInfo: p.subjectPublicKeyInfo ?? subjectKey.spki,
  });
  if (p.version !== 1) tbs.extensions = extensions(p, subjectKey.keyId, p.signer === 'self' ? undefined : signer.keyId);
  const serialized = Buffer.from(AsnConvert.serialize(tbs));
  const tbsDer = p.rewriteTbs ? p.rewriteTbs(serialized) : serialized;
  const signature = nodeSign(digest, tbsDer, KeyObject.from(signer.keys.privateKey as unknown as webcrypto.CryptoKey));
  const der = derSequence(tbsDer, Buffer.from(AsnConvert.serialize(algorithm)), derBitString(signature));
  const pem = derToPem(der, 'CERTIFICATE');
  return { tbs, der, pem, node: new NodeX509(der), name, keyId: subjectKey.keyId };
}

/** One extension from its schema value (for test pairs: any extension, critical or not). */
export function extension(oid: string, critical: boolean, value: object): asn.Extension {
  return new asn.Extension({ extnID: oid, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

function extensions(p: IssueParams, keyId: Buffer, authorityKeyId: Buffer | undefined): asn.Extensions {
  const F = asn.KeyUsageFlags;
  const list = [
    extension(asn.id_ce_basicConstraints, true, new asn.BasicConstraints(p.ca ? { cA: true, pathLenConstraint: p.pathLength } : {})),
    extension(asn.id_ce_keyUsage, true, new asn.KeyUsage(p.ca ? F.keyCertSign | F.cRLSign | F.digitalSignature : F.digitalSignature | F.keyEncipherment)),
  ];
  if (p.extendedKeyUsages) list.push(extension(asn.id_ce_extKeyUsage, false, new asn.ExtendedKeyUsage(p.extendedKeyUsages)));
  if (p.subjectAltNames) {
    const names = [
      ...(p.subjectAltNames.dns ?? []).map((dNSName) => new asn.GeneralName({ dNSName })),
      ...(p.subjectAltNames.ip ?? []).map((iPAddress) => new asn.GeneralName({ iPAddress })),
    ];
    list.push(extension(asn.id_ce_subjectAltName, false, new asn.SubjectAlternativeName(names)));
  }
  list.push(extension(asn.id_ce_subjectKeyIdentifier, false, new asn.SubjectKeyIdentifier(keyId)));
  if (authorityKeyId) {
    list.push(extension(asn.id_ce_authorityKeyIdentifier, false, new asn.AuthorityKeyIdentifier({ keyIdentifier: new asn.KeyIdentifier(authorityKeyId) })));
  }
  const extra = p.extensions ?? [];
  const kept = list
    .filter((e) => !p.omitExtensions?.includes(e.extnID))
    .map((e) => extra.find((x) => x.extnID === e.extnID) ?? e);
  const added = extra.filter((x) => !list.some((e) => e.extnID === x.extnID));
  return new asn.Extensions([...kept, ...added]);
}

const EC_SIGNATURES: Record<string, [oid: string, digest: string]> = {
  'P-256': ['1.2.840.10045.4.3.2', 'sha256'], // ecdsa-with-SHA256
  'P-384': ['1.2.840.10045.4.3.3', 'sha384'],
  'P-521': ['1.2.840.10045.4.3.4', 'sha512'],
};

/** The signature algorithm a key signs with: the hash follows the curve size, as OpenSSL would pick. */
export function signatureAlgorithm(key: CryptoKey, hash?: 'SHA-1'): { algorithm: asn.AlgorithmIdentifier; digest: string | null } {
  if (key.algorithm.name === 'ECDSA') {
    const [oid, digest] = hash ? ['1.2.840.10045.4.1', 'sha1'] : EC_SIGNATURES[(key.algorithm as EcKeyAlgorithm).namedCurve]!;
    return { algorithm: new asn.AlgorithmIdentifier({ algorithm: oid }), digest };
  }
  if (key.algorithm.name === 'RSASSA-PKCS1-v1_5') {
    // RSA algorithm identifiers carry an explicit NULL parameter.
    const oid = hash ? '1.2.840.113549.1.1.5' : '1.2.840.113549.1.1.11';
    return { algorithm: new asn.AlgorithmIdentifier({ algorithm: oid, parameters: null }), digest: hash ? 'sha1' : 'sha256' };
  }
  throw new Error(`cannot sign with a ${key.algorithm.name} key`);
}
