/**
 * Wall time of the whole scenario catalogue under TLS 1.2 and 1.3 in one process (one PKI, the
 * CLI's default concurrency of 4), median of 5 after a warm-up run. Target on a 2-core machine: <= 3 s.
 */
import { createPki } from '../certs/index.ts';
import { runScenarios, scenarios } from '../scenarios/index.ts';
import { isMain, timeRuns, verdict } from './stats.ts';

const RUNS = 5;
const TARGET_MS = 3_000;

export async function runScenariosBench(): Promise<{ ok: boolean; lines: string[] }> {
  const pki = await createPki();
  let failed = 0;
  const once = async () => {
    const outcomes = await runScenarios(scenarios, { pki, tls: 'both', concurrency: 4 });
    failed += outcomes.filter((o) => !o.passed).length;
  };
  await once(); // warm-up: module loading, JIT and the function handler's first import
  const t = await timeRuns(RUNS, once);
  const ok = t.median <= TARGET_MS;
  const lines = [
    `scenarios: median ${(t.median / 1000).toFixed(2)} s (min ${(t.min / 1000).toFixed(2)} s) for ${scenarios.length} scenarios x 2 TLS versions, target <= 3 s: ${verdict(ok)}`,
  ];
  if (failed > 0) lines.push(`scenarios: ${failed} scenario run(s) did not behave as expected during the benchmark (run "alb-mtls run --all")`);
  return { ok, lines };
}

if (isMain(import.meta.url)) {
  const { lines } = await runScenariosBench();
  for (const line of lines) console.log(line);
}
