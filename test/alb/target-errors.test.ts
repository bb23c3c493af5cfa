import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../certs/pki/types.ts';
import { forwardRequest, TargetPool } from '../../harness/alb/forward.ts';
import { albErrorBody, startAlb } from '../../harness/alb/index.ts';
import { listenWithHandle } from '../../harness/server-handle.ts';
import { albRequest } from './echo-target.ts';
import { buildPki, clientContext, serverCertificate } from './fixture.ts';
import { startTarget, type EchoBody } from '../../harness/targets/index.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await buildPki();
});

/** A raw TCP "target" that does `onData` with each connection's first bytes. */
async function rawTarget(onData: (socket: net.Socket) => void) {
  const server = net.createServer((socket) => {
    socket.once('data', () => onData(socket));
    socket.on('error', () => {});
  });
  return listenWithHandle(server, { protocol: 'http' });
}

async function throughAlb(target: string, extra: { targetIdleTimeoutMs?: number } = {}) {
  await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [target], ...extra });
  const res = await albRequest(alb.port, { secureContext: clientContext(pki) });
  const access = await alb.accessLog.waitFor(() => true);
  return { res, access };
}

const page = (title: string) => `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;

describe('ALB-generated errors', () => {
  it('503 with no registered targets, awselb body and Server header', async () => {
    await using alb = await startAlb({ certificate: serverCertificate(pki) });
    const res = await albRequest(alb.port, { secureContext: clientContext(pki) });
    expect(res.status).toBe(503);
    expect(res.headers.server).toBe('awselb/2.0');
    expect(res.headers['content-type']).toBe('text/html');
    expect(res.body).toBe(page('503 Service Temporarily Unavailable'));
    const access = await alb.accessLog.waitFor(() => true);
    expect([access.elbStatusCode, access.targetStatusCode, access.fields['target:port']]).toEqual([503, null, '-']);
  });

  it('502 when the target refuses the connection', async () => {
    const closed = await listenWithHandle(net.createServer(), { protocol: 'http' });
    await closed.close();
    const { res, access } = await throughAlb(closed.url);
    expect(res.status).toBe(502);
    expect(res.body).toBe(page('502 Bad Gateway'));
    expect(access.fields.error_reason).toBe('TargetConnectionRefused');
  });

  it('502 when the target resets, closes without answering, or answers garbage', async () => {
    await using reset = await rawTarget((s) => s.resetAndDestroy());
    await using closes = await rawTarget((s) => s.end());
    await using garbage = await rawTarget((s) => s.end('hello there\r\n\r\n'));
    for (const [target, reason] of [
      [reset, 'TargetClosedConnection'],
      [closes, 'TargetClosedConnection'],
      [garbage, 'TargetResponseMalformed'],
    ] as const) {
      const { res, access } = await throughAlb(target.url);
      expect(res.status).toBe(502);
      expect(res.body).toBe(albErrorBody(502));
      expect(res.headers.server).toBe('awselb/2.0');
      expect([access.elbStatusCode, access.targetStatusCode, access.fields.error_reason]).toEqual([502, null, reason]);
    }
  });

  it('504 when the target sends nothing within the idle timeout', async () => {
    await using silent = await rawTarget(() => {});
    const { res, access } = await throughAlb(silent.url, { targetIdleTimeoutMs: 200 });
    expect(res.status).toBe(504);
    expect(res.body).toBe(page('504 Gateway Time-out'));
    expect(access.fields.error_reason).toBe('TargetIdleTimeout');
  });

  it('504 when no connection to the target is made within the connect timeout', async () => {
    // A DNS lookup that never answers holds the connection attempt open, deterministically.
    const neverResolves = (() => {}) as unknown as net.LookupFunction;
    const httpAgent = new http.Agent({ keepAlive: false, lookup: neverResolves } as http.AgentOptions);
    const server = http.createServer((req, res) => {
      void forwardRequest(req, res, {}, {
        pool: new TargetPool([new URL('http://target.invalid:8080')]),
        connectTimeoutMs: 100,
        idleTimeoutMs: 60_000,
        targetTls: {},
        httpAgent,
        httpsAgent: new https.Agent(),
      });
    });
    await using front = await listenWithHandle(server, { protocol: 'http' });
    const res = await fetch(front.url);
    expect(res.status).toBe(504);
    expect(await res.text()).toBe(page('504 Gateway Time-out'));
    httpAgent.destroy();
  });
});

describe('targets', () => {
  it('round robin across registered targets', async () => {
    await using a = await startTarget({ kind: 'echo', name: 'a' });
    await using b = await startTarget({ kind: 'echo', name: 'b' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [a.url, b.url] });
    const names: string[] = [];
    for (let i = 0; i < 4; i++) names.push((JSON.parse((await albRequest(alb.port, { secureContext: clientContext(pki) })).body) as EchoBody).name);
    expect(names).toEqual(['a', 'b', 'a', 'b']);
  });

  it('an https target is used without verifying its certificate (as ALB does)', async () => {
    const server = https.createServer({ cert: pki.serverUntrusted.chainPem, key: pki.serverUntrusted.keyPem }, (_req, res) => res.end('tls target'));
    await using target = await listenWithHandle(server, { protocol: 'https' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [target.url] });
    const res = await albRequest(alb.port, { secureContext: clientContext(pki) });
    expect([res.status, res.body]).toEqual([200, 'tls target']);
  });
});
