import { beforeAll, describe, expect, test } from 'vitest';
import { createPki } from '../../certs/index.ts';
import type { Pki } from '../../certs/pki/types.ts';
import { startGateway } from '../../harness/gateway/index.ts';
import type { MtlsCertificateInput } from '../../harness/gateway/types.ts';
import { forward, routesDoc, startHttpsUpstream, startupError, tempProject } from './gateway-helpers.ts';

// The seed's three configurations against a Node https origin that verifies client certificates
// (requestCert + rejectUnauthorized: true + the PKI root), as an ALB in verify mode would.

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

const cn = (subject: string) => /CN=([^,]+)/.exec(subject)?.[1];
const origin = () =>
  startHttpsUpstream({
    key: pki.server.keyPem,
    cert: pki.server.chainPem,
    ca: pki.root.certPem,
    requestCert: true,
    rejectUnauthorized: true,
  });
const cert = (name: string, id: 'good' | 'good-alt' | 'expired', environmentTypes: MtlsCertificateInput['environmentTypes']): MtlsCertificateInput => ({
  name,
  cert: pki.clients[id].chainPem,
  key: pki.clients[id].keyPem,
  environmentTypes,
});
const ALL: MtlsCertificateInput['environmentTypes'] = ['development', 'preview', 'production'];

describe('seed configuration 1: URL Forward Handler with mtlsCertificate', () => {
  test('presents the certificate, verifies the origin, 200 and the right subject upstream', async () => {
    await using alb = await origin();
    const warnings: string[] = [];
    await using gw = await startGateway({
      routes: routesDoc([{ path: '/api/{id}', handler: forward({ baseUrl: alb.url, mtlsCertificate: 'aws-alb-cert' }) }]),
      certificates: [cert('aws-alb-cert', 'good', ALL)],
      originCa: pki.root.certPem,
      onWarning: (m) => warnings.push(m),
    });
    const res = await fetch(`${gw.url}/api/42`);
    expect(res.status).toBe(200);
    expect(alb.seen[0]).toMatchObject({ url: '/api/42', clientCn: cn(pki.clients.good.facts.subject) });
    expect(gw.upstream).toMatchObject([{ mtlsCertificate: 'aws-alb-cert', presentedCertificate: true, status: 200 }]);
    // The seed's hyphenated name breaks the JS-identifier rule: lenient by default, with a warning.
    expect(warnings.some((w) => w.includes('aws-alb-cert'))).toBe(true);
  });

  test('no certificate (falsy mtlsCertificate from an unset $env) → the origin aborts the handshake → 522', async () => {
    await using alb = await origin();
    await using gw = await startGateway({
      routes: routesDoc([{ path: '/api/{id}', handler: forward({ baseUrl: alb.url, mtlsCertificate: '$env(UNSET_CERT)' }) }]),
      certificates: [cert('aws_alb_cert', 'good', ALL)],
      originCa: pki.root.certPem,
    });
    const res = await fetch(`${gw.url}/api/1`);
    expect(res.status).toBe(522);
    const body = JSON.parse(await res.text());
    // The detail names the cause the gateway knows: no certificate, and why.
    expect(body.detail).toMatch(
      /^The origin closed the TLS connection (during the TLS handshake|right after the TLS handshake \(TLSv1\.3\), before any HTTP response), and the gateway sent no client certificate: the route's mtlsCertificate is "\$env\(UNSET_CERT\)" and UNSET_CERT is not set\./,
    );
    expect(gw.upstream).toMatchObject([{ presentedCertificate: false, failureClass: 'handshake-rejected' }]);
    expect(alb.seen).toHaveLength(0);
  });

  test('an expired client certificate → 522 handshake-rejected', async () => {
    await using alb = await origin();
    await using gw = await startGateway({
      routes: routesDoc([{ path: '/x', handler: forward({ baseUrl: alb.url, mtlsCertificate: 'old_cert' }) }]),
      certificates: [cert('old_cert', 'expired', ALL)],
      originCa: pki.root.certPem,
    });
    const res = await fetch(`${gw.url}/x`);
    expect(res.status).toBe(522);
    // The detail names the certificate the gateway sent and its issuer.
    const { subject, issuer } = pki.clients.expired.facts;
    expect(JSON.parse(await res.text()).detail).toContain(`after the gateway sent certificate ${subject} (issuer ${issuer}): it did not accept it.`);
    expect(gw.upstream).toMatchObject([{ presentedCertificate: true, failureClass: 'handshake-rejected' }]);
  });
});

