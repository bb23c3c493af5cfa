/**
 * The HTML report and the live page in a real browser: Debian's chromium, driven by playwright-core
 * (which never downloads a browser of its own). Screenshots go to out/screenshots/ for CI artifacts.
 */
import { execFile } from 'node:child_process';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { createPki, type Pki } from '../../certs/index.ts';
import { startAlb } from '../../harness/alb/index.ts';
import { renderHtmlReport, startLiveUi } from '../../harness/report/index.ts';
import { startTarget } from '../../harness/targets/index.ts';
import { runScenarios, scenarios, type ScenarioOutcome } from '../../scenarios/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOTS = join(import.meta.dirname, '../../out/screenshots');

async function requireProgram(path: string, install: string): Promise<void> {
  await access(path).catch(() => {
    throw new Error(`${path} is missing: ${install} (.ci/run installs it)`);
  });
}

/** A fresh browser with a new, empty profile; closing it removes the profile. */
async function openBrowser(colorScheme: 'light' | 'dark' = 'light'): Promise<{ context: BrowserContext } & AsyncDisposable> {
  await requireProgram(CHROMIUM, 'apt-get install -y chromium');
  const profile = await tempDir('alb-mtls-chromium-');
  const context = await chromium.launchPersistentContext(profile.path, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    colorScheme,
  });
  return {
    context,
    [Symbol.asyncDispose]: async () => {
      await context.close();
      await profile[Symbol.asyncDispose]();
    },
  };
}

/** Every console message of type error, every uncaught page error, and every request the page makes. */
function watch(page: Page): { errors: string[]; requests: string[] } {
  const seen = { errors: [] as string[], requests: [] as string[] };
  page.on('console', (m) => {
    if (m.type() === 'error') seen.errors.push(m.text());
  });
  page.on('pageerror', (err) => seen.errors.push(err.message));
  page.on('request', (r) => seen.requests.push(r.url()));
  return seen;
}

/** One attribute of every element a locator matches, in document order. (Strings, not DOM types: the project's TypeScript has no DOM lib.) */
async function attributes(locator: Locator, name: string): Promise<Array<string | null>> {
  return Promise.all((await locator.all()).map((element) => element.getAttribute(name)));
}

function curl(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    execFile('curl', args, { timeout: 15_000 }, (err, stdout) => {
      const code = (err as NodeJS.ErrnoException | null)?.code;
      if (code === 'ENOENT') return reject(new Error('curl is not installed: apt-get install -y curl (.ci/run installs it)'));
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout });
    });
  });
}

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
  await mkdir(SCREENSHOTS, { recursive: true });
});

