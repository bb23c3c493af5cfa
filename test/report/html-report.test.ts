import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { renderHtmlReport } from '../../harness/report/index.ts';
import { escapeHtml } from '../../harness/report/escape.ts';
import { runScenarios, scenarios, type ScenarioOutcome, type ScenarioResult } from '../../scenarios/index.ts';

const HOSTILE = `<script>alert("x")</script>&'`;
const ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;';

/** A run as the runner records it, with user data (subject, header, log line) holding markup. */
function hostileRun(tls: '1.2' | '1.3'): ScenarioResult {
  return {
    id: 'hostile',
    tls,
    passed: false,
    mismatches: [`status: expected 200, got 403 ${HOSTILE}`],
    status: 403,
    tlsVerifyStatus: 'Failed:ClientCertUntrusted',
    failureClass: null,
    targetSaw: { 'x-amzn-mtls-clientcert-subject': `CN=${HOSTILE}`, 'x-long': 'a'.repeat(5_000) },
    connectionLogLine: `2026-01-01T00:00:00.000000Z 127.0.0.1 1 2 TLSv1.3 X - "CN=${HOSTILE}" - - Failed:ClientCertUntrusted TID_x - app/x 127.0.0.1`,
    durationMs: 12,
    trace: {
      steps: [
        { from: 'client', to: 'gateway', label: `GET /api/${HOSTILE}`, outcome: 'ok' },
        { from: 'gateway', to: 'alb', label: 'TLSv1.3 handshake', outcome: 'ok' },
        { from: 'alb', to: 'alb', label: `verify mode: ${HOSTILE}`, outcome: 'failed' },
        { from: 'gateway', to: 'client', label: 'HTTP 403', outcome: 'ok' },
      ],
      presentedChain: [
        { subject: `CN=${HOSTILE},O=A\\,B`, issuer: 'CN=Issuing CA', serialNumber: '01', notBefore: '2020-01-01T00:00:00.000Z', notAfter: '2021-01-01T00:00:00.000Z', selfSigned: false },
        { subject: 'CN=Issuing CA', issuer: 'CN=Issuing CA', serialNumber: '02', notBefore: '2020-01-01T00:00:00.000Z', notAfter: '2040-01-01T00:00:00.000Z', selfSigned: true },
      ],
      certificateName: HOSTILE,
      connectionLogLine: null,
      albReason: HOSTILE,
      accessLogLines: [`https 2026 app/x 127.0.0.1:1 - -1 -1 -1 403 - 0 0 "GET https://x/${HOSTILE} HTTP/1.1"`],
      gatewayWarnings: [HOSTILE],
      responseBody: HOSTILE,
      targetStatus: 200,
    },
  };
}

function hostileOutcome(): ScenarioOutcome {
  const base = scenarios[0]!;
  const scenario = { ...base, id: 'hostile', title: `title ${HOSTILE}`, explanation: `why ${HOSTILE}`, fix: `fix ${HOSTILE}` };
  return { scenario, runs: [hostileRun('1.2'), hostileRun('1.3')], passed: false, disagreements: [] };
}

describe('renderHtmlReport: escaping', () => {
  const html = renderHtmlReport([hostileOutcome()], { generatedAt: new Date('2026-06-01T00:00:00Z') });

  test('no value a user controls reaches the markup unescaped', () => {
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toContain('<script>alert');
    expect(html.match(/<script\b/g)).toHaveLength(1); // the report's own script only
    // Each place the hostile value appears: title, explanation, fix, step labels, subject, header, logs, warning, body.
    expect(html).toContain(`title ${ESCAPED}`);
    expect(html).toContain(`why ${ESCAPED}`);
    expect(html).toContain(`fix ${ESCAPED}`);
    expect(html).toContain(`GET /api/${ESCAPED}`);
    expect(html).toContain(`CN=${ESCAPED}`);
    expect(html).toContain(`Verifier's reason: ${ESCAPED}`);
  });

  test('escapeHtml covers the five characters that end text or an attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  test('a long header value is cut, so one run cannot bloat the report', () => {
    expect(html).not.toContain('a'.repeat(200));
    expect(html).toContain(`${'a'.repeat(159)}…`);
  });
});

