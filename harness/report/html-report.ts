import { writeFile } from 'node:fs/promises';
import { expectedWords, stepLabel, stepName, statusSequence, stepStatuses } from '../../scenarios/steps.ts';
import { stepOutcomeWords } from '../../scenarios/trace.ts';
import { SEED_SECTIONS, type Scenario, type ScenarioGroup, type ScenarioOutcome, type ScenarioResult, type TlsVersion } from '../../scenarios/types.ts';
import { chainSvg, chainText } from './chain-svg.ts';
import { strictCsp } from './csp.ts';
import { escapeHtml, safeId } from './escape.ts';
import { REPORT_SCRIPT } from './report-script.ts';
import { sequenceSvg, stepText } from './sequence-svg.ts';
import { PAGE_CSS } from './styles.ts';
import { clip } from './text-layout.ts';

export interface HtmlReportOptions {
  /** Shown in the page title and heading. Default `alb-mtls-harness scenario report`. */
  title?: string;
  /** When the runs happened; also the instant certificate validity is judged at. Default now. */
  generatedAt?: Date;
  /** Wall time of the whole run, seconds, if known. */
  durationSeconds?: number;
}

const TLS_VERSIONS: readonly TlsVersion[] = ['1.2', '1.3'];
/** Header values longer than this are cut in the report (the leaf PEM alone is ~1 KB per run). */
const HEADER_VALUE_LIMIT = 160;
const LOG_LINE_LIMIT = 600;

/**
 * One self-contained HTML page for a set of scenario outcomes: a summary table filterable by group
 * and outcome, then one card per scenario with its sequence picture, presented chain, log lines,
 * the headers the target saw, the explanation and the fix. No external resource of any kind: the
 * page's own Content-Security-Policy forbids every fetch, so it reads the same from a CI artifact
 * store or a local disk.
 */
export function renderHtmlReport(outcomes: readonly ScenarioOutcome[], options: HtmlReportOptions = {}): string {
  const title = options.title ?? 'alb-mtls-harness scenario report';
  const now = options.generatedAt ?? new Date();
  const runs = outcomes.flatMap((o) => o.runs);
  const failedRuns = runs.filter((r) => !r.passed).length;
  const failedScenarios = outcomes.filter((o) => !o.passed).length;
  const verdict = failedScenarios === 0 ? 'all as expected' : `${failedScenarios} not as expected`;
  const duration = options.durationSeconds === undefined ? '' : ` · ${options.durationSeconds.toFixed(2)} s`;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(strictCsp({ style: PAGE_CSS, script: REPORT_SCRIPT }))}">`,
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(`${title}: ${outcomes.length} scenarios, ${verdict}`)}</title>`,
    `<style>${PAGE_CSS}</style></head><body>`,
    `<header class="page"><h1>${escapeHtml(title)}</h1>`,
    `<p class="muted">${outcomes.length} scenario(s), ${runs.length} run(s): <span class="badge ${failedRuns ? 'bad' : 'ok'}">` +
      `${runs.length - failedRuns} as expected, ${failedRuns} not</span>${duration} · ${escapeHtml(now.toISOString())}</p></header>`,
    '<main>',
    summarySection(outcomes),
    '<h2 id="details">Scenarios</h2>',
    ...outcomes.map((o) => scenarioCard(o, now)),
    '</main>',
    `<script>${REPORT_SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}

/** Renders the report and writes it to `path` (overwriting: the CLI refuses existing files without --force first). */
export async function writeHtmlReport(path: string, outcomes: readonly ScenarioOutcome[], options: HtmlReportOptions = {}): Promise<number> {
  const html = renderHtmlReport(outcomes, options);
  await writeFile(path, html);
  return Buffer.byteLength(html);
}

/** The tokens an outcome filter matches: pass/fail and each observed status. */
function outcomeTokens(o: ScenarioOutcome): string {
  const statuses = new Set(o.runs.map((r) => `status-${r.status ?? 'none'}`));
  return [o.passed ? 'pass' : 'fail', ...statuses].join(' ');
}

const statusText = (status: number | null) => (status === null ? 'no response' : `HTTP ${status}`);

