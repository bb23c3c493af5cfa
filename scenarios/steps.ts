import type { RequestStep, Scenario, ScenarioStep } from './types.ts';

/** A step in words, from its data alone (docs, README, CLI and report all use these words). */
export function stepLabel(step: ScenarioStep): string {
  switch (step.action) {
    case 'modify-trust-store':
      return `ModifyTrustStore: CA bundle "${step.trustStoreFixture ?? step.trustStore ?? '?'}"`;
    case 'add-revocations':
      return `AddTrustStoreRevocations: ${step.revocations.join(', ')} CRL`;
    case 'remove-revocations':
      return `RemoveTrustStoreRevocations: ${step.revocations.join(', ')} CRL`;
    case 'redeploy-gateway': {
      const changes = [
        ...Object.entries(step.environment ?? {}).map(([k, v]) => `${k}=${v}`),
        ...(step.mtlsCertificate !== undefined ? [`mtlsCertificate "${step.mtlsCertificate}"`] : []),
      ];
      return `gateway redeployed${changes.length ? ` with ${changes.join(', ')}` : ''}`;
    }
    case undefined:
      return `request${connectionWords(step)}`;
  }
}

const connectionWords = (step: RequestStep) =>
  step.connection === 'reuse' ? " on the gateway's established keep-alive connection" : step.connection === 'new' ? ' on a new connection' : '';

/** What a request step expects, in one phrase (`522, Failed:ClientCertUntrusted, handshake-rejected`). */
export function expectedWords(expected: RequestStep['expected']): string {
  return [String(expected.status), expected.tlsVerifyStatus ?? 'no ALB verdict', ...(expected.failureClass ? [expected.failureClass] : [])].join(', ');
}

/** How a step is named everywhere (mismatches, validation, report): its index in the scenario's `steps` array. */
export const stepName = (index: number) => `steps[${index}]`;

/** A step with, for a request, its expected outcome. */
export const stepText = (step: ScenarioStep) => `${stepLabel(step)}${step.action === undefined ? `: ${expectedWords(step.expected)}` : ''}`;

/** The steps after the first request, each named by its index, with the expected outcome of each request. */
export function stepLines(s: Pick<Scenario, 'steps'>): string[] {
  return (s.steps ?? []).map((step, i) => `${stepName(i)} ${stepText(step)}`);
}

/** The statuses the request steps expect, in order. */
export const stepStatuses = (s: Pick<Scenario, 'steps'>): number[] => (s.steps ?? []).flatMap((step) => (step.action === undefined ? [step.expected.status] : []));

/** The gateway's answers in order (first request, then each request step), e.g. `200 → 200 → 522 → 200`. */
export function statusSequence(s: Pick<Scenario, 'expected' | 'steps'>): string {
  return [s.expected.status, ...stepStatuses(s)].join(' → ');
}
