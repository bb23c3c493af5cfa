/**
 * Start-up cost of the compiled CLI against a bare Node start: `alb-mtls --help` and `alb-mtls
 * verify` on the default PKI's good chain, each against `node -e ''`, interleaved round by round so
 * a busy machine slows all three alike. Medians of wall time from spawn to exit.
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

export interface CliBenchResult {
  nodeMs: number;
  helpMs: number;
  verifyMs: number;
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

export async function runCliBench(rounds = 15): Promise<CliBenchResult> {
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
    const [nodeMs, helpMs, verifyMs] = [median(times.node), median(times.help), median(times.verify)];
    return { nodeMs, helpMs, verifyMs, helpRatio: helpMs / nodeMs, verifyRatio: verifyMs / nodeMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function cliBenchLines(r: CliBenchResult): { ok: boolean; lines: string[] } {
  const helpOk = r.helpRatio <= CLI_TARGETS.help;
  const verifyOk = r.verifyRatio <= CLI_TARGETS.verify;
  return {
    ok: helpOk && verifyOk,
    lines: [
      `cli --help: ${r.helpMs.toFixed(0)} ms vs node -e '' ${r.nodeMs.toFixed(0)} ms, ratio ${r.helpRatio.toFixed(2)}, target <= ${CLI_TARGETS.help}: ${verdict(helpOk)}`,
      `cli verify (default good chain): ${r.verifyMs.toFixed(0)} ms vs node -e '' ${r.nodeMs.toFixed(0)} ms, ratio ${r.verifyRatio.toFixed(2)}, target <= ${CLI_TARGETS.verify}: ${verdict(verifyOk)}`,
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
