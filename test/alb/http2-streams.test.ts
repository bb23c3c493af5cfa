import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { ConnectionOptions } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../certs/pki/types.ts';
import { startAlb } from '../../harness/alb/index.ts';
import { listenWithHandle } from '../../harness/server-handle.ts';
import { startTarget, type EchoBody } from '../../harness/targets/index.ts';
import { http2Request } from '../../scenarios/http2-client.ts';
import { buildPki, clientContext, serverCertificate } from './fixture.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await buildPki();
});

const echo = (body: string) => JSON.parse(body) as EchoBody;

/** A target that never answers and reports when the ALB gives up a request it holds. */
async function hangingTarget() {
  let arrived!: () => void;
  let cancelled!: () => void;
  const received = new Promise<void>((resolve) => (arrived = resolve));
  const gaveUp = new Promise<void>((resolve) => (cancelled = resolve));
  const server = http.createServer((req, res) => {
    req.resume();
    res.once('close', () => cancelled());
    arrived();
  });
  const handle = await listenWithHandle(server, { protocol: 'http' });
  return { handle, received, gaveUp };
}

describe('a client that gives up before the target answers', () => {
  it('HTTP/2 RST_STREAM (CANCEL): the target request is cancelled and the access log says 460, as for an HTTP/1.1 client that hangs up', async () => {
    const target = await hangingTarget();
    await using _target = target.handle;
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [target.handle.url], targetIdleTimeoutMs: 60_000 });
    const session = http2.connect(`https://localhost:${alb.port}`, { host: '127.0.0.1', secureContext: clientContext(pki) } as http2.SecureClientSessionOptions);
    try {
      const stream = session.request({ ':method': 'POST', ':path': '/upload', 'content-length': '100000' }, { endStream: false });
      stream.on('error', () => {});
      stream.write(Buffer.alloc(1000));
      await target.received;
      stream.close(http2.constants.NGHTTP2_CANCEL);
      await target.gaveUp;
      const entry = await alb.accessLog.waitFor((a) => a.elbStatusCode === 460, 3_000);
      expect([entry.fields.type, entry.fields.request]).toEqual(['h2', `POST https://localhost:${alb.port}/upload HTTP/2.0`]);
      expect(alb.accessLog.entries).toHaveLength(1);
    } finally {
      session.destroy();
    }
  });

  it('HTTP/1.1: the same request, the client closes its connection mid-body: one 460 line', async () => {
    const target = await hangingTarget();
    await using _target = target.handle;
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [target.handle.url], targetIdleTimeoutMs: 60_000 });
    const options: https.RequestOptions & ConnectionOptions = {
      host: '127.0.0.1',
      port: alb.port,
      servername: 'localhost',
      method: 'POST',
      path: '/upload',
      headers: { 'content-length': '100000' },
      agent: false,
      secureContext: clientContext(pki),
    };
    const req = https.request(options);
    req.on('error', () => {});
    req.write(Buffer.alloc(1000));
    await target.received;
    req.destroy();
    await target.gaveUp;
    const entry = await alb.accessLog.waitFor((a) => a.elbStatusCode === 460, 3_000);
    expect(entry.fields.type).toBe('https');
    // One line: no 400 'malformed request' for the body the client left unfinished.
    expect(alb.accessLog.entries.map((a) => a.elbStatusCode)).toEqual([460]);
  });
});

