import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import { scenarios } from '../../scenarios/index.ts';
import { captureIo } from './capture-io.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alb-mtls-run-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('alb-mtls run', () => {
  test('a single id prints the table, the trace, the explanation and the fix; exit 0', async () => {
    const io = captureIo();
    expect(await main(['run', 'client-cert-expired'], io)).toBe(0);
    const out = io.stdout.join('\n');
    expect(io.stdout[0]).toMatch(/^ID\s+TLS\s+EXPECTED\s+GOT\s+VERIFY STATUS\s+TIME$/);
    expect(io.stdout[1]).toMatch(/^client-cert-expired {2}1\.2 {2}522 {7}522 {2}Failed:ClientCertExpired {2}\d+ ms\s+ok$/);
    expect(io.stdout[2]).toMatch(/^client-cert-expired {2}1\.3 {2}522 {7}522 {2}Failed:ClientCertExpired {2}\d+ ms\s+ok$/);
    expect(out).toContain('1 scenario(s), 2 run(s): 2 as expected, 0 not');
    expect(out).toMatch(/gateway ──▶ ALB {6}TLSv1\.3 handshake, client certificate CN=client-expired,O=alb-mtls-harness \('alb_cert'\)/);
    expect(out).toMatch(/ALB +● +verify mode: tls_verify_status=Failed:ClientCertExpired .*closed the connection before any HTTP byte {2}✗ stopped here/);
    expect(out).toMatch(/connection log: \S+Z 127\.0\.0\.1 \d+ \d+ TLSv1\.3 \S+ - "CN=client-expired,O=alb-mtls-harness" NotBefore=\S+;NotAfter=\S+ [0-9A-F]+ Failed:ClientCertExpired TID_[0-9a-f]{32} /);
    expect(out).toContain('target saw:     nothing (no request reached a target)');
    expect(out).toContain('What happened: The certificate\'s notAfter date is in the past');
    expect(out).toContain('Fix: Issue a new certificate and upload it');
  });

  test('--json gives one object per scenario with both TLS runs', async () => {
    const io = captureIo();
    expect(await main(['run', 'off-mode-no-headers', 'revoked', '--json', '--tls', 'both'], io)).toBe(0);
    const json = JSON.parse(io.stdout.join('\n'));
    expect(json.passed).toBe(true);
    expect(json.scenarios.map((s: { id: string }) => s.id)).toEqual(['off-mode-no-headers', 'revoked']);
    const revoked = json.scenarios[1];
    expect(revoked.expected).toEqual({ status: 522, tlsVerifyStatus: 'Failed:ClientCertCrlHit', failureClass: 'handshake-rejected' });
    expect(revoked.runs.map((r: { tls: string; status: number; tlsVerifyStatus: string; passed: boolean }) => [r.tls, r.status, r.tlsVerifyStatus, r.passed])).toEqual([
      ['1.2', 522, 'Failed:ClientCertCrlHit', true],
      ['1.3', 522, 'Failed:ClientCertCrlHit', true],
    ]);
    expect(Object.keys(revoked.runs[0]).sort()).toEqual(
      ['connectionLogLine', 'durationMs', 'failureClass', 'id', 'mismatches', 'passed', 'status', 'targetSaw', 'tls', 'tlsVerifyStatus', 'trace'].sort(),
    );
  });

  test('--junit writes JUnit XML and refuses to overwrite it without --force', async () => {
    const file = join(dir, 'results.xml');
    const io = captureIo();
    expect(await main(['run', 'no-targets-503', '--tls', '1.3', '--junit', file], io)).toBe(0);
    const xml = await readFile(file, 'utf8');
    expect(xml).toContain('<testsuites name="alb-mtls scenarios" tests="1" failures="0"');
    expect(xml).toContain('<testsuite name="ALB mutual TLS behaviour (AWS docs)" tests="1" failures="0"');
    expect(xml).toMatch(/<testcase classname="scenarios\.alb-behaviour" name="no-targets-503 \[TLS 1\.3\]" time="[\d.]+"\/>/);

    const again = captureIo();
    expect(await main(['run', 'no-targets-503', '--junit', file], again)).toBe(2);
    expect(again.stderr.join('\n')).toBe(`alb-mtls run: --junit ${file}: file exists. Choose another path, or add --force to overwrite it.`);
    expect(await main(['run', 'no-targets-503', '--tls', '1.2', '--junit', file, '--force'], captureIo())).toBe(0);
    expect(await readFile(file, 'utf8')).toContain('name="no-targets-503 [TLS 1.2]"');
  });

  test('a scenario that does not behave as expected exits 1 and shows the mismatch', async () => {
    const scenario = scenarios.find((s) => s.id === 'no-targets-503')!;
    const saved = scenario.expected.status;
    scenario.expected.status = 418;
    try {
      const io = captureIo();
      const file = join(dir, 'failing.xml');
      expect(await main(['run', 'no-targets-503', '--tls', '1.2', '--junit', file], io)).toBe(1);
      expect(io.stdout[1]).toMatch(/^no-targets-503 {2}1\.2 {2}418 {7}503 .*MISMATCH$/);
      expect(io.stdout[2]).toBe('    - status: expected 418, got 503');
      expect(await readFile(file, 'utf8')).toContain('<failure message="status: expected 418, got 503">status: expected 418, got 503</failure>');
    } finally {
      scenario.expected.status = saved;
    }
  });

  test('an unknown id exits 2 and suggests close matches', async () => {
    const io = captureIo();
    expect(await main(['run', 'client-cert-expird'], io)).toBe(2);
    expect(io.stderr.join('\n')).toBe(
      'alb-mtls run: unknown scenario "client-cert-expird". Did you mean: client-cert-expired?\nRun "alb-mtls scenarios" to list every id.',
    );
    expect(io.stdout).toEqual([]);
  });

  test('bad flags are user errors (exit 2)', async () => {
    const io = captureIo();
    expect(await main(['run', '--tls', '1.1', 'revoked'], io)).toBe(2);
    expect(io.stderr[0]).toBe('alb-mtls run: --tls "1.1" is not valid. Use one of: 1.2, 1.3, both.');
    expect(await main(['run', '--help'], captureIo())).toBe(0);
  });

  test('an existing junit path is checked before anything runs', async () => {
    const file = join(dir, 'existing.xml');
    await writeFile(file, 'keep me');
    expect(await main(['run', '--all', '--junit', file], captureIo())).toBe(2);
    expect(await readFile(file, 'utf8')).toBe('keep me');
  });
});

