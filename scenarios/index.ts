import { createPki } from '../certs/index.ts';
import { CATALOGUE } from './catalogue/all.ts';
import { runScenario } from './runner.ts';
import { stepName } from './steps.ts';
import type { RunScenariosOptions, Scenario, ScenarioOutcome, ScenarioResult, TlsVersion } from './types.ts';
import { validateScenarios } from './validate.ts';

/** Every scenario, in seed order, validated when this module loads (a bad entry fails at once, naming its field). */
export const scenarios: readonly Scenario[] = Object.freeze(
  validateScenarios(CATALOGUE),
);

export { runScenario, routesFor, expectedHeaderValue, FUNCTION_PROJECT_DIR } from './runner.ts';
export { validateScenarios } from './validate.ts';
export { renderTrace, summarizeCertificate, TRACE_ACTORS } from './trace.ts';
export { scenarioTableMarkdown } from './readme-table.ts';
export { stepLabel, stepLines, statusSequence } from './steps.ts';
export * from './types.ts';

/** The scenario with this id, or undefined. */
export function findScenario(id: string): Scenario | undefined {
  return scenarios.find((s) => s.id === id);
}

/**
 * Runs scenarios on ONE PKI, at most `concurrency` runs at a time (default 4), each under TLS 1.2
 * and 1.3 (`tls: 'both'`, the default). A scenario passes when every run passes and the TLS
 * versions agree on status, verify status and failure class; a disagreement is added to each
 * run's mismatches. Outcomes come back in the order of `list`.
 */
export async function runScenarios(list: readonly Scenario[], options: RunScenariosOptions = {}): Promise<ScenarioOutcome[]> {
  const pki = options.pki ?? (await createPki());
  const versions: TlsVersion[] = options.tls === '1.2' ? ['1.2'] : options.tls === '1.3' ? ['1.3'] : ['1.2', '1.3'];
  const jobs = list.flatMap((scenario, index) => versions.map((tls) => ({ scenario, index, tls })));
  const results: ScenarioResult[][] = list.map(() => []);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      const result = await runScenario(job.scenario, { pki, tls: job.tls });
      results[job.index]!.push(result);
      options.onResult?.(result);
    }
  };
  const concurrency = Math.max(1, options.concurrency ?? 4);
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));

  return list.map((scenario, i) => {
    const runs = results[i]!.sort((a, b) => a.tls.localeCompare(b.tls));
    const disagreements = disagreementsOf(runs);
    for (const run of runs) {
      run.mismatches.push(...disagreements);
      run.passed = run.mismatches.length === 0;
    }
    return { scenario, runs, disagreements, passed: runs.every((r) => r.passed) };
  });
}

function disagreementsOf(runs: ScenarioResult[]): string[] {
  if (runs.length < 2) return [];
  const [a, b] = runs as [ScenarioResult, ScenarioResult];
  const out: string[] = [];
  for (const field of ['status', 'tlsVerifyStatus', 'failureClass'] as const) {
    if (a[field] !== b[field]) out.push(`TLS ${a.tls} and ${b.tls} disagree on ${field}: ${String(a[field])} vs ${String(b[field])}`);
    for (const [i, step] of (a.steps ?? []).entries()) {
      const other = b.steps?.[i];
      if (other && step[field] !== other[field]) out.push(`TLS ${a.tls} and ${b.tls} disagree on ${stepName(i)} ${field}: ${String(step[field])} vs ${String(other[field])}`);
    }
  }
  return out;
}
export { parseShard, selectShard, type Shard } from './shard.ts';
export { runReport, parseRunReport, mergeRunReports, outcomesOfReport, type RunReport, type RunReportScenario } from './results.ts';
export { junitXml } from './junit.ts';
