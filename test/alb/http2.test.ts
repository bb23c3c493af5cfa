import http2 from 'node:http2';
import { connect as tlsConnect } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../certs/pki/types.ts';
import { albErrorBody, startAlb } from '../../harness/alb/index.ts';
import type { AlbOptions } from '../../harness/alb/types.ts';
import { startTarget, type EchoBody } from '../../harness/targets/index.ts';
import { http2Request, type Http2ClientError, type Http2ClientOptions } from '../../scenarios/http2-client.ts';
import { albRequest } from './echo-target.ts';
import { buildPki, clientContext, serverCertificate, verifyMode } from './fixture.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await buildPki();
});

const echo = (body: string) => JSON.parse(body) as EchoBody;
const h2 = (port: number, options: Http2ClientOptions) => http2Request('127.0.0.1', port, options);
const refused = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected the ALB to end the connection');
    },
    (e: Http2ClientError) => e,
  ) as Promise<Http2ClientError>;

/** The ALPN protocol the listener selects for a client offering `offered`. */
async function negotiated(port: number, offered: string[] | undefined): Promise<string | false> {
  const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', secureContext: clientContext(pki), ...(offered ? { ALPNProtocols: offered } : {}) });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  const protocol = socket.alpnProtocol ?? false;
  socket.destroy();
  return protocol;
}

describe('ALPN per routing.http2.enabled', () => {
  it('enabled (the default): h2 is preferred, http/1.1 offered, no ALPN means HTTP/1.1', async () => {
    await using alb = await startAlb({ certificate: serverCertificate(pki) });
    expect(await negotiated(alb.port, ['h2', 'http/1.1'])).toBe('h2');
    expect(await negotiated(alb.port, ['http/1.1', 'h2'])).toBe('h2');
    expect(await negotiated(alb.port, ['http/1.1'])).toBe('http/1.1');
    expect(await negotiated(alb.port, undefined)).toBe(false);
  });

  it("'false': http/1.1 only; a client offering only h2 fails the handshake (no_application_protocol)", async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [target.url], attributes: { 'routing.http2.enabled': 'false' } });
    expect(await negotiated(alb.port, ['h2', 'http/1.1'])).toBe('http/1.1');
    expect(await negotiated(alb.port, undefined)).toBe(false);
    const err = await refused(h2(alb.port, { secureContext: clientContext(pki) }));
    expect(err.message).toContain('alert no application protocol');
    const entry = await alb.connectionLog.waitFor((c) => c.clientPort === err.localPort);
    expect(entry.tlsVerifyStatus).toBe('Failed:UnmappedConnectionError');
    expect(entry.reason).toContain('ERR_SSL_NO_APPLICATION_PROTOCOL');
    expect(target.requests).toHaveLength(0);
    // HTTP/1.1 clients are served as before.
    expect((await albRequest(alb.port, { secureContext: clientContext(pki) })).status).toBe(200);
  });
});

it('advertises 128 concurrent streams per HTTP/2 connection, as AWS documents', async () => {
  await using alb = await startAlb({ certificate: serverCertificate(pki) });
  const session = http2.connect(`https://localhost:${alb.port}`, { host: '127.0.0.1', secureContext: clientContext(pki) } as http2.SecureClientSessionOptions);
  const settings = await new Promise<http2.Settings>((resolve, reject) => {
    session.once('remoteSettings', resolve);
    session.once('error', reject);
  });
  session.close();
  expect(settings.maxConcurrentStreams).toBe(128);
});

