import { constants, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { RsaSaPssParams } from '@peculiar/asn1-rsa';
import { AlgorithmIdentifier, type SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { signedParts } from './der-reader.ts';

/** What a signature algorithm identifier says, with OpenSSL's name for messages. */
export interface SignatureAlgorithmInfo {
  oid: string;
  /** OpenSSL's name (`ecdsa-with-SHA256`, `sha1WithRSAEncryption`, `rsassaPss(sha256)`), or the OID. */
  name: string;
  family: 'rsa' | 'ecdsa' | 'rsa-pss' | 'ed25519' | 'other';
  /** Node digest name, e.g. `sha256`; for RSASSA-PSS the hash of its parameters (RFC 4055 default `sha1`). */
  hash?: string;
  /** RSASSA-PSS only: the MGF1 hash and the salt length (defaults `sha1` / 20 as RFC 4055 says). */
  pss?: { mgf1Hash: string; saltLength: number };
}

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
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
const MGF1_OID = '1.2.840.113549.1.1.8';
const SHA2 = new Set(['sha256', 'sha384', 'sha512']);

export function signatureAlgorithmInfo(oid: string, params?: Uint8Array): SignatureAlgorithmInfo {
  const known = SIGNATURES[oid];
  if (!known) return { oid, name: oid, family: 'other' };
  if (known.family !== 'rsa-pss') return { oid, ...known };
  const pss = pssParams(params);
  return { oid, ...known, name: `rsassaPss(${pss.hash})`, hash: pss.hash, pss: { mgf1Hash: pss.mgf1Hash, saltLength: pss.saltLength } };
}

/** RFC 4055 RSASSA-PSS-params; absent fields take the RFC's defaults (SHA-1, MGF1-SHA-1, salt 20). */
function pssParams(params?: Uint8Array): { hash: string; mgf1Hash: string; saltLength: number } {
  const result = { hash: 'sha1', mgf1Hash: 'sha1', saltLength: 20 };
  if (!params || params[0] !== 0x30) return result;
  try {
    const parsed = AsnConvert.parse(Buffer.from(params), RsaSaPssParams);
    result.hash = HASH_OIDS[parsed.hashAlgorithm.algorithm] ?? parsed.hashAlgorithm.algorithm;
    result.saltLength = parsed.saltLength;
    const mgf = parsed.maskGenAlgorithm;
    if (mgf.algorithm !== MGF1_OID || !mgf.parameters) result.mgf1Hash = mgf.algorithm;
    else {
      const inner = AsnConvert.parse(mgf.parameters, AlgorithmIdentifier);
      result.mgf1Hash = HASH_OIDS[inner.algorithm] ?? inner.algorithm;
    }
  } catch {
    // Malformed parameters: keep the defaults, which ALB rejects (SHA-1): the safe side.
  }
  return result;
}

/** Whether ALB accepts the signature algorithm: SHA-256/384/512 with RSA, ECDSA, or RSASSA-PSS with MGF1. */
export function albSignatureAccepted(sig: SignatureAlgorithmInfo): boolean {
  if (sig.family === 'rsa' || sig.family === 'ecdsa') return SHA2.has(sig.hash ?? '');
  if (sig.family === 'rsa-pss') return SHA2.has(sig.hash ?? '') && SHA2.has(sig.pss?.mgf1Hash ?? '');
  return false;
}

/**
 * Verifies a signed DER structure (a certificate or a CRL) synchronously with node:crypto; false
 * for anything malformed, unknown or not matching.
 */
export function verifySignedDer(der: Uint8Array, publicKey: KeyObject): boolean {
  try {
    const signed = signedParts(der);
    const sig = signatureAlgorithmInfo(signed.algorithmOid, signed.algorithmParams);
    if (sig.family === 'other') return false;
    if (sig.family === 'ed25519') return cryptoVerify(null, signed.tbs, publicKey, signed.signature);
    if (sig.family === 'rsa-pss') {
      return cryptoVerify(sig.hash!, signed.tbs, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: sig.pss!.saltLength }, signed.signature);
    }
    return cryptoVerify(sig.hash!, signed.tbs, { key: publicKey, dsaEncoding: 'der' }, signed.signature);
  } catch {
    return false;
  }
}

// --- public keys ---

export type KeyKind = 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'ed448' | 'dsa' | 'other';

/** The facts of a subject public key that ALB's rules and the PKI manifest need. */
export interface KeyFacts {
  kind: KeyKind;
  /** RSA modulus bits, EC curve bits (256/384/521), 256 for Ed25519, 0 when unknown. */
  bits: number;
  /** ALB's curve name (`P-256`) or Node's name for other curves; undefined for non-EC keys. */
  curve?: string;
  /** An EC key whose curve is given as explicit parameters instead of a named-curve OID (RFC 5480 forbids it). */
  explicitCurve: boolean;
  /** Whether ALB accepts the key, with a phrase for reasons (`an EC P-256 public key`). */
  albAccepted: boolean;
  description: string;
}

const EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const NAMED_CURVES: Record<string, { alb: string; bits: number }> = {
  '1.2.840.10045.3.1.7': { alb: 'P-256', bits: 256 },
  '1.3.132.0.34': { alb: 'P-384', bits: 384 },
  '1.3.132.0.35': { alb: 'P-521', bits: 521 },
};
const NODE_CURVES: Record<string, string> = { prime256v1: '1.2.840.10045.3.1.7', secp384r1: '1.3.132.0.34', secp521r1: '1.3.132.0.35' };
const KEY_NAMES: Record<string, string> = { ed25519: 'Ed25519', ed448: 'Ed448', dsa: 'DSA', dh: 'DH', x25519: 'X25519' };

/** Reads the key from the SPKI (for the curve encoding) and from Node's key object (for sizes). */
export function keyFacts(spki: SubjectPublicKeyInfo, key: KeyObject | undefined): KeyFacts {
  const oid = spki.algorithm.algorithm;
  if (oid === EC_PUBLIC_KEY) {
    const params = spki.algorithm.parameters ? new Uint8Array(spki.algorithm.parameters) : undefined;
    if (!params || params[0] !== 0x06) {
      const what = params?.[0] === 0x30 ? 'explicit curve parameters' : 'no named curve';
      return { kind: 'ec', bits: 0, explicitCurve: true, albAccepted: false, description: `an EC public key with ${what} (RFC 5480 allows only a named curve)` };
    }
    const nodeCurve = key?.asymmetricKeyDetails?.namedCurve ?? '';
    const named = NAMED_CURVES[NODE_CURVES[nodeCurve] ?? ''];
    if (named) return { kind: 'ec', bits: named.bits, curve: named.alb, explicitCurve: false, albAccepted: true, description: `an EC ${named.alb} public key` };
    return { kind: 'ec', bits: 0, curve: nodeCurve || undefined, explicitCurve: false, albAccepted: false, description: `an EC public key on curve ${nodeCurve || 'unknown'}` };
  }
  const type = key?.asymmetricKeyType;
  if (type === 'rsa' || type === 'rsa-pss') {
    const bits = key?.asymmetricKeyDetails?.modulusLength ?? 0;
    const ok = bits >= 2048 && bits <= 8192;
    return { kind: type, bits, explicitCurve: false, albAccepted: ok, description: `an RSA ${bits}-bit public key` };
  }
  const kind: KeyKind = type === 'ed25519' || type === 'ed448' || type === 'dsa' ? type : 'other';
  return { kind, bits: type === 'ed25519' ? 256 : 0, explicitCurve: false, albAccepted: false, description: `an ${KEY_NAMES[type ?? ''] ?? type ?? `unknown (${oid})`} public key` };
}
