import { createServer, type IncomingMessage } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPki } from '../../certs/index.ts';
import type { Pki } from '../../certs/pki/types.ts';
import { BINDING_NOT_FOUND, createOutboundClient, UpstreamError } from '../../harness/gateway/outbound.ts';
import type { MtlsBinding } from '../../harness/gateway/types.ts';
import { listenWithHandle } from '../../harness/server-handle.ts';
import { startTarget } from '../../harness/targets/index.ts';
import { freePort, startMtlsOrigin, startSilentTcp } from './outbound-helpers.ts';
import type { BodyInit } from '../../harness/gateway/fetch-types.ts';

let pki: Pki;
let bindings: Map<string, MtlsBinding>;

beforeAll(async () => {
  pki = await createPki();
  const bind = (name: string, c: { chainPem: string; keyPem: string }) => [name, { name, certPem: c.chainPem, keyPem: c.keyPem }] as const;
  bindings = new Map([
    bind('aws_alb_cert', pki.clients.good),
    bind('alt_cert', pki.clients['good-alt']),
    bind('rogue_cert', pki.clients['untrusted-root']),
    bind('expired_cert', pki.clients.expired),
  ]);
});

/** Runs `fetch` and returns the UpstreamError it must throw. */
async function upstreamError(promise: Promise<unknown>): Promise<UpstreamError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpstreamError);
  return err as UpstreamError;
}

