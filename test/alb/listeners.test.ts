import net from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../certs/pki/types.ts';
import { startAlb } from '../../harness/alb/index.ts';
import type { LoadBalancerOptions } from '../../harness/alb/types.ts';
import { startTarget, type EchoBody } from '../../harness/targets/index.ts';
import { albRequest, type AlbRequestError } from './echo-target.ts';
import { buildPki, clientContext, serverCertificate, verifyMode } from './fixture.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await buildPki();
});

const echo = (body: string) => JSON.parse(body) as EchoBody;

/** Resolves true when something accepts a TCP connection on the port. */
const accepting = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('several listeners on one ALB', () => {
  it('judges the same client certificate per listener: verify refuses it, passthrough forwards it', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({
      certificate: serverCertificate(pki),
      targets: [target.url],
      listeners: [{ mutualAuthentication: verifyMode(pki) }, { mutualAuthentication: { mode: 'passthrough' } }],
    });
    const [verify, passthrough] = alb.listeners;
    expect(alb.listeners).toHaveLength(2);
    expect(verify!.port).not.toBe(passthrough!.port);

    const refused = await albRequest(verify!.port, { secureContext: clientContext(pki, 'untrusted-root') }).then(
      () => null,
      (e: AlbRequestError) => e,
    );
    expect(refused).not.toBeNull();
    const verifyLine = await verify!.connectionLog.waitFor((e) => e.clientPort === refused!.localPort);
    expect(verifyLine.tlsVerifyStatus).toBe('Failed:ClientCertUntrusted');
    expect(verifyLine.listenerPort).toBe(verify!.port);

    const res = await albRequest(passthrough!.port, { secureContext: clientContext(pki, 'untrusted-root') });
    expect(res.status).toBe(200);
    expect(decodeURIComponent(echo(res.body).headers['x-amzn-mtls-clientcert'] as string)).toBe(pki.clients['untrusted-root'].chainPem);
    const passLine = await passthrough!.connectionLog.waitFor((e) => e.clientPort === res.localPort);
    expect(passLine.tlsVerifyStatus).toBe('Success');
    expect(passLine.listenerPort).toBe(passthrough!.port);
    const access = await passthrough!.accessLog.waitFor((e) => e.connTraceId === passLine.connTraceId);
    expect(access.elbStatusCode).toBe(200);

    // Each listener logs only its own connections; the load balancer's stream has both, each with its port.
    expect(verify!.connectionLog.entries.map((e) => e.listenerPort)).toEqual([verify!.port]);
    expect(passthrough!.connectionLog.entries.map((e) => e.listenerPort)).toEqual([passthrough!.port]);
    expect(alb.connectionLog.entries.map((e) => e.listenerPort)).toEqual([verify!.port, passthrough!.port]);
    expect(alb.accessLog.entries.map((e) => e.connTraceId)).toEqual([passLine.connTraceId]);
  });

  it('gives each listener its own trust-store verbs', async () => {
    await using alb = await startAlb({
      certificate: serverCertificate(pki),
      listeners: [{ mutualAuthentication: verifyMode(pki) }, { mutualAuthentication: verifyMode(pki, { trustStore: { caCertificatesBundle: pki.trustStoreBundle } }) }],
    });
    expect(alb.listeners[0]!.describeTrustStoreRevocations()).toHaveLength(2);
    expect(alb.listeners[1]!.describeTrustStoreRevocations()).toEqual([]);
  });

  it('refuses a third verify listener before anything listens', async () => {
    const port = await freePort();
    const options: LoadBalancerOptions = {
      certificate: serverCertificate(pki),
      listeners: [
        { mutualAuthentication: verifyMode(pki) },
        { mutualAuthentication: { mode: 'off' } },
        { mutualAuthentication: verifyMode(pki) },
        { port, mutualAuthentication: verifyMode(pki) },
      ],
    };
    await expect(startAlb(options)).rejects.toMatchObject({
      name: 'UserError',
      code: 'HARNESS_ERR_ALB_CONFIG',
      message:
        "startAlb: listeners[3] is listener number 3 in verify mode; AWS allows 2 per load balancer (quota \"Listeners using mTLS in verify mode per load balancer\"). Use mode 'passthrough' or 'off' for it, or start another load balancer",
    });
    expect(await accepting(port)).toBe(false);
  });

  it('refuses two listeners on one fixed port, and names the listener whose option is wrong', async () => {
    const port = await freePort();
    await expect(startAlb({ certificate: serverCertificate(pki), listeners: [{ port }, { port }] })).rejects.toMatchObject({
      code: 'HARNESS_ERR_ALB_CONFIG',
      message: `startAlb: listeners[1].port ${port} is also listeners[0].port; give each listener its own port, or 0 for any free one`,
    });
    const withTopLevelPort = { certificate: serverCertificate(pki), port, listeners: [{}] } as LoadBalancerOptions;
    await expect(startAlb(withTopLevelPort)).rejects.toMatchObject({
      code: 'HARNESS_ERR_ALB_CONFIG',
      message: 'startAlb: port cannot be given with listeners (each listener has its own); move it to listeners[i].port',
    });
    expect(await accepting(port)).toBe(false);
    await expect(
      startAlb({ certificate: serverCertificate(pki), listeners: [{}, { mutualAuthentication: { mode: 'verify' } }] }),
    ).rejects.toMatchObject({ code: 'HARNESS_ERR_ALB_CONFIG', message: expect.stringMatching(/^startAlb: listeners\[1\]\.mutualAuthentication\.trustStore is required/) as unknown });
  });

  it('closes the listeners already started when a later one cannot listen', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const busyPort = (busy.address() as net.AddressInfo).port;
      const firstPort = await freePort();
      await expect(startAlb({ certificate: serverCertificate(pki), listeners: [{ port: firstPort }, { port: busyPort }] })).rejects.toMatchObject({
        code: 'HARNESS_ERR_PORT',
      });
      expect(await accepting(firstPort)).toBe(false);
    } finally {
      await new Promise<void>((resolve) => busy.close(() => resolve()));
    }
  });

  it('shares load-balancer attributes and lets a listener override them', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({
      certificate: serverCertificate(pki),
      targets: [target.url],
      attributes: { 'routing.http.xff_header_processing.mode': 'remove' },
      listeners: [{}, { attributes: { 'routing.http.xff_header_processing.mode': 'preserve' } }],
    });
    const headers = { 'x-forwarded-for': '203.0.113.7' };
    const first = await albRequest(alb.listeners[0]!.port, { secureContext: clientContext(pki), headers });
    const second = await albRequest(alb.listeners[1]!.port, { secureContext: clientContext(pki), headers });
    expect(echo(first.body).headers['x-forwarded-for']).toBeUndefined();
    expect(echo(second.body).headers['x-forwarded-for']).toBe('203.0.113.7');
  });

  it('without listeners, startAlb still returns one listener handle', async () => {
    await using alb = await startAlb({ certificate: serverCertificate(pki), mutualAuthentication: verifyMode(pki) });
    expect(alb.url).toBe(`https://127.0.0.1:${alb.port}`);
    expect('listeners' in alb).toBe(false);
    expect(alb.describeTrustStoreRevocations()).toHaveLength(2);
  });

  it('close() closes every listener', async () => {
    const alb = await startAlb({ certificate: serverCertificate(pki), listeners: [{}, {}] });
    const ports = alb.listeners.map((l) => l.port);
    expect(await Promise.all(ports.map(accepting))).toEqual([true, true]);
    await alb.close();
    expect(await Promise.all(ports.map(accepting))).toEqual([false, false]);
  });
});
