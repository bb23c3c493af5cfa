import { webcrypto, KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { KeyType } from './types.ts';

// @peculiar/x509 needs a WebCrypto provider; Node's is complete and fast (EC keys in microseconds).
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const subtle = webcrypto.subtle as unknown as SubtleCrypto;

const EC_CURVES: Partial<Record<KeyType, { curve: string; hash: string }>> = {
  'ec-p256': { curve: 'P-256', hash: 'SHA-256' },
  'ec-p384': { curve: 'P-384', hash: 'SHA-384' },
  'ec-p521': { curve: 'P-521', hash: 'SHA-512' },
};
const RSA_BITS: Partial<Record<KeyType, number>> = { 'rsa-1024': 1024, 'rsa-2048': 2048, 'rsa-3072': 3072, 'rsa-4096': 4096 };

/** Generates a key pair of the given type (extractable, so the private key can be written as PKCS#8). */
export async function generateKeys(keyType: KeyType): Promise<CryptoKeyPair> {
  const ec = EC_CURVES[keyType];
  if (ec) return subtle.generateKey({ name: 'ECDSA', namedCurve: ec.curve }, true, ['sign', 'verify']);
  const bits = RSA_BITS[keyType];
  if (bits) {
    return subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    );
  }
  return (await subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** The signature algorithm a CA with this key signs with (the hash follows the curve size, as OpenSSL would pick). */
export function signingAlgorithmFor(key: CryptoKey, hash?: string): Algorithm & { hash?: string } {
  const alg = key.algorithm as EcKeyAlgorithm & RsaHashedKeyAlgorithm;
  if (alg.name === 'ECDSA') {
    const curveHash = { 'P-256': 'SHA-256', 'P-384': 'SHA-384', 'P-521': 'SHA-512' }[alg.namedCurve] ?? 'SHA-256';
    return { name: 'ECDSA', hash: hash ?? curveHash };
  }
  if (alg.name === 'RSASSA-PKCS1-v1_5') return { name: 'RSASSA-PKCS1-v1_5', hash: hash ?? 'SHA-256' };
  return { name: alg.name };
}

const pems = new WeakMap<CryptoKey, string>();

/** PKCS#8 PEM of a WebCrypto private key, newline-terminated (cached: one key serves many certificates). */
export function privateKeyPem(key: CryptoKey): string {
  let pem = pems.get(key);
  if (pem === undefined) {
    pem = KeyObject.from(key as unknown as webcrypto.CryptoKey).export({ type: 'pkcs8', format: 'pem' }).toString();
    pems.set(key, pem);
  }
  return pem;
}

export function nodePrivateKey(key: CryptoKey): KeyObject {
  return KeyObject.from(key as unknown as webcrypto.CryptoKey);
}
