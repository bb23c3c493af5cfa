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

describe('a target group per listener', () => {
  const answeredBy = async (port: number) => echo((await albRequest(port, { secureContext: clientContext(pki, 'good') })).body).name;

  it("each listener's requests reach its own target group; a listener without one takes the top-level targets", async () => {
    await using api = await startTarget({ kind: 'echo', name: 'api' });
    await using partner = await startTarget({ kind: 'echo', name: 'partner' });
    await using fallback = await startTarget({ kind: 'echo', name: 'fallback' });
    await using alb = await startAlb({
      certificate: serverCertificate(pki),
      targets: [fallback.url],
      listeners: [
        { mutualAuthentication: verifyMode(pki), targetGroup: 'api-tg', targets: [api.url] },
        { mutualAuthentication: { mode: 'passthrough' }, targetGroup: 'partner-tg', targets: [partner.url] },
        {},
      ],
    });
    const [apiListener, partnerListener, plainListener] = alb.listeners.map((l) => l.port);
    expect([await answeredBy(apiListener!), await answeredBy(partnerListener!), await answeredBy(plainListener!), await answeredBy(apiListener!)]).toEqual(['api', 'partner', 'fallback', 'api']);
    expect([api.requests.length, partner.requests.length, fallback.requests.length]).toEqual([2, 1, 1]);
    expect(alb.targetGroups).toEqual(['api-tg', 'partner-tg', 'default']);
  });

  it('health is checked per target group: listeners naming one group share its checker, each listener reports its own group', async () => {
    await using api = await startTarget({ kind: 'echo', name: 'api' });
    await using partner = await startTarget({ kind: 'echo', name: 'partner' });
    const apiGroup = { targetGroup: 'api-tg', targets: [api.url], healthCheck: { path: '/api-health' } };
    await using alb = await startAlb({
      certificate: serverCertificate(pki),
      listeners: [apiGroup, { targets: [partner.url], healthCheck: { path: '/partner-health' } }, apiGroup],
    });
    expect(alb.targetGroups).toEqual(['api-tg', 'listeners[1]']);
    // The first round (started with the load balancer): one check per group, though two listeners forward to api-tg.
    expect(await alb.checkTargetHealth()).toEqual([{ target: api.url, state: 'healthy' }, { target: partner.url, state: 'healthy' }]);
    expect(api.requests.map((r) => r.path)).toEqual(['/api-health']);
    expect(partner.requests.map((r) => r.path)).toEqual(['/partner-health']);
    await alb.checkTargetHealth('api-tg');
    expect(api.requests.map((r) => r.path)).toEqual(['/api-health', '/api-health']);
    expect(partner.requests.map((r) => r.path)).toEqual(['/partner-health']);
    expect(alb.listeners.map((l) => l.describeTargetHealth().map((t) => t.target))).toEqual([[api.url], [partner.url], [api.url]]);
    expect(alb.describeTargetHealth().map((t) => t.target)).toEqual([api.url, partner.url]);
    expect(() => alb.describeTargetHealth('admin-tg')).toThrow("no target group 'admin-tg' on this load balancer; its groups: api-tg, listeners[1]");
  });

  it('refuses bad per-listener targets and listeners that disagree about a shared group, naming listeners[i]', async () => {
    const refused = (listeners: LoadBalancerOptions['listeners']) =>
      startAlb({ certificate: serverCertificate(pki), targets: ['http://127.0.0.1:1'], listeners }).then(
        () => 'started',
        (e: { code: string; message: string }) => `${e.code} ${e.message}`,
      );
    expect(await refused([{}, { targets: ['ftp://127.0.0.1:2'] }])).toBe("HARNESS_ERR_ALB_CONFIG startAlb: listeners[1].targets[0] 'ftp://127.0.0.1:2' must be http:// or https://");
    expect(await refused([{ targets: 'http://127.0.0.1:2' as unknown as string[] }])).toBe(
      "HARNESS_ERR_ALB_CONFIG startAlb: listeners[0].targets must be an array of target URLs such as ['http://127.0.0.1:8080'] (it is \"http://127.0.0.1:2\")",
    );
    expect(await refused([{ healthCheck: { path: 'health' } }])).toBe("HARNESS_ERR_ALB_CONFIG startAlb: listeners[0].healthCheck.path 'health' must start with '/' (at most 1024 characters)");
    expect(await refused([{ targetGroup: '' }])).toBe("HARNESS_ERR_ALB_CONFIG startAlb: listeners[0].targetGroup must be a non-empty name such as 'api-tg' (it is \"\")");
    expect(await refused([{ targetGroup: 'tg' }, { targetGroup: 'tg', targets: ['http://127.0.0.1:2'] }])).toBe(
      "HARNESS_ERR_ALB_CONFIG startAlb: listeners[1].targets differs from listeners[0]'s, and both forward to target group 'tg'; listeners sharing a target group share its targets: give the same, or name another group in listeners[1].targetGroup",
    );
    expect(await refused([{ targetGroup: 'tg' }, { targetGroup: 'tg', healthCheck: {} }])).toMatch(/^HARNESS_ERR_ALB_CONFIG startAlb: listeners\[1\]\.healthCheck differs from listeners\[0\]'s/);
  });
});