function summarySection(outcomes: readonly ScenarioOutcome[]): string {
  const groups = [...new Set(outcomes.map((o) => o.scenario.group))];
  const statuses = [...new Set(outcomes.flatMap((o) => o.runs.map((r) => r.status)))].sort((a, b) => (a ?? 0) - (b ?? 0));
  const groupOptions = groups.map((g) => `<option value="${escapeHtml(g)}">${escapeHtml(SEED_SECTIONS[g as ScenarioGroup] ?? g)}</option>`);
  const outcomeOptions = [
    '<option value="pass">As expected</option>',
    '<option value="fail">Not as expected</option>',
    ...statuses.map((s) => `<option value="status-${s ?? 'none'}">Observed ${statusText(s)}</option>`),
  ];
  const rows = outcomes.map((o) => summaryRow(o));
  return [
    '<section aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2>',
    '<div class="toolbar" role="group" aria-label="Filters">',
    `<label for="filter-group">Group</label><select id="filter-group"><option value="">All groups</option>${groupOptions.join('')}</select>`,
    `<label for="filter-outcome">Outcome</label><select id="filter-outcome"><option value="">All outcomes</option>${outcomeOptions.join('')}</select>`,
    '<button type="button" id="expand-all">Expand all</button><button type="button" id="collapse-all">Collapse all</button>',
    `<span id="filter-count" class="muted" role="status" aria-live="polite">Showing ${outcomes.length} of ${outcomes.length} scenarios</span>`,
    '</div>',
    '<div class="table-wrap"><table class="summary"><caption class="visually-hidden">Every scenario: expected and observed outcome under TLS 1.2 and 1.3</caption>',
    '<thead><tr><th scope="col">Scenario</th><th scope="col">Seed section</th><th scope="col">Expected</th>' +
      '<th scope="col">TLS 1.2 observed</th><th scope="col">TLS 1.3 observed</th><th scope="col">Verdict</th>' +
      '<th scope="col">Failure class</th><th scope="col" class="num">Time</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody></table></div></section>`,
  ].join('\n');
}

function expectedText(s: Scenario): string {
  const e = s.expected;
  const then = s.steps ? `, then ${s.steps.length} steps (answers ${statusSequence(s)})` : '';
  return `${statusText(e.status)} · ${e.tlsVerifyStatus ?? 'no verdict'}${e.failureClass ? ` · ${e.failureClass}` : ''}${then}`;
}

/** Status over verify status: the two facts a row compares, stacked so the columns stay narrow. */
function outcomeCell(status: number | null, tlsVerifyStatus: string | null, failureClass: string | null, mismatch = false, steps?: string): string {
  return (
    `<td class="outcome${mismatch ? ' bad' : ''}"><span class="obs">${escapeHtml(statusText(status))}</span>` +
    `<span class="obs muted mono">${breakable(tlsVerifyStatus ?? 'no verdict')}</span>` +
    `${failureClass ? `<span class="obs muted mono">${escapeHtml(failureClass)}</span>` : ''}` +
    `${steps ? `<span class="obs muted">${escapeHtml(steps)}</span>` : ''}</td>`
  );
}

/** Escaped, with break opportunities between camel-case words (`Failed:Client<wbr>Cert<wbr>Expired`), so codes wrap at word edges in a narrow column. */
function breakable(code: string): string {
  return escapeHtml(code).replace(/([a-z:])([A-Z])/g, '$1<wbr>$2');
}

function observedCell(run: ScenarioResult | undefined): string {
  if (!run) return '<td class="muted">not run</td>';
  const answers = run.steps?.flatMap((step) => (step.kind === 'request' ? [step.status ?? 'none'] : []));
  return outcomeCell(run.status, run.tlsVerifyStatus, null, !run.passed, answers ? `then ${answers.join(' → ')}` : undefined);
}