describe('an HTTP/2 client in verify mode', () => {
  const options = (target: string, extra: Partial<AlbOptions> = {}): AlbOptions => ({
    certificate: serverCertificate(pki),
    mutualAuthentication: verifyMode(pki),
    targets: [target],
    ...extra,
  });

  it('a good certificate: 200 over h2; the target gets HTTP/1.1 with Host from :authority and the same mTLS and X-Forwarded headers', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb(options(target.url));
    const res = await h2(alb.port, { secureContext: clientContext(pki, 'good'), path: '/api/orders?id=7', headers: { 'x-custom': 'kept' } });
    expect([res.alpnProtocol, res.status]).toEqual(['h2', 200]);
    const e = echo(res.body);
    expect([e.method, e.url]).toEqual(['GET', '/api/orders?id=7']);
    const facts = pki.clients.good.facts;
    const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');
    expect(e.headers.host).toBe(`localhost:${alb.port}`);
    expect(Object.keys(e.headers).filter((h) => h.startsWith(':'))).toEqual([]);
    expect(e.headers['x-custom']).toBe('kept');
    expect(e.headers['x-amzn-mtls-clientcert-serial-number']).toBe(facts.serialNumber);
    expect(e.headers['x-amzn-mtls-clientcert-subject']).toBe(facts.subject);
    expect(e.headers['x-amzn-mtls-clientcert-issuer']).toBe(facts.issuer);
    expect(e.headers['x-amzn-mtls-clientcert-validity']).toBe(`NotBefore=${iso(facts.notBefore)};NotAfter=${iso(facts.notAfter)}`);
    expect(decodeURIComponent(e.headers['x-amzn-mtls-clientcert-leaf'] as string)).toBe(pki.clients.good.certPem);
    expect(e.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(e.headers['x-forwarded-proto']).toBe('https');
    expect(e.headers['x-forwarded-port']).toBe(String(alb.port));
    expect(e.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);

    // Both requests' log lines, HTTP/2 and HTTP/1.1, from the same certificate.
    const h1 = await albRequest(alb.port, { secureContext: clientContext(pki, 'good'), path: '/api/orders?id=7' });
    const [conn2, conn1] = await Promise.all([res.localPort, h1.localPort].map((p) => alb.connectionLog.waitFor((c) => c.clientPort === p)));
    const tlsFields = (c: typeof conn2) => [c.tlsVerifyStatus, c.tlsProtocol, c.tlsCipher, c.leafClientCertSubject, c.leafClientCertSerialNumber, c.leafClientCertValidity];
    expect(tlsFields(conn2)).toEqual(tlsFields(conn1));
    expect(conn2.tlsVerifyStatus).toBe('Success');
    const access2 = await alb.accessLog.waitFor((a) => a.connTraceId === conn2.connTraceId);
    const access1 = await alb.accessLog.waitFor((a) => a.connTraceId === conn1.connTraceId);
    expect(access2.fields.type).toBe('h2');
    expect(access2.fields.request).toBe(`GET https://localhost:${alb.port}/api/orders?id=7 HTTP/2.0`);
    expect(access1.fields.type).toBe('https');
    // (albRequest's Host is the address it connects to.)
    expect(access1.fields.request).toBe(`GET https://127.0.0.1:${alb.port}/api/orders?id=7 HTTP/1.1`);
    expect(access2.raw).toMatch(/^h2 \S+ app\/my-alb\/50dc6c495c0c9188 127\.0\.0\.1:\d+ 127\.0\.0\.1:\d+ /);
    expect([access2.elbStatusCode, access2.targetStatusCode]).toEqual([200, 200]);
  });

  it('an untrusted certificate: the session fails at the handshake, logged Failed:ClientCertUntrusted, no access-log line', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb(options(target.url));
    const err = await refused(h2(alb.port, { secureContext: clientContext(pki, 'untrusted-root') }));
    const entry = await alb.connectionLog.waitFor((c) => c.clientPort === err.localPort);
    expect(entry.tlsVerifyStatus).toBe('Failed:ClientCertUntrusted');
    expect(entry.tlsHandshakeLatency).toBe('-');
    expect(target.requests).toHaveLength(0);
    expect(alb.accessLog.entries).toEqual([]);
  });

  it("verifyFailure 'http-403': 403 over h2 with ALB's page, logged type h2", async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb(options(target.url, { verifyFailure: 'http-403' }));
    const res = await h2(alb.port, { secureContext: clientContext(pki, 'untrusted-root') });
    expect([res.alpnProtocol, res.status]).toEqual(['h2', 403]);
    expect(res.headers.server).toBe('awselb/2.0');
    expect(res.headers['content-type']).toBe('text/html');
    expect(res.body).toBe(albErrorBody(403));
    expect(target.requests).toHaveLength(0);
    const conn = await alb.connectionLog.waitFor((c) => c.clientPort === res.localPort);
    expect(conn.tlsVerifyStatus).toBe('Failed:ClientCertUntrusted');
    const access = await alb.accessLog.waitFor((a) => a.connTraceId === conn.connTraceId);
    expect([access.fields.type, access.elbStatusCode, access.fields.error_reason]).toEqual(['h2', 403, 'ClientCertVerificationFailed:Failed:ClientCertUntrusted']);
  });
});