describe('the HTML report in chromium', () => {
  let outcomes: ScenarioOutcome[];
  beforeAll(async () => {
    outcomes = await runScenarios(scenarios, { pki, tls: 'both' });
  }, 120_000);

  test('opens with no console error and no request but its own file; every diagram matches its trace; filters and keyboard work', async () => {
    await using dir = await tempDir('alb-mtls-report-');
    const file = await dir.file('report.html', renderHtmlReport(outcomes));
    const url = pathToFileURL(file).href;
    await using browser = await openBrowser();
    const page = await browser.context.newPage();
    const seen = watch(page);
    await page.goto(url);
    await expect(page.locator('#filter-count').textContent()).resolves.toBe(`Showing ${scenarios.length} of ${scenarios.length} scenarios`);
    await page.screenshot({ path: join(SCREENSHOTS, 'report-summary.png') });

    // Every scenario has a card, and each drawn picture has one step per trace step, in order, with the same words.
    for (const o of outcomes) {
      const figures = page.locator(`#s-${o.scenario.id} figure.trace`);
      expect(await figures.count(), o.scenario.id).toBeGreaterThan(0);
      for (const figure of await figures.all()) {
        const tls = await figure.getAttribute('data-tls');
        const run = o.runs.find((r) => r.tls === tls)!;
        const svg = figure.locator('svg.seq[role="img"]');
        expect(await svg.locator('title').textContent()).toContain(`TLS ${tls} run of ${o.scenario.id}`);
        const drawn = await Promise.all(
          (await svg.locator('g.seq-step').all()).map(async (g) => ({
            failed: (await g.getAttribute('class')) === 'seq-step failed',
            text: (await g.locator('text').allTextContents()).join(' '),
          })),
        );
        expect(drawn, `${o.scenario.id} TLS ${tls}`).toEqual(
          run.trace.steps.map((s, i) => ({ failed: s.outcome === 'failed', text: `${i + 1}. ${s.label}`.replace(/\s+/g, ' ') })),
        );
      }
      const chain = o.runs.at(-1)!.trace.presentedChain;
      if (chain.length) expect(await page.locator(`#s-${o.scenario.id} svg.chain`).last().getAttribute('data-certs')).toBe(String(chain.length));
    }

    // Filters: group, then outcome, then both cleared.
    const visibleRows = () => page.locator('table.summary tbody tr:visible');
    await page.selectOption('#filter-group', 'fails-522');
    const inGroup = scenarios.filter((s) => s.group === 'fails-522').map((s) => s.id);
    expect(await attributes(visibleRows(), 'data-scenario')).toEqual(inGroup);
    expect(await page.locator('section.card:visible').count()).toBe(inGroup.length);
    await page.selectOption('#filter-group', '');
    await page.selectOption('#filter-outcome', 'status-522');
    const with522 = outcomes.filter((o) => o.runs.some((r) => r.status === 522)).map((o) => o.scenario.id);
    expect(await attributes(visibleRows(), 'data-scenario')).toEqual(with522);
    expect(await page.locator('#filter-count').textContent()).toBe(`Showing ${with522.length} of ${scenarios.length} scenarios`);
    await page.selectOption('#filter-outcome', 'fail');
    expect(await visibleRows().count()).toBe(outcomes.filter((o) => !o.passed).length);
    await page.selectOption('#filter-outcome', '');

    // Keyboard: Tab reaches the filters; Enter on a card's summary opens it and shows its pictures.
    await page.locator('body').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('filter-group');
    const summary = page.locator('#s-client-cert-expired summary');
    await summary.focus();
    await page.keyboard.press('Enter');
    expect(await page.locator('#s-client-cert-expired details').getAttribute('open')).toBe('');
    await expect(page.locator('#s-client-cert-expired svg.chain').isVisible()).resolves.toBe(true);
    expect(await page.locator('#s-client-cert-expired svg.chain rect.chain-card.bad').count()).toBe(1); // the expired leaf

    await page.locator('#s-client-cert-expired').screenshot({ path: join(SCREENSHOTS, 'report-scenario.png') });

    // A summary link opens the card it points at; the buttons open and close every card.
    await page.locator('a[href="#s-url-forward-200"]').press('Enter');
    // The card opens on the hashchange event, which fires after the navigation, not within press().
    // A locator wait, not waitForFunction: a string predicate is eval'd while polling, which the report's CSP refuses.
    await page.locator('#s-url-forward-200 details[open]').waitFor({ timeout: 5_000 });
    expect(await page.locator('#s-url-forward-200 details').getAttribute('open')).toBe('');
    await page.locator('#collapse-all').press('Enter');
    expect(await page.locator('section.card details[open]').count()).toBe(0);
    await page.locator('#expand-all').press('Enter');
    expect(await page.locator('section.card details[open]').count()).toBe(scenarios.length);
    expect(seen.errors).toEqual([]);
    expect(seen.requests).toEqual([url]);
  }, 120_000);

  test('reads in dark mode too (screenshot)', async () => {
    await using dir = await tempDir('alb-mtls-report-');
    const file = await dir.file('report.html', renderHtmlReport(outcomes));
    await using browser = await openBrowser('dark');
    const page = await browser.context.newPage();
    const seen = watch(page);
    await page.goto(`${pathToFileURL(file).href}#s-client-cert-expired`);
    expect(await page.locator('#s-client-cert-expired details').getAttribute('open')).toBe('');
    const background = await page.evaluate('getComputedStyle(document.body).backgroundColor');
    expect(background).toBe('rgb(18, 21, 27)');
    await page.locator('#s-client-cert-expired').screenshot({ path: join(SCREENSHOTS, 'report-scenario-dark.png') });
    expect(seen.errors).toEqual([]);
  }, 60_000);
});

