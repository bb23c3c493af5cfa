/** `npm run bench`: every benchmark, each measured against its baseline in the same run. */
import { runPkiBench } from './pki.ts';

const benches: [string, () => Promise<{ ok: boolean; lines: string[] }>][] = [
  ['pki', runPkiBench],
  ['alb', async () => (await import('./alb.ts')).runAlbBench()],
  ['scenarios', async () => (await import('./scenarios.ts')).runScenariosBench()],
];

const only = process.argv.slice(2);
for (const [name, run] of benches) {
  if (only.length && !only.includes(name)) continue;
  console.log(`# ${name}`);
  const { lines } = await run();
  for (const line of lines) console.log(line);
}
