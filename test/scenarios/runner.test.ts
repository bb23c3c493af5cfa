import { beforeAll, expect, test } from 'vitest';
import { createPki } from '../../certs/index.ts';
import type { Pki } from '../../certs/pki/types.ts';
import { runScenario, runScenarios, scenarios, type Scenario } from '../../scenarios/index.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

const byId = (id: string) => scenarios.find((s) => s.id === id)!;

test('a wrong expectation is reported as mismatches, naming each field', async () => {
  const base = byId('url-forward-200');
  const wrong: Scenario = {
    ...base,
    expected: {
      ...base.expected,
      status: 403,
      targetHeaders: { present: { 'x-amzn-mtls-clientcert-subject': 'CN=someone-else' }, absent: ['x-amzn-mtls-clientcert-leaf'] },
    },
  };
  const result = await runScenario(wrong, { pki, tls: '1.3' });
  expect(result.passed).toBe(false);
  expect(result.mismatches).toEqual([
    'status: expected 403, got 200',
    'target header x-amzn-mtls-clientcert-subject: expected CN=someone-else, got CN=zuplo-gateway,O=alb-mtls-harness',
    expect.stringMatching(/^target header x-amzn-mtls-clientcert-leaf: expected absent, got -----BEGIN%20CERTIFICATE-----%0A/),
  ]);
  expect(result.targetSaw?.['x-amzn-mtls-clientcert-subject']).toBe('CN=zuplo-gateway,O=alb-mtls-harness');
  expect(result.connectionLogLine).toMatch(/ TLSv1\.3 .* "CN=zuplo-gateway,O=alb-mtls-harness" .* Success TID_[0-9a-f]{32} /);
});

test('a verdict expected but never logged is a mismatch, not a hang', async () => {
  const base = byId('alb-unreachable');
  const result = await runScenario({ ...base, expected: { ...base.expected, tlsVerifyStatus: 'Success' } }, { pki, tls: '1.2', logTimeoutMs: 200 });
  expect(result.mismatches).toEqual(['tlsVerifyStatus: expected Success, got null']);
  expect(result.status).toBe(522);
});

test('runScenarios runs both TLS versions on one PKI and returns outcomes in list order', async () => {
  const list = [byId('client-cert-expired'), byId('off-mode-no-headers')];
  const seen: string[] = [];
  const outcomes = await runScenarios(list, { pki, concurrency: 2, onResult: (r) => seen.push(`${r.id}@${r.tls}`) });
  expect(outcomes.map((o) => o.scenario.id)).toEqual(['client-cert-expired', 'off-mode-no-headers']);
  expect(outcomes.map((o) => o.runs.map((r) => r.tls))).toEqual([['1.2', '1.3'], ['1.2', '1.3']]);
  expect(outcomes.every((o) => o.passed && o.disagreements.length === 0)).toBe(true);
  expect(seen.sort()).toEqual(['client-cert-expired@1.2', 'client-cert-expired@1.3', 'off-mode-no-headers@1.2', 'off-mode-no-headers@1.3']);
});

test('a load-time refusal that does not happen, or says something else, is a mismatch; the fixed store still runs', async () => {
  const base = byId('bundle-blank-line-refused');
  const otherText: Scenario = { ...base, expected: { ...base.expected, albRefuses: { code: 'HARNESS_ERR_TRUST_STORE', includes: 'quota' } } };
  const result = await runScenario(otherText, { pki, tls: '1.3' });
  expect(result.mismatches).toEqual([expect.stringMatching(/^albRefuses: expected HARNESS_ERR_TRUST_STORE with "quota", got HARNESS_ERR_TRUST_STORE: .* line 2: blank line\./)]);
  expect(result.status).toBe(200);

  const loads: Scenario = { ...byId('crl-der-refused'), alb: { mode: 'verify', trustStoreFixture: 'public-root' } };
  const loaded = await runScenario({ ...loads, expected: { ...loads.expected, albRefuses: { code: 'HARNESS_ERR_CRL', includes: 'DER' } } }, { pki, tls: '1.3' });
  expect(loaded.mismatches[0]).toBe('albRefuses: expected HARNESS_ERR_CRL, but the ALB loaded the trust store');
});

test('a built chain shows in the trace as presented: leaf, issuing CA G2, cross certificate', async () => {
  const result = await runScenario(byId('cross-signed-intermediate'), { pki, tls: '1.2' });
  expect(result.passed).toBe(true);
  expect(result.trace.presentedChain.map((c) => c.subject)).toEqual([
    'CN=zuplo-gateway,O=Example Corp',
    'CN=alb-mtls-harness Issuing CA G2,O=alb-mtls-harness',
    'CN=alb-mtls-harness Root CA G2,O=alb-mtls-harness',
  ]);
  expect(result.trace.presentedChain[2]!.issuer).toBe(pki.root.facts.subject);
});
