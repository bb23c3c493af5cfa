import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedTrustStore } from '../../harness/alb/types.ts';
import { ALB_ONLY_RULES } from '../helpers/alb-only-rules.ts';
import type { CorpusCase } from './corpus/context.ts';
import { DEFAULT_SEED, generateCorpus, type Corpus } from './corpus/generate.ts';
import { judgeCorpus, judgeOffline, judgePresented, staleRuleClaims, type Judged } from './corpus/judge.ts';
import { LIVE_VERSIONS, liveVerdict, presentable } from './corpus/live.ts';
import { seededRng } from './corpus/rng.ts';

/**
 * The differential corpus (test/oracles/corpus/README.md): chains this project's PKI did not make,
 * judged by our verifier (as `alb-mtls verify` loads them; each kind names the exact status it expects) and by `openssl verify -x509_strict
 * -purpose sslclient`. They must agree on Success versus failure, except where the ALB-only rules
 * table names the rule; a sample goes through the live listener too.
 */

const SEED = Number(process.env.CORPUS_SEED ?? DEFAULT_SEED);

/** What the issue asks the corpus to cover, by kind id. */
const REQUIRED_KINDS = [
  'root-presented-as-leaf', 'intermediate-presented-as-leaf', 'reverse-ordered-chain', 'intermediate-ca-false', 'intermediate-no-basic-constraints',
  'root-pathlen-0-above-intermediate', 'intermediate-pathlen-0-above-sub-ca', 'leaf-ku-key-encipherment-only', 'leaf-ku-non-repudiation-only',
  'leaf-ku-key-cert-sign-only', 'nc-dns-permitted-violation', 'nc-dns-excluded-match', 'nc-email-permitted-violation', 'nc-ip-permitted-violation',
  'nc-uri-permitted-violation', 'nc-dirname-permitted-violation', 'nc-dirname-excluded-match', 'nc-dns-permitted-match', 'leaf-ec-explicit-parameters',
  'leaf-unknown-critical-extension', 'intermediate-unknown-critical-extension', 'crl-unknown-critical-extension', 'crl-without-next-update-revoking-leaf',
  'crl-issuer-differs-in-case-revoking-leaf', 'crl-issuer-differs-in-spacing-revoking-leaf', 'crl-signed-by-ca-without-crl-sign',
  'intermediate-eku-server-auth-only', 'issuer-name-differs-in-case', 'issuer-name-differs-in-spacing', 'expired-root-copy-first-renewed-second',
  'cross-signed-intermediate-untrusted-copy-first', 'utctime-not-after-without-seconds', 'good', 'expired-leaf', 'not-yet-valid-leaf', 'untrusted-root',
  'revoked-leaf', 'wrong-eku-server-auth-only', 'sha1-signed-leaf', 'rsa1024-leaf', 'ed25519-leaf', 'x509-v1-leaf', 'depth-5',
];

/** Kinds whose chains get flipped: good chains with no second copy of any certificate. */
const FLIP_BASES = ['good', 'good-depth-4', 'good-p384-leaf-sha384', 'good-p521-leaf-sha512', 'good-rsa-pss-signature', 'good-ec-leaf-under-rsa-ca', 'good-with-crls', 'good-san-email-uri-ip'];
const FLIPS = 1000;
const LIVE_SAMPLE = 44;

let dir: string;
let corpus: Corpus;
let judged: Judged[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alb-corpus-'));
  corpus = await generateCorpus({ dir, seed: SEED });
  judged = await judgeCorpus(corpus.ca, corpus.cases);
}, 240_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 5 });
});

function describeCase(j: Judged): string {
  const row = j.c.rule ? ` [rule ${j.c.rule}: ${ALB_ONLY_RULES[j.c.rule].direction}]` : '';
  return `${j.c.id}: ours ${j.ours} (expected ${j.c.expected}), openssl ${j.openssl}${row} -- ${j.reason.split('\n')[0]}`;
}

