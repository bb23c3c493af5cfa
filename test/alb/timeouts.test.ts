import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { readdir, readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../certs/pki/types.ts';
import { startAlb } from '../../harness/alb/index.ts';
import { startTarget } from '../../harness/targets/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { albRequest } from './echo-target.ts';
import { buildPki, clientContext, serverCertificate } from './fixture.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await buildPki();
});

/** Resolves when the server closes the connection: `end` (FIN) or `reset` (RST). */
const closedByServer = (socket: Socket) =>
  new Promise<'end' | 'reset'>((resolve) => {
    socket.once('end', () => resolve('end'));
    socket.once('error', () => resolve('reset'));
    socket.once('close', () => resolve('end'));
  });

describe('listener timeouts', () => {
  it('a TCP connection that never sends a ClientHello is destroyed at the handshake timeout: one connection-log line, no access-log line', async () => {
    await using alb = await startAlb({ certificate: serverCertificate(pki), handshakeTimeoutMs: 200 });
    const socket = tcpConnect(alb.port, '127.0.0.1');
    const localPort = await new Promise<number>((resolve) => socket.once('connect', () => resolve(socket.localPort!)));
    await closedByServer(socket);
    socket.destroy();
    const line = await alb.connectionLog.waitFor((e) => e.clientPort === localPort);
    expect(line.tlsVerifyStatus).toBe('Failed:UnmappedConnectionError');
    expect(line.tlsHandshakeLatency).toBe('-');
    expect(line.reason).toContain('ERR_TLS_HANDSHAKE_TIMEOUT');
    expect(alb.connectionLog.entries).toHaveLength(1);
    expect(alb.accessLog.entries).toEqual([]);
  });

  it(`idle_timeout.timeout_seconds closes an established connection that sends nothing, and a keep-alive connection after its request`, async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [target.url], attributes: { 'idle_timeout.timeout_seconds': '1' } });
    const socket = tlsConnect({ port: alb.port, host: '127.0.0.1', servername: 'localhost', secureContext: clientContext(pki) });
    await new Promise<void>((resolve) => socket.once('secureConnect', resolve));
    await closedByServer(socket);
    socket.destroy();

    const kept = tlsConnect({ port: alb.port, host: '127.0.0.1', servername: 'localhost', secureContext: clientContext(pki) });
    await new Promise<void>((resolve) => kept.once('secureConnect', resolve));
    const closed = closedByServer(kept);
    let response = '';
    kept.on('data', (c: Buffer) => (response += c.toString()));
    kept.write('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n');
    await closed;
    kept.destroy();
    expect(response).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(response.toLowerCase()).toContain('connection: keep-alive');
  });

  for (const value of ['0', '4001', '1.5', 'sixty', '']) {
    it(`idle_timeout.timeout_seconds '${value}' is refused, naming the attribute and the range`, async () => {
      await expect(startAlb({ certificate: serverCertificate(pki), attributes: { 'idle_timeout.timeout_seconds': value } })).rejects.toMatchObject({
        code: 'HARNESS_ERR_ALB_CONFIG',
        message: expect.stringMatching(/idle_timeout\.timeout_seconds.*from 1 to 4000/),
      });
    });
  }
});

describe('bounded in-memory logs', () => {
  it('keep the newest maxLogEntries; the log files keep every line', async () => {
    await using dir = await tempDir('alb-bounded-');
    await using target = await startTarget({ kind: 'echo', maxRequests: 2 });
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [target.url], logDirectory: dir.path, maxLogEntries: 3 });
    const ports: number[] = [];
    for (let i = 0; i < 5; i++) ports.push((await albRequest(alb.port, { secureContext: clientContext(pki), path: `/r${i}` })).localPort);
    await alb.accessLog.waitFor((e) => e.fields.request!.includes('/r4'));
    expect(alb.connectionLog.entries.map((e) => e.clientPort)).toEqual(ports.slice(2));
    expect(alb.accessLog.entries.map((e) => e.fields.request!.split(' ')[1]!.replace(/^https:\/\/[^/]+/, ''))).toEqual(['/r2', '/r3', '/r4']);
    expect(target.requests.map((r) => r.path)).toEqual(['/r3', '/r4']);
    const files = await readdir(dir.path);
    const lines = await Promise.all(files.map(async (f) => (await readFile(`${dir.path}/${f}`, 'utf8')).trim().split('\n')));
    expect(lines.map((l) => l.length)).toEqual([5, 5]);
  });

  it('maxLogEntries must be a whole number >= 1', async () => {
    await expect(startAlb({ certificate: serverCertificate(pki), maxLogEntries: 0 })).rejects.toMatchObject({ code: 'HARNESS_ERR_INVALID_ARGUMENT', message: expect.stringContaining('maxLogEntries') });
  });
});
