import { describe, expect, test } from 'vitest';
import { ALB_FAILURE_CODES } from '../../certs/alb-codes.ts';
import { verdictHelp } from '../../harness/report/index.ts';
import { findScenario } from '../../scenarios/index.ts';

describe('verdictHelp', () => {
  test('takes the words of the scenario that reproduces the verdict under the same mode and failure model', () => {
    const expired = verdictHelp('Failed:ClientCertExpired', { mode: 'verify' });
    expect(expired.scenarioId).toBe('client-cert-expired');
    expect(expired.explanation).toBe(findScenario('client-cert-expired')!.explanation);
    expect(expired.fix).toBe(findScenario('client-cert-expired')!.fix);
    expect(verdictHelp('Failed:ClientCertUntrusted', { mode: 'verify' }).scenarioId).toBe('ca-not-in-trust-store');
    expect(verdictHelp('Failed:ClientCertUntrusted', { mode: 'verify', verifyFailure: 'http-403' }).scenarioId).toBe('http-403-model-untrusted');
    expect(verdictHelp('Success', { mode: 'verify' }).scenarioId).toBe('url-forward-200');
    expect(verdictHelp('Success', { mode: 'off' }).scenarioId).toBe('off-mode-no-headers');
  });

  test('every ALB code gets an explanation and a fix, from the catalogue where a scenario reproduces it', () => {
    for (const code of ALB_FAILURE_CODES) {
      const help = verdictHelp(`Failed:${code}`, { mode: 'verify' });
      expect(help.explanation.length, code).toBeGreaterThan(20);
      expect(help.fix.length, code).toBeGreaterThan(20);
      if (help.scenarioId) expect(findScenario(help.scenarioId)!.expected.tlsVerifyStatus).toBe(`Failed:${code}`);
    }
    expect(verdictHelp('Failed:ClientCertCrlProcessingError', { mode: 'verify' }).explanation).toMatch(/revocation list/);
  });
});
