import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../certs/pki/types.ts';
import { applyForwardedHeaders, traceIdHeader, xffClientEntry } from '../../harness/alb/forwarded-headers.ts';
import { startAlb } from '../../harness/alb/index.ts';
import type { OutgoingHeaders } from '../../harness/alb/outgoing-headers.ts';
import { albRequest } from './echo-target.ts';
import { buildPki, clientContext, serverCertificate } from './fixture.ts';
import { startTarget, type EchoBody } from '../../harness/targets/index.ts';

const NOW = new Date('2025-01-15T12:00:00Z'); // epoch 0x6787a340
const ROOT = /^1-6787a340-[0-9a-f]{24}$/;

describe('X-Forwarded-For, -Proto, -Port (unit)', () => {
  const ctx = { clientIp: '::ffff:127.0.0.1', clientPort: 51234, listenerPort: 443, xffClientPort: false, now: NOW };
  const apply = (headers: OutgoingHeaders, extra: Partial<Parameters<typeof applyForwardedHeaders>[1]> = {}) => {
    applyForwardedHeaders(headers, { ...ctx, xffMode: 'append', ...extra });
    return headers;
  };

  it('append adds ", <client>" after an existing value, or sets it', () => {
    expect(apply({ 'x-forwarded-for': '127.0.0.4' })['X-Forwarded-For']).toBe('127.0.0.4, 127.0.0.1');
    expect(apply({})['X-Forwarded-For']).toBe('127.0.0.1');
  });

  it('preserve leaves it untouched, remove deletes it; Proto and Port are always set', () => {
    const preserved = apply({ 'x-forwarded-for': '10.0.0.1', 'x-forwarded-proto': 'http' }, { xffMode: 'preserve' });
    expect(preserved['x-forwarded-for']).toBe('10.0.0.1');
    expect(preserved['X-Forwarded-Proto']).toBe('https');
    expect(preserved['x-forwarded-proto']).toBeUndefined();
    const removed = apply({ 'x-forwarded-for': '10.0.0.1' }, { xffMode: 'remove' });
    expect(Object.keys(removed).map((k) => k.toLowerCase())).not.toContain('x-forwarded-for');
    expect(removed['X-Forwarded-Port']).toBe('443');
  });

  it('client port: ip:port for IPv4, [v6]:port for IPv6', () => {
    expect(xffClientEntry('::ffff:10.1.2.3', 8080, true)).toBe('10.1.2.3:8080');
    expect(xffClientEntry('2001:db8::1', 8080, true)).toBe('[2001:db8::1]:8080');
    expect(xffClientEntry('2001:db8::1', 8080, false)).toBe('2001:db8::1');
  });
});

describe('X-Amzn-Trace-Id (unit)', () => {
  it('a fresh Root: version 1, epoch seconds as 8 hex, 24 hex id', () => {
    const value = traceIdHeader(undefined, NOW);
    expect(value).toMatch(/^Root=1-6787a340-[0-9a-f]{24}$/);
  });

  it('an incoming Root: Self inserted in front, custom fields kept', () => {
    const incoming = 'Root=1-67891233-abcdef012345678912345678;Sampled=1;Custom=x';
    const value = traceIdHeader(incoming, NOW);
    const [self, ...rest] = value.split(';');
    expect(self!.slice('Self='.length)).toMatch(ROOT);
    expect(self!.startsWith('Self=')).toBe(true);
    expect(rest.join(';')).toBe(incoming);
  });

  it('an incoming Self is replaced in place; custom fields without Root get a Root in front', () => {
    const value = traceIdHeader('Self=1-11111111-aaaaaaaaaaaaaaaaaaaaaaaa;Root=1-67891233-abcdef012345678912345678;A=b', NOW);
    expect(value).toMatch(/^Self=1-6787a340-[0-9a-f]{24};Root=1-67891233-abcdef012345678912345678;A=b$/);
    expect(traceIdHeader('Custom=1', NOW)).toMatch(/^Root=1-6787a340-[0-9a-f]{24};Custom=1$/);
  });

  it('an oversized header (> 7 KB) is replaced by a fresh Root', () => {
    expect(traceIdHeader(`Root=1-67891233-abcdef012345678912345678;Big=${'x'.repeat(7200)}`, NOW)).toMatch(/^Root=1-6787a340-[0-9a-f]{24}$/);
  });

  it('"If the HTTP headers exceed 7 KB": the whole header block counts, not only the trace header', () => {
    const incoming = 'Root=1-67891233-abcdef012345678912345678;Custom=x';
    expect(traceIdHeader(incoming, NOW, 7 * 1024 + 1)).toMatch(/^Root=1-6787a340-[0-9a-f]{24}$/);
    expect(traceIdHeader(incoming, NOW, 7 * 1024)).toMatch(new RegExp(`^Self=1-6787a340-[0-9a-f]{24};${incoming}$`));
  });
});

