import tls, { type SecureContext } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../certs/pki/types.ts';
import { ALB_DEFAULTS } from '../../harness/alb/options.ts';
import { startAlb } from '../../harness/alb/index.ts';
import type { AlbHandle, AlbOptions } from '../../harness/alb/types.ts';
import { startTarget } from '../../harness/targets/index.ts';
import { buildPki, clientContext, serverCertificate, verifyMode } from './fixture.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await buildPki();
});

type Version = 'TLSv1.2' | 'TLSv1.3';

interface Visit {
  reused: boolean;
  status: number | null;
  /** The last session the server let the client keep (a TLS 1.3 ticket or the TLS 1.2 session), if any. */
  session: Buffer | undefined;
  localPort: number;
}

/** One GET on a fresh connection, offering `session` for resumption; keeps what the server hands back. */
function visit(alb: AlbHandle, secureContext: SecureContext, session?: Buffer): Promise<Visit> {
  return new Promise((resolve) => {
    let saved: Buffer | undefined;
    let status: number | null = null;
    let reused = false;
    let localPort = 0;
    let text = '';
    const socket = tls.connect({ host: '127.0.0.1', port: alb.port, servername: 'localhost', secureContext, ...(session ? { session } : {}) });
    socket.on('session', (s: Buffer) => (saved = s));
    socket.once('connect', () => (localPort = socket.localPort ?? 0));
    socket.once('secureConnect', () => {
      reused = socket.isSessionReused();
      saved ??= socket.getSession();
      socket.write('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    });
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? Number.NaN) || null;
    });
    socket.on('error', () => undefined);
    socket.once('close', () => resolve({ reused, status, session: saved, localPort }));
  });
}

/** A client context pinned to `version`, presenting `variant`'s certificate (or none). */
const client = (version: Version, variant?: 'good') => clientContext(pki, variant, version);

describe.each(['TLSv1.2', 'TLSv1.3'] as const)('TLS session resumption (%s)', (version) => {
  it('a session from one mTLS listener is resumed neither there nor at another listener with the same certificate and trust store', async () => {
    await using target = await startTarget({ kind: 'echo' });
    const options: AlbOptions = { certificate: serverCertificate(pki), mutualAuthentication: verifyMode(pki), targets: [target.url] };
    await using a = await startAlb(options);
    await using b = await startAlb(options);
    const first = await visit(a, client(version, 'good'));
    expect([first.status, first.reused]).toEqual([200, false]);
    expect(first.session).toBeInstanceOf(Buffer);
    // Offered the session but no certificate: a resumed session would carry the first connection's certificate.
    for (const alb of [b, a]) {
      const again = await visit(alb, client(version), first.session);
      expect(again).toMatchObject({ reused: false, status: null });
      const entry = await alb.connectionLog.waitFor((e) => e.clientPort === again.localPort);
      expect(entry.tlsVerifyStatus).toBe(ALB_DEFAULTS.noCertificateStatus);
    }
  });

  it('without mTLS a listener resumes its own sessions, never another listener\'s', async () => {
    await using target = await startTarget({ kind: 'echo' });
    const options: AlbOptions = { certificate: serverCertificate(pki), targets: [target.url] };
    await using a = await startAlb(options);
    await using b = await startAlb(options);
    const first = await visit(a, client(version));
    expect([first.status, first.reused]).toEqual([200, false]);
    expect(await visit(a, client(version), first.session)).toMatchObject({ status: 200, reused: true });
    expect(await visit(b, client(version), first.session)).toMatchObject({ status: 200, reused: false });
  });
});
