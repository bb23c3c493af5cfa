import { describe, expect, test } from 'vitest';
import { failureResponse } from '../../harness/gateway/failures.ts';
import { problemResponse } from '../../harness/gateway/problems.ts';

const now = new Date('2026-01-02T03:04:05.678Z');
const base = { url: 'https://gw.example/api/x?secret=1', requestId: 'rid-1', buildId: 'build-1', now };

describe('problem+json bodies (exact text)', () => {
  test('field order, 2-space JSON, instance = pathname only, no rayId without cf-ray', async () => {
    const res = problemResponse({ ...base, status: 504, detail: 'late' });
    expect(res.status).toBe(504);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('zp-rid')).toBe('rid-1');
    expect(await res.text()).toBe(`{
  "type": "https://httpproblems.com/http-status/504",
  "title": "Gateway Timeout",
  "status": 504,
  "detail": "late",
  "instance": "/api/x",
  "trace": {
    "timestamp": "2026-01-02T03:04:05.678Z",
    "requestId": "rid-1",
    "buildId": "build-1"
  }
}`);
  });

  test('an overridden member keeps its position; extensions come last; rayId appears with cf-ray', async () => {
    const res = problemResponse({ ...base, status: 400, rayId: 'ray-1', overrides: { ext: true, title: 'Custom' } });
    expect(await res.text()).toBe(`{
  "type": "https://httpproblems.com/http-status/400",
  "title": "Custom",
  "status": 400,
  "instance": "/api/x",
  "trace": {
    "timestamp": "2026-01-02T03:04:05.678Z",
    "requestId": "rid-1",
    "buildId": "build-1",
    "rayId": "ray-1"
  },
  "ext": true
}`);
  });
});

describe('failure mapping', () => {
  const upstreamError = (failureClass: string, errorCode: string) =>
    Object.assign(new Error(`low-level ${errorCode}`), { name: 'UpstreamError', failureClass, errorCode });

  test('edge: handshake-rejected is a 522 problem+json whose detail explains it and names the origin and code', async () => {
    const res = failureResponse(upstreamError('handshake-rejected', 'ECONNRESET'), {
      ...base, failureMode: 'edge', environmentType: 'production',
      upstream: [{ requestId: 'rid-1', method: 'GET', url: 'https://alb.example/api/x', presentedCertificate: true, failureClass: 'handshake-rejected' }],
    });
    expect(res.status).toBe(522);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = JSON.parse(await res.text());
    expect(body.title).toBe('Connection Timed Out');
    expect(body.detail).toBe(
      'The origin closed the TLS connection during the handshake: it did not accept the client certificate (or none was sent). ' +
        'An AWS ALB in mTLS verify mode does this when the certificate does not chain to a CA in its trust store, has expired ' +
        'or is not yet valid, is revoked, or is missing. Check the ALB trust store, the certificate dates, and that ' +
        'mtlsCertificate names a certificate enabled for this environment type. (https://alb.example/api/x, ECONNRESET)',
    );
  });

  test('runtime: the same failure is a 500 with the message (and cause in development)', async () => {
    const res = failureResponse(upstreamError('origin-untrusted', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'), {
      ...base, failureMode: 'runtime', environmentType: 'development',
    });
    const body = JSON.parse(await res.text());
    expect(res.status).toBe(500);
    expect(body.detail).toBe('low-level UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(body.cause).toMatchObject({ name: 'UpstreamError', message: 'low-level UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  test('binding-missing stays a 500 in edge mode; upstream-timeout is a 504', async () => {
    const missing = failureResponse(upstreamError('binding-missing', 'X'), { ...base, failureMode: 'edge', environmentType: 'preview' });
    expect(missing.status).toBe(500);
    const timeout = failureResponse(upstreamError('upstream-timeout', 'TimeoutError'), { ...base, failureMode: 'edge', environmentType: 'preview' });
    expect(timeout.status).toBe(504);
  });
});
