import { describe, expect, test } from 'vitest';
import { compatFlags, DEFAULT_COMPATIBILITY_DATE } from '../../harness/gateway/compat.ts';
import { normaliseRequest } from '../../harness/gateway/request-normalise.ts';

describe('compatibility dates', () => {
  test.each([
    ['2023-03-14', { escapePathSpecialChars: false, forwardHandlerHonoursFollowRedirects: false, stripAllInternalHeaders: false }],
    ['2024-01-14', { escapePathSpecialChars: false, forwardHandlerHonoursFollowRedirects: false, stripAllInternalHeaders: false }],
    ['2024-01-15', { escapePathSpecialChars: false, forwardHandlerHonoursFollowRedirects: false, stripAllInternalHeaders: true }],
    ['2025-02-05', { escapePathSpecialChars: false, forwardHandlerHonoursFollowRedirects: false, stripAllInternalHeaders: true }],
    ['2025-02-06', { escapePathSpecialChars: true, forwardHandlerHonoursFollowRedirects: true, stripAllInternalHeaders: true }],
  ])('%s: each flag switches on at its date', (date, flags) => {
    expect(compatFlags(date)).toMatchObject({ date, ...flags });
  });

  test('the default is 2025-02-06', () => {
    expect(DEFAULT_COMPATIBILITY_DATE).toBe('2025-02-06');
    expect(compatFlags().date).toBe('2025-02-06');
  });

  test.each(['2025-2-6', '2025-02-30', '2025-13-01', 'latest'])('%s is refused, naming the source and the form', (date) => {
    expect(() => compatFlags(date, 'zuplo.jsonc compatibilityDate')).toThrow(
      `zuplo.jsonc compatibilityDate: "${date}" is not a date. Use the form YYYY-MM-DD, e.g. "2025-02-06".`,
    );
  });
});

describe('request normalisation (unit)', () => {
  const incoming = (headers: Record<string, string>, method = 'GET', hasBody = false) => ({
    method,
    url: 'http://gw.example/p',
    headers: new Headers(headers),
    hasBody,
  });

  test.each([
    [{ 'zp-rid': 'a', 'zuplo-request-id': 'b' }, 'a'],
    [{ 'zuplo-request-id': 'b' }, 'b'],
  ])('request id from %j → %s, and zp-rid carries it upstream', (headers, id) => {
    const n = normaliseRequest(incoming(headers), compatFlags());
    expect(n.requestId).toBe(id);
    expect(n.headers.get('zp-rid')).toBe(id);
  });

  test('no id given: a new UUID', () => {
    expect(normaliseRequest(incoming({}), compatFlags()).requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test.each([
    ['2024-01-14', ['cf-ray', 'x-real-ip', 'zp-custom', 'zp-rid']],
    ['2024-01-15', ['cf-ray', 'zp-rid']],
  ])('%s: the headers kept', (date, kept) => {
    const n = normaliseRequest(
      incoming({ 'zp-custom': '1', 'cf-ray': 'r', 'cf-ipcountry': 'DE', 'x-real-ip': '1.2.3.4', 'zp-mtls-status': 's', 'zp-rid': 'id' }),
      compatFlags(date),
    );
    const names: string[] = [];
    n.headers.forEach((_value, name) => names.push(name));
    expect(names).toEqual(kept);
  });

  test.each(['GET', 'HEAD'])('%s with a body: dropped, zp-body-removed: true, framing headers gone', (method) => {
    const n = normaliseRequest(incoming({ 'content-length': '5' }, method, true), compatFlags());
    expect(n.dropBody).toBe(true);
    expect(n.headers.get('zp-body-removed')).toBe('true');
    expect(n.headers.has('content-length')).toBe(false);
    expect(normaliseRequest(incoming({ 'content-length': '5' }, 'POST', true), compatFlags()).dropBody).toBe(false);
  });
});
