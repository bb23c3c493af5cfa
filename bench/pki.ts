/**
 * PKI build time: createPki() for the full EC and RSA sets, median of 5, against the same set made
 * by the OpenSSL CLI (bench/openssl-pki.sh) in the same run. Targets on a 2-core machine: EC <= 150 ms,
 * RSA <= 3 s, and at least 20x faster than the openssl script (EC).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPki } from '../certs/index.ts';
import { isMain, timeRuns, verdict } from './stats.ts';

const RUNS = 5;
const script = fileURLToPath(new URL('./openssl-pki.sh', import.meta.url));

function runScript(keyType: 'ec' | 'rsa'): Promise<void> {
  return (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-openssl-'));
    try {
      await new Promise<void>((resolve, reject) =>
        execFile('bash', [script, dir], { env: { ...process.env, KEY: keyType } }, (err) => (err ? reject(err) : resolve())),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
}

export async function runPkiBench(): Promise<{ ok: boolean; lines: string[] }> {
  for (let i = 0; i < 3; i++) await createPki(); // warm-up: module loading and JIT are not what we measure
  const ec = await timeRuns(RUNS, () => createPki({ keyType: 'ec' }));
  const rsa = await timeRuns(RUNS, () => createPki({ keyType: 'rsa' }));
  const sslEc = await timeRuns(RUNS, () => runScript('ec'));
  const ratio = sslEc.median / ec.median;
  const lines = [
    `pki ec:  median ${ec.median.toFixed(0)} ms (min ${ec.min.toFixed(0)}), target <= 150 ms: ${verdict(ec.median <= 150)}`,
    `pki rsa: median ${rsa.median.toFixed(0)} ms (min ${rsa.min.toFixed(0)}), target <= 3000 ms: ${verdict(rsa.median <= 3000)}`,
    `openssl CLI script (ec, same set): median ${sslEc.median.toFixed(0)} ms; createPki is ${ratio.toFixed(1)}x faster, target >= 20x: ${verdict(ratio >= 20)}`,
  ];
  return { ok: ec.median <= 150 && rsa.median <= 3000 && ratio >= 20, lines };
}

if (isMain(import.meta.url)) {
  const { lines } = await runPkiBench();
  for (const line of lines) console.log(line);
}
