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

  describe('steps', () => {
    const rotation = scenarios.find((s) => s.id === 'ca-rotation-old-removed-first')!;
    const withSteps = (steps: unknown, patch: (s: Record<string, any>) => void = () => {}) => {
      const s = structuredClone(rotation) as Record<string, any>;
      s.steps = steps;
      patch(s);
      return s;
    };
    const ok = { status: 200, tlsVerifyStatus: 'Success', failureClass: null };

    test('a valid multi-step copy passes, and the rotation pair is in the catalogue', () => {
      expect(validateScenarios([withSteps([{ action: 'add-revocations', revocations: ['root'] }, { connection: 'new', expected: ok }])])).toHaveLength(1);
      expect(scenarios.filter((s) => s.steps).map((s) => s.id)).toEqual(['ca-rotation-overlap', 'ca-rotation-old-removed-first']);
    });

    test.each([
      ['not an array', {}, 'steps must be a non-empty array of actions'],
      ['empty', [], 'steps must be a non-empty array of actions'],
      ['a step that is not an object', [{ expected: ok }, 'x'], 'steps[1] must be an object: an action {action, ...} or a request {expected, request?, connection?}.'],
      ['an unknown action', [{ action: 'rotate' }], 'steps[0].action must be one of modify-trust-store, add-revocations, remove-revocations, redeploy-gateway (or absent for a request); got "rotate".'],
      ['modify with no bundle', [{ action: 'modify-trust-store' }], 'steps[0] modify-trust-store needs exactly one of trustStore or trustStoreFixture (the new CA bundle).'],
      ['modify with an unknown fixture', [{ action: 'modify-trust-store', trustStoreFixture: 'rotation-newest' }], 'steps[0].trustStoreFixture must be one of public-root, '],
      ['a field of another action', [{ action: 'modify-trust-store', trustStore: 'root', revocations: ['root'] }], 'steps[0].revocations does not apply to action modify-trust-store (its fields: trustStore, trustStoreFixture).'],
      ['revocations not named', [{ action: 'add-revocations', revocations: [] }], 'steps[0].revocations is required: a non-empty array of root, intermediate, intermediateEmpty, intermediateStale.'],
      ['an unknown CRL', [{ action: 'remove-revocations', revocations: ['leaf'] }], 'steps[0].revocations[0] must be one of root, intermediate, intermediateEmpty, intermediateStale; got "leaf".'],
      ['a redeploy that changes nothing', [{ action: 'redeploy-gateway' }], 'steps[0] redeploy-gateway needs environment or mtlsCertificate'],
      ['a redeploy variable that is not a string', [{ action: 'redeploy-gateway', environment: { ALB_MTLS_CERT: 2 } }], 'steps[0].environment must be an object of string values'],
      ['mtlsCertificate with env-selected', [{ action: 'redeploy-gateway', mtlsCertificate: 'alb_cert_g2' }], 'steps[0].mtlsCertificate is a certificate name (a string) for the url-forward handler'],
      ['a request with no expected', [{ expected: ok }, { connection: 'new' }], 'steps[1].expected is required for a request step'],
      ['an unknown connection', [{ connection: 'keep', expected: ok }], 'steps[0].connection must be one of reuse, new; got "keep".'],
      ['a bad status in a step', [{ expected: { ...ok, status: 99 } }], 'steps[0].expected.status is required: the HTTP status the client gets from the gateway (100-599); got 99.'],
      ['a bad verdict in a step', [{ expected: { ...ok, tlsVerifyStatus: 'Failed:Nope' } }], 'steps[0].expected.tlsVerifyStatus is not an ALB tls_verify_status: "Failed:Nope".'],
      ['a bad request in a step', [{ request: { path: 'api' }, expected: ok }], 'steps[0].request.path must start with "/"'],
      ['albRefuses in a step', [{ expected: { ...ok, albRefuses: { code: 'HARNESS_ERR_CRL', includes: 'x' } } }], "steps[0].expected.albRefuses applies to the scenario start only; move it to the scenario's expected."],
      ['a request field misspelt', [{ expect: ok }], 'steps[0].expect is not a request-step field (request, connection, expected); an action step needs "action".'],
    ])('%s', (_case, steps, text) => {
      expect(problemsOf([withSteps(steps)])).toContain(`scenario ca-rotation-old-removed-first: ${text}`);
    });

    test('a trust-store action needs verify mode, steps need the gateway; certificates name a variant or a chain', () => {
      expect(problemsOf([withSteps([{ expected: ok }], (s) => (s.caller = 'h2-client'))]).split('\n')).toContain(
        'scenario ca-rotation-old-removed-first: steps need the gateway (they redeploy it and send through it); an h2-client scenario has one request. Remove caller or steps.',
      );
      const passthrough = withSteps([{ action: 'add-revocations', revocations: ['root'] }], (s) => (s.alb = { mode: 'passthrough' }));
      expect(problemsOf([passthrough])).toBe(
        'scenario ca-rotation-old-removed-first: steps[0].action add-revocations changes a trust store, which exists in verify mode only; set alb.mode to "verify".',
      );
      const both = withSteps([{ expected: ok }], (s) => (s.gateway.certificates[0].variant = 'good'));
      expect(problemsOf([both])).toBe(
        'scenario ca-rotation-old-removed-first: gateway.certificates[0] needs exactly one of variant (a PKI client variant) or chain (one of public-intermediate-server-only, cross-signed, long-public-chain, rotation-old, rotation-new).',
      );
      const unknownChain = withSteps([{ expected: ok }], (s) => (s.gateway.certificates[1].chain = 'rotation-newer'));
      expect(problemsOf([unknownChain])).toMatch(/gateway\.certificates\[1\]\.chain must be one of .*; got "rotation-newer"\.$/);
    });
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
