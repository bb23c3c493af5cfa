import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { isTlsVerifyStatus } from '../../certs/alb-codes.ts';
import { splitPemBlocks } from '../../certs/x509/pem.ts';
import { derToPem } from '../../certs/x509/pem.ts';
import { UserError } from '../../harness/errors.ts';
import { verifyClientChain } from '../../harness/alb/verify.ts';
import { loadTrustStore } from '../../harness/alb/trust-store.ts';
import type { LoadedTrustStore } from '../../harness/alb/types.ts';
import { NOW, crl, keyPair, make, type Made } from './verify-builder.ts';

/**
 * Bad input: seeded byte flips over a good leaf, its intermediate and a CRL. Whatever Node still
 * parses goes to the verifier, which must never throw, must answer a real ALB status, and must
 * never say `Success` for a damaged certificate of the path (every byte of it is signed, or is the
 * signature, or frames it).
 */
const FLIPS = 400;
let root: Made;
let inter: Made;
let leaf: Made;
let store: LoadedTrustStore;

beforeAll(async () => {
  root = make({ name: 'Fuzz Root', keys: await keyPair(0), ca: true });
  inter = make({ name: 'Fuzz Inter', keys: await keyPair(1), issuer: root, ca: true });
  leaf = make({ name: 'fuzz-leaf', keys: await keyPair(2), issuer: inter, san: { dns: ['fuzz.example'] } });
  store = loadTrustStore({ caCertificatesBundle: root.pem });
});

/** mulberry32: a small seeded generator, so a failure names a reproducible flip. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function* flips(der: Buffer, seed: number): Generator<[Buffer, string]> {
  const next = rng(seed);
  for (let n = 0; n < FLIPS; n++) {
    const copy = Buffer.from(der);
    const at = Math.floor(next() * copy.length);
    const mask = 1 + Math.floor(next() * 255);
    copy[at] = copy[at]! ^ mask;
    yield [copy, `seed ${seed} flip ${n}: byte ${at} ^ 0x${mask.toString(16)}`];
  }
}

function parse(der: Buffer): X509Certificate | undefined {
  try {
    return new X509Certificate(der);
  } catch {
    return undefined;
  }
}

describe('seeded byte flips never make verifyClientChain throw or succeed', () => {
  it.each([
    ['leaf', 1],
    ['intermediate', 2],
  ] as const)('%s', (which, seed) => {
    const target = which === 'leaf' ? leaf : inter;
    let judged = 0;
    for (const [der, label] of flips(Buffer.from(target.x509.raw), seed)) {
      const cert = parse(der);
      if (!cert) continue;
      const presented = which === 'leaf' ? [cert, inter.x509] : [leaf.x509, cert];
      let result;
      try {
        result = verifyClientChain({ presented, trustStore: store, now: NOW });
      } catch (err) {
        throw new Error(`${label}: verifyClientChain threw ${(err as Error).message}`, { cause: err });
      }
      expect(isTlsVerifyStatus(result.status), label).toBe(true);
      expect(result.status, `${label}: ${result.reason}`).not.toBe('Success');
      expect(result.reason.length, label).toBeGreaterThan(0);
      judged += 1;
    }
    // Most flips still parse in Node: the test is not vacuous.
    expect(judged).toBeGreaterThan(FLIPS / 4);
  });

  it('CRL', () => {
    const crlDer = splitPemBlocks(crl({ issuer: inter, revoke: [leaf.serial] }))[0]!.der;
    let judged = 0;
    for (const [der, label] of flips(crlDer, 3)) {
      let damaged: LoadedTrustStore;
      try {
        damaged = loadTrustStore({ caCertificatesBundle: root.pem, revocations: [derToPem(der, 'X509 CRL')] });
      } catch (err) {
        // A CRL that does not parse is refused when the trust store is loaded (AWS: InvalidRevocationContent).
        expect(err, label).toBeInstanceOf(UserError);
        continue;
      }
      let result;
      try {
        result = verifyClientChain({ presented: [leaf.x509, inter.x509], trustStore: damaged, now: NOW });
      } catch (err) {
        throw new Error(`${label}: verifyClientChain threw ${(err as Error).message}`, { cause: err });
      }
      expect(isTlsVerifyStatus(result.status), label).toBe(true);
      judged += 1;
    }
    expect(judged).toBeGreaterThan(FLIPS / 4);
  });
});