function summaryRow(o: ScenarioOutcome): string {
  const s = o.scenario;
  const byTls = (v: TlsVersion) => o.runs.find((r) => r.tls === v);
  const classes = [...new Set(o.runs.map((r) => r.failureClass ?? '—'))].join(' / ');
  const time = o.runs.map((r) => `${r.durationMs} ms`).join(' / ');
  return (
    `<tr class="${o.passed ? 'ok' : 'bad'}" data-group="${escapeHtml(s.group)}" data-outcome="${escapeHtml(outcomeTokens(o))}" data-scenario="${escapeHtml(s.id)}">` +
    `<td><a href="#s-${safeId(s.id)}"><code>${escapeHtml(s.id)}</code></a><br><span class="muted">${escapeHtml(s.title)}</span></td>` +
    `<td class="section">${escapeHtml(s.seedSection)}</td>` +
    outcomeCell(s.expected.status, s.expected.tlsVerifyStatus, s.expected.failureClass, false, s.steps ? `then ${stepStatuses(s).join(' → ')}` : undefined) +
    TLS_VERSIONS.map((v) => observedCell(byTls(v))).join('') +
    `<td>${verdictBadge(o.passed)}</td><td class="mono">${escapeHtml(classes)}</td><td class="num">${escapeHtml(time)}</td></tr>`
  );
}

const verdictBadge = (passed: boolean) => (passed ? '<span class="badge ok">as expected</span>' : '<span class="badge bad">not as expected</span>');

/** The runs whose pictures are drawn: the first run that did not pass (else the last), plus any run whose steps differ from it. */
function pictured(o: ScenarioOutcome): ScenarioResult[] {
  const first = o.runs.find((r) => !r.passed) ?? o.runs.at(-1);
  if (!first) return [];
  const shape = (r: ScenarioResult) => r.trace.steps.map((s) => `${s.from}>${s.to}:${s.outcome}`).join('|');
  return [first, ...o.runs.filter((r) => r !== first && shape(r) !== shape(first))];
}

function scenarioCard(o: ScenarioOutcome, now: Date): string {
  const s = o.scenario;
  const id = safeId(s.id);
  const body = [
    `<p class="muted">Seed section: ${escapeHtml(s.seedSection)} · expected ${escapeHtml(expectedText(s))}</p>`,
    ...o.runs.filter((r) => r.mismatches.length).map(
      (r) => `<h3>TLS ${r.tls}: not as expected</h3><ul class="mismatches">${r.mismatches.map((m) => `<li>${escapeHtml(m)}</li>`).join('')}</ul>`,
    ),
    ...pictured(o).map((r) => runSection(s, r, now)),
    `<div class="explain"><h3>What happened</h3><p>${escapeHtml(s.explanation)}</p></div>`,
    `<div class="explain fix"><h3>Fix</h3><p>${escapeHtml(s.fix)}</p></div>`,
  ];
  return (
    `<section class="card" id="s-${id}" data-group="${escapeHtml(s.group)}" data-outcome="${escapeHtml(outcomeTokens(o))}" data-scenario="${escapeHtml(s.id)}">` +
    `<details${o.passed ? '' : ' open'}><summary>${verdictBadge(o.passed)} <h3><code>${escapeHtml(s.id)}</code> ${escapeHtml(s.title)}</h3></summary>` +
    `<div class="body">${body.join('\n')}</div></details></section>`
  );
}

