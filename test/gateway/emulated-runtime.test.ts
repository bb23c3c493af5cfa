import { beforeAll, describe, expect, test } from 'vitest';
import { createPki } from '../../certs/index.ts';
import { DEFAULT_ALB_DNS_NAME } from '../../certs/pki/pki.ts';
import type { Pki } from '../../certs/pki/types.ts';
import { startAlb } from '../../harness/alb/index.ts';
import { localEdgeTrustFinding, runtimeBanner, startGateway } from '../../harness/gateway/index.ts';
import { startTarget } from '../../harness/targets/index.ts';
import { forward, routesDoc, startupError, tempProject } from './gateway-helpers.ts';

// The gateway answers as the real runtime it emulates: a deployed environment, or zuplo dev for a
// managed-edge (workerd) or managed-dedicated (Deno) project. Real sockets, the real ALB emulator.

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

async function verifyingAlb() {
  const target = await startTarget({ kind: 'echo' });
  const alb = await startAlb({
    certificate: { certPem: pki.server.chainPem, keyPem: pki.server.keyPem },
    mutualAuthentication: { mode: 'verify', trustStore: { caCertificatesBundle: pki.trustStoreBundle } },
    targets: [target.url],
  });
  return {
    alb,
    async [Symbol.asyncDispose]() {
      await alb.close();
      await target.close();
    },
  };
}

const good = () => ({ name: 'alb_cert', cert: pki.clients.good.chainPem, key: pki.clients.good.keyPem, environmentTypes: ['production' as const] });

describe('the first line says what is emulated', () => {
  test.each([
    ['production', 'managed-edge', /^Emulating a deployed Zuplo production environment \(managed-edge\): .* answers 522\.$/],
    ['local', 'managed-edge', /^Emulating zuplo dev for a managed-edge project \(workerd\): no mTLS certificate bindings, only public web CAs/],
    ['local', 'managed-dedicated', /^Emulating zuplo dev for a managed-dedicated project \(Deno\): certificates from \.zuplo-local\/mtls are presented/],
  ] as const)('%s / %s', (environmentType, projectType, line) => {
    expect(runtimeBanner(environmentType, projectType)).toMatch(line);
  });

  test('projectType comes from zuplo.jsonc (managed edge by default)', async () => {
    const routes = JSON.stringify(routesDoc([{ path: '/x', handler: forward({ baseUrl: 'https://127.0.0.1:9' }) }]));
    await using dedicated = await tempProject({
      'config/routes.oas.json': routes,
      'config/policies.json': '{"policies": []}',
      'zuplo.jsonc': '{\n  // the project type decides the local engine\n  "version": 1, "projectType": "managed-dedicated",\n}',
    });
    await using gw = await startGateway({ projectDir: dedicated.dir, environmentType: 'local' });
    expect(gw.banner).toMatch(/managed-dedicated project \(Deno\)/);
    expect(gw.warnings).toEqual([]);
    await using plain = await tempProject({ 'config/routes.oas.json': routes, 'config/policies.json': '{"policies": []}' });
    await using edge = await startGateway({ projectDir: plain.dir, environmentType: 'local' });
    expect(edge.banner).toMatch(/managed-edge project \(workerd\)/);
  });
});

describe('zuplo dev on a managed-edge project trusts only public CAs', () => {
  test('an ALB with a private server certificate answers 500 "internal error" whatever originCa says, and the gateway warns', async () => {
    await using env = await verifyingAlb();
    await using gw = await startGateway({
      routes: routesDoc([{ path: '/api/orders', handler: forward({ baseUrl: env.alb.url }) }]),
      environmentType: 'local',
      originCa: pki.root.certPem,
    });
    const res = await fetch(`${gw.url}/api/orders`);
    const body = JSON.parse(await res.text());
    expect([res.status, body.detail]).toEqual([500, 'internal error']);
    expect(gw.upstream).toMatchObject([{ failureClass: 'origin-untrusted' }]);
    const finding = localEdgeTrustFinding({ environmentType: 'local', originCaGiven: true })!;
    expect(gw.warnings).toEqual([`${finding.message} ${finding.fix}`]);
    expect(localEdgeTrustFinding({ environmentType: 'production', originCaGiven: true })).toBeUndefined();
    expect(localEdgeTrustFinding({ environmentType: 'local', projectType: 'managed-dedicated', originCaGiven: true })).toBeUndefined();
  });
});

