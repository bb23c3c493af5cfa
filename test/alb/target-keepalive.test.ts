import net from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../certs/pki/types.ts';
import { startAlb } from '../../harness/alb/index.ts';
import { listenWithHandle } from '../../harness/server-handle.ts';
import { albRequest } from './echo-target.ts';
import { buildPki, clientContext, serverCertificate } from './fixture.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await buildPki();
});

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok';

/**
 * A target that answers the first request on each connection and resets the connection on the
 * second: exactly what a target that closed an idle kept-alive connection looks like to the ALB.
 */
async function resetsReusedConnections() {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    let requests = 0;
    socket.on('error', () => {});
    socket.on('data', () => {
      requests++;
      if (requests === 1) socket.write(OK);
      else socket.resetAndDestroy();
    });
  });
  const handle = await listenWithHandle(server, { protocol: 'http' });
  return Object.assign(handle, { connections: () => connections });
}

describe('the target hop keeps connections alive, as an ALB does', () => {
  it('reuses one target connection for sequential requests', async () => {
    let connections = 0;
    let served = 0;
    const server = net.createServer((socket) => {
      connections++;
      socket.on('data', () => {
        served++;
        socket.write(OK);
      });
    });
    await using target = await listenWithHandle(server, { protocol: 'http' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [target.url] });
    for (let i = 0; i < 3; i++) expect((await albRequest(alb.port, { secureContext: clientContext(pki) })).status).toBe(200);
    expect(served).toBe(3);
    expect(connections).toBe(1);
  });

  it('a pooled connection the target already dropped is retried on a fresh one: 200, not a spurious 502', async () => {
    await using target = await resetsReusedConnections();
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [target.url] });
    expect((await albRequest(alb.port, { secureContext: clientContext(pki) })).status).toBe(200);
    expect((await albRequest(alb.port, { secureContext: clientContext(pki) })).status).toBe(200);
    expect(target.connections()).toBe(2);
    expect(alb.accessLog.entries.map((e) => e.elbStatusCode)).toEqual([200, 200]);
  });

  it('a request with a body is not replayed: the same race is a 502, as on a real ALB', async () => {
    await using target = await resetsReusedConnections();
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [target.url] });
    expect((await albRequest(alb.port, { secureContext: clientContext(pki) })).status).toBe(200);
    const post = await albRequest(alb.port, { secureContext: clientContext(pki), method: 'POST', headers: { 'content-length': '2' }, body: 'hi' });
    expect(post.status).toBe(502);
  });
});
