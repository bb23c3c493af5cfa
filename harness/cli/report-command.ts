import { readFile } from 'node:fs/promises';
import { junitXml, mergeRunReports, outcomesOfReport, parseRunReport, scenarios } from '../../scenarios/index.ts';
import { UserError } from '../errors.ts';
import { parseFlags } from './args.ts';
import { paint, type CliIo } from './io.ts';
import { checkOutputFile, writeOutputFile } from './output-file.ts';
import { renderHtmlReport } from '../report/html-report.ts';

export const reportHelp = `Usage: alb-mtls report merge [--json FILE] [--junit FILE] [--html FILE] [--force] REPORT.json...

Merges the JSON reports of several "alb-mtls run --shard i/n --json" jobs into one report, in
catalogue order: the whole catalogue's result from a CI matrix. Shards that overlap are refused.
With no --json and no --junit, prints the merged JSON report on stdout.

Options:
  --json FILE   Write the merged JSON report to FILE
  --junit FILE  Write the merged JUnit XML to FILE
  --html FILE   Write the merged HTML report to FILE (as "alb-mtls run --html")
  --force       Overwrite the files named above

Exit status: 0 every merged scenario behaved as expected, 1 one did not, 2 bad input.`;

export async function reportCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags('report', argv, { json: { type: 'string' }, junit: { type: 'string' }, html: { type: 'string' }, force: { type: 'boolean' } }, true);
  const [verb, ...files] = positionals;
  if (values.help || verb === undefined) {
    (values.help ? io.out : io.err)(reportHelp);
    return values.help ? 0 : 2;
  }
  if (verb !== 'merge') throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `unknown report verb "${verb}". Use: alb-mtls report merge REPORT.json...`);
  const jsonPath = values.json ? await checkOutputFile('--json', values.json, !!values.force) : undefined;
  const junitPath = values.junit ? await checkOutputFile('--junit', values.junit, !!values.force) : undefined;
  const htmlPath = values.html ? await checkOutputFile('--html', values.html, !!values.force) : undefined;

  const reports = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new UserError('HARNESS_ERR_FILE', `${file}: cannot read it (${err.code ?? err.message}). Name the JSON files written by "alb-mtls run --json".`, { cause: err });
    });
    reports.push({ source: file, report: parseRunReport(text, file) });
  }
  const merged = mergeRunReports(reports, scenarios);
  const outcomes = outcomesOfReport(merged, scenarios, files.join(', '));

  if (jsonPath) await writeOutputFile('--json', jsonPath, `${JSON.stringify(merged, null, 2)}\n`);
  if (junitPath) await writeOutputFile('--junit', junitPath, junitXml(outcomes, merged.durationSeconds));
  if (htmlPath) await writeOutputFile('--html', htmlPath, renderHtmlReport(outcomes, { durationSeconds: merged.durationSeconds }));
  if (!jsonPath && !junitPath && !htmlPath) {
    io.out(JSON.stringify(merged, null, 2));
    return merged.passed ? 0 : 1;
  }
  const runs = outcomes.flatMap((o) => o.runs);
  const failed = runs.filter((r) => !r.passed).length;
  const summary = `merged ${reports.length} report(s): ${outcomes.length} scenario(s), ${runs.length} run(s): ${runs.length - failed} as expected, ${failed} not`;
  io.out(failed ? paint(io, 'red', summary) : paint(io, 'green', summary));
  for (const [flag, path] of [['--json', jsonPath], ['--junit', junitPath], ['--html', htmlPath]] as const) if (path) io.out(`${flag} written to ${path}`);
  return merged.passed ? 0 : 1;
}