describe('zuplo dev on a managed-dedicated project presents .zuplo-local/mtls certificates', () => {
  test('the certificate in .zuplo-local/mtls/<name> is presented: 200 and the ALB logs Success', async () => {
    await using env = await verifyingAlb();
    await using project = await tempProject({
      'config/routes.oas.json': JSON.stringify(routesDoc([{ path: '/api/orders', handler: forward({ baseUrl: env.alb.url, mtlsCertificate: 'alb_cert' }) }])),
      'config/policies.json': '{"policies": []}',
      'zuplo.jsonc': '{"projectType": "managed-dedicated"}',
      '.zuplo-local/mtls/alb_cert/tls.crt': pki.clients.good.chainPem,
      '.zuplo-local/mtls/alb_cert/tls.key': pki.clients.good.keyPem,
    });
    await using gw = await startGateway({ projectDir: project.dir, environmentType: 'local', originCa: pki.root.certPem });
    const res = await fetch(`${gw.url}/api/orders`);
    expect(res.status).toBe(200);
    await res.body?.cancel();
    expect((await env.alb.connectionLog.waitFor((e) => e.tlsVerifyStatus !== '-')).tlsVerifyStatus).toBe('Success');
  });

  test('no certificate to a verifying ALB: 500 with the Deno text', async () => {
    await using env = await verifyingAlb();
    await using gw = await startGateway({
      routes: routesDoc([{ path: '/api/orders', handler: forward({ baseUrl: env.alb.url }) }]),
      environmentType: 'local',
      projectType: 'managed-dedicated',
      originCa: pki.root.certPem,
    });
    const body = JSON.parse(await (await fetch(`${gw.url}/api/orders`)).text());
    expect(body.status).toBe(500);
    expect(body.detail).toMatch(new RegExp(`^error sending request for url \\(${env.alb.url}/api/orders\\): client error \\((Connect|SendRequest)\\): `));
    // The structured record says the same as the printed line.
    expect(gw.upstream).toMatchObject([
      { route: 'GET /api/orders', presentedCertificate: false, failureClass: 'handshake-rejected', answeredStatus: 500, durationMs: expect.any(Number) },
    ]);
  });

  test("an environment variable's name used as the binding says not found (Deno looks among certificates only)", async () => {
    await using gw = await startGateway({
      routes: routesDoc([{ path: '/x', handler: forward({ baseUrl: 'https://127.0.0.1:9', mtlsCertificate: 'ALB_MTLS_CERT' }) }]),
      environment: { ALB_MTLS_CERT: 'alb_cert' },
      environmentType: 'local',
      projectType: 'managed-dedicated',
    });
    expect(JSON.parse(await (await fetch(`${gw.url}/x`)).text()).detail).toBe(
      "mTLS certificate binding 'ALB_MTLS_CERT' not found. Ensure the certificate is uploaded and properly configured.",
    );
  });
});

