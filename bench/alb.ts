/**
 * Throughput of the ALB emulator in verify mode against a bare Node https server doing
 * OpenSSL-verified mTLS with the same certificates: TLS 1.3, a new connection plus one GET per
 * iteration, 16 concurrent loops, loopback only, about 3 s each, one shared client SecureContext.
 * The emulator path includes its forwarding hop to a local target, as a real ALB would.
 *
 * Run: `npx tsx bench/alb.ts`. Prints both rates and their ratio (goal: >= 0.7).
 */
import https from 'node:https';
import tls, { type SecureContext } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { createPki } from '../certs/index.ts';
import { X509Certificate } from 'node:crypto';
import { splitPemBlocks } from '../certs/x509/pem.ts';
import { startAlb } from '../harness/alb/index.ts';
import { loadTrustStore } from '../harness/alb/trust-store.ts';
import { verifyClientChain, verifyClientChainUncached } from '../harness/alb/verify.ts';
import { listenWithHandle } from '../harness/server-handle.ts';
import { startTarget } from '../harness/targets/index.ts';

export interface AlbBenchResult {
  /** Handshake + GET per second through the emulator (verify mode). */
  emulatorPerSecond: number;
  /** The same against a bare Node https server verifying with OpenSSL. */
  bareNodePerSecond: number;
  ratio: number;
  /** Requests that did not end in 200 (should be 0). */
  errors: number;
  /** Offline verdicts per second for the default good chain, as the listener gets them (verdict cached per chain). */
  offlineVerifyPerSecond: number;
  /** The same verdict recomputed every time (certificate facts and signature checks stay cached). */
  offlineRecomputePerSecond: number;
  /** `X509Certificate.verify` of the same chain (leaf by intermediate, intermediate by root) per second. */
  x509VerifyPerSecond: number;
  /** offlineVerifyPerSecond / x509VerifyPerSecond. */
  offlineRatio: number;
}

/** Calls of `fn` per second over about `durationMs`. */
function rate(fn: () => unknown, durationMs: number): number {
  let n = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  while (performance.now() < deadline) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
  }
  return n / ((performance.now() - started) / 1000);
}

/** Offline verification of the default good chain against X509Certificate.verify of the same chain, same run. */
function offlineRates(chainPem: string, bundle: string, rootPem: string, now: Date, durationMs: number) {
  const presented = splitPemBlocks(chainPem).map((b) => new X509Certificate(b.der));
  const root = new X509Certificate(rootPem);
  const trustStore = loadTrustStore({ caCertificatesBundle: bundle });
  const input = { presented, trustStore, now };
  if (verifyClientChain(input).status !== 'Success') throw new Error('bench: the default good chain does not verify');
  const [leaf, inter] = presented as [X509Certificate, X509Certificate];
  const x509Verify = () => leaf.verify(inter.publicKey) && inter.verify(root.publicKey);
  if (!x509Verify()) throw new Error('bench: X509Certificate.verify refuses the default good chain');
  rate(() => verifyClientChain(input), 100);
  rate(x509Verify, 100);
  const offlineVerifyPerSecond = rate(() => verifyClientChain(input), durationMs);
  const offlineRecomputePerSecond = rate(() => verifyClientChainUncached(input), durationMs);
  const x509VerifyPerSecond = rate(x509Verify, durationMs);
  return { offlineVerifyPerSecond, offlineRecomputePerSecond, x509VerifyPerSecond, offlineRatio: offlineVerifyPerSecond / x509VerifyPerSecond };
}

export interface AlbBenchOptions {
  /** Per side, ms. Default 3000. */
  durationMs?: number;
  /** Concurrent connection loops. Default 16. */
  concurrency?: number;
}

function getOnce(port: number, context: SecureContext): Promise<number> {
  return new Promise((resolve) => {
    // `secureContext` is a tls.ConnectionOptions field that https.RequestOptions' type omits.
    const options: https.RequestOptions & tls.ConnectionOptions = {
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      path: '/',
      agent: false,
      secureContext: context,
    };
    const req = https.request(options, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

async function measure(port: number, context: SecureContext, durationMs: number, concurrency: number) {
  const deadline = performance.now() + durationMs;
  let ok = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        if ((await getOnce(port, context)) === 200) ok++;
        else errors++;
      }
    }),
  );
  return { perSecond: ok / ((performance.now() - started) / 1000), errors };
}

export async function runAlbBench(options: AlbBenchOptions = {}): Promise<AlbBenchResult> {
  const durationMs = options.durationMs ?? 3000;
  const concurrency = options.concurrency ?? 16;
  const pki = await createPki();
  const good = pki.clients.good;
  const context = tls.createSecureContext({
    cert: good.chainPem,
    key: good.keyPem,
    ca: pki.root.certPem,
    minVersion: 'TLSv1.3',
    maxVersion: 'TLSv1.3',
  });

  await using target = await startTarget({ kind: 'echo' });
  await using alb = await startAlb({
    certificate: { certPem: pki.server.chainPem, keyPem: pki.server.keyPem },
    mutualAuthentication: { mode: 'verify', trustStore: { caCertificatesBundle: pki.trustStoreBundle } },
    targets: [target.url],
  });
  const bareServer = https.createServer(
    {
      cert: pki.server.chainPem,
      key: pki.server.keyPem,
      ca: pki.root.certPem,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    },
    (_req, res) => res.end('ok'),
  );
  await using bare = await listenWithHandle(bareServer, { protocol: 'https' });

  // Warm-up, then interleaved rounds (alternating which side goes first), so drift in the machine's
  // speed during the run (other processes, CPU frequency, GC) falls on both sides alike.
  await measure(alb.port, context, 300, concurrency);
  await measure(bare.port, context, 300, concurrency);
  const rounds = 4;
  const emulatorRates: number[] = [];
  const bareRates: number[] = [];
  let errors = 0;
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['alb', 'bare'] : ['bare', 'alb'];
    for (const side of order) {
      const r = await measure(side === 'alb' ? alb.port : bare.port, context, durationMs / rounds, concurrency);
      (side === 'alb' ? emulatorRates : bareRates).push(r.perSecond);
      errors += r.errors;
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const offline = offlineRates(good.chainPem, pki.trustStoreBundle, pki.root.certPem, pki.now, Math.max(300, durationMs / 4));
  const emulator = { perSecond: mean(emulatorRates) };
  const bareRun = { perSecond: mean(bareRates) };
  return {
    emulatorPerSecond: emulator.perSecond,
    bareNodePerSecond: bareRun.perSecond,
    ratio: emulator.perSecond / bareRun.perSecond,
    errors,
    ...offline,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await runAlbBench();
  console.log(`ALB emulator (verify, TLS 1.3, new connection + GET): ${r.emulatorPerSecond.toFixed(0)}/s`);
  console.log(`bare Node https (OpenSSL mTLS verify):                ${r.bareNodePerSecond.toFixed(0)}/s`);
  console.log(`ratio: ${r.ratio.toFixed(2)} (goal >= 0.70)${r.errors ? `, errors: ${r.errors}` : ''}`);
  console.log(`offline verifyClientChain, default good chain (verdict cached per chain): ${r.offlineVerifyPerSecond.toFixed(0)}/s`);
  console.log(`offline verifyClientChain recomputed (facts and signatures cached):       ${r.offlineRecomputePerSecond.toFixed(0)}/s`);
  console.log(`X509Certificate.verify of the same chain:                                 ${r.x509VerifyPerSecond.toFixed(0)}/s`);
  console.log(`offline ratio (verifyClientChain / X509Certificate.verify): ${r.offlineRatio.toFixed(2)}`);
}