describe('an HTTP/2 client, other paths', () => {
  it('passthrough: the presented chain is forwarded as X-Amzn-Mtls-Clientcert', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), mutualAuthentication: { mode: 'passthrough' }, targets: [target.url] });
    const res = await h2(alb.port, { secureContext: clientContext(pki, 'untrusted-root') });
    expect(res.status).toBe(200);
    expect(decodeURIComponent(echo(res.body).headers['x-amzn-mtls-clientcert'] as string)).toBe(pki.clients['untrusted-root'].chainPem);
  });

  it('a POST body without Content-Length reaches the target whole', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [target.url] });
    const res = await h2(alb.port, { secureContext: clientContext(pki), method: 'POST', path: '/orders', body: '{"id":7}' });
    expect(res.status).toBe(200);
    expect([echo(res.body).method, echo(res.body).body]).toEqual(['POST', '{"id":7}']);
  });

  it("ALB's own answers over h2: 503 without targets, 400 over the 16K header limit; Node refuses a list over 64K", async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using empty = await startAlb({ certificate: serverCertificate(pki) });
    const none = await h2(empty.port, { secureContext: clientContext(pki) });
    expect([none.status, none.body, none.headers.server]).toEqual([503, albErrorBody(503), 'awselb/2.0']);
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [target.url] });
    const big = await h2(alb.port, { secureContext: clientContext(pki), headers: { 'x-big': 'a'.repeat(16 * 1024) } });
    expect(big.status).toBe(400);
    expect(big.body).toBe(albErrorBody(400));
    const many: Record<string, string> = {};
    for (let i = 0; i < 7; i++) many[`x-part-${i}`] = 'b'.repeat(10 * 1024);
    const overList = await refused(h2(alb.port, { secureContext: clientContext(pki), headers: many }));
    expect(overList.message).toBe('Stream closed with error code NGHTTP2_REFUSED_STREAM');
    const fine = await h2(alb.port, { secureContext: clientContext(pki), headers: { 'x-big': 'a'.repeat(16 * 1024 - 16) } });
    expect(fine.status).toBe(200);
    expect(target.requests).toHaveLength(1);
    const entry = await alb.accessLog.waitFor((a) => a.elbStatusCode === 400);
    expect(entry.fields.error_reason).toMatch(/^header 'x-big' is \d+ bytes, over ALB's 16K single-header limit$/);
  });

  it('idle_timeout.timeout_seconds closes an HTTP/2 session that sends nothing', async () => {
    await using alb = await startAlb({ certificate: serverCertificate(pki), attributes: { 'idle_timeout.timeout_seconds': '1' } });
    const socket = tlsConnect({ host: '127.0.0.1', port: alb.port, servername: 'localhost', secureContext: clientContext(pki), ALPNProtocols: ['h2'] });
    await new Promise<void>((resolve) => socket.once('secureConnect', resolve));
    expect(socket.alpnProtocol).toBe('h2');
    // The server's SETTINGS frame arrives, then nothing until the session is closed.
    await new Promise<void>((resolve) => {
      socket.resume();
      socket.once('close', () => resolve());
    });
    socket.destroy();
  });

  it('the idle timeout leaves an HTTP/2 request that waits on its target alone', async () => {
    await using target = await startTarget({ kind: 'slow', delayMs: 1_500 });
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [target.url], attributes: { 'idle_timeout.timeout_seconds': '1' }, targetIdleTimeoutMs: 5_000 });
    const res = await h2(alb.port, { secureContext: clientContext(pki) });
    expect(res.status).toBe(200);
  });

  it('modifyTrustStore: a new HTTP/2 connection sees the new bundle, an established HTTP/2 session goes on', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), mutualAuthentication: verifyMode(pki), targets: [target.url] });
    const session = http2.connect(`https://localhost:${alb.port}`, { host: '127.0.0.1', secureContext: clientContext(pki, 'good') } as http2.SecureClientSessionOptions);
    const get = () =>
      new Promise<number>((resolve, reject) => {
        const stream = session.request({ ':path': '/' });
        stream.on('response', (headers) => {
          stream.resume();
          stream.on('end', () => resolve(Number(headers[':status'])));
        });
        stream.on('error', reject);
      });
    try {
      expect(await get()).toBe(200);
      alb.modifyTrustStore({ caCertificatesBundle: pki.rogueRoot.certPem });
      const err = await refused(h2(alb.port, { secureContext: clientContext(pki, 'good') }));
      expect((await alb.connectionLog.waitFor((c) => c.clientPort === err.localPort)).tlsVerifyStatus).toBe('Failed:ClientCertUntrusted');
      expect(await get()).toBe(200);
      expect(alb.connectionLog.entries.filter((c) => c.tlsVerifyStatus === 'Success')).toHaveLength(1);
    } finally {
      session.destroy();
    }
  });
});