describe('--resolve: the seed\'s literal ALB hostname reaches the emulator', () => {
  test('SNI and the certificate check use the real name; the IP is only where to connect', async () => {
    await using env = await verifyingAlb();
    const host = `${DEFAULT_ALB_DNS_NAME}:${env.alb.port}`;
    await using gw = await startGateway({
      routes: routesDoc([{ path: '/api/orders', handler: forward({ baseUrl: `https://${host}`, mtlsCertificate: 'alb_cert' }) }]),
      environmentType: 'production',
      certificates: [good()],
      originCa: pki.root.certPem,
      resolve: { [host]: '127.0.0.1' },
    });
    const res = await fetch(`${gw.url}/api/orders`);
    expect(res.status).toBe(200);
    expect(JSON.parse(await res.text()).headers.host).toBe(host);
    // A name the certificate does not cover fails the check, even pinned to the same address.
    const wrong = `wrong.example.com:${env.alb.port}`;
    await using gw2 = await startGateway({
      routes: routesDoc([{ path: '/api/orders', handler: forward({ baseUrl: `https://${wrong}` }) }]),
      environmentType: 'production',
      originCa: pki.root.certPem,
      resolve: { [wrong]: '127.0.0.1' },
    });
    const bad = JSON.parse(await (await fetch(`${gw2.url}/api/orders`)).text());
    expect(bad.status).toBe(522);
    expect(bad.detail).toMatch(/^The gateway did not accept the origin's TLS server certificate: it does not name wrong\.example\.com\./);
  });
});

describe('bad input is refused at start-up, naming the field', () => {
  const routes = routesDoc([{ path: '/x', handler: forward({ baseUrl: 'https://127.0.0.1:9' }) }]);
  test.each([
    [{ environmentType: 'staging' }, 'HARNESS_ERR_INVALID_ARGUMENT', 'environmentType: "staging" is not one of development, preview, production, local.'],
    [{ failureMode: 'explode' }, 'HARNESS_ERR_INVALID_ARGUMENT', 'failureMode: "explode" is not one of edge, runtime.'],
    [{ projectType: 'serverless' }, 'HARNESS_ERR_INVALID_ARGUMENT', 'projectType: "serverless" is not one of managed-edge, managed-dedicated.'],
    [{ originCa: 'not a certificate' }, 'HARNESS_ERR_PEM', 'originCa: no PEM certificate found'],
    [{ resolve: { 'alb.example:443': 'not-an-ip' } }, 'HARNESS_ERR_INVALID_ARGUMENT', 'resolve: "not-an-ip" (for alb.example:443) is not an IP address.'],
  ])('%j', async (bad, code, message) => {
    const err = await startupError({ routes, ...(bad as object) });
    expect(err.code).toBe(code);
    expect(err.message).toContain(message);
  });

  test('an unterminated $env( names the file and field', async () => {
    const err = await startupError({ routes: routesDoc([{ path: '/x', handler: forward({ baseUrl: 'https://127.0.0.1:9', mtlsCertificate: '$env(FOO' }) }]) });
    expect(err.code).toBe('HARNESS_ERR_GATEWAY_CONFIG');
    expect(err.message).toBe(
      'routes (in memory): paths./x.get.x-zuplo-route.handler.options.mtlsCertificate: "$env(FOO" has a "$env(" without its closing ")". Write it as "$env(NAME)".',
    );
  });

  test('a project without config/policies.json starts with a warning (the real CLI refuses to build it)', async () => {
    await using project = await tempProject({ 'config/routes.oas.json': JSON.stringify(routes) });
    await using gw = await startGateway({ projectDir: project.dir });
    expect(gw.warnings).toEqual([
      `${project.dir}/config/policies.json is missing: the Zuplo CLI refuses to build a project without it. Create it with {"policies": []}.`,
    ]);
  });
});

describe('start-up warnings about the certificates the routes use, each once', () => {
  test('missing from the store, and not enabled for this environment type', async () => {
    const routes = routesDoc([
      { path: '/a', handler: forward({ baseUrl: 'https://127.0.0.1:9', mtlsCertificate: 'alb_cert' }) },
      { path: '/b', handler: forward({ baseUrl: 'https://127.0.0.1:9', mtlsCertificate: 'albCert' }) },
      { path: '/c', handler: forward({ baseUrl: 'https://127.0.0.1:9', mtlsCertificate: 'albCert' }) },
    ]);
    await using gw = await startGateway({ routes, certificates: [good(), { ...good(), name: 'unused-cert' }], environmentType: 'development' });
    expect(gw.warnings).toHaveLength(2);
    expect(gw.warnings[0]).toMatch(
      /^routes \(in memory\): route GET \/a: names mTLS certificate 'alb_cert', which is not enabled for the development environment type \(enabled for: production\), so it answers 500 "not found"\. Enable it: alb-mtls mtls-certificate update --cert-id cert_[0-9a-f]+ --environment-type development/,
    );
    expect(gw.warnings[1]).toMatch(
      /^routes \(in memory\): route GET \/b; routes \(in memory\): route GET \/c: names mTLS certificate 'albCert', which is not in the certificate store \(it holds: alb_cert, unused-cert\)/,
    );
    // 'unused-cert' breaks the naming rule, but no route uses it: no warning about it.
    expect(gw.warnings.join('\n')).not.toContain("name 'unused-cert'");
  });
});

describe('the gateway cleans up after itself', () => {
  // The client going away cancels the upstream request: forward-fast-path.test.ts, on both paths.
  test('the global fetch is restored when the last gateway closes', async () => {
    const original = globalThis.fetch;
    const routes = routesDoc([{ path: '/x', handler: forward({ baseUrl: 'https://127.0.0.1:9' }) }]);
    const a = await startGateway({ routes });
    const b = await startGateway({ routes });
    expect(globalThis.fetch).not.toBe(original);
    await a.close();
    expect(globalThis.fetch).not.toBe(original);
    await b.close();
    expect(globalThis.fetch).toBe(original);
  });
});

describe('in-flight failures are not certificate rejections', () => {
  test.each(['1.2', '1.3'] as const)('TLS %s: the ALB closing with requests in flight is connection-lost; a rejected certificate stays handshake-rejected', async (tlsVersion) => {
    await using target = await startTarget({ kind: 'slow', delayMs: 60_000 });
    const alb = await startAlb({
      certificate: { certPem: pki.server.chainPem, keyPem: pki.server.keyPem },
      mutualAuthentication: { mode: 'verify', trustStore: { caCertificatesBundle: pki.trustStoreBundle } },
      targets: [target.url],
    });
    const routes = routesDoc([{ path: '/x', handler: forward({ baseUrl: alb.url, mtlsCertificate: 'alb_cert' }) }]);
    const options = { routes, environmentType: 'production' as const, tlsVersion, originCa: pki.root.certPem };
    await using rejected = await startGateway({ ...options, certificates: [{ ...good(), cert: pki.clients.expired.chainPem, key: pki.clients.expired.keyPem }] });
    await (await fetch(`${rejected.url}/x`)).text();
    expect(rejected.upstream).toMatchObject([{ failureClass: 'handshake-rejected' }]);

    await using gw = await startGateway({ ...options, certificates: [good()] });
    const answers = Array.from({ length: 3 }, () => fetch(`${gw.url}/x`).then(async (r) => ({ status: r.status, body: JSON.parse(await r.text()) })));
    while (target.requests.length < 3) await new Promise((r) => setTimeout(r, 10)); // every request is in flight at the target
    await alb.close();
    for (const { status, body } of await Promise.all(answers)) {
      expect(status).toBe(522);
      expect(body.detail).toMatch(/^The origin closed the connection while the request was in flight, before any HTTP response\. It had accepted the TLS handshake and the client certificate/);
    }
    expect(gw.upstream.map((r) => r.failureClass)).toEqual(['connection-lost', 'connection-lost', 'connection-lost']);
  });
});
