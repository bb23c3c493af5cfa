import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as http from 'node:http';
import { describe, expect, it } from 'vitest';
import { createPki } from '../../certs/index.ts';
import { main } from '../../harness/cli/main.ts';
import { startAlb } from '../../harness/alb/index.ts';
import { startTarget } from '../../harness/targets/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { captureIo } from './capture-io.ts';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c) => (body += c)).on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject);
  });
}

/** Runs a long-running command and guarantees it is interrupted (and its servers closed) when the test ends. */
async function running(argv: string[], io: ReturnType<typeof captureIo>): Promise<AsyncDisposable & { exitCode: Promise<number> }> {
  const exitCode = main(argv, io);
  return { exitCode, [Symbol.asyncDispose]: async () => { io.interrupt(); await exitCode; } };
}

describe('alb-mtls gateway: a Zuplo project run locally with its mTLS bindings', () => {
  it('the seed walkthrough from the command line: certs, mtls-certificate create, gateway -> emulated ALB -> target', async () => {
    const pki = await createPki();
    await using dir = await tempDir();
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({
      certificate: { certPem: pki.server.chainPem, keyPem: pki.server.keyPem },
      mutualAuthentication: { mode: 'verify', trustStore: { caCertificatesBundle: pki.trustStoreBundle } },
      targets: [target.url],
    });

    // A Zuplo project, as the seed lays it out (step 3 and 4).
    const project = join(dir.path, 'project');
    await mkdir(join(project, 'config'), { recursive: true });
    await writeFile(join(project, 'config', 'routes.oas.json'), JSON.stringify({
      openapi: '3.1.0',
      paths: {
        '/api/hello': {
          get: {
            'x-zuplo-route': {
              handler: { export: 'urlForwardHandler', module: '$import(@zuplo/runtime)', options: { baseUrl: '${env.ALB_BACKEND_URL}', mtlsCertificate: '$env(ALB_MTLS_CERT)' } },
            },
          },
        },
      },
    }));
    await writeFile(join(project, '.env'), `ALB_BACKEND_URL=${alb.url}\nALB_MTLS_CERT=aws_alb_cert\n`);
    const cert = await dir.file('client-cert.pem', pki.clients.good.chainPem);
    const key = await dir.file('client-key.pem', pki.clients.good.keyPem);
    const ca = await dir.file('ca.pem', pki.root.certPem);
    expect(await main(['mtls-certificate', 'create', '--dir', join(project, '.zuplo-local/mtls'), '--cert', cert, '--key', key, '--name', 'aws_alb_cert', '--environment-type', 'production'], captureIo())).toBe(0);

    const io = captureIo();
    await using gateway = await running(['gateway', '--project', project, '--env-type', 'production', '--origin-ca', ca], io);
    const url = await io.nextLine(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The first line says what is emulated; the URL follows on a line of its own, for scripts.
    expect(io.stdout.slice(0, 2)).toEqual([
      'Emulating a deployed Zuplo production environment (managed-edge): certificates enabled for production are bound by name, and a ' +
        'connection that fails before any HTTP response answers 522.',
      url,
    ]);

    const res = await get(`${url}/api/hello`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).headers['x-amzn-mtls-clientcert-subject']).toBe('CN=zuplo-gateway,O=alb-mtls-harness');
    // One line per upstream attempt: route, URL, certificate sent, TLS version, failure class, status, milliseconds.
    expect(await io.nextLine(/^\[GET \/api\/hello\] /)).toMatch(
      new RegExp(`^\\[GET /api/hello\\] ${alb.url}/api/hello cert=aws_alb_cert tls=TLSv1\\.3 failure=- status=200 \\d+ms$`),
    );
    const entry = await alb.connectionLog.waitFor((e) => e.tlsVerifyStatus !== '-');
    expect(entry.tlsVerifyStatus).toBe('Success');

    io.interrupt();
    expect(await gateway.exitCode).toBe(0);
  });

  it('in the local environment type there are no bindings, exactly as zuplo dev: 500 "not found"', async () => {
    await using dir = await tempDir();
    const project = join(dir.path, 'p');
    await mkdir(join(project, 'config'), { recursive: true });
    await writeFile(join(project, 'config', 'routes.oas.json'), JSON.stringify({
      paths: { '/x': { get: { 'x-zuplo-route': { handler: { export: 'urlForwardHandler', module: '$import(@zuplo/runtime)', options: { baseUrl: 'https://127.0.0.1:9', mtlsCertificate: 'aws_alb_cert' } } } } } },
    }));
    const io = captureIo();
    await using gateway = await running(['gateway', '--project', project, '--env-type', 'local'], io);
    const url = await io.nextLine(/^http:\/\//);
    const res = await get(`${url}/x`);
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body).detail).toBe("mTLS certificate binding 'aws_alb_cert' not found. Ensure the certificate is uploaded and properly configured.");
    io.interrupt();
    expect(await gateway.exitCode).toBe(0);
  });

  it("--resolve: the seed's literal ALB hostname reaches the emulated ALB (SNI and the name check on the real name)", async () => {
    const pki = await createPki();
    await using dir = await tempDir();
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({
      certificate: { certPem: pki.server.chainPem, keyPem: pki.server.keyPem },
      mutualAuthentication: { mode: 'verify', trustStore: { caCertificatesBundle: pki.trustStoreBundle } },
      targets: [target.url],
    });
    const host = `my-alb-1234567890.us-east-1.elb.amazonaws.com:${alb.port}`;
    const project = join(dir.path, 'project');
    await mkdir(join(project, 'config'), { recursive: true });
    await writeFile(join(project, 'config', 'policies.json'), '{"policies": []}');
    await writeFile(join(project, 'config', 'routes.oas.json'), JSON.stringify({
      paths: { '/api/hello': { get: { 'x-zuplo-route': { handler: { export: 'urlForwardHandler', module: '$import(@zuplo/runtime)', options: { baseUrl: `https://${host}`, mtlsCertificate: 'aws_alb_cert' } } } } } },
    }));
    const cert = await dir.file('client-cert.pem', pki.clients.good.chainPem);
    const key = await dir.file('client-key.pem', pki.clients.good.keyPem);
    const ca = await dir.file('ca.pem', pki.root.certPem);
    expect(await main(['mtls-certificate', 'create', '--dir', join(project, '.zuplo-local/mtls'), '--cert', cert, '--key', key, '--name', 'aws_alb_cert', '--environment-type', 'preview'], captureIo())).toBe(0);
    const io = captureIo();
    await using gateway = await running(['gateway', '--project', project, '--env-type', 'preview', '--origin-ca', ca, '--resolve', `${host}:127.0.0.1`], io);
    const url = await io.nextLine(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await get(`${url}/api/hello`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).headers.host).toBe(host);
    expect(io.stderr).toEqual([]); // no warnings: the certificate is enabled for preview, policies.json exists
    io.interrupt();
    expect(await gateway.exitCode).toBe(0);
  });

  it('bad flags exit 2 naming the flag', async () => {
    for (const [argv, message] of [
      [['gateway'], /--project DIR is required/],
      [['gateway', '--project', '.', '--env-type', 'staging'], /--env-type "staging" is not valid/],
      [['gateway', '--project', '.', '--origin-ca', '/nonexistent/ca.pem'], /--origin-ca \/nonexistent\/ca\.pem: no such file/],
      [['gateway', '--project', '.', '--origin-ca', 'package.json'], /--origin-ca package\.json: no PEM certificate found/],
      [['gateway', '--project', '.', '--failure-mode', 'explode'], /--failure-mode "explode" is not valid\. Use one of: edge, runtime\./],
      [['gateway', '--project', '.', '--project-type', 'serverless'], /--project-type "serverless" is not valid\. Use one of: managed-edge, managed-dedicated\./],
      [['gateway', '--project', '.', '--resolve', 'alb.example:443'], /--resolve "alb\.example:443" is not HOST:PORT:ADDRESS/],
      [['gateway', '--project', '.', '--resolve', 'alb.example:443:my-host'], /--resolve: "my-host" \(for alb\.example:443\) is not an IP address/],
      [['gateway', '--project', '/nonexistent/project'], /--project \/nonexistent\/project: no such directory/],
    ] as const) {
      const io = captureIo();
      expect(await main([...argv], io)).toBe(2);
      expect(io.stderr.join('\n')).toMatch(message);
      expect(io.stderr.join('\n')).not.toMatch(/\n\s+at /); // no stack trace
    }
  });
});