describe.each(['1.2', '1.3'] as const)('outbound over TLS %s', (tlsVersion) => {
  const client = () => createOutboundClient({ bindings, originCa: pki.root.certPem, tlsVersion, connectTimeoutMs: 5_000 });

  it('presents the bound certificate: 200 and the origin saw its subject', async () => {
    await using origin = await startMtlsOrigin(pki, tlsVersion);
    await using c = client();
    const res = await c.fetch(`${origin.url}/api`, { headers: { 'zp-rid': 'rid-1' }, zuplo: { mtlsCertificate: 'aws_alb_cert' } });
    expect(res.status).toBe(200);
    // An IP literal gets no SNI; Node checks the certificate's IP SAN instead.
    expect(await res.json()).toEqual({ subject: pki.clients.good.facts.subject, protocol: `TLSv${tlsVersion}`, servername: null });
    expect(c.records).toEqual([
      {
        requestId: 'rid-1',
        method: 'GET',
        url: `${origin.url}/api`,
        mtlsCertificate: 'aws_alb_cert',
        presentedCertificate: true,
        certificateSubject: pki.clients.good.facts.subject,
        certificateIssuer: pki.clients.good.facts.issuer,
        status: 200,
        tlsProtocol: `TLSv${tlsVersion}`,
        durationMs: expect.any(Number),
      },
    ]);
  });

  it('sends the URL host as SNI and checks the certificate against it', async () => {
    await using origin = await startMtlsOrigin(pki, tlsVersion);
    await using c = client();
    const res = await c.fetch(`https://localhost:${origin.port}/`, { zuplo: { mtlsCertificate: 'aws_alb_cert' } });
    expect(await res.json()).toMatchObject({ subject: pki.clients.good.facts.subject, servername: 'localhost' });
  });

  it('builds one SecureContext per binding and reuses it', async () => {
    await using origin = await startMtlsOrigin(pki, tlsVersion);
    await using c = client();
    for (const name of ['aws_alb_cert', 'aws_alb_cert', 'alt_cert', 'aws_alb_cert']) {
      const res = await c.fetch(`${origin.url}/`, { zuplo: { mtlsCertificate: name } });
      const body = (await res.json()) as { subject: string };
      expect(body.subject).toBe(name === 'alt_cert' ? pki.clients['good-alt'].facts.subject : pki.clients.good.facts.subject);
    }
    expect(c.secureContextsCreated).toBe(2);
  });

  it('handshake-rejected: no client certificate (falsy name = plain request)', async () => {
    await using origin = await startMtlsOrigin(pki, tlsVersion);
    await using c = client();
    const err = await upstreamError(c.fetch(`${origin.url}/`, { zuplo: { mtlsCertificate: '' } }));
    expect(err.failureClass).toBe('handshake-rejected');
    // Node's server sends an alert only for a missing certificate: 40 under 1.2, 116 under 1.3.
    expect(err.errorCode).toBe(tlsVersion === '1.2' ? 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE' : 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
    expect(c.records[0]).toMatchObject({ presentedCertificate: false, failureClass: 'handshake-rejected', errorCode: err.errorCode });
    expect(c.records[0]!.mtlsCertificate).toBeUndefined();
  });

  it.each(['rogue_cert', 'expired_cert'])('handshake-rejected: the origin refuses %s', async (name) => {
    await using origin = await startMtlsOrigin(pki, tlsVersion);
    await using c = client();
    const err = await upstreamError(c.fetch(`${origin.url}/`, { zuplo: { mtlsCertificate: name } }));
    expect(err.failureClass).toBe('handshake-rejected');
    expect(err.errorCode).toBe('ECONNRESET'); // Node's server closes without an alert for a verification failure
    expect(err.message).toContain('does not accept the client certificate');
    expect(c.records[0]).toMatchObject({ mtlsCertificate: name, presentedCertificate: true, failureClass: 'handshake-rejected' });
    expect(c.records[0]!.status).toBeUndefined();
  });

  it('origin-untrusted: the origin certificate chains to a root the gateway does not trust', async () => {
    await using origin = await startMtlsOrigin(pki, tlsVersion, { server: pki.serverUntrusted });
    await using c = client();
    const err = await upstreamError(c.fetch(`${origin.url}/`, { zuplo: { mtlsCertificate: 'aws_alb_cert' } }));
    expect(err.failureClass).toBe('origin-untrusted');
    expect(['SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']).toContain(err.errorCode);
    expect(c.records[0]).toMatchObject({ failureClass: 'origin-untrusted', errorCode: err.errorCode });
  });

  it('origin-untrusted: the origin certificate names another host', async () => {
    await using origin = await startMtlsOrigin(pki, tlsVersion, { server: pki.serverWrongHost });
    await using c = client();
    const err = await upstreamError(c.fetch(`${origin.url}/`, { zuplo: { mtlsCertificate: 'aws_alb_cert' } }));
    expect(err.failureClass).toBe('origin-untrusted');
    expect(err.errorCode).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('origin-untrusted: without originCa, Node public roots do not trust the harness PKI', async () => {
    await using origin = await startMtlsOrigin(pki, tlsVersion, { requestCert: false });
    await using c = createOutboundClient({ bindings, tlsVersion });
    const err = await upstreamError(c.fetch(`${origin.url}/`));
    expect(err.failureClass).toBe('origin-untrusted');
    expect(err.errorCode).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  });

  it('connect-refused: nothing listens on the port', async () => {
    const port = await freePort();
    await using c = client();
    const err = await upstreamError(c.fetch(`https://127.0.0.1:${port}/`, { zuplo: { mtlsCertificate: 'aws_alb_cert' } }));
    expect(err.failureClass).toBe('connect-refused');
    expect(err.errorCode).toBe('ECONNREFUSED');
  });

  it('connect-timeout: the origin accepts TCP but never completes the TLS handshake', async () => {
    await using silent = await startSilentTcp();
    await using c = createOutboundClient({ bindings, originCa: pki.root.certPem, tlsVersion, connectTimeoutMs: 150 });
    const err = await upstreamError(c.fetch(`https://127.0.0.1:${silent.port}/`, { zuplo: { mtlsCertificate: 'aws_alb_cert' } }));
    expect(err.failureClass).toBe('connect-timeout');
    expect(err.errorCode).toBe('ETIMEDOUT');
    expect(err.message).toContain('did not complete the TLS handshake');
  });

  it('upstream-timeout: the signal aborts while waiting for the response', async () => {
    await using origin = await startMtlsOrigin(pki, tlsVersion);
    await using c = client();
    const err = await c.fetch(`${origin.url}/slow`, { signal: AbortSignal.timeout(150), zuplo: { mtlsCertificate: 'aws_alb_cert' } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DOMException);
    expect((err as DOMException).name).toBe('TimeoutError');
    expect(c.records[0]).toMatchObject({ failureClass: 'upstream-timeout', errorCode: 'TimeoutError', presentedCertificate: true });
  });
});

describe('outbound: bindings and request shape', () => {
  const client = () => createOutboundClient({ bindings, originCa: pki.root.certPem });

  it('an unknown binding throws the runtime message before any connection', async () => {
    await using c = client();
    const err = await c.fetch('https://127.0.0.1:1/', { headers: { 'zp-rid': 'r9' }, zuplo: { mtlsCertificate: 'aws-alb-cert' } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    // A narrow failure class with a stable code; the message is the runtime's exact text.
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ code: 'HARNESS_ERR_UPSTREAM', failureClass: 'binding-missing' });
    expect((err as Error).message).toBe(
      "mTLS certificate binding 'aws-alb-cert' not found. Ensure the certificate is uploaded and properly configured.",
    );
    expect(BINDING_NOT_FOUND('x')).toBe("mTLS certificate binding 'x' not found. Ensure the certificate is uploaded and properly configured.");
    expect(c.records).toEqual([
      { requestId: 'r9', method: 'GET', url: 'https://127.0.0.1:1/', mtlsCertificate: 'aws-alb-cert', presentedCertificate: false, failureClass: 'binding-missing', durationMs: 0 },
    ]);
  });

  it('ignores zuplo on a Request object (only the init is read)', async () => {
    await using origin = await startMtlsOrigin(pki, '1.3');
    await using c = client();
    const request = new Request(`${origin.url}/`, { zuplo: { mtlsCertificate: 'aws_alb_cert' } } as RequestInit);
    const err = await upstreamError(c.fetch(request));
    expect(err.failureClass).toBe('handshake-rejected');
    expect(c.records[0]!.presentedCertificate).toBe(false);
  });

  it('uses requestIdFor when given', async () => {
    await using origin = await startMtlsOrigin(pki, '1.3');
    await using c = createOutboundClient({ bindings, originCa: pki.root.certPem, requestIdFor: (h) => h.get('x-id') ?? undefined });
    await (await c.fetch(`${origin.url}/`, { headers: { 'x-id': 'custom' }, zuplo: { mtlsCertificate: 'aws_alb_cert' } })).text();
    expect(c.records[0]!.requestId).toBe('custom');
  });

  it('sends method, headers and every kind of body; Host comes from the URL', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using c = client();
    const bodies: Array<[BodyInit, string]> = [
      ['text body', 'text body'],
      [new TextEncoder().encode('bytes body'), 'bytes body'],
      [new Blob(['stream ', 'body']).stream(), 'stream body'],
    ];
    // The echo target does not return the body, so a raw server checks what arrived.
    const seen: Array<{ method: string; body: string; headers: IncomingMessage['headers'] }> = [];
    await using raw = await listenWithHandle(
      createServer(async (req, res) => {
        let body = '';
        for await (const chunk of req) body += chunk;
        seen.push({ method: req.method!, body, headers: req.headers });
        res.end('ok');
      }),
      { protocol: 'http' },
    );
    for (const [body] of bodies) {
      const res = await c.fetch(`${raw.url}/in`, { method: 'POST', body, headers: { host: 'evil.example', 'x-a': '1' } });
      expect(await res.text()).toBe('ok');
    }
    expect(seen.map((s) => [s.method, s.body])).toEqual(bodies.map(([, text]) => ['POST', text]));
    expect(seen.every((s) => s.headers.host === `127.0.0.1:${raw.port}` && s.headers['x-a'] === '1')).toBe(true);
    expect(seen[0]!.headers['content-length']).toBe('9');
    expect(seen[2]!.headers['transfer-encoding']).toBe('chunked');

    const echoed = await (await c.fetch(`${target.url}/p/q?a=1&a=2`, { method: 'PUT', body: 'x' })).json();
    expect(echoed).toMatchObject({ method: 'PUT', path: '/p/q', query: { a: ['1', '2'] } });
    expect(target.requests).toHaveLength(1);
  });

  it('returns status, statusText, repeated set-cookie, and null bodies for 204 and HEAD', async () => {
    await using raw = await listenWithHandle(
      createServer((req, res) => {
        if (req.url === '/204') return void res.writeHead(204).end();
        res.writeHead(201, 'Made It', [['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['x-multi', 'v']]).end('body!');
      }),
      { protocol: 'http' },
    );
    await using c = client();
    const res = await c.fetch(`${raw.url}/x`);
    expect([res.status, res.statusText]).toEqual([201, 'Made It']);
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await res.text()).toBe('body!');
    expect(res.url).toBe(`${raw.url}/x`);
    const empty = await c.fetch(`${raw.url}/204`);
    expect([empty.status, empty.body]).toEqual([204, null]);
    const head = await c.fetch(`${raw.url}/x`, { method: 'HEAD' });
    expect([head.status, head.body]).toEqual([201, null]);
  });

  it('follows redirects by default and returns them as-is with redirect: manual', async () => {
    await using raw = await listenWithHandle(
      createServer((req, res) => {
        if (req.url === '/old') return void res.writeHead(302, { location: '/new' }).end();
        if (req.url === '/see') return void res.writeHead(303, { location: '/new' }).end();
        res.end(`${req.method} ${req.url}`);
      }),
      { protocol: 'http' },
    );
    await using c = client();
    const manual = await c.fetch(`${raw.url}/old`, { redirect: 'manual' });
    expect([manual.status, manual.headers.get('location'), manual.redirected]).toEqual([302, '/new', false]);
    const followed = await c.fetch(`${raw.url}/old`);
    expect([followed.status, await followed.text(), followed.url, followed.redirected]).toEqual([200, 'GET /new', `${raw.url}/new`, true]);
    const seeOther = await c.fetch(`${raw.url}/see`, { method: 'POST', body: 'x' });
    expect(await seeOther.text()).toBe('GET /new');
    expect(c.records.map((r) => r.status)).toEqual([302, 302, 200, 303, 200]);
  });

  it('a malformed response is an ordinary fetch error, not a connection failure', async () => {
    await using target = await startTarget({ kind: 'malformed' });
    await using c = client();
    const err = await c.fetch(`${target.url}/`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TypeError);
    expect(err).not.toBeInstanceOf(UpstreamError);
    expect((err as Error).message).toMatch(/^fetch failed: /);
    expect(c.records[0]!.errorCode).toMatch(/^HPE_/);
    expect(c.records[0]!.failureClass).toBeUndefined();
  });
});

describe('outbound: connection reuse and broken bindings', () => {
  it('retries once on a fresh connection when a pooled keep-alive socket was closed by the origin', async () => {
    const requestsPerSocket = new Map<unknown, number>();
    await using raw = await listenWithHandle(
      createServer((req, res) => {
        const n = (requestsPerSocket.get(req.socket) ?? 0) + 1;
        requestsPerSocket.set(req.socket, n);
        if (n > 1) return void req.socket.destroy(); // what a stale keep-alive connection looks like
        res.end('fresh');
      }),
      { protocol: 'http' },
    );
    await using c = createOutboundClient({ bindings });
    for (let i = 0; i < 3; i++) expect(await (await c.fetch(`${raw.url}/`, { method: 'POST', body: 'x' })).text()).toBe('fresh');
    expect(requestsPerSocket.size).toBe(3);
    expect(c.records.map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it('a response slower than the idle keep-alive timeout still arrives', async () => {
    await using target = await startTarget({ kind: 'slow', delayMs: 200 });
    await using c = createOutboundClient({ bindings, keepAliveTimeoutMs: 20 });
    const res = await c.fetch(`${target.url}/`);
    expect(await res.json()).toEqual({ delayedMs: 200 });
  });

  it('a keep-alive connection serves many attempts without gathering listeners', async () => {
    await using origin = await startMtlsOrigin(pki, '1.3');
    await using c = createOutboundClient({ bindings, originCa: pki.root.certPem, keepAliveTimeoutMs: 5_000 });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      for (let i = 0; i < 15; i++) {
        await (await c.fetch(`${origin.url}/`, { zuplo: { mtlsCertificate: 'aws_alb_cert' } })).text();
      }
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(c.secureContextsCreated).toBe(1);
    expect(warnings).toEqual([]);
  });

  it('keeps only the last maxRecords attempts, and reports each one as it settles', async () => {
    const seen: string[] = [];
    await using c = createOutboundClient({ bindings, maxRecords: 2, onRecord: (r) => seen.push(r.requestId) });
    for (const id of ['r1', 'r2', 'r3']) {
      await c.fetch('https://127.0.0.1:1/', { headers: { 'zp-rid': id }, zuplo: { mtlsCertificate: 'missing' } }).catch(() => undefined);
    }
    expect(c.records.map((r) => r.requestId)).toEqual(['r2', 'r3']);
    expect(seen).toEqual(['r1', 'r2', 'r3']);
  });

  it('a binding that is not a certificate gives the runtime "not a valid binding" message', async () => {
    const odd = new Map([['MY_VAR', 'just a string' as unknown as MtlsBinding]]);
    await using c = createOutboundClient({ bindings: odd });
    const err = await c.fetch('https://127.0.0.1:1/', { zuplo: { mtlsCertificate: 'MY_VAR' } }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toBe(
      "mTLS certificate binding 'MY_VAR' is not a valid mTLS certificate binding. Make sure it's configured as an mTLS certificate, not an environment variable.",
    );
  });

  it('a binding whose key does not match names the binding', async () => {
    const mismatch = pki.clients['key-mismatch'];
    const broken = new Map([['broken', { name: 'broken', certPem: mismatch.chainPem, keyPem: mismatch.keyPem }]]);
    await using origin = await startMtlsOrigin(pki, '1.3');
    await using c = createOutboundClient({ bindings: broken, originCa: pki.root.certPem });
    const err = await c.fetch(`${origin.url}/`, { zuplo: { mtlsCertificate: 'broken' } }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/^mTLS certificate binding 'broken' could not be loaded: .*Upload a PEM certificate chain and its matching private key\.$/);
    expect(c.records).toHaveLength(1);
  });
});