describe('seed configuration 2: a function handler calling fetch with zuplo.mtlsCertificate', () => {
  test('the seed module verbatim (URL substituted) → 200 with the certificate presented', async () => {
    await using alb = await origin();
    await using project = await tempProject({
      'config/routes.oas.json': JSON.stringify(routesDoc([{ path: '/fn', handler: { export: 'default', module: '$import(./modules/alb)' } }])),
      'modules/alb.ts': `import { ZuploContext, ZuploRequest } from "@zuplo/runtime";
export default async function (request: ZuploRequest, context: ZuploContext) {
  const response = await fetch(
    "${alb.url}/api",
    {
      zuplo: {
        mtlsCertificate: "aws-alb-cert",
      },
    } as RequestInit,
  );
  return response;
}
`,
    });
    await using gw = await startGateway({ projectDir: project.dir, certificates: [cert('aws-alb-cert', 'good', ALL)], originCa: pki.root.certPem });
    const res = await fetch(`${gw.url}/fn`);
    expect(res.status).toBe(200);
    expect(alb.seen[0]).toMatchObject({ url: '/api', clientCn: cn(pki.clients.good.facts.subject) });
  });
});

describe('seed configuration 3: $env(ALB_MTLS_CERT) + ${env.ALB_BACKEND_URL} across environments', () => {
  const certificates = () => [cert('preview_cert', 'good-alt', ['preview']), cert('production_cert', 'good', ['production'])];

  test('preview and production each present their own certificate', async () => {
    await using alb = await origin();
    const routes = routesDoc([
      { path: '/api/{path}', handler: forward({ baseUrl: '${env.ALB_BACKEND_URL}', mtlsCertificate: '$env(ALB_MTLS_CERT)' }) },
    ]);
    await using preview = await startGateway({
      routes, certificates: certificates(), originCa: pki.root.certPem, environmentType: 'preview',
      environment: { ALB_BACKEND_URL: alb.url, ALB_MTLS_CERT: 'preview_cert' },
    });
    await using production = await startGateway({
      routes, certificates: certificates(), originCa: pki.root.certPem, environmentType: 'production',
      environment: { ALB_BACKEND_URL: alb.url, ALB_MTLS_CERT: 'production_cert' },
    });
    expect((await fetch(`${preview.url}/api/p`)).status).toBe(200);
    expect((await fetch(`${production.url}/api/q`)).status).toBe(200);
    expect(alb.seen.map((s) => [s.url, s.clientCn])).toEqual([
      ['/api/p', cn(pki.clients['good-alt'].facts.subject)],
      ['/api/q', cn(pki.clients.good.facts.subject)],
    ]);
  });

  test('a certificate not enabled for the environment type is not bound: 500 "not found", even in edge mode', async () => {
    await using alb = await origin();
    await using production = await startGateway({
      routes: routesDoc([{ path: '/api/{path}', handler: forward({ baseUrl: '${env.ALB_BACKEND_URL}', mtlsCertificate: '$env(ALB_MTLS_CERT)' }) }]),
      certificates: certificates(), originCa: pki.root.certPem, environmentType: 'production',
      environment: { ALB_BACKEND_URL: alb.url, ALB_MTLS_CERT: 'preview_cert' },
    });
    const res = await fetch(`${production.url}/api/x`);
    expect(res.status).toBe(500);
    expect(JSON.parse(await res.text()).detail).toBe(
      "mTLS certificate binding 'preview_cert' not found. Ensure the certificate is uploaded and properly configured.",
    );
  });

  test('the function-handler form reads the same variables from environment', async () => {
    await using alb = await origin();
    await using project = await tempProject({
      'config/routes.oas.json': JSON.stringify(routesDoc([{ path: '/fn', handler: { export: 'default', module: '$import(./modules/env)' } }])),
      'modules/env.ts': `import { ZuploContext, ZuploRequest, environment } from "@zuplo/runtime";
export default async function (request: ZuploRequest, context: ZuploContext) {
  const response = await fetch(\`\${environment.ALB_BACKEND_URL}/api\`, {
    zuplo: {
      mtlsCertificate: environment.ALB_MTLS_CERT,
    },
  } as RequestInit);
  return response;
}
`,
      '.env': 'ALB_MTLS_CERT=production_cert\n',
    });
    await using gw = await startGateway({
      projectDir: project.dir, certificates: certificates(), originCa: pki.root.certPem, environmentType: 'production',
      environment: { ALB_BACKEND_URL: alb.url },
    });
    expect((await fetch(`${gw.url}/fn`)).status).toBe(200);
    expect(alb.seen[0]!.clientCn).toBe(cn(pki.clients.good.facts.subject));
  });
});