describe('the live page of serve --ui in chromium', () => {
  test('shows a good and a rejected connection made with curl while it is open, and filters by verdict', async () => {
    await using dir = await tempDir('alb-mtls-live-');
    await pki.writeTo(dir.path, { force: true });
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({
      certificate: { certPem: pki.server.chainPem, keyPem: pki.server.keyPem },
      mutualAuthentication: { mode: 'verify', trustStore: { caCertificatesBundle: pki.trustStoreBundle, revocations: [pki.crls.root.pem, pki.crls.intermediate.pem] } },
      targets: [target.url],
    });
    await using ui = await startLiveUi({ alb });
    await using browser = await openBrowser();
    const page = await browser.context.newPage();
    const seen = watch(page);
    await page.goto(`${ui.url}/`);
    await page.locator('#status.live').waitFor();

    const client = (name: string) => ['--cert', join(dir.path, `clients/client-${name}.chain.pem`), '--key', join(dir.path, `clients/client-${name}.key`)];
    const common = ['-s', '--cacert', join(dir.path, 'ca/ca-root.crt'), `${alb.url}/orders?id=7`];
    const good = await curl([...client('good'), '-o', '/dev/null', '-w', '%{http_code}', ...common]);
    expect(good.stdout).toBe('200');
    const rejected = await curl([...client('expired'), ...common]);
    expect(rejected.code).not.toBe(0); // the ALB closed the handshake

    const goodCard = page.locator('article[data-verdict="Success"]');
    const badCard = page.locator('article[data-verdict="Failed:ClientCertExpired"]');
    await badCard.waitFor();
    await goodCard.locator('ul.requests li', { hasText: 'target answered 200' }).waitFor();
    // curl negotiates HTTP/2 with the listener, as it would with a real ALB.
    expect(await goodCard.locator('ul.requests code').textContent()).toBe(`GET ${alb.url}/orders?id=7 HTTP/2.0`);
    expect(await goodCard.locator('svg.chain text.chain-cn').allTextContents()).toEqual(['zuplo-gateway', 'alb-mtls-harness Intermediate CA']);
    expect(await badCard.locator('.badge').first().textContent()).toBe('Failed:ClientCertExpired');
    expect(await badCard.locator('p.reason').textContent()).toMatch(/^Verifier: certificate "CN=client-expired,O=alb-mtls-harness" expired at /);
    expect(await badCard.locator('.explain.fix p').first().textContent()).toMatch(/^Issue a new certificate and upload it/);
    // Newest first.
    expect(await attributes(page.locator('article'), 'data-verdict')).toEqual(['Failed:ClientCertExpired', 'Success']);

    await page.screenshot({ path: join(SCREENSHOTS, 'live.png'), fullPage: true });
    await page.selectOption('#filter-verdict', 'Failed');
    expect(await attributes(page.locator('article:visible'), 'data-verdict')).toEqual(['Failed:ClientCertExpired']);
    await page.selectOption('#filter-verdict', 'Success');
    expect(await attributes(page.locator('article:visible'), 'data-verdict')).toEqual(['Success']);
    expect(await page.locator('#filter-count').textContent()).toBe('Showing 1 of 2 connections');

    expect(seen.errors).toEqual([]);
    expect(seen.requests).toEqual([`${ui.url}/`, `${ui.url}/events`]);
    await writeFile(join(SCREENSHOTS, 'README.txt'), 'Screenshots written by test/oracles/browser-report.test.ts.\n');
  }, 120_000);
});
