import { describe, expect, test } from 'vitest';
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
