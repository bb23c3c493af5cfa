import { webcrypto, KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { KeyType } from './types.ts';
import type { Crypto, CryptoKey, CryptoKeyPair, SubtleCrypto } from './crypto-types.ts';

// The factory signs with node:crypto, but callers that sign with a CA's @peculiar/x509 view
// (`ca.cert`, `ca.keys`) need the library to have a WebCrypto provider: Node's.
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const subtle = webcrypto.subtle as unknown as SubtleCrypto;

const EC_CURVES: Partial<Record<KeyType, string>> = { 'ec-p256': 'P-256', 'ec-p384': 'P-384', 'ec-p521': 'P-521' };
const RSA_BITS: Partial<Record<KeyType, number>> = { 'rsa-1024': 1024, 'rsa-2048': 2048, 'rsa-3072': 3072, 'rsa-4096': 4096 };

/** Generates a key pair of the given type (extractable, so the private key can be written as PKCS#8). */
export async function generateKeys(keyType: KeyType): Promise<CryptoKeyPair> {
  const curve = EC_CURVES[keyType];
  if (curve) return subtle.generateKey({ name: 'ECDSA', namedCurve: curve }, true, ['sign', 'verify']);
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