test('certificates from a store directory (<dir>/<name>/tls.crt + tls.key) are bound', async () => {
  await using alb = await origin();
  await using store = await tempProject({
    'dir_cert/tls.crt': pki.clients.good.chainPem,
    'dir_cert/tls.key': pki.clients.good.keyPem,
  });
  await using gw = await startGateway({
    routes: routesDoc([{ path: '/d', handler: forward({ baseUrl: alb.url, mtlsCertificate: 'dir_cert' }) }]),
    certificates: store.dir,
    originCa: pki.root.certPem,
    environmentType: 'production',
  });
  expect((await fetch(`${gw.url}/d`)).status).toBe(200);
  expect(alb.seen[0]!.clientCn).toBe(cn(pki.clients.good.facts.subject));
});

test('local: a store directory is not bound (500 "not found"), and the gateway warns instead of dropping it silently', async () => {
  await using alb = await origin();
  await using store = await tempProject({
    'dir_cert/tls.crt': pki.clients.good.chainPem,
    'dir_cert/tls.key': pki.clients.good.keyPem,
  });
  await using gw = await startGateway({
    routes: routesDoc([{ path: '/d', handler: forward({ baseUrl: alb.url, mtlsCertificate: 'dir_cert' }) }]),
    certificates: store.dir,
    originCa: pki.root.certPem,
    environmentType: 'local',
  });
  const res = await fetch(`${gw.url}/d`);
  expect(res.status).toBe(500);
  expect(JSON.parse(await res.text()).detail).toBe(
    "mTLS certificate binding 'dir_cert' not found. Ensure the certificate is uploaded and properly configured.",
  );
  expect(gw.warnings).toEqual([
    "environmentType 'local' on a managed-edge project: mTLS certificate bindings do not exist in zuplo dev, so 'dir_cert' is not bound " +
      'and a route naming one answers 500 "not found". To present <dir>/<name>/tls.crt and tls.key as zuplo dev --mtls-certs does, use a ' +
      'managed-dedicated project (projectType in zuplo.jsonc); to bind them by environment type, use a deployed environment type.',
    'zuplo dev on a managed-edge project (workerd) trusts only the public web CAs, so the origin CA given has no effect: an origin whose ' +
      'certificate comes from a private CA (an ALB with a private server certificate) answers 500 "internal error" whatever you configure. ' +
      'Test in a deployed environment (--env-type development, preview or production), or use a managed-dedicated project (projectType in ' +
      'zuplo.jsonc) with zuplo dev --mtls-certs.',
    "routes (in memory): route GET /d: names mTLS certificate 'dir_cert', but zuplo dev on a managed-edge project has no certificate " +
      'bindings, so it answers 500 "not found".',
  ]);
  expect(alb.seen).toHaveLength(0);
});

describe('certificate names at the gateway (the seed uses aws-alb-cert)', () => {
  const seedCert = () => cert('aws-alb-cert', 'good', ALL);
  const routes = () => routesDoc([{ path: '/x', handler: forward({ baseUrl: 'https://127.0.0.1:9', mtlsCertificate: 'aws-alb-cert' }) }]);
  const violation =
    "mTLS certificate name 'aws-alb-cert': Name must be a valid JavaScript variable name (start with a letter, _, or $, and " +
    "contain only letters, digits, _, or $). Zuplo's docs require JavaScript variable naming because the name is the binding " +
    "key your routes and code pass as mtlsCertificate. Use 'aws_alb_cert' instead.";

  test('default: the gateway starts, with the CLI message and the aws_alb_cert suggestion as its warning', async () => {
    await using gw = await startGateway({ routes: routes(), certificates: [seedCert()] });
    expect(gw.warnings).toEqual([violation]);
  });

  test('strictNames: start-up fails with the same text', async () => {
    const err = await startupError({ routes: routes(), certificates: [seedCert()], strictNames: true });
    expect(err.code).toBe('HARNESS_ERR_CERT_STORE');
    expect(err.message).toBe(`${violation} (strictNames is on).`);
  });
});
