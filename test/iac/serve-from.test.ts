import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPki } from '../../certs/index.ts';
import type { Pki } from '../../certs/pki/types.ts';
import { main } from '../../harness/cli/main.ts';
import { captureIo } from '../cli/capture-io.ts';
import { fixtureWorkspace, type Workspace } from './workspace.ts';

let pki: Pki;
let pkiDir: string;
let w: Workspace;
beforeAll(async () => {
  pki = await createPki();
  pkiDir = await mkdtemp(join(tmpdir(), 'alb-mtls-serve-from-'));
  await pki.writeTo(pkiDir, { force: true });
  w = await fixtureWorkspace(pki);
});
afterAll(async () => {
  await rm(pkiDir, { recursive: true, force: true });
  await w[Symbol.asyncDispose]();
});

/** One request with a client certificate of the PKI, trusting its root (the ALB's certificate comes from it). */
function get(url: string, variant: 'good' | 'revoked', headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const client = pki.clients[variant];
  return new Promise((resolve, reject) => {
    const req = request(`${url}/hello`, { ca: pki.root.certPem, cert: client.chainPem, key: client.keyPem, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('alb-mtls serve --from', () => {
  test('prints what it imported before the URL, then enforces it for a real TLS client', async () => {
    const io = captureIo();
    const exit = main(['serve', '--from', join(w.dir, 'cloudformation/template.yaml'), '--s3-root', w.s3Root, '--pki', pkiDir], io);
    const url = await io.nextLine(/^https:\/\/127\.0\.0\.1:\d+$/);
    const summary = io.stdout.slice(0, io.stdout.indexOf(url));
    expect(summary).toEqual([
      `Imported from ${join(w.dir, 'cloudformation/template.yaml')} (cloudformation):`,
      '  listener HttpsListener: HTTPS port 443, security policy ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
      '  mutual TLS mode verify, ignore client certificate expiry false, advertise trust store CA names on',
      `  trust store partner-ca from ${join(w.s3Root, 'partner-mtls-ca/ca/bundle.pem')}: 1 CA certificate(s)`,
      `    CA ${pki.root.facts.subject}`,
      expect.stringMatching(new RegExp(`^  revocation ${join(w.s3Root, 'partner-mtls-ca/crl/intermediate.crl.pem')}: CRL of ${pki.intermediate.facts.subject}, \\d+ revoked serial\\(s\\)$`)),
      '  attributes:',
      '    idle_timeout.timeout_seconds=120',
      '    routing.http2.enabled=false',
      '    routing.http.drop_invalid_header_fields.enabled=true',
      '    routing.http.request.x_amzn_mtls_clientcert_subject.header_name=X-Client-Subject',
      '  note: routing.http2.enabled=false: the listener offers HTTP/1.1 only (ALPN http/1.1, no h2)',
      '  note: ignored 1 resource(s) the ALB emulator does not model: CaBucket (AWS::S3::Bucket)',
      '  note: listener HttpListener (HTTP port 80) is not emulated: only HTTPS listeners are (a plain HTTP listener carries no client certificate)',
      '  server certificate: the generated ALB certificate (an ACM certificate cannot be exported)',
    ]);

    const good = await get(url, 'good', { X_Amzn_Mtls_Clientcert_Subject: 'CN=admin' });
    expect(good.status).toBe(200);
    const seen = JSON.parse(good.body).headers as Record<string, string>;
    expect(seen['x-client-subject']).toBe(pki.clients.good.facts.subject);
    expect(seen['x-amzn-mtls-clientcert-subject']).toBeUndefined();
    expect(seen['x_amzn_mtls_clientcert_subject']).toBeUndefined();

    const revoked = await get(url, 'revoked').then(
      () => 'answered',
      (err: NodeJS.ErrnoException) => err.code,
    );
    expect(revoked).toBe('ECONNRESET');
    expect(await io.nextLine(/^connection-log .* Failed:ClientCertCrlHit TID_/)).toBeTruthy();
    io.interrupt();
    expect(await exit).toBe(0);
  });

  test('user errors exit 2 naming the flag or the file', async () => {
    const run = async (argv: string[]) => {
      const io = captureIo();
      return [await main(['serve', ...argv], io), io.stderr[0]] as const;
    };
    expect(await run(['--from', join(w.dir, 'cloudformation/template.yaml'), '--mode', 'passthrough'])).toEqual([
      2,
      'alb-mtls serve: --mode cannot be combined with --from: the imported listener sets it. Remove --mode, or change the file.',
    ]);
    expect(await run(['--s3-root', w.s3Root])).toEqual([2, 'alb-mtls serve: --s3-root applies to --from only. Add --from FILE, or remove it.']);
    const template = join(w.dir, 'cloudformation/template.yaml');
    const passthrough = join(w.dir, 'passthrough.yaml');
    await writeFile(passthrough, 'Resources:\n  L:\n    Type: AWS::ElasticLoadBalancingV2::Listener\n    Properties: { Protocol: HTTPS, Port: 443, MutualAuthentication: { Mode: passthrough } }\n');
    expect(await run(['--from', passthrough, '--listener-port', '443=8443'])).toEqual([
      2,
      `alb-mtls serve: --listener-port maps the ports of several listeners; ${passthrough} has one (L). Use --port N instead.`,
    ]);
    expect(await run(['--from', passthrough, '--trust-store', w.bundlePath])).toEqual([
      2,
      `alb-mtls serve: --trust-store applies to a verify listener; L in ${passthrough} is passthrough (AWS rejects a trust store there). Remove --trust-store.`,
    ]);
    expect(await run(['--from', template])).toEqual([
      2,
      `alb-mtls serve: ${template} line 40 (at /Resources/TrustStore/Properties): S3 object s3://partner-mtls-ca/ca/bundle.pem (bucket partner-mtls-ca, key ca/bundle.pem) has no local copy. Pass --s3 s3://partner-mtls-ca/ca/bundle.pem=PATH, or --s3-root DIR with the object at DIR/partner-mtls-ca/ca/bundle.pem`,
    ]);
  });
});

describe('alb-mtls serve --from a load balancer with several HTTPS listeners', () => {
  const twoListeners = (dir: string) => `Resources:
  Store:
    Type: AWS::ElasticLoadBalancingV2::TrustStore
    Properties: { Name: partner-ca, CaCertificatesBundleS3Bucket: partner-mtls-ca, CaCertificatesBundleS3Key: ca/bundle.pem }
  Revocation:
    Type: AWS::ElasticLoadBalancingV2::TrustStoreRevocation
    Properties:
      TrustStoreArn: !GetAtt Store.TrustStoreArn
      RevocationContents: [{ S3Bucket: partner-mtls-ca, S3Key: crl/intermediate.crl.pem }]
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
  Partners:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties: { LoadBalancerArn: !Ref Alb, Protocol: HTTPS, Port: 443, MutualAuthentication: { Mode: verify, TrustStoreArn: !Ref Store } }
  Legacy:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties: { LoadBalancerArn: !Ref Alb, Protocol: HTTPS, Port: 8443, MutualAuthentication: { Mode: passthrough } }
# ${dir}
`;

  test('starts every listener, prints each URL, mode and trust store and its commands, and each enforces its own mode', async () => {
    const path = join(w.dir, 'two-listeners.yaml');
    await writeFile(path, twoListeners(w.dir));
    const io = captureIo();
    const exit = main(['serve', '--from', path, '--s3-root', w.s3Root, '--pki', pkiDir], io);
    await io.nextLine(/^Forwarding to /);
    const urls = io.stdout.filter((l) => /^https:\/\/127\.0\.0\.1:\d+ listener /.test(l));
    expect(urls).toEqual([
      expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+ listener Partners \(port 443 in the configuration\): mode verify, trust store partner-ca$/),
      expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+ listener Legacy \(port 8443 in the configuration\): mode passthrough$/),
    ]);
    const [verifyUrl, passthroughUrl] = urls.map((l) => l.split(' ')[0]!);
    expect(verifyUrl).not.toBe(passthroughUrl);
    expect(io.stdout).toContain(`Listener Partners at ${verifyUrl} (mode verify):`);
    expect(io.stdout).toContain(`Listener Legacy at ${passthroughUrl} (mode passthrough):`);
    expect(io.stdout.filter((l) => / \((good|expired|untrusted-root)\): expect /.test(l))).toEqual([
      'Good client certificate (good): expect "HTTP/2 200" from curl, "HTTP/1.1 200" from openssl; the connection log shows Success',
      'Expired client certificate (expired): expect no HTTP response (the ALB closes the connection); the connection log shows Failed:ClientCertExpired',
      'Good client certificate (good): expect "HTTP/2 200" from curl, "HTTP/1.1 200" from openssl; forwarded unverified',
      'Untrusted client certificate (untrusted-root): expect "HTTP/2 200" from curl, "HTTP/1.1 200" from openssl; forwarded unverified',
    ]);
    expect(io.stdout.filter((l) => l.startsWith('  curl ') && l.endsWith(` ${verifyUrl}/hello`))).toHaveLength(2);
    expect(io.stdout.filter((l) => l.startsWith('  curl ') && l.endsWith(` ${passthroughUrl}/hello`))).toHaveLength(2);

    expect((await get(verifyUrl!, 'good')).status).toBe(200);
    const revoked = await get(verifyUrl!, 'revoked').then(
      () => 'answered',
      (err: NodeJS.ErrnoException) => err.code,
    );
    expect(revoked).toBe('ECONNRESET');
    expect(await io.nextLine(/^connection-log .* Failed:ClientCertCrlHit TID_/)).toBeTruthy();
    const forwarded = await get(passthroughUrl!, 'revoked');
    expect(forwarded.status).toBe(200);
    expect(JSON.parse(forwarded.body).headers['x-amzn-mtls-clientcert']).toBeDefined();
    io.interrupt();
    expect(await exit).toBe(0);
  });

  test('--listener-port maps a configured port; bad mappings and --ui are user errors', async () => {
    const path = join(w.dir, 'two-listeners-ports.yaml');
    await writeFile(path, twoListeners(w.dir));
    const run = async (argv: string[]) => {
      const io = captureIo();
      return [await main(['serve', '--from', path, '--s3-root', w.s3Root, '--pki', pkiDir, ...argv], io), io.stderr[0]] as const;
    };
    expect(await run(['--listener-port', '8443'])).toEqual([2, 'alb-mtls serve: --listener-port "8443" is not PORT=LOCALPORT. Use e.g. --listener-port 443=8443.']);
    expect(await run(['--listener-port', '9443=0'])).toEqual([2, 'alb-mtls serve: --listener-port 9443=0: no imported listener has port 9443 (their ports: 443, 8443).']);
    expect(await run(['--ui'])).toEqual([2, `alb-mtls serve: --ui follows one listener; ${path} has 2. Remove --ui, or serve one with --listener ID.`]);
  });
});
