import { UserError } from '../harness/errors.ts';
import type { Shard } from './shard.ts';
import { stepLines } from './steps.ts';
import type { Scenario, ScenarioOutcome, ScenarioResult } from './types.ts';

/**
 * The JSON document of a run (`alb-mtls run --json`): what a CI job keeps, and what
 * `alb-mtls report merge` reads back from several shards. Stable: fields are only ever added.
 */
export interface RunReport {
  passed: boolean;
  /** Wall time of the run; for a merged report, the longest of its shards (they ran side by side). */
  durationSeconds: number;
  /** The shard(s) this report covers: one for `run --shard i/n`, several after a merge, none for a whole run. */
  shards?: Shard[];
  scenarios: RunReportScenario[];
}

export interface RunReportScenario {
  id: string;
  title: string;
  seedSection: string;
  passed: boolean;
  expected: Pick<Scenario['expected'], 'status' | 'tlsVerifyStatus' | 'failureClass'>;
  /** A multi-step scenario's steps with what each request step expects (`steps[2] request on a new connection: 522, ...`); each run's `steps` holds what it got. */
  expectedSteps?: string[];
  disagreements: string[];
  runs: ScenarioResult[];
}

export function runReport(outcomes: readonly ScenarioOutcome[], seconds: number, shard?: Shard): RunReport {
  return {
    passed: outcomes.every((o) => o.passed),
    durationSeconds: Number(seconds.toFixed(3)),
    ...(shard ? { shards: [shard] } : {}),
    scenarios: outcomes.map((o) => ({
      id: o.scenario.id,
      title: o.scenario.title,
      seedSection: o.scenario.seedSection,
      passed: o.passed,
      expected: {
        status: o.scenario.expected.status,
        tlsVerifyStatus: o.scenario.expected.tlsVerifyStatus,
        failureClass: o.scenario.expected.failureClass,
      },
      ...(o.scenario.steps ? { expectedSteps: stepLines(o.scenario) } : {}),
      disagreements: o.disagreements,
      runs: o.runs,
    })),
  };
}

/** Reads a run report written by `alb-mtls run --json`; `source` names it in errors (a file path). */
export function parseRunReport(text: string, source: string): RunReport {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UserError('HARNESS_ERR_FILE', `${source}: not JSON (${(err as Error).message}). Pass the output of "alb-mtls run --json".`, { cause: err });
  }
  const report = doc as Partial<RunReport> | null;
  if (!report || typeof report !== 'object' || !Array.isArray(report.scenarios) || typeof report.passed !== 'boolean') {
    throw new UserError('HARNESS_ERR_FILE', `${source}: not a run report (no "passed" and "scenarios" fields). Pass the output of "alb-mtls run --json".`);
  }
  for (const [i, s] of report.scenarios.entries()) {
    if (!s || typeof s.id !== 'string' || !Array.isArray(s.runs)) {
      throw new UserError('HARNESS_ERR_FILE', `${source}: scenarios[${i}] has no "id" or "runs". Pass the output of "alb-mtls run --json".`);
    }
  }
  return report as RunReport;
}

/**
 * Several shards' reports as one, in catalogue order. A scenario that two reports both hold means
 * the shards overlap (different `n`, or one shard given twice): refused, naming both files.
 */
export function mergeRunReports(reports: ReadonlyArray<{ source: string; report: RunReport }>, catalogue: readonly Pick<Scenario, 'id'>[]): RunReport {
  if (reports.length === 0) throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', 'report merge: name at least one report file (the output of "alb-mtls run --json").');
  const seen = new Map<string, string>();
  const all: RunReportScenario[] = [];
  for (const { source, report } of reports) {
    for (const s of report.scenarios) {
      const first = seen.get(s.id);
      if (first !== undefined) {
        throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `${source}: scenario "${s.id}" is also in ${first}: the shards overlap. Merge the reports of one "--shard i/n" series (same n, each i once).`);
      }
      seen.set(s.id, source);
      all.push(s);
    }
  }
  const order = new Map(catalogue.map((s, i) => [s.id, i]));
  all.sort((a, b) => (order.get(a.id) ?? Infinity) - (order.get(b.id) ?? Infinity));
  return {
    passed: all.every((s) => s.passed),
    durationSeconds: Math.max(...reports.map((r) => r.report.durationSeconds ?? 0)),
    shards: reports.flatMap((r) => r.report.shards ?? []),
    scenarios: all,
  };
}

/**
 * The outcomes behind a report, with each scenario's definition taken from the catalogue (so JUnit
 * and HTML renderers get groups, explanations and fixes). An id the catalogue does not know means
 * the report came from another version of the harness: refused, naming it.
 */
export function outcomesOfReport(report: RunReport, catalogue: readonly Scenario[], source: string): ScenarioOutcome[] {
  return report.scenarios.map((s) => {
    const scenario = catalogue.find((c) => c.id === s.id);
    if (!scenario) {
      throw new UserError('HARNESS_ERR_SCENARIO_UNKNOWN', `${source}: scenario "${s.id}" is not in this version's catalogue; merge reports made by the same alb-mtls-harness version.`);
    }
    return { scenario, runs: s.runs, passed: s.passed, disagreements: s.disagreements };
  });
}