describe('alb-mtls scenarios', () => {
  test('lists every id under its seed heading', async () => {
    const io = captureIo();
    expect(await main(['scenarios'], io)).toBe(0);
    const out = io.stdout.join('\n');
    expect(io.stdout[0]).toBe('Connect to an AWS ALB with mTLS (steps 2-4)');
    expect(out).toMatch(/Requests fail with a 522 or connection error\n {2}ca-not-in-trust-store {2,}The CA that issued/);
    for (const s of scenarios) expect(out).toContain(`  ${s.id} `);
    expect(io.stdout.at(-1)).toBe(`${scenarios.length} scenarios. Run one with "alb-mtls run ID", all with "alb-mtls run --all".`);
    expect(out).toMatch(/\n {2}ca-rotation-old-removed-first +Removing the old CA before the gateway switched: .* \(5 steps: 200 → 200 → 522 → 200\)\n/);
  });

  test('scenarios --json lists a multi-step scenario\'s steps, and no steps for the others', async () => {
    const io = captureIo();
    expect(await main(['scenarios', '--json'], io)).toBe(0);
    const list = JSON.parse(io.stdout.join('\n')) as Array<{ id: string; steps?: string[] }>;
    expect(list.find((s) => s.id === 'ca-rotation-old-removed-first')!.steps![2]).toBe('steps[2] request on a new connection: 522, Failed:ClientCertUntrusted, handshake-rejected');
    expect(list.filter((s) => s.steps).map((s) => s.id)).toEqual(['ca-rotation-overlap', 'ca-rotation-old-removed-first']);
  });
});
