import { describe, expect, test } from 'vitest';
import { scenarios, validateScenarios, type Scenario } from '../../scenarios/index.ts';

const base = scenarios.find((s) => s.id === 'url-forward-200')!;
const copy = (patch: (s: Record<string, any>) => void): unknown => {
  const s = structuredClone({ ...base, expected: { ...base.expected, targetHeaders: undefined } }) as Record<string, any>;
  patch(s);
  return s;
};

function problemsOf(list: unknown[]): string {
  try {
    validateScenarios(list);
  } catch (err) {
    expect((err as { code?: string }).code).toBe('HARNESS_ERR_SCENARIO_INVALID');
    expect((err as Error).name).toBe('UserError');
    return (err as Error).message;
  }
  throw new Error('validateScenarios accepted invalid data');
}

describe('validateScenarios', () => {
  test('the catalogue itself is valid, with unique ids', () => {
    expect(validateScenarios([...scenarios])).toHaveLength(scenarios.length);
    expect(new Set(scenarios.map((s) => s.id)).size).toBe(scenarios.length);
  });

  test('a duplicate id names the id and the first scenario that has it', () => {
    expect(problemsOf([base, copy(() => {})])).toBe('scenario url-forward-200: id is not unique: scenario #0 has it too. Give each scenario its own id.');
  });

  test('an unknown PKI variant names the field and lists the known variants', () => {
    const message = problemsOf([copy((s) => (s.variant = 'goood'))]);
    expect(message).toMatch(/^scenario url-forward-200: variant is not a PKI client variant: "goood"\. Use one of: good, good-alt, /);
  });

  test('a certificate variant inside gateway.certificates is checked too', () => {
    const message = problemsOf([copy((s) => {
      delete s.variant;
      s.gateway.certificates = [{ name: 'c', variant: 'nope', environmentTypes: ['preview'] }];
    })]);
    expect(message).toMatch(/^scenario url-forward-200: gateway\.certificates\[0\]\.variant is not a PKI client variant: "nope"/);
  });

  test.each([
    ['expected.status', (s: Record<string, any>) => delete s.expected.status, /expected\.status is required: the HTTP status/],
    ['expected.tlsVerifyStatus', (s: Record<string, any>) => (s.expected.tlsVerifyStatus = 'Failed:ClientCertRevoked'), /expected\.tlsVerifyStatus is not an ALB tls_verify_status: "Failed:ClientCertRevoked"/],
    ['expected.failureClass', (s: Record<string, any>) => delete s.expected.failureClass, /expected\.failureClass is required/],
    ['alb.mode', (s: Record<string, any>) => (s.alb = { mode: 'strict' }), /alb\.mode must be one of off, passthrough, verify; got "strict"/],
    ['alb.trustStore (passthrough)', (s: Record<string, any>) => (s.alb = { mode: 'passthrough', trustStore: 'root' }), /alb\.trustStore applies to verify mode only/],
    ['gateway.handler', (s: Record<string, any>) => delete s.gateway.handler, /gateway\.handler is required: one of url-forward, env-selected, function/],
    ['fix', (s: Record<string, any>) => (s.fix = ' '), /scenario url-forward-200: fix is required/],
    ['seedSection', (s: Record<string, any>) => (s.seedSection = 'Troubleshooting'), /seedSection must be the seed heading of group walkthrough/],
    ['targetHeaders name case', (s: Record<string, any>) => (s.expected.targetHeaders = { absent: ['X-Amzn-Mtls-Clientcert'] }), /expected\.targetHeaders\.absent\[0\] must be a lower-case header name/],
  ])('%s', (_field, patch, pattern) => {
    expect(problemsOf([copy(patch)])).toMatch(pattern);
  });

  test('every problem is reported, one line each', () => {
    const message = problemsOf([copy((s) => {
      s.id = 'Bad Id';
      s.variant = 'x';
    })]);
    expect(message.split('\n')).toEqual([
      'scenario Bad Id: id must be a kebab-case string (e.g. "client-cert-expired"); got "Bad Id".',
      expect.stringMatching(/^scenario Bad Id: variant is not a PKI client variant: "x"/),
    ]);
  });

  test('the built-fixture fields are checked: chain, trust-store fixture, clock, attributes, albRefuses', () => {
    expect(problemsOf([copy((s) => (s.chain = 'cross-signed'))])).toBe(
      'scenario url-forward-200: chain cannot be combined with variant or gateway.certificates: it is the one certificate alb_cert; keep one of them.',
    );
    expect(problemsOf([copy((s) => (s.alb = { mode: 'passthrough', trustStoreFixture: 'public-root' }))])).toContain(
      'alb.trustStoreFixture applies to verify mode only',
    );
    expect(problemsOf([copy((s) => (s.alb.clock = 'next-week'))])).toBe(
      'scenario url-forward-200: alb.clock must be one of day-before-expiry, day-after-expiry; got "next-week".',
    );
    expect(problemsOf([copy((s) => (s.alb.attributes = { 'routing.http.drop_invalid_header_fields.enabled': true }))])).toMatch(/alb\.attributes must be an object of string values/);
    expect(problemsOf([copy((s) => (s.expected.albRefuses = { code: 'HARNESS_ERR_CRL', includes: 'DER' }))])).toBe(
      'scenario url-forward-200: expected.albRefuses needs alb.trustStoreFixture set to one of the refused-* stores (the run loads it, then the fixed store).',
    );
    expect(problemsOf([copy((s) => (s.source = ' '))])).toBe('scenario url-forward-200: source must be a non-empty string: the AWS page or public issue this comes from.');
  });

  test('a valid copy passes (the checks are not vacuous)', () => {
    const ok = copy((s) => (s.id = 'my-copy')) as Scenario;
    expect(validateScenarios([ok])[0]!.id).toBe('my-copy');
  });
});

describe('caller', () => {
  test('must be gateway or h2-client, and an h2-client presents variant itself', () => {
    expect(problemsOf([copy((s) => (s.caller = 'curl'))])).toBe('scenario url-forward-200: caller must be one of gateway, h2-client; got "curl".');
    expect(problemsOf([copy((s) => {
      s.caller = 'h2-client';
      delete s.variant;
    })])).toBe("scenario url-forward-200: caller h2-client presents the scenario's certificate to the ALB itself: set variant (a PKI client variant).");
    expect(validateScenarios([copy((s) => (s.caller = 'h2-client'))])[0]!.caller).toBe('h2-client');
  });
});
