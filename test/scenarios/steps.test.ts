import { beforeAll, describe, expect, test } from 'vitest';
import { createPki } from '../../certs/index.ts';
import type { Pki } from '../../certs/pki/types.ts';
import { runScenario, runScenarios, scenarios, type Scenario, type ScenarioResult } from '../../scenarios/index.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

const byId = (id: string) => scenarios.find((s) => s.id === id)!;
/** Each step as `[label, status, tlsVerifyStatus, failureClass, connection, passed]`. */
const stepRows = (r: ScenarioResult) => r.steps!.map((s) => [s.label, s.status, s.tlsVerifyStatus, s.failureClass, s.connection, s.passed]);
const CERT_G1 = "client certificate CN=zuplo-gateway-g1,O=Example Corp ('alb_cert_g1')";
const CERT_G2 = "client certificate CN=zuplo-gateway-g2,O=Example Corp ('alb_cert_g2')";

describe.each(['1.2', '1.3'] as const)('CA rotation on a running ALB, TLS %s', (tls) => {
  test('old CA removed first: the established connection still gets 200, a new one 522, the switch ends it', async () => {
    const result = await runScenario(byId('ca-rotation-old-removed-first'), { pki, tls });
    expect(result.mismatches).toEqual([]);
    expect([result.status, result.tlsVerifyStatus]).toEqual([200, 'Success']);
    expect(stepRows(result)).toEqual([
      ['ModifyTrustStore: CA bundle "rotation-new-ca"', null, null, null, null, true],
      ["request on the gateway's established keep-alive connection", 200, 'Success', null, 'reused', true],
      ['request on a new connection', 522, 'Failed:ClientCertUntrusted', 'handshake-rejected', 'new', true],
      ['gateway redeployed with ALB_MTLS_CERT=alb_cert_g2', null, null, null, null, true],
      ['request on a new connection', 200, 'Success', null, 'new', true],
    ]);
    // The reused request's verdict is the one logged when its connection was established, before the change.
    expect(result.steps![1]!.connectionLogLine).toBe(result.connectionLogLine);
    expect(result.steps![2]!.connectionLogLine).toMatch(/ "CN=zuplo-gateway-g1,O=Example Corp" .* Failed:ClientCertUntrusted TID_/);
    expect(result.steps![4]!.connectionLogLine).toMatch(/ "CN=zuplo-gateway-g2,O=Example Corp" .* Success TID_/);

    // One picture tells the story in order; each entry after the first request names its step.
    const labels = result.trace.steps.map((s) => [s.step ?? '-', s.from, s.to, s.label, s.outcome]);
    expect(labels.filter(([step]) => step === 1)).toEqual([
      [1, 'client', 'gateway', 'GET /api/orders', 'ok'],
      [1, 'gateway', 'alb', expect.stringMatching(/^reuses its established keep-alive connection \(no new handshake; the ALB verified it when it was established: tls_verify_status=Success\)$/), 'ok'],
      [1, 'alb', 'target', expect.stringMatching(/^GET \.\.\. with x-amzn-mtls-/), 'ok'],
      [1, 'alb', 'gateway', 'HTTP 200', 'ok'],
      [1, 'gateway', 'client', 'HTTP 200', 'ok'],
    ]);
    expect(labels.filter(([step]) => step === 2)).toEqual([
      [2, 'client', 'gateway', 'GET /api/orders', 'ok'],
      [2, 'gateway', 'alb', `TLSv${tls} handshake, ${CERT_G1}`, 'ok'],
      [2, 'alb', 'alb', expect.stringMatching(/^verify mode: tls_verify_status=Failed:ClientCertUntrusted \(.*\); closed the connection before any HTTP byte$/), 'failed'],
      [2, 'gateway', 'client', 'HTTP 522 (failure class handshake-rejected)', 'ok'],
    ]);
    expect(labels.filter(([step]) => step === 0 || step === 3)).toEqual([
      [0, 'alb', 'alb', 'ModifyTrustStore: the CA bundle is now Example Corp Client CA G2; new connections are verified against it, established ones go on', 'ok'],
      [3, 'gateway', 'gateway', 'gateway redeployed with ALB_MTLS_CERT=alb_cert_g2: a new deployment, with no connection to the ALB yet', 'ok'],
    ]);
    expect(labels.filter(([step]) => step === 4)[1]).toEqual([4, 'gateway', 'alb', `TLSv${tls} handshake, ${CERT_G2}`, 'ok']);
  });

  test('both CAs during the overlap: every request of the rotation gets 200', async () => {
    const result = await runScenario(byId('ca-rotation-overlap'), { pki, tls });
    expect(result.mismatches).toEqual([]);
    expect(stepRows(result)).toEqual([
      ['ModifyTrustStore: CA bundle "rotation-both-cas"', null, null, null, null, true],
      ['request on a new connection', 200, 'Success', null, 'new', true],
      ['gateway redeployed with ALB_MTLS_CERT=alb_cert_g2', null, null, null, null, true],
      ['request on a new connection', 200, 'Success', null, 'new', true],
      ['ModifyTrustStore: CA bundle "rotation-new-ca"', null, null, null, null, true],
      ["request on the gateway's established keep-alive connection", 200, 'Success', null, 'reused', true],
      ['request on a new connection', 200, 'Success', null, 'new', true],
    ]);
    const leaves = result.steps!.map((s) => /"CN=(zuplo-gateway-g\d)/.exec(s.connectionLogLine ?? '')?.[1] ?? null);
    expect(leaves).toEqual([null, 'zuplo-gateway-g1', null, 'zuplo-gateway-g2', null, 'zuplo-gateway-g2', 'zuplo-gateway-g2']);
  });
});

describe('step expectations that do not hold', () => {
  test('a wrong expectation on a step is a mismatch naming the step; later steps still run', async () => {
    const base = byId('ca-rotation-old-removed-first');
    const wrong: Scenario = {
      ...base,
      steps: [
        base.steps![0]!,
        // Claims the change breaks the established connection too (it does not).
        { connection: 'reuse', expected: { status: 522, tlsVerifyStatus: 'Failed:ClientCertUntrusted', failureClass: 'handshake-rejected' } },
        ...base.steps!.slice(2),
      ],
    };
    const result = await runScenario(wrong, { pki, tls: '1.3' });
    expect(result.passed).toBe(false);
    expect(result.mismatches).toEqual([
      'steps[1]: status: expected 522, got 200',
      'steps[1]: tlsVerifyStatus: expected Failed:ClientCertUntrusted, got Success',
      'steps[1]: failureClass: expected handshake-rejected, got null',
    ]);
    expect(result.steps!.map((s) => s.passed)).toEqual([true, false, true, true, true]);
  });

  test('"reuse" after the connection was recycled, and "new" that rode an old connection, are both reported', async () => {
    const base = byId('ca-rotation-overlap');
    const ok = { status: 200, tlsVerifyStatus: 'Success', failureClass: null } as const;
    const result = await runScenario({ ...base, steps: [{ connection: 'new', expected: ok }, { connection: 'reuse', expected: ok }, { expected: ok }] }, { pki, tls: '1.2' });
    expect(result.mismatches).toEqual([]);
    expect(result.steps!.map((s) => s.connection)).toEqual(['new', 'reused', 'reused']);

    const redeployThenReuse = await runScenario(
      { ...base, steps: [{ action: 'redeploy-gateway', environment: { ALB_MTLS_CERT: 'alb_cert_g1' } }, { connection: 'reuse', expected: ok }] },
      { pki, tls: '1.2' },
    );
    expect(redeployThenReuse.mismatches).toEqual(["steps[1]: connection: expected the request to reuse the gateway's established connection, but the ALB logged a new TLS handshake"]);
  });

  test('revocations added and removed on the running ALB apply to new connections', async () => {
    const base = byId('url-forward-200');
    const ok = { status: 200, tlsVerifyStatus: 'Success', failureClass: null } as const;
    const revoked = { status: 522, tlsVerifyStatus: 'Failed:ClientCertCrlHit', failureClass: 'handshake-rejected' } as const;
    const scenario: Scenario = {
      ...base,
      variant: 'revoked',
      alb: { mode: 'verify', revocations: ['root'] },
      expected: ok,
      steps: [
        { action: 'add-revocations', revocations: ['intermediate'] },
        { connection: 'reuse', expected: ok },
        { connection: 'new', expected: revoked },
        { action: 'remove-revocations', revocations: ['intermediate'] },
        { connection: 'new', expected: ok },
        { action: 'remove-revocations', revocations: ['intermediate'] },
      ],
    };
    const result = await runScenario(scenario, { pki, tls: '1.3' });
    expect(result.mismatches).toEqual(['steps[5]: error: the trust store has no intermediate CRL to remove']);
    const actions = result.trace.steps.filter((s) => s.from === 'alb' && s.to === 'alb' && s.step !== undefined && /Revocations/.test(s.label)).map((s) => s.label);
    expect(actions).toEqual([
      expect.stringMatching(/^AddTrustStoreRevocations: intermediate CRL \(id 2, \d+ revoked\)$/),
      'RemoveTrustStoreRevocations: ids 2 (intermediate CRL)',
      'RemoveTrustStoreRevocations: intermediate CRL: the trust store has no intermediate CRL to remove',
    ]);
  });

  test('a url-forward route is switched by naming the new certificate; each redeploy builds on the last', async () => {
    const base = byId('ca-rotation-old-removed-first');
    const ok = { status: 200, tlsVerifyStatus: 'Success', failureClass: null } as const;
    const scenario: Scenario = {
      ...base,
      gateway: { handler: 'url-forward', mtlsCertificate: 'alb_cert_g1', certificates: base.gateway.certificates! },
      steps: [
        { action: 'modify-trust-store', trustStoreFixture: 'rotation-new-ca' },
        { connection: 'new', expected: { status: 522, tlsVerifyStatus: 'Failed:ClientCertUntrusted', failureClass: 'handshake-rejected' } },
        { action: 'redeploy-gateway', mtlsCertificate: 'alb_cert_g2' },
        { expected: ok },
        { action: 'redeploy-gateway', environment: { UNRELATED: 'x' } },
        { expected: ok },
      ],
    };
    const result = await runScenario(scenario, { pki, tls: '1.3' });
    expect(result.mismatches).toEqual([]);
    expect(result.steps!.map((s) => s.label)).toEqual([
      'ModifyTrustStore: CA bundle "rotation-new-ca"',
      'request on a new connection',
      'gateway redeployed with mtlsCertificate "alb_cert_g2"',
      'request',
      'gateway redeployed with UNRELATED=x',
      'request',
    ]);
    expect(result.steps![5]!.connectionLogLine).toMatch(/"CN=zuplo-gateway-g2,O=Example Corp"/);
  });

  test('runScenarios runs a multi-step scenario under both TLS versions, and they agree step by step', async () => {
    const [outcome] = await runScenarios([byId('ca-rotation-old-removed-first')], { pki, concurrency: 2 });
    expect(outcome!.disagreements).toEqual([]);
    expect(outcome!.runs.map((r) => r.steps!.map((s) => s.status))).toEqual([
      [null, 200, 522, null, 200],
      [null, 200, 522, null, 200],
    ]);
  });
});