function runSection(s: Scenario, run: ScenarioResult, now: Date): string {
  const prefix = `s-${safeId(s.id)}-${run.tls.replace('.', '')}`;
  const t = run.trace;
  const caption = `Sequence of the TLS ${run.tls} run of ${s.id}: client → gateway → ALB → target${s.steps ? `, then ${s.steps.length} steps` : ''}`;
  /** A multi-step run's details below the picture are the first request's (each step's outcome is in the steps table). */
  const first = s.steps ? ' (first request)' : '';
  const phaseLabel = (i: number) => `${stepName(i)}: ${run.steps?.[i]?.label ?? (s.steps?.[i] ? stepLabel(s.steps[i]) : '')}`;
  const chain = t.presentedChain.length
    ? `<figure>${chainSvg(t.presentedChain, `${prefix}-chain`, now)}<figcaption>Certificate chain the gateway presented` +
      `${t.certificateName ? ` ('${escapeHtml(t.certificateName)}')` : ''}, leaf first</figcaption></figure>` +
      `<ol class="chain-text">${t.presentedChain.map((c, i) => `<li>${escapeHtml(chainText(c, i, now).replace(/^\d+\. /, ''))}</li>`).join('')}</ol>`
    : `<p class="muted">The gateway presented no client certificate${t.certificateName ? ` (it asked for '${escapeHtml(t.certificateName)}')` : ''}.</p>`;
  return [
    `<h3>Trace (TLS ${run.tls}, ${run.durationMs} ms)</h3>`,
    `<figure class="trace" data-tls="${run.tls}">${sequenceSvg(t.steps, `${prefix}-seq`, caption, phaseLabel)}<figcaption>${escapeHtml(caption)}</figcaption></figure>`,
    `<ol class="steps">${t.steps.map((step) => `<li class="${step.outcome}">${escapeHtml(stepText(step))}</li>`).join('')}</ol>`,
    stepsTable(s, run),
    `<h3>Presented certificate chain${first}</h3>`,
    chain,
    '<div class="grid"><div>',
    `<h3>Connection log${first}</h3>`,
    t.connectionLogLine ? `<pre class="conn-log">${escapeHtml(clip(t.connectionLogLine, LOG_LINE_LIMIT))}</pre>` : '<p class="muted">No entry: no TLS handshake reached the ALB.</p>',
    t.albReason ? `<p class="muted">Verifier's reason: ${escapeHtml(t.albReason)}</p>` : '',
    '<h3>Access log</h3>',
    t.accessLogLines.length ? t.accessLogLines.map((l) => `<pre class="access-log">${escapeHtml(clip(l, LOG_LINE_LIMIT))}</pre>`).join('') : '<p class="muted">No entry: no HTTP request was logged.</p>',
    '</div><div>',
    `<h3>Headers the target saw${first}${t.targetStatus !== null ? ` (it answered ${t.targetStatus})` : ''}</h3>`,
    targetHeaders(run),
    t.gatewayWarnings.length ? `<h3>Gateway warnings</h3><ul>${t.gatewayWarnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>` : '',
    `<h3>Response to the client${first}: ${escapeHtml(statusText(run.status))}</h3>`,
    t.responseBody ? `<pre class="body">${escapeHtml(t.responseBody)}</pre>` : '',
    '</div></div>',
  ].join('\n');
}

/** A multi-step run, step by step: what each step expected and what it got (nothing for a one-request scenario). */
function stepsTable(s: Scenario, run: ScenarioResult): string {
  if (!s.steps) return '';
  const rows = s.steps.map((step, i) => {
    const got = run.steps?.[i];
    const expected = step.action === undefined ? expectedWords(step.expected) : 'done';
    const observed = !got ? 'not run' : step.action === undefined ? stepOutcomeWords(got) : got.passed ? 'done' : got.mismatches.join('; ');
    return (
      `<tr class="${got?.passed ? 'ok' : 'bad'}"><td><code>${escapeHtml(stepName(i))}</code></td><td>${escapeHtml(stepLabel(step))}</td>` +
      `<td class="mono">${escapeHtml(expected)}</td><td class="mono">${escapeHtml(observed)}</td><td>${verdictBadge(got?.passed ?? false)}</td></tr>`
    );
  });
  return (
    `<h3>Steps after the first request (TLS ${run.tls})</h3><div class="table-wrap"><table class="steps-table">` +
    '<thead><tr><th scope="col">Step</th><th scope="col">What</th><th scope="col">Expected</th><th scope="col">Observed</th><th scope="col">Verdict</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table></div>`
  );
}

function targetHeaders(run: ScenarioResult): string {
  if (!run.targetSaw) return '<p class="muted">Nothing: no request reached a target.</p>';
  const rows = Object.entries(run.targetSaw)
    .filter(([, v]) => v !== undefined)
    .map(([name, value]) => {
      const text = Array.isArray(value) ? value.join(', ') : String(value);
      return `<dt class="mono">${escapeHtml(name)}</dt><dd class="mono">${escapeHtml(clip(text, HEADER_VALUE_LIMIT))}</dd>`;
    });
  return `<dl class="kv target-headers">${rows.join('')}</dl>`;
}
