import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../certs/pki/types.ts';
import { startAlb } from '../../harness/alb/index.ts';
import { HEALTH_CHECK_DEFAULTS, HEALTH_CHECK_USER_AGENT, resolveHealthCheck } from '../../harness/alb/health-checks.ts';
import { listenWithHandle } from '../../harness/server-handle.ts';
import { albRequest } from './echo-target.ts';
import { buildPki, clientContext, serverCertificate } from './fixture.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await buildPki();
});

interface Seen {
  path: string;
  userAgent: string | undefined;
}

/** A plain HTTP target named `name`: `/health` answers `healthStatus`, anything else 200 with its name. */
async function target(name: string, healthStatus: number) {
  const seen: Seen[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    seen.push({ path: req.url ?? '', userAgent: req.headers['user-agent'] });
    res.writeHead(req.url === '/health' ? healthStatus : 200, { 'content-type': 'text/plain' }).end(name);
  };
  return Object.assign(await listenWithHandle(createServer(handler), { protocol: 'http' }), { seen });
}

/** `n` requests through the ALB: the names of the targets that answered. */
async function answeredBy(port: number, n: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < n; i++) names.push((await albRequest(port, { secureContext: clientContext(pki) })).body);
  return names;
}

describe('target health checks (ALB -> target, no client certificate)', () => {
  it("applies AWS's defaults for an ALB target group and refuses what AWS refuses", () => {
    expect(HEALTH_CHECK_DEFAULTS).toEqual({ path: '/', intervalSeconds: 30, timeoutSeconds: 5, healthyThresholdCount: 5, unhealthyThresholdCount: 2, matcher: '200' });
    expect(resolveHealthCheck({})).toMatchObject({ path: '/', intervalMs: 30_000, timeoutMs: 5_000, healthyThresholdCount: 5, unhealthyThresholdCount: 2, matcher: '200' });
    expect(resolveHealthCheck(undefined)).toBeUndefined();
    expect(resolveHealthCheck({ enabled: false })).toBeUndefined();
    const matches = resolveHealthCheck({ matcher: '200,202-204' })!.matches;
    expect([200, 201, 202, 204, 205].map(matches)).toEqual([true, false, true, true, false]);
    const refused = (options: object) => {
      try {
        resolveHealthCheck(options);
        return 'accepted';
      } catch (err) {
        return `${(err as { code: string }).code} ${(err as Error).message}`;
      }
    };
    expect(refused({ unhealthyThresholdCount: 1 })).toBe('HARNESS_ERR_ALB_CONFIG startAlb: healthCheck.unhealthyThresholdCount is 1; AWS takes an integer from 2 to 10 (default 2)');
    expect(refused({ matcher: '100' })).toBe("HARNESS_ERR_ALB_CONFIG startAlb: healthCheck.matcher '100' is not valid; give HTTP codes from 200 to 499 as '200', '200,202' or '200-299'");
    expect(refused({ intervalSeconds: 5, timeoutSeconds: 5 })).toBe('HARNESS_ERR_ALB_CONFIG startAlb: healthCheck.timeoutSeconds (5) must be smaller than intervalSeconds (5), as AWS requires');
    expect(refused({ protocol: 'TCP' })).toBe("HARNESS_ERR_ALB_CONFIG startAlb: healthCheck.protocol is 'TCP'; use 'HTTP' or 'HTTPS'");
  });

  it('a target whose /health answers 500 leaves the pool after 2 failed checks; the checks carry ELB-HealthChecker/2.0', async () => {
    await using a = await target('a', 200);
    await using b = await target('b', 500);
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [a.url, b.url], healthCheck: { path: '/health' } });
    // Before any verdict both are `initial`: no target is healthy, so both get traffic.
    expect(alb.describeTargetHealth()).toEqual([
      { target: a.url, state: 'initial', reason: 'Elb.InitialHealthChecking', description: 'Initial health checks in progress' },
      { target: b.url, state: 'initial', reason: 'Elb.InitialHealthChecking', description: 'Initial health checks in progress' },
    ]);
    // The first round (started with the listener): a passes one check and is healthy; b has failed once.
    expect((await alb.checkTargetHealth()).map((t) => t.state)).toEqual(['healthy', 'initial']);
    expect(await alb.checkTargetHealth()).toEqual([
      { target: a.url, state: 'healthy' },
      { target: b.url, state: 'unhealthy', reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [500]' },
    ]);
    expect(await answeredBy(alb.port, 4)).toEqual(['a', 'a', 'a', 'a']);
    expect(b.seen).toEqual([
      { path: '/health', userAgent: HEALTH_CHECK_USER_AGENT },
      { path: '/health', userAgent: HEALTH_CHECK_USER_AGENT },
    ]);
  });

  it('an mTLS target fails its health checks: the ALB presents no client certificate to it', async () => {
    let handshakesWithoutCertificate = 0;
    const server = createTlsServer({ cert: pki.server.chainPem, key: pki.server.keyPem, ca: pki.root.certPem, requestCert: true, rejectUnauthorized: true }, (_req, res) => {
      res.end('mtls-target');
    });
    server.on('tlsClientError', () => handshakesWithoutCertificate++);
    await using mtlsTarget = await listenWithHandle(server, { protocol: 'https' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [mtlsTarget.url], healthCheck: {} });
    await alb.checkTargetHealth();
    expect(await alb.checkTargetHealth()).toEqual([{ target: mtlsTarget.url, state: 'unhealthy', reason: 'Target.FailedHealthChecks', description: 'Health checks failed' }]);
    expect(handshakesWithoutCertificate).toBeGreaterThanOrEqual(2);
  });

  it('fails open: when every target is unhealthy, requests go to all of them', async () => {
    await using a = await target('a', 503);
    await using b = await target('b', 404);
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [a.url, b.url], healthCheck: { path: '/health' } });
    await alb.checkTargetHealth();
    expect((await alb.checkTargetHealth()).map((t) => [t.state, t.description])).toEqual([
      ['unhealthy', 'Health checks failed with these codes: [503]'],
      ['unhealthy', 'Health checks failed with these codes: [404]'],
    ]);
    expect((await answeredBy(alb.port, 4)).sort()).toEqual(['a', 'a', 'b', 'b']);
  });

  it('an unhealthy target comes back after healthyThresholdCount successes', async () => {
    let status = 500;
    const seen: string[] = [];
    await using flaky = await listenWithHandle(
      createServer((req, res) => {
        seen.push(req.url ?? '');
        res.writeHead(req.url === '/' ? status : 200).end('flaky');
      }),
      { protocol: 'http' },
    );
    await using steady = await target('steady', 200);
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [flaky.url, steady.url], healthCheck: { healthyThresholdCount: 3 } });
    await alb.checkTargetHealth();
    expect((await alb.checkTargetHealth()).map((t) => t.state)).toEqual(['unhealthy', 'healthy']);
    status = 200;
    expect((await alb.checkTargetHealth()).map((t) => t.state)).toEqual(['unhealthy', 'healthy']);
    expect((await alb.checkTargetHealth()).map((t) => t.state)).toEqual(['unhealthy', 'healthy']);
    expect((await alb.checkTargetHealth()).map((t) => t.state)).toEqual(['healthy', 'healthy']);
  });

  it('a load balancer with several listeners checks each target once per round, and every listener routes by it', async () => {
    await using a = await target('a', 200);
    await using b = await target('b', 500);
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [a.url, b.url], healthCheck: { path: '/health' }, listeners: [{}, {}] });
    await alb.checkTargetHealth();
    expect(b.seen).toHaveLength(1);
    expect(await alb.checkTargetHealth()).toEqual(alb.listeners[1]!.describeTargetHealth());
    expect(alb.describeTargetHealth().map((t) => t.state)).toEqual(['healthy', 'unhealthy']);
    expect(b.seen).toHaveLength(2);
    expect([...(await answeredBy(alb.listeners[0]!.port, 2)), ...(await answeredBy(alb.listeners[1]!.port, 2))]).toEqual(['a', 'a', 'a', 'a']);
  });

  it('is off by default, its timer never holds the process, and close() stops it', async () => {
    await using plain = await target('plain', 500);
    await using off = await startAlb({ certificate: serverCertificate(pki), targets: [plain.url] });
    expect(off.describeTargetHealth()).toEqual([]);
    expect(await off.checkTargetHealth()).toEqual([]);
    expect(plain.seen).toEqual([]);

    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const alb = await startAlb({ certificate: serverCertificate(pki), targets: [plain.url], healthCheck: { path: '/health' } });
    expect(timers()).toBe(before);
    await alb.checkTargetHealth();
    const checks = plain.seen.length;
    await alb.close();
    await alb.checkTargetHealth();
    expect(plain.seen.length).toBe(checks);
  });
});
