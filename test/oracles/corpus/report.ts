import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCorpus } from './generate.ts';
import { judgeCorpus, type Judged } from './judge.ts';

/**
 * `npx tsx test/oracles/corpus/report.ts [seed]`: generates the corpus, judges it, and prints every
 * kind with both verdicts as Markdown, disagreements first, one example per kind. The test asserts;
 * this explains.
 */
const SECTIONS = [
  ['We say Success, OpenSSL fails (not in the ALB-only rules table)', (j: Judged) => j.verdict === 'undocumented' && j.ours === 'Success'],
  ['We fail, OpenSSL says OK (not in the table)', (j: Judged) => j.verdict === 'undocumented' && j.ours !== 'Success'],
  ['Same Success/failure verdict, but our code differs from the expected one', (j: Judged) => j.verdict !== 'undocumented' && j.ours !== j.c.expected],
  ['Documented disagreements (ALB-only rules table)', (j: Judged) => j.verdict === 'documented'],
  ['Agreement', () => true],
] as const;

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n.*/s, '').slice(0, 170);

const dir = await mkdtemp(join(tmpdir(), 'alb-corpus-'));
try {
  const started = performance.now();
  const corpus = await generateCorpus({ dir, seed: process.argv[2] ? Number(process.argv[2]) : undefined });
  const judged = await judgeCorpus(corpus.ca, corpus.cases);
  const kinds = new Set(judged.map((j) => j.c.kind));
  console.log(`seed ${corpus.seed}: ${judged.length} chains, ${kinds.size} kinds, generated and judged in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(`undocumented disagreements: ${judged.filter((j) => j.verdict === 'undocumented').length} chains; documented: ${judged.filter((j) => j.verdict === 'documented').length}`);
  const placed = new Set<string>();
  for (const [title, test] of SECTIONS) {
    const rows: string[] = [];
    for (const kind of kinds) {
      if (placed.has(kind)) continue;
      const all = judged.filter((j) => j.c.kind === kind);
      const hits = all.filter(test);
      if (hits.length === 0) continue;
      placed.add(kind);
      const j = hits[0]!;
      rows.push(`| ${kind} | ${hits.length}/${all.length} | ${j.c.id} | ${j.c.expected}${j.c.rule ? ` (rule ${j.c.rule})` : ''} | ${j.ours} | ${cell(j.openssl)} | ${cell(j.reason)} |`);
    }
    if (rows.length === 0) continue;
    console.log(`\n## ${title} (${rows.length} kinds)\n\n| kind | chains | example | expected ALB verdict | ours | openssl | our reason |\n|---|---|---|---|---|---|---|`);
    console.log(rows.sort().join('\n'));
  }
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
}