describe('through the listener', () => {
  let pki: Pki;
  beforeAll(async () => {
    pki = await buildPki();
  });
  const echo = (body: string) => JSON.parse(body) as EchoBody;

  it('appends the client to XFF, sets Proto/Port to the listener, and a clock-driven trace id', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), clock: () => NOW, targets: [target.url] });
    const res = await albRequest(alb.port, { secureContext: clientContext(pki), headers: { 'X-Forwarded-For': '203.0.113.7' } });
    const h = echo(res.body).headers;
    expect(h['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
    expect(h['x-forwarded-proto']).toBe('https');
    expect(h['x-forwarded-port']).toBe(String(alb.port));
    expect(h['x-amzn-trace-id']).toMatch(/^Root=1-6787a340-[0-9a-f]{24}$/);
    // The access log carries the same trace header.
    const access = await alb.accessLog.waitFor(() => true);
    expect(access.fields.trace_id).toBe(h['x-amzn-trace-id']);
  });

  it('request headers over 7 KB in total: the incoming trace header is replaced by a fresh Root', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), clock: () => NOW, targets: [target.url] });
    const incoming = 'Root=1-67891233-abcdef012345678912345678;Custom=x';
    const small = await albRequest(alb.port, { secureContext: clientContext(pki), headers: { 'X-Amzn-Trace-Id': incoming } });
    expect(echo(small.body).headers['x-amzn-trace-id']).toMatch(new RegExp(`^Self=1-6787a340-[0-9a-f]{24};${incoming}$`));
    const big = await albRequest(alb.port, {
      secureContext: clientContext(pki),
      headers: { 'X-Amzn-Trace-Id': incoming, 'X-Pad': 'p'.repeat(7 * 1024) },
    });
    expect(echo(big.body).headers['x-amzn-trace-id']).toMatch(/^Root=1-6787a340-[0-9a-f]{24}$/);
  });

  it('xff_client_port.enabled adds the client port; remove mode drops the header', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using withPort = await startAlb({
      certificate: serverCertificate(pki),
      attributes: { 'routing.http.xff_client_port.enabled': 'true' },
      targets: [target.url],
    });
    const res = await albRequest(withPort.port, { secureContext: clientContext(pki) });
    expect(echo(res.body).headers['x-forwarded-for']).toBe(`127.0.0.1:${res.localPort}`);
    await using removing = await startAlb({
      certificate: serverCertificate(pki),
      attributes: { 'routing.http.xff_header_processing.mode': 'remove' },
      targets: [target.url],
    });
    const res2 = await albRequest(removing.port, { secureContext: clientContext(pki), headers: { 'X-Forwarded-For': '1.2.3.4' } });
    expect(echo(res2.body).headers['x-forwarded-for']).toBeUndefined();
  });

  it('463 above 30 X-Forwarded-For addresses; 30 pass', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [target.url] });
    const ips = (n: number) => Array.from({ length: n }, (_, i) => `10.0.0.${i + 1}`).join(', ');
    const over = await albRequest(alb.port, { secureContext: clientContext(pki), headers: { 'X-Forwarded-For': ips(31) } });
    expect(over.status).toBe(463);
    expect(over.headers.server).toBe('awselb/2.0');
    expect(over.body).toBe('<html>\r\n<head><title>463</title></head>\r\n<body>\r\n<center><h1>463</h1></center>\r\n</body>\r\n</html>\r\n');
    const ok = await albRequest(alb.port, { secureContext: clientContext(pki), headers: { 'X-Forwarded-For': ips(29) } });
    expect(ok.status).toBe(200);
    expect(String(echo(ok.body).headers['x-forwarded-for']).split(', ')).toHaveLength(30);
    expect(target.requests).toHaveLength(1);
  });

  it('400 for a single header over 16K and for a header block over 64K', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [target.url] });
    const big = await albRequest(alb.port, { secureContext: clientContext(pki), headers: { 'X-Big': 'a'.repeat(16 * 1024) } });
    expect(big.status).toBe(400);
    expect(big.body).toContain('<center><h1>400 Bad Request</h1></center>');
    const fine = await albRequest(alb.port, { secureContext: clientContext(pki), headers: { 'X-Big': 'a'.repeat(16 * 1024 - 16) } });
    expect(fine.status).toBe(200);
    const many: Record<string, string> = {};
    for (let i = 0; i < 7; i++) many[`X-Part-${i}`] = 'b'.repeat(10 * 1024);
    const block = await albRequest(alb.port, { secureContext: clientContext(pki), headers: many });
    expect(block.status).toBe(400);
    expect(block.headers.server).toBe('awselb/2.0');
    expect(target.requests).toHaveLength(1);
  });
});