describe('renderHtmlReport: structure', () => {
  const html = renderHtmlReport([hostileOutcome()], { generatedAt: new Date('2026-06-01T00:00:00Z') });

  test('the Content-Security-Policy allows exactly the inline style and script by hash, and no fetch', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!.replaceAll('&#39;', "'");
    const hash = (body: string) => `'sha256-${createHash('sha256').update(body).digest('base64')}'`;
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(csp).toBe(
      `default-src 'none'; style-src ${hash(style)}; script-src ${hash(script)}; img-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'`,
    );
    expect(html).not.toMatch(/\b(?:src|href)="(?:https?:)?\/\//); // nothing loaded from anywhere
    expect(html).not.toMatch(/ style="/); // inline style attributes would need 'unsafe-inline'
  });

  test('the sequence picture has one group per trace step, the failed one marked, and a text alternative', () => {
    const svg = /<svg class="seq"[\s\S]*?<\/svg>/.exec(html)![0];
    expect(svg).toContain('role="img"');
    expect(svg).toContain('data-steps="4"');
    expect(svg.match(/<g class="seq-step( failed)?">/g)).toEqual(['<g class="seq-step">', '<g class="seq-step">', '<g class="seq-step failed">', '<g class="seq-step">']);
    expect(svg.match(/<circle /g)).toHaveLength(1); // one "stopped here" mark
    const [, labelledBy] = /aria-labelledby="([^"]+)"/.exec(svg)!;
    const [, describedBy] = /aria-describedby="([^"]+)"/.exec(svg)!;
    expect(svg).toContain(`<title id="${labelledBy}">`);
    expect(svg).toContain(`<desc id="${describedBy}">`);
    expect(svg).toMatch(/<desc id="[^"]+">1\. client → gateway: GET \/api\/&lt;script&gt;.* 3\. ALB: verify mode: .*\(stopped here\) 4\. gateway → client: HTTP 403<\/desc>/);
    // The same facts as visible text.
    expect(html).toContain('<li class="failed">ALB: verify mode: &lt;script&gt;');
  });

  test('the chain picture shows every presented certificate, the expired one marked', () => {
    const svg = /<svg class="chain"[\s\S]*?<\/svg>/.exec(html)![0];
    expect(svg).toContain('data-certs="2"');
    expect(svg.match(/<rect class="chain-card bad"/g)).toHaveLength(1);
    expect(svg).toContain('2020-01-01 → 2021-01-01 expired');
    expect(svg).toContain('root (self-signed)');
    expect(html).toContain('leaf: subject CN=&lt;script&gt;');
  });

  test('a run that did not behave is open, lists its mismatches, and its row carries the filter tokens', () => {
    expect(html).toMatch(/<section class="card" id="s-hostile" data-group="walkthrough" data-outcome="fail status-403" data-scenario="hostile"><details open>/);
    expect(html).toMatch(/<tr class="bad" data-group="walkthrough" data-outcome="fail status-403" data-scenario="hostile">/);
    expect(html).toContain('<option value="fail">Not as expected</option>');
    expect(html).toContain('<option value="status-403">Observed HTTP 403</option>');
    expect(html).toContain(`<li>status: expected 200, got 403 ${ESCAPED}</li>`);
  });
});

describe('renderHtmlReport: the whole catalogue', () => {
  let outcomes: ScenarioOutcome[];
  let html: string;
  beforeAll(async () => {
    outcomes = await runScenarios(scenarios, { tls: 'both' });
    html = renderHtmlReport(outcomes);
  }, 60_000);

  test('stays under 1 MB', () => {
    expect(Buffer.byteLength(html)).toBeLessThan(1_000_000);
  });

  test('has one row and one card per scenario, and each drawn picture matches its run\'s trace', () => {
    expect(html.match(/<tr class="(?:ok|bad)" data-group/g)).toHaveLength(scenarios.length);
    expect(html.match(/<section class="card"/g)).toHaveLength(scenarios.length);
    for (const o of outcomes) {
      const card = new RegExp(`<section class="card" id="s-${o.scenario.id}"[\\s\\S]*?</section>`).exec(html)![0];
      const figures = [...card.matchAll(/<figure class="trace" data-tls="(1\.[23])">([\s\S]*?)<\/figure>/g)];
      expect(figures.length, o.scenario.id).toBeGreaterThan(0);
      for (const [, tls, svg] of figures) {
        const run = o.runs.find((r) => r.tls === tls)!;
        expect(svg, `${o.scenario.id} ${tls}`).toContain(`data-steps="${run.trace.steps.length}"`);
        expect(svg!.match(/<g class="seq-step failed">/g)?.length ?? 0).toBe(run.trace.steps.filter((s) => s.outcome === 'failed').length);
        for (const step of run.trace.steps) expect(svg).toContain(escapeHtml(step.label.split(' ')[0]!));
      }
    }
  });

  test('a multi-step scenario draws one picture with a band per step, in order, and a table of each step\'s expected and observed outcome', () => {
    const card = /<section class="card" id="s-ca-rotation-old-removed-first"[\s\S]*?<\/section>/.exec(html)![0];
    const svg = /<figure class="trace" data-tls="1\.3">([\s\S]*?)<\/figure>/.exec(card)![1]!;
    expect([...svg.matchAll(/<g class="seq-phase">.*?<text [^>]*>([^<]*)<\/text><\/g>/g)].map((m) => m[1])).toEqual([
      'steps[0]: ModifyTrustStore: CA bundle &quot;rotation-new-ca&quot;',
      'steps[1]: request on the gateway&#39;s established keep-alive connection',
      'steps[2]: request on a new connection',
      'steps[3]: gateway redeployed with ALB_MTLS_CERT=alb_cert_g2',
      'steps[4]: request on a new connection',
    ]);
    const table = /<table class="steps-table">[\s\S]*?<\/table>/.exec(card)![0];
    const rows = [...table.matchAll(/<tr class="(ok|bad)"><td><code>([^<]*)<\/code><\/td><td>[^<]*<\/td><td class="mono">([^<]*)<\/td><td class="mono">([^<]*)<\/td>/g)].map((m) => m.slice(1));
    expect(rows.slice(0, 5)).toEqual([
      ['ok', 'steps[0]', 'done', 'done'],
      ['ok', 'steps[1]', '200, Success', '200, Success, reused connection'],
      ['ok', 'steps[2]', '522, Failed:ClientCertUntrusted, handshake-rejected', '522, Failed:ClientCertUntrusted, handshake-rejected, new connection'],
      ['ok', 'steps[3]', 'done', 'done'],
      ['ok', 'steps[4]', '200, Success', '200, Success, new connection'],
    ]);
    expect(html).toMatch(/data-scenario="ca-rotation-old-removed-first">.*?<span class="obs muted">then 200 → 522 → 200<\/span>/);
  });
});
