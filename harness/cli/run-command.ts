import {
  junitXml, parseShard, renderTrace, runReport, runScenarios, scenarios, selectShard, statusSequence, type Scenario, type ScenarioOutcome, type ScenarioResult, type Shard,
} from '../../scenarios/index.ts';
import { UserError } from '../errors.ts';
import { parseChoice, parseFlags } from './args.ts';
import { paint, type CliIo } from './io.ts';
import { closeMatches } from './close-matches.ts';
import { checkOutputFile, writeOutputFile } from './output-file.ts';
import { renderHtmlReport } from '../report/html-report.ts';

export const runHelp = `Usage: alb-mtls run [ID...] [--all] [--tls 1.2|1.3|both] [--json] [--junit FILE] [--html FILE] [--force] [--explain]
                    [--shard i/n]

Plays scenarios end to end (gateway -> ALB with mutual TLS -> target) on real sockets and compares
what happened with what the scenario expects. With no ID, runs every scenario (same as --all).
List the ids with "alb-mtls scenarios".

Options:
  --all            Run every scenario
  --tls V          1.2, 1.3 or both (default both: the two runs must agree)
  --json           Print the results as JSON instead of a table
  --junit FILE     Also write JUnit XML to FILE (refuses to overwrite without --force)
  --html FILE      Also write a self-contained HTML report to FILE: summary table (filter by group
                   and outcome), and per scenario a sequence diagram, the presented certificate
                   chain, log lines, the target's headers, the explanation and the fix
  --force          Overwrite FILE given to --junit or --html
  --explain        After the table, show each scenario's trace (gateway -> ALB -> target), the
                   connection-log line, the headers the target saw, the explanation and the fix
                   (automatic when a single ID is given)
  --concurrency N  Scenarios run at once (default 4)
  --shard i/n      Run only slice i of n of the selected scenarios (sorted by id; every scenario
                   is in exactly one slice), for CI jobs side by side; merge their --json outputs
                   with "alb-mtls report merge"

Exit status: 0 all matched, 1 a scenario did not behave as expected, 2 bad input (unknown id, flag).`;

export async function runCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(
    'run',
    argv,
    {
      all: { type: 'boolean' },
      tls: { type: 'string' },
      json: { type: 'boolean' },
      junit: { type: 'string' },
      html: { type: 'string' },
      force: { type: 'boolean' },
      explain: { type: 'boolean' },
      concurrency: { type: 'string' },
      shard: { type: 'string' },
    },
    true,
  );
  if (values.help) {
    io.out(runHelp);
    return 0;
  }
  const tls = parseChoice('--tls', values.tls ?? 'both', ['1.2', '1.3', 'both'] as const);
  const concurrency = values.concurrency === undefined ? 4 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `--concurrency "${values.concurrency}" is not a whole number >= 1. Use e.g. --concurrency 4.`);
  }
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  const selected = shard ? selectShard(select(positionals, !!values.all), shard) : select(positionals, !!values.all);
  const junitPath = values.junit ? await checkOutputFile('--junit', values.junit, !!values.force) : undefined;
  const htmlPath = values.html ? await checkOutputFile('--html', values.html, !!values.force) : undefined;

  const started = performance.now();
  const outcomes = await runScenarios(selected, { tls, concurrency });
  const seconds = (performance.now() - started) / 1000;
  const passed = outcomes.every((o) => o.passed);

  if (junitPath) await writeOutputFile('--junit', junitPath, junitXml(outcomes, seconds));
  if (htmlPath) await writeOutputFile('--html', htmlPath, renderHtmlReport(outcomes, { durationSeconds: seconds }));
  if (values.json) {
    io.out(JSON.stringify(runReport(outcomes, seconds, shard), null, 2));
  } else {
    printTable(outcomes, io);
    const runs = outcomes.flatMap((o) => o.runs);
    const failed = runs.filter((r) => !r.passed).length;
    const summary = `${shardLabel(shard)}${outcomes.length} scenario(s), ${runs.length} run(s): ${runs.length - failed} as expected, ${failed} not (${seconds.toFixed(2)} s)`;
    io.out(failed ? paint(io, 'red', summary) : paint(io, 'green', summary));
    if (values.explain || positionals.length === 1) for (const o of outcomes) explain(o, io);
    if (junitPath) io.out(`JUnit XML written to ${junitPath}`);
    if (htmlPath) io.out(`HTML report written to ${htmlPath}`);
  }
  return passed ? 0 : 1;
}

function select(ids: string[], all: boolean): Scenario[] {
  if (all || ids.length === 0) return [...scenarios];
  const known = scenarios.map((s) => s.id);
  const unknown = ids.filter((id) => !known.includes(id));
  if (unknown.length > 0) {
    const lines = unknown.map((id) => {
      const near = closeMatches(id, known);
      return `unknown scenario "${id}".${near.length ? ` Did you mean: ${near.join(', ')}?` : ''}`;
    });
    throw new UserError('HARNESS_ERR_SCENARIO_UNKNOWN', `${lines.join('\n')}\nRun "alb-mtls scenarios" to list every id.`);
  }
  return [...new Set(ids)].map((id) => scenarios.find((s) => s.id === id)!);
}

const expectedText = (s: Scenario) => statusSequence(s);
/** The statuses a run got, first request then each request step (an action step has none). */
const gotText = (r: ScenarioResult) =>
  [r.status, ...(r.steps ?? []).filter((s) => s.kind === 'request').map((s) => s.status)].map((v) => (v === null ? '-' : String(v))).join(' → ');

function printTable(outcomes: ScenarioOutcome[], io: CliIo): void {
  const rows = outcomes.flatMap((o) =>
    o.runs.map((r) => ({
      id: r.id,
      tls: r.tls,
      expected: expectedText(o.scenario),
      got: gotText(r),
      verify: r.tlsVerifyStatus ?? '(none)',
      time: `${r.durationMs} ms`,
      run: r,
    })),
  );
  const head = { id: 'ID', tls: 'TLS', expected: 'EXPECTED', got: 'GOT', verify: 'VERIFY STATUS', time: 'TIME' };
  const cols = ['id', 'tls', 'expected', 'got', 'verify', 'time'] as const;
  const width = Object.fromEntries(cols.map((c) => [c, Math.max(head[c].length, ...rows.map((r) => r[c].length))])) as Record<(typeof cols)[number], number>;
  const line = (r: Record<(typeof cols)[number], string>) => cols.map((c) => r[c].padEnd(width[c])).join('  ');
  io.out(paint(io, 'bold', line(head).trimEnd()));
  for (const row of rows) {
    const mark = row.run.passed ? paint(io, 'green', 'ok') : paint(io, 'red', 'MISMATCH');
    io.out(`${line(row)}  ${mark}`);
    for (const m of row.run.mismatches) io.out(paint(io, 'red', `    - ${m}`));
  }
}

function explain(outcome: ScenarioOutcome, io: CliIo): void {
  const s = outcome.scenario;
  const run = outcome.runs.at(-1)!;
  io.out('');
  io.out(paint(io, 'bold', `${s.id}: ${s.title}`));
  io.out(paint(io, 'dim', `seed section: ${s.seedSection}  (trace of the TLS ${run.tls} run)`));
  for (const line of renderTrace(run, (c, t) => paint(io, c, t))) io.out(line);
  io.out(`What happened: ${s.explanation}`);
  io.out(`Fix: ${s.fix}`);
}

const shardLabel = (shard: Shard | undefined) => (shard ? `shard ${shard.index}/${shard.count}: ` : '');
