import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPki } from '../../certs/index.ts';
import type { Pki } from '../../certs/pki/types.ts';
import { startAlb } from '../../harness/alb/index.ts';
import type { AlbOptions } from '../../harness/alb/types.ts';
import { startTarget, type EchoBody } from '../../harness/targets/index.ts';
import { curl } from '../helpers/curl.ts';
import { tempDir, type TempDir } from '../helpers/temp-dir.ts';

// curl --http2 (libcurl with nghttp2) against the ALB listener: the protocol ALPN selects, the
// verdicts and the headers at the target are those an HTTP/1.1 client gets.

let pki: Pki;
let dir: TempDir;
beforeAll(async () => {
  pki = await createPki();
  dir = await tempDir('alb-mtls-h2-curl-');
  await pki.writeTo(dir.path, { force: true });
});
afterAll(async () => {
  await dir[Symbol.asyncDispose]();
});

const VERSION_AND_STATUS = '\n%{http_version} %{http_code}';

/** curl --http2 with a client variant's chain and key; resolves `localhost` to the listener. */
async function curlHttp2(port: number, variant: string, extra: string[] = []) {
  const result = await curl([
    '--http2',
    '--cacert', join(dir.path, 'ca/ca-root.crt'),
    '--cert', join(dir.path, `clients/client-${variant}.chain.pem`),
    '--key', join(dir.path, `clients/client-${variant}.key`),
    '--resolve', `localhost:${port}:127.0.0.1`,
    '--write-out', VERSION_AND_STATUS,
    ...extra,
    `https://localhost:${port}/api/orders`,
  ]);
  const lines = result.stdout.split('\n');
  const [version, status] = (lines.pop() ?? '').split(' ');
  return { ...result, version, status: Number(status), body: lines.join('\n') };
}

const options = (target: string, extra: Partial<AlbOptions> = {}): AlbOptions => ({
  certificate: { certPem: pki.server.chainPem, keyPem: pki.server.keyPem },
  mutualAuthentication: { mode: 'verify', trustStore: { caCertificatesBundle: pki.trustStoreBundle } },
  targets: [target],
  ...extra,
});

describe('curl --http2 against the listener', () => {
  test('a good certificate: HTTP/2 200, the verify headers at the target, access log type h2', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb(options(target.url));
    const res = await curlHttp2(alb.port, 'good');
    expect([res.code, res.version, res.status]).toEqual([0, '2', 200]);
    const seen = (JSON.parse(res.body) as EchoBody).headers;
    expect(seen['x-amzn-mtls-clientcert-subject']).toBe(pki.clients.good.facts.subject);
    expect(seen['x-amzn-mtls-clientcert-serial-number']).toBe(pki.clients.good.facts.serialNumber);
    expect(seen.host).toBe(`localhost:${alb.port}`);
    const entry = await alb.accessLog.waitFor(() => true);
    expect([entry.fields.type, entry.fields.request]).toEqual(['h2', `GET https://localhost:${alb.port}/api/orders HTTP/2.0`]);
    expect(entry.fields.user_agent).toMatch(/^curl\//);
  });

  test('an untrusted certificate: curl fails, the connection log says Failed:ClientCertUntrusted, nothing reaches the target', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb(options(target.url));
    const res = await curlHttp2(alb.port, 'untrusted-root');
    // 35: handshake failed (TLS 1.2). Under TLS 1.3 the close comes after curl's handshake, while it
    // sends its HTTP/2 preface: 55 (send failed), 56 (receive failed), 16 (HTTP/2 error) or 52 (empty reply).
    expect([16, 35, 52, 55, 56]).toContain(res.code);
    const entry = await alb.connectionLog.waitFor(() => true);
    expect(entry.tlsVerifyStatus).toBe('Failed:ClientCertUntrusted');
    expect(target.requests).toHaveLength(0);
  });

  test("verifyFailure 'http-403': HTTP/2 403 from the ALB", async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb(options(target.url, { verifyFailure: 'http-403' }));
    const res = await curlHttp2(alb.port, 'untrusted-root');
    expect([res.code, res.version, res.status]).toEqual([0, '2', 403]);
    expect(res.body).toContain('<center><h1>403 Forbidden</h1></center>');
    expect(target.requests).toHaveLength(0);
  });

  test("routing.http2.enabled 'false': curl --http2 falls back to HTTP/1.1", async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb(options(target.url, { attributes: { 'routing.http2.enabled': 'false' } }));
    const res = await curlHttp2(alb.port, 'good');
    expect([res.code, res.version, res.status]).toEqual([0, '1.1', 200]);
    const entry = await alb.accessLog.waitFor(() => true);
    expect([entry.fields.type, entry.fields.request]).toEqual(['https', `GET https://localhost:${alb.port}/api/orders HTTP/1.1`]);
  });

  test('a DELETE body curl streams without a length (HTTP/2 DATA frames only) reaches the target whole, chunked', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb(options(target.url));
    // An upload of unknown size: over HTTP/2 curl sends no Content-Length, only DATA frames.
    const res = await curlHttp2(alb.port, 'good', ['--request', 'DELETE', '--header', 'Transfer-Encoding: chunked', '--data', 'hello']);
    expect([res.code, res.version, res.status]).toEqual([0, '2', 200]);
    const seen = JSON.parse(res.body) as EchoBody;
    expect([seen.method, seen.body, seen.headers['content-length'], seen.headers['transfer-encoding']]).toEqual(['DELETE', 'hello', undefined, 'chunked']);
    // The pooled target connection is still in step: the next request is answered as itself.
    const next = await curlHttp2(alb.port, 'good');
    expect([next.status, (JSON.parse(next.body) as EchoBody).method]).toEqual([200, 'GET']);
  });

  test('curl giving up (--max-time) on a slow target: the target request is dropped and the access log says 460', async () => {
    await using target = await startTarget({ kind: 'slow', delayMs: 30_000 });
    await using alb = await startAlb(options(target.url, { targetIdleTimeoutMs: 60_000 }));
    const res = await curlHttp2(alb.port, 'good', ['--max-time', '1']);
    expect(res.code).toBe(28); // operation timed out
    const entry = await alb.accessLog.waitFor((a) => a.elbStatusCode === 460, 5_000);
    expect([entry.fields.type, entry.targetStatusCode]).toEqual(['h2', null]);
  });
});
