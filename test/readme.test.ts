import { readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';
import { scenarios } from '../scenarios/index.ts';
import { scenarioTableMarkdown, TABLE_END, TABLE_START } from '../scenarios/readme-table.ts';

test('README.md carries the scenario table generated from the catalogue (run "npm run readme" to refresh it)', async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  expect(start, `README.md needs a ${TABLE_START} line`).toBeGreaterThanOrEqual(0);
  expect(end, `README.md needs a ${TABLE_END} line after ${TABLE_START}`).toBeGreaterThan(start);
  expect(readme.slice(start + TABLE_START.length, end), 'the README table is stale: run "npm run readme"').toBe(`\n${scenarioTableMarkdown()}`);
});

test('the table has one row per scenario, in catalogue order', () => {
  const rows = scenarioTableMarkdown().trimEnd().split('\n').slice(2);
  expect(rows.map((r) => /^\| `([^`]+)` \|/.exec(r)?.[1])).toEqual(scenarios.map((s) => s.id));
  expect(rows[0]).toBe(
    '| `url-forward-200` | Connect to an AWS ALB with mTLS (steps 2-4) | 200 | `Success` | - | URL Forward Handler presents the client certificate; the ALB verifies it and forwards |',
  );
});

test('the README library example is test/readme-example.test.ts, line for line', async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const source = await readFile(new URL('./readme-example.test.ts', import.meta.url), 'utf8');
  const body = source.slice(source.indexOf('// readme:example:start\n') + 24, source.indexOf('  // readme:example:end'));
  const dedented = body.split('\n').map((line) => line.replace(/^ {2}/, '')).join('\n');
  expect(readme).toContain("```ts\nimport { createPki, startAlb, startGateway, startTarget } from 'alb-mtls-harness';\n\n" + dedented + '```\n');
});
