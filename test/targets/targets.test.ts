import { request } from 'node:http';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createPki } from '../../certs/index.ts';
import type { Pki } from '../../certs/pki/types.ts';
import { HarnessError } from '../../harness/errors.ts';
import { startTarget } from '../../harness/targets/index.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

type Outcome = { status: number; body: string } | { errorCode: string | undefined; message: string };

/** One GET over a fresh connection; resolves with the response or the client error (never rejects). */
function get(url: string, headers: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(url, { headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ errorCode: err.code, message: err.message }));
    req.end();
  });
}

/** ALB's passthrough encoding: URL-encoded PEM with `+`, `=` and `/` left as they are. */
const albEncode = (pem: string) => encodeURIComponent(pem).replace(/%2B/g, '+').replace(/%3D/g, '=').replace(/%2F/g, '/');

describe('echo target', () => {
  it('answers 200 with what it received and records the request', async () => {
    await using target = await startTarget({ kind: 'echo' });
    const out = await get(`${target.url}/api/v1/x?a=1&a=2&b=3`, { 'x-custom': 'yes' });
    expect(out).toMatchObject({ status: 200 });
    const body = JSON.parse((out as { body: string }).body);
    expect(body).toMatchObject({ method: 'GET', path: '/api/v1/x', query: { a: ['1', '2'], b: '3' } });
    expect(body.headers['x-custom']).toBe('yes');
    expect(target.requests).toEqual([
      { method: 'GET', path: '/api/v1/x', query: { a: ['1', '2'], b: '3' }, headers: expect.objectContaining({ 'x-custom': 'yes' }) },
    ]);
  });
});

describe('verifying target (ALB passthrough pattern)', () => {
  const start = (headerName?: string) => startTarget({ kind: 'verifying', trustedCa: pki.root.certPem, headerName });

  it('200 with subject, issuer and serial for a trusted chain (literal and fully encoded forms)', async () => {
    await using target = await start();
    const good = pki.clients.good;
    const expected = { subject: good.facts.subject, issuer: good.facts.issuer, serialNumber: good.facts.serialNumber };
    for (const encoded of [albEncode(good.chainPem), encodeURIComponent(good.chainPem)]) {
      const out = await get(`${target.url}/`, { 'x-amzn-mtls-clientcert': encoded });
      expect(out).toEqual({ status: 200, body: JSON.stringify(expected) });
    }
  });

  it.each([
    ['untrusted-root', 'untrusted'],
    ['self-signed', 'untrusted'],
    ['leaf-only', 'untrusted'],
    ['expired', 'expired'],
    ['not-yet-valid', 'not-yet-valid'],
    ['expired-intermediate', 'expired'],
    ['server-auth-only', 'wrong-purpose'],
  ] as const)('403 for %s: reason %s', async (variant, reason) => {
    await using target = await start();
    const out = await get(`${target.url}/`, { 'x-amzn-mtls-clientcert': albEncode(pki.clients[variant].chainPem) });
    expect(out).toMatchObject({ status: 403 });
    const body = JSON.parse((out as { body: string }).body);
    expect(Object.keys(body)).toEqual(['error', 'reason']);
    expect(body.reason).toBe(reason);
  });

  it('403 when the header is absent or malformed; honours headerName', async () => {
    await using target = await start('x-client-cert');
    expect(await get(`${target.url}/`)).toEqual({
      status: 403,
      body: JSON.stringify({ error: 'No client certificate was forwarded.', reason: 'absent' }),
    });
    const malformed = await get(`${target.url}/`, { 'x-client-cert': 'garbage' });
    expect(JSON.parse((malformed as { body: string }).body).reason).toBe('malformed');
    const good = await get(`${target.url}/`, { 'x-client-cert': albEncode(pki.clients.good.chainPem) });
    expect(good).toMatchObject({ status: 200 });
  });

  it('refuses to start without trustedCa', async () => {
    const err = await startTarget({ kind: 'verifying' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).code).toBe('HARNESS_ERR_INVALID_ARGUMENT');
  });
});

describe('fault targets', () => {
  it('reset destroys the socket: ECONNRESET', async () => {
    await using target = await startTarget({ kind: 'reset' });
    expect(await get(`${target.url}/x`)).toMatchObject({ errorCode: 'ECONNRESET' });
    expect(target.requests.map((r) => r.path)).toEqual(['/x']);
  });

  it('close ends the socket without a response: socket hang up', async () => {
    await using target = await startTarget({ kind: 'close' });
    expect(await get(`${target.url}/`)).toEqual({ errorCode: 'ECONNRESET', message: 'socket hang up' });
  });

  it('malformed writes a response no parser accepts', async () => {
    await using target = await startTarget({ kind: 'malformed' });
    const out = await get(`${target.url}/`);
    expect('errorCode' in out && out.errorCode).toMatch(/^HPE_/);
  });

  it('slow answers after delayMs', async () => {
    await using target = await startTarget({ kind: 'slow', delayMs: 20 });
    expect(await get(`${target.url}/`)).toEqual({ status: 200, body: JSON.stringify({ delayedMs: 20 }) });
  });

  it('slow: close() does not wait for a pending answer', async () => {
    const target = await startTarget({ kind: 'slow', delayMs: 600_000 });
    const pending = get(`${target.url}/`);
    await vi.waitFor(() => expect(target.requests).toHaveLength(1));
    await target.close();
    expect(await pending).toMatchObject({ errorCode: 'ECONNRESET' });
  });
});
