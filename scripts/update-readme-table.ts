// Rewrites the scenario table in README.md between <!-- scenarios:start --> and <!-- scenarios:end -->,
// and the catalogue page docs/scenarios.md (npm run readme). test/readme.test.ts and
// test/scenarios/docs.test.ts fail when they and the catalogue drift apart.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { CATALOGUE_DOCS_PATH, scenarioDocsMarkdown } from '../scenarios/catalogue-docs.ts';
import { TABLE_END, TABLE_START, scenarioTableMarkdown } from '../scenarios/readme-table.ts';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));
const text = await readFile(readme, 'utf8');
const start = text.indexOf(TABLE_START);
const end = text.indexOf(TABLE_END);
if (start < 0 || end < start) {
  console.error(`README.md: add the markers ${TABLE_START} and ${TABLE_END} (on their own lines) where the scenario table goes, then run this again.`);
  process.exitCode = 2;
} else {
  const updated = `${text.slice(0, start + TABLE_START.length)}\n${scenarioTableMarkdown()}${text.slice(end)}`;
  if (updated === text) console.log('README.md: scenario table already up to date.');
  else {
    await writeFile(readme, updated);
    console.log('README.md: scenario table updated.');
  }
}

const docs = fileURLToPath(new URL(`../${CATALOGUE_DOCS_PATH}`, import.meta.url));
const page = scenarioDocsMarkdown();
const old = await readFile(docs, 'utf8').catch(() => '');
if (old === page) console.log(`${CATALOGUE_DOCS_PATH}: already up to date.`);
else {
  await writeFile(docs, page);
  console.log(`${CATALOGUE_DOCS_PATH}: updated.`);
}
