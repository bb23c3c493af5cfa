import { beforeAll, describe, expect, test } from 'vitest';
import { createPki } from '../certs/index.ts';
import type { Pki } from '../certs/pki/types.ts';
import { renderTrace, runScenario, scenarios, type ScenarioResult, type TlsVersion } from '../scenarios/index.ts';

// The whole catalogue, each scenario under TLS 1.2 and 1.3, on one PKI. Each (scenario, version)
// runs once; a test also compares its run with the other version's (the two must agree).
let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

const runs = new Map<string, Promise<ScenarioResult>>();
const runOnce = (id: string, tls: TlsVersion): Promise<ScenarioResult> => {
  const key = `${id}@${tls}`;
  if (!runs.has(key)) runs.set(key, runScenario(scenarios.find((s) => s.id === id)!, { pki, tls }));
  return runs.get(key)!;
};

describe.concurrent.each(scenarios.map((s) => [s.id, s] as const))('%s', (id, scenario) => {
  test.each(['1.2', '1.3'] as const)(`TLS %s: ${scenario.expected.status} / ${scenario.expected.tlsVerifyStatus ?? 'no verdict'}`, async (tls) => {
    const result = await runOnce(id, tls);
    expect(result.mismatches, [`${id} under TLS ${tls}:`, ...renderTrace(result)].join('\n')).toEqual([]);
    expect(result.status).toBe(scenario.expected.status);
    expect(result.tlsVerifyStatus).toBe(scenario.expected.tlsVerifyStatus);
    expect(result.failureClass).toBe(scenario.expected.failureClass);

    const other = await runOnce(id, tls === '1.2' ? '1.3' : '1.2');
    expect({ status: result.status, tlsVerifyStatus: result.tlsVerifyStatus, failureClass: result.failureClass }, 'TLS 1.2 and 1.3 must agree').toEqual({
      status: other.status,
      tlsVerifyStatus: other.tlsVerifyStatus,
      failureClass: other.failureClass,
    });
  });
});
