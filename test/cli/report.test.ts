import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import { scenarios } from '../../scenarios/index.ts';
import { captureIo } from './capture-io.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alb-mtls-report-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const IDS = ['revoked', 'off-mode-no-headers', 'no-targets-503'];

/** Runs shard i/n of IDS under TLS 1.3 and writes its JSON report; returns the file and its ids. */
async function shard(i: number, n: number): Promise<{ file: string; ids: string[] }> {
  const io = captureIo();
  expect(await main(['run', ...IDS, '--tls', '1.3', '--shard', `${i}/${n}`, '--json'], io)).toBe(0);
  const report = JSON.parse(io.stdout.join('\n'));
  expect(report.shards).toEqual([{ index: i, count: n }]);
  const file = join(dir, `shard-${i}-of-${n}.json`);
  await writeFile(file, io.stdout.join('\n'));
  return { file, ids: report.scenarios.map((s: { id: string }) => s.id) };
}

describe('alb-mtls run --shard and report merge', () => {
  test('two shards run disjoint slices; merged, they are the whole selection in catalogue order, as JSON and JUnit', async () => {
    const a = await shard(1, 2);
    const b = await shard(2, 2);
    expect(a.ids).toEqual(['no-targets-503']);
    expect(b.ids.sort()).toEqual(['off-mode-no-headers', 'revoked']);

    const io = captureIo();
    const json = join(dir, 'merged.json');
    const junit = join(dir, 'merged.xml');
    expect(await main(['report', 'merge', '--json', json, '--junit', junit, a.file, b.file], io)).toBe(0);
    expect(io.stdout[0]).toBe('merged 2 report(s): 3 scenario(s), 3 run(s): 3 as expected, 0 not');
    const merged = JSON.parse(await readFile(json, 'utf8'));
    expect(merged.passed).toBe(true);
    expect(merged.shards).toEqual([{ index: 1, count: 2 }, { index: 2, count: 2 }]);
    const catalogueOrder = scenarios.filter((s) => IDS.includes(s.id)).map((s) => s.id);
    expect(catalogueOrder).toHaveLength(3);
    expect(merged.scenarios.map((s: { id: string }) => s.id)).toEqual(catalogueOrder);
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(/<testsuites name="alb-mtls scenarios" tests="3" failures="0" time="[\d.]+">/);
    expect(xml).toContain('name="revoked [TLS 1.3]"');
    expect(xml).toContain('name="no-targets-503 [TLS 1.3]"');
  });

  test('a multi-step scenario keeps its steps through --shard, the JSON report, report merge and JUnit', async () => {
    const ids = ['ca-rotation-old-removed-first', 'url-forward-200'];
    const files: string[] = [];
    for (const i of [1, 2]) {
      const io = captureIo();
      expect(await main(['run', ...ids, '--tls', '1.3', '--shard', `${i}/2`, '--json'], io)).toBe(0);
      files.push(join(dir, `steps-${i}.json`));
      await writeFile(files.at(-1)!, io.stdout.join('\n'));
    }
    const io = captureIo();
    const json = join(dir, 'steps-merged.json');
    const junit = join(dir, 'steps-merged.xml');
    expect(await main(['report', 'merge', '--json', json, '--junit', junit, ...files], io)).toBe(0);
    const merged = JSON.parse(await readFile(json, 'utf8'));
    const rotation = merged.scenarios.find((s: { id: string }) => s.id === 'ca-rotation-old-removed-first');
    expect(rotation.expectedSteps).toEqual([
      'steps[0] ModifyTrustStore: CA bundle "rotation-new-ca"',
      "steps[1] request on the gateway's established keep-alive connection: 200, Success",
      'steps[2] request on a new connection: 522, Failed:ClientCertUntrusted, handshake-rejected',
      'steps[3] gateway redeployed with ALB_MTLS_CERT=alb_cert_g2',
      'steps[4] request on a new connection: 200, Success',
    ]);
    expect(rotation.runs[0].steps.map((s: { status: number | null; connection: string | null }) => [s.status, s.connection])).toEqual([
      [null, null], [200, 'reused'], [522, 'new'], [null, null], [200, 'new'],
    ]);
    expect(merged.scenarios.find((s: { id: string }) => s.id === 'url-forward-200').expectedSteps).toBeUndefined();
    const xml = await readFile(junit, 'utf8');
    expect(xml).toContain('steps[2] request on a new connection: 522, Failed:ClientCertUntrusted, handshake-rejected, new connection [as expected]');
    expect(xml).toContain('<testcase classname="scenarios.walkthrough" name="url-forward-200 [TLS 1.3]" time="');
    expect(xml.match(/<system-out>/g)).toHaveLength(1);
  });

  test('a failed scenario in any shard makes the merge exit 1', async () => {
    const a = await shard(1, 2);
    const report = JSON.parse(await readFile(a.file, 'utf8'));
    report.passed = false;
    report.scenarios[0].passed = false;
    report.scenarios[0].runs[0].passed = false;
    report.scenarios[0].runs[0].mismatches = ['status: expected 503, got 200'];
    const failed = join(dir, 'failed.json');
    await writeFile(failed, JSON.stringify(report));
    const io = captureIo();
    expect(await main(['report', 'merge', '--junit', join(dir, 'failed.xml'), failed], io)).toBe(1);
    expect(io.stdout[0]).toBe('merged 1 report(s): 1 scenario(s), 1 run(s): 0 as expected, 1 not');
  });

  test('overlapping shards, a file that is not a report, and existing outputs are refused with exit 2', async () => {
    const a = await shard(1, 2);
    let io = captureIo();
    expect(await main(['report', 'merge', a.file, a.file], io)).toBe(2);
    expect(io.stderr.join('\n')).toBe(
      `alb-mtls report: ${a.file}: scenario "no-targets-503" is also in ${a.file}: the shards overlap. Merge the reports of one "--shard i/n" series (same n, each i once).`,
    );
    const junk = join(dir, 'junk.json');
    await writeFile(junk, '{"hello": 1}');
    io = captureIo();
    expect(await main(['report', 'merge', junk], io)).toBe(2);
    expect(io.stderr.join('\n')).toBe(`alb-mtls report: ${junk}: not a run report (no "passed" and "scenarios" fields). Pass the output of "alb-mtls run --json".`);
    io = captureIo();
    expect(await main(['report', 'merge', '--json', a.file, a.file], io)).toBe(2);
    expect(io.stderr.join('\n')).toBe(`alb-mtls report: --json ${a.file}: file exists. Choose another path, or add --force to overwrite it.`);
    io = captureIo();
    expect(await main(['report', 'merge', '--junit', join(dir, 'missing', 'r.xml'), a.file], io)).toBe(2);
    expect(io.stderr.join('\n')).toBe(`alb-mtls report: --junit ${join(dir, 'missing', 'r.xml')}: the folder ${join(dir, 'missing')} does not exist. Create it first, or choose another path.`);
  });
});
