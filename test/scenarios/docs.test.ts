import { readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';
import { CATALOGUE_DOCS_PATH, scenarioDocsMarkdown } from '../../scenarios/catalogue-docs.ts';
import { scenarios } from '../../scenarios/index.ts';

test('docs/scenarios.md is generated from the catalogue (run "npm run readme" to refresh it)', async () => {
  const page = await readFile(new URL(`../../${CATALOGUE_DOCS_PATH}`, import.meta.url), 'utf8');
  expect(page, 'docs/scenarios.md is stale: run "npm run readme"').toBe(scenarioDocsMarkdown());
});

test('the page has one section per scenario with its explanation, fix and source', () => {
  const page = scenarioDocsMarkdown();
  expect(page.match(/^### /gm)).toHaveLength(scenarios.length);
  const crl = scenarios.find((s) => s.id === 'crl-der-refused')!;
  const section = page.slice(page.indexOf(`### ${crl.title}`)).split('\n### ')[0]!;
  expect(section).toContain('- **Id:** `crl-der-refused`');
  expect(section).toContain('- **Outcome:** The ALB refuses the trust store at load (`HARNESS_ERR_CRL`); after the fix: gateway answers 200, ALB `Success`.');
  expect(section).toContain(`- **Fix:** ${crl.fix}`);
  expect(section).toContain(`- **Source:** ${crl.source}`);
  expect(page).toContain('- **Source:** The seed page "Connect to an AWS ALB with mTLS" (Zuplo docs), section "Requests fail with a 522 or connection error".');
});
