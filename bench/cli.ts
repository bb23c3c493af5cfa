/**
 * Start-up cost of the compiled CLI against a bare Node start: `alb-mtls --help` and `alb-mtls
 * verify` on the default PKI's good chain, each against `node -e ''`, interleaved round by round so
 * a busy machine slows all three alike. Wall time from spawn to exit; the verdict compares medians
 * (the fastest runs are printed too: on a shared machine they show the cost without contention).
 *
 * Run: `npx tsx bench/cli.ts` (it builds dist/ first). Goals: --help <= 2.5x, verify <= 4x.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createPki } from '../certs/index.ts';
import { isMain, median, verdict } from './stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/alb-mtls.js');
export const CLI_TARGETS = { help: 2.5, verify: 4 } as const;

interface Timing {
  /** Median run, ms: what the verdict compares. */
  median: number;
  /** Fastest run, ms. */
  min: number;
}

export interface CliBenchResult {
  node: Timing;
  help: Timing;
  verify: Timing;
  helpRatio: number;
  verifyRatio: number;
}

/** Wall time of one run, ms; a non-zero exit is a failure of the benchmark, not a data point. */
function timed(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(performance.now() - start) : reject(new Error(`node ${args.join(' ')} exited ${code}`))));
  });
}

export async function runCliBench(rounds = 21): Promise<CliBenchResult> {
  // The CLI a user runs is the compiled one: build it so the numbers are of the current source.
  await promisify(execFile)('npm', ['run', '--silent', 'build'], { cwd: ROOT });
  const dir = await mkdtemp(join(tmpdir(), 'alb-mtls-bench-cli-'));
  try {
    await (await createPki()).writeTo(dir);
    const runs = {
      node: ['-e', ''],
      help: [BIN, '--help'],
      verify: [BIN, 'verify', '--cert', join(dir, 'clients/client-good.chain.pem'), '--trust-store', join(dir, 'trust-store/bundle.pem')],
    };
    const times: Record<keyof typeof runs, number[]> = { node: [], help: [], verify: [] };
    for (const args of Object.values(runs)) await timed(args); // warm the file cache
    for (let i = 0; i < rounds; i++) {
      for (const [name, args] of Object.entries(runs) as [keyof typeof runs, string[]][]) times[name].push(await timed(args));
    }
    const timing = (all: number[]): Timing => ({ min: Math.min(...all), median: median(all) });
    const [node, help, verify] = [timing(times.node), timing(times.help), timing(times.verify)];
    return { node, help, verify, helpRatio: help.median / node.median, verifyRatio: verify.median / node.median };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const ms = (t: Timing) => `${t.median.toFixed(0)} ms (fastest ${t.min.toFixed(0)})`;

export function cliBenchLines(r: CliBenchResult): { ok: boolean; lines: string[] } {
  const helpOk = r.helpRatio <= CLI_TARGETS.help;
  const verifyOk = r.verifyRatio <= CLI_TARGETS.verify;
  return {
    ok: helpOk && verifyOk,
    lines: [
      `cli --help: ${ms(r.help)} vs node -e '' ${ms(r.node)}, ratio ${r.helpRatio.toFixed(2)} (fastest runs ${(r.help.min / r.node.min).toFixed(2)}), target <= ${CLI_TARGETS.help}: ${verdict(helpOk)}`,
      `cli verify (default good chain): ${ms(r.verify)} vs node -e '' ${ms(r.node)}, ratio ${r.verifyRatio.toFixed(2)} (fastest runs ${(r.verify.min / r.node.min).toFixed(2)}), target <= ${CLI_TARGETS.verify}: ${verdict(verifyOk)}`,
    ],
  };
}

export async function runCliBenchReport(): Promise<{ ok: boolean; lines: string[] }> {
  return cliBenchLines(await runCliBench());
}

if (isMain(import.meta.url)) {
  const { ok, lines } = await runCliBenchReport();
  for (const line of lines) console.log(line);
  process.exitCode = ok ? 0 : 1;
}