describe(`differential certificate corpus (seed ${SEED}) against openssl verify -x509_strict -purpose sslclient`, () => {
  it('holds at least 300 chains across at least 40 mutation kinds, including every kind the verifier must get right', () => {
    const kinds = new Set(corpus.cases.map((c) => c.kind));
    expect(corpus.cases.length).toBeGreaterThanOrEqual(300);
    expect(kinds.size).toBeGreaterThanOrEqual(40);
    expect(REQUIRED_KINDS.filter((k) => !kinds.has(k))).toEqual([]);
  });

  it('never throws: every chain gets a verdict', () => {
    expect(judged.filter((j) => j.ours === 'threw').map(describeCase)).toEqual([]);
  });

  it('no Success that OpenSSL fails, and no other disagreement, outside the ALB-only rules table', () => {
    expect(judged.filter((j) => j.verdict === 'undocumented').map(describeCase)).toEqual([]);
  });

  it('every chain gets exactly the tls_verify_status its kind expects', () => {
    expect(judged.filter((j) => j.ours !== j.c.expected).map(describeCase)).toEqual([]);
  });

  it('every kind that claims an ALB-only rule shows that disagreement (the table hides nothing)', () => {
    expect(staleRuleClaims(judged)).toEqual([]);
  });

  it(`${FLIPS} seeded random byte flips of good leaves and intermediates: never Success, never a throw`, () => {
    const rng = seededRng(SEED ^ 0x5eed);
    const bases = judged.filter((j) => FLIP_BASES.includes(j.c.kind) && j.ours === 'Success').map((j) => j.c);
    expect(bases.length).toBeGreaterThan(0);
    const stores = new Map<CorpusCase, LoadedTrustStore>();
    const wrong: string[] = [];
    let reached = 0;
    for (let n = 0; n < FLIPS; n++) {
      const base = rng.pick(bases);
      const target = rng.int(base.presented.length);
      const der = Buffer.from(base.presented[target]!.der);
      const offset = rng.int(der.length);
      const before = der[offset]!;
      der[offset] = before ^ (1 + rng.int(255));
      let flipped: X509Certificate;
      try {
        flipped = new X509Certificate(der);
      } catch {
        continue; // Not a certificate any more: the TLS layer refuses it before any verdict.
      }
      reached++;
      let store = stores.get(base);
      if (!store) stores.set(base, (store = judgeOffline(base).store!));
      const presented = base.presented.map((p, i) => (i === target ? flipped : new X509Certificate(p.der)));
      const { ours, reason } = judgePresented(presented, store);
      if (ours === 'Success' || ours === 'threw') {
        wrong.push(`${base.id} certificate ${target} byte ${offset} ${before.toString(16)}->${der[offset]!.toString(16)}: ${ours} -- ${reason.split('\n')[0]}`);
      }
    }
    expect(wrong).toEqual([]);
    // Most flips must reach the verifier, or this proves little.
    expect(reached).toBeGreaterThan(FLIPS / 2);
  });
});

describe.each(LIVE_VERSIONS)('live listener in verify mode, a seeded sample of the corpus, %s', (version) => {
  it(`the connection log's tls_verify_status equals the offline verdict for ${LIVE_SAMPLE} chains`, async () => {
    // One chain per kind, kinds in seeded order; only chains a TLS client can present and the CLI would judge.
    const rng = seededRng(SEED ^ 0x11fe);
    const firsts = judged.filter((j) => j.c.id.endsWith('#0') && !j.ours.startsWith('error:') && presentable(j.c));
    const sample: Judged[] = [];
    while (sample.length < LIVE_SAMPLE && firsts.length > 0) sample.push(firsts.splice(rng.int(firsts.length), 1)[0]!);
    expect(sample.length).toBe(LIVE_SAMPLE);
    const mismatches: string[] = [];
    for (const j of sample) {
      const live = await liveVerdict(corpus, j.c, version);
      if (live !== j.ours) mismatches.push(`${j.c.id}: live ${live}, offline ${j.ours}`);
    }
    expect(mismatches).toEqual([]);
  }, 120_000);
});