describe('request bodies an HTTP/2 client frames without Content-Length', () => {
  it.each(['DELETE', 'GET', 'OPTIONS'])('%s with a body: the target gets it chunked, and the pooled connection serves the next request', async (method) => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [target.url] });
    const res = await http2Request('127.0.0.1', alb.port, { secureContext: clientContext(pki), method, path: '/items/7', body: 'hello' });
    expect(res.status).toBe(200);
    const e = echo(res.body);
    expect([e.method, e.body, e.headers['transfer-encoding'], e.headers['content-length']]).toEqual([method, 'hello', 'chunked', undefined]);
    const next = await http2Request('127.0.0.1', alb.port, { secureContext: clientContext(pki), path: '/after' });
    expect([next.status, echo(next.body).url]).toEqual([200, '/after']);
    expect(target.requests.map((r) => r.path)).toEqual(['/items/7', '/after']);
  });

  it('a body with Content-Length keeps it (no chunking added)', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [target.url] });
    const res = await http2Request('127.0.0.1', alb.port, { secureContext: clientContext(pki), method: 'DELETE', path: '/items/7', headers: { 'content-length': '5' }, body: 'hello' });
    const e = echo(res.body);
    expect([e.body, e.headers['content-length'], e.headers['transfer-encoding']]).toEqual(['hello', '5', undefined]);
  });
});

describe('the idle timeout over HTTP/2', () => {
  it('PING frames do not keep a session open (AWS: ALB does not support HTTP/2 PING; they do not reset the idle timeout); it ends with GOAWAY', async () => {
    await using alb = await startAlb({ certificate: serverCertificate(pki), attributes: { 'idle_timeout.timeout_seconds': '1' } });
    const session = http2.connect(`https://localhost:${alb.port}`, { host: '127.0.0.1', secureContext: clientContext(pki) } as http2.SecureClientSessionOptions);
    session.on('error', () => {});
    const goaway = new Promise<number>((resolve) => session.once('goaway', resolve));
    const pinger = setInterval(() => {
      if (!session.closed && !session.destroyed) session.ping(() => {});
    }, 200);
    try {
      const outcome = await Promise.race([
        new Promise<string>((resolve) => session.once('close', () => resolve('closed'))),
        new Promise<string>((resolve) => setTimeout(() => resolve('still open 4 s later'), 4_000)),
      ]);
      expect(outcome).toBe('closed');
      expect(await goaway).toBe(http2.constants.NGHTTP2_NO_ERROR);
    } finally {
      clearInterval(pinger);
      session.destroy();
    }
  });

  it('a session with a request in flight is not idle; once answered it is closed after the timeout', async () => {
    await using target = await startTarget({ kind: 'slow', delayMs: 1_500 });
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [target.url], attributes: { 'idle_timeout.timeout_seconds': '1' }, targetIdleTimeoutMs: 5_000 });
    const session = http2.connect(`https://localhost:${alb.port}`, { host: '127.0.0.1', secureContext: clientContext(pki) } as http2.SecureClientSessionOptions);
    session.on('error', () => {});
    const closed = new Promise<void>((resolve) => session.once('close', resolve));
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const stream = session.request({ ':path': '/' });
        stream.on('response', (headers) => {
          stream.resume();
          stream.on('end', () => resolve(Number(headers[':status'])));
        });
        stream.on('error', reject);
      });
      expect(status).toBe(200);
      const outcome = await Promise.race([closed.then(() => 'closed'), new Promise<string>((resolve) => setTimeout(() => resolve('still open 4 s after the answer'), 4_000))]);
      expect(outcome).toBe('closed');
    } finally {
      session.destroy();
    }
  });
});

it('close() with an HTTP/2 session open and a request in flight ends the session and leaves no handle', async () => {
  const target = await hangingTarget();
  await using _target = target.handle;
  const alb = await startAlb({ certificate: serverCertificate(pki), targets: [target.handle.url], targetIdleTimeoutMs: 60_000 });
  const session = http2.connect(`https://localhost:${alb.port}`, { host: '127.0.0.1', secureContext: clientContext(pki) } as http2.SecureClientSessionOptions);
  session.on('error', () => {});
  const sessionClosed = new Promise<void>((resolve) => session.once('close', resolve));
  const stream = session.request({ ':path': '/slow' });
  stream.on('error', () => {});
  await target.received;
  await alb.close();
  await sessionClosed;
  // The target request the ALB held is dropped too (the file's open-handle check covers the rest).
  await target.gaveUp;
});
