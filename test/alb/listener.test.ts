import tls from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../certs/pki/types.ts';
import { albErrorBody, startAlb } from '../../harness/alb/index.ts';
import type { AlbOptions } from '../../harness/alb/types.ts';
import { albRequest, type AlbRequestError } from './echo-target.ts';
import { buildPki, clientContext, serverCertificate, verifyMode } from './fixture.ts';
import { startTarget, type EchoBody } from '../../harness/targets/index.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await buildPki();
});

const echo = (body: string) => JSON.parse(body) as EchoBody;
const mtlsHeaderNames = (e: EchoBody) => Object.keys(e.headers).filter((h) => h.startsWith('x-amzn-mtls-'));
const refused = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected the ALB to close the connection');
    },
    (e: AlbRequestError) => e,
  ) as Promise<AlbRequestError>;

describe('mode off', () => {
  it('asks for no certificate, forwards no mTLS headers, logs "-" leaf fields and Success', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [target.url] });
    const res = await albRequest(alb.port, { secureContext: clientContext(pki, 'good') });
    expect(res.status).toBe(200);
    expect(mtlsHeaderNames(echo(res.body))).toEqual([]);
    const entry = await alb.connectionLog.waitFor((e) => e.clientPort === res.localPort);
    expect([entry.leafClientCertSubject, entry.leafClientCertValidity, entry.leafClientCertSerialNumber]).toEqual(['-', '-', '-']);
    expect(entry.tlsVerifyStatus).toBe('Success');
    expect(entry.tlsHandshakeLatency).toMatch(/^\d+\.\d{3}$/);
  });
});

describe('mode passthrough', () => {
  const options = (targets: string[]): AlbOptions => ({
    certificate: serverCertificate(pki),
    mutualAuthentication: { mode: 'passthrough' },
    targets,
  });

  it('forwards any certificate unverified as X-Amzn-Mtls-Clientcert, whole presented chain leaf first', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb(options([target.url]));
    for (const variant of ['good', 'untrusted-root', 'expired'] as const) {
      const res = await albRequest(alb.port, { secureContext: clientContext(pki, variant) });
      expect(res.status).toBe(200);
      const e = echo(res.body);
      expect(mtlsHeaderNames(e)).toEqual(['x-amzn-mtls-clientcert']);
      const decoded = decodeURIComponent(e.headers['x-amzn-mtls-clientcert'] as string);
      expect(decoded).toBe(pki.clients[variant].chainPem);
      const entry = await alb.connectionLog.waitFor((c) => c.clientPort === res.localPort);
      expect(entry.tlsVerifyStatus).toBe('Success');
      expect(entry.leafClientCertSerialNumber).toBe(pki.clients[variant].facts.serialNumber);
    }
  });

  it('forwards a request without a certificate and adds no header', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb(options([target.url]));
    const res = await albRequest(alb.port, { secureContext: clientContext(pki) });
    expect(res.status).toBe(200);
    expect(mtlsHeaderNames(echo(res.body))).toEqual([]);
    const entry = await alb.connectionLog.waitFor((c) => c.clientPort === res.localPort);
    expect(entry.leafClientCertSubject).toBe('-');
  });
});

describe('mode verify', () => {
  it('a good certificate: 200 and exactly the five headers', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), mutualAuthentication: verifyMode(pki), targets: [target.url] });
    const res = await albRequest(alb.port, { secureContext: clientContext(pki, 'good') });
    expect(res.status).toBe(200);
    const e = echo(res.body);
    const facts = pki.clients.good.facts;
    expect(mtlsHeaderNames(e).sort()).toEqual([
      'x-amzn-mtls-clientcert-issuer',
      'x-amzn-mtls-clientcert-leaf',
      'x-amzn-mtls-clientcert-serial-number',
      'x-amzn-mtls-clientcert-subject',
      'x-amzn-mtls-clientcert-validity',
    ]);
    expect(e.headers['x-amzn-mtls-clientcert-serial-number']).toBe(facts.serialNumber);
    expect(e.headers['x-amzn-mtls-clientcert-subject']).toBe(facts.subject);
    expect(e.headers['x-amzn-mtls-clientcert-issuer']).toBe(facts.issuer);
    const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');
    expect(e.headers['x-amzn-mtls-clientcert-validity']).toBe(`NotBefore=${iso(facts.notBefore)};NotAfter=${iso(facts.notAfter)}`);
    expect(decodeURIComponent(e.headers['x-amzn-mtls-clientcert-leaf'] as string)).toBe(pki.clients.good.certPem);
  });

  it('no certificate: connection closed, Failed:UnmappedConnectionError by default, configurable', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), mutualAuthentication: verifyMode(pki), targets: [target.url] });
    for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
      const err = await refused(albRequest(alb.port, { secureContext: clientContext(pki, undefined, version) }));
      const entry = await alb.connectionLog.waitFor((c) => c.clientPort === err.localPort);
      expect(entry.tlsVerifyStatus).toBe('Failed:UnmappedConnectionError');
      expect([entry.tlsProtocol, entry.tlsHandshakeLatency, entry.leafClientCertSubject]).toEqual([version, '-', '-']);
    }

    await using alb2 = await startAlb({
      certificate: serverCertificate(pki),
      mutualAuthentication: verifyMode(pki),
      noCertificateStatus: 'Failed:ClientCertUntrusted',
      targets: [target.url],
    });
    const err2 = await refused(albRequest(alb2.port, { secureContext: clientContext(pki) }));
    expect((await alb2.connectionLog.waitFor((c) => c.clientPort === err2.localPort)).tlsVerifyStatus).toBe('Failed:ClientCertUntrusted');
    expect(target.requests).toHaveLength(0);
  });

  it('a Certificate message over 64 KB -> Failed:ClientCertMaxSizeExceeded, however many certificates it takes', async () => {
    await using alb = await startAlb({ certificate: serverCertificate(pki), mutualAuthentication: verifyMode(pki) });
    // The good chain plus copies of a small CA certificate: every certificate the client sends counts.
    const extra = pki.rogueRoot.x509.raw.length;
    const copies = Math.ceil(65_536 / extra) + 1;
    expect(copies).toBeGreaterThan(64);
    const context = tls.createSecureContext({
      cert: pki.clients.good.chainPem + pki.rogueRoot.certPem.repeat(copies),
      key: pki.clients.good.keyPem,
      ca: pki.root.certPem,
    });
    const err = await refused(albRequest(alb.port, { secureContext: context }));
    const entry = await alb.connectionLog.waitFor((c) => c.clientPort === err.localPort);
    expect(entry.tlsVerifyStatus).toBe('Failed:ClientCertMaxSizeExceeded');
    expect(entry.reason).toMatch(/^the client's certificate message is \d+ bytes, over ALB's TLS message size limit of 64 KB/);
  });

  it('ignoreClientCertificateExpiry forwards an expired certificate with its headers', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({
      certificate: serverCertificate(pki),
      mutualAuthentication: verifyMode(pki, { ignoreClientCertificateExpiry: true }),
      targets: [target.url],
    });
    const res = await albRequest(alb.port, { secureContext: clientContext(pki, 'expired') });
    expect(res.status).toBe(200);
    expect(echo(res.body).headers['x-amzn-mtls-clientcert-serial-number']).toBe(pki.clients.expired.facts.serialNumber);
  });

  it("verifyFailure 'http-403': the handshake completes, the ALB answers 403 itself, the target sees nothing", async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({
      certificate: serverCertificate(pki),
      mutualAuthentication: verifyMode(pki),
      verifyFailure: 'http-403',
      targets: [target.url],
    });
    const res = await albRequest(alb.port, { secureContext: clientContext(pki, 'untrusted-root') });
    expect(res.status).toBe(403);
    expect(res.headers.server).toBe('awselb/2.0');
    expect(res.body).toBe('<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 Forbidden</h1></center>\r\n</body>\r\n</html>\r\n');
    expect(res.body).toBe(albErrorBody(403));
    expect(target.requests).toHaveLength(0);
    const conn = await alb.connectionLog.waitFor((c) => c.clientPort === res.localPort);
    expect(conn.tlsVerifyStatus).toBe('Failed:ClientCertUntrusted');
    const access = await alb.accessLog.waitFor((a) => a.connTraceId === conn.connTraceId);
    expect(access.elbStatusCode).toBe(403);
  });

  it('keeps OpenSSL\'s own verdict beside ours', async () => {
    await using alb = await startAlb({ certificate: serverCertificate(pki), mutualAuthentication: verifyMode(pki) });
    const err = await refused(albRequest(alb.port, { secureContext: clientContext(pki, 'expired') }));
    const entry = await alb.connectionLog.waitFor((c) => c.clientPort === err.localPort);
    expect(entry.tlsVerifyStatus).toBe('Failed:ClientCertExpired');
    // OpenSSL (given no `ca` unless names are advertised) still reports the leaf's expiry first.
    expect(entry.opensslAuthorizationError).toBe('CERT_HAS_EXPIRED');
    expect(entry.reason).toContain('client-expired');
  });
});

describe('client-sent X-Amzn-Mtls-* headers', () => {
  it('are stripped by default and reach the target with stripClientMtlsHeaders: false', async () => {
    await using target = await startTarget({ kind: 'echo' });
    const forged = { 'X-Amzn-Mtls-Clientcert-Subject': 'CN=admin', 'X-Amzn-Mtls-Clientcert': 'forged' };
    await using alb = await startAlb({ certificate: serverCertificate(pki), mutualAuthentication: verifyMode(pki), targets: [target.url] });
    const res = await albRequest(alb.port, { secureContext: clientContext(pki, 'good'), headers: forged });
    const e = echo(res.body);
    expect(e.headers['x-amzn-mtls-clientcert-subject']).toBe(pki.clients.good.facts.subject);
    expect(e.headers['x-amzn-mtls-clientcert']).toBeUndefined();

    await using open = await startAlb({ certificate: serverCertificate(pki), stripClientMtlsHeaders: false, targets: [target.url] });
    const res2 = await albRequest(open.port, { secureContext: clientContext(pki), headers: forged });
    expect(echo(res2.body).headers['x-amzn-mtls-clientcert-subject']).toBe('CN=admin');
  });
});

describe('session resumption', () => {
  async function resumed(port: number, context: tls.SecureContext): Promise<boolean[]> {
    let session: Buffer | undefined;
    const out: boolean[] = [];
    for (let i = 0; i < 2; i++) {
      out.push(
        await new Promise<boolean>((resolve, reject) => {
          const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', secureContext: context, session });
          socket.on('session', (s: Buffer) => (session = s));
          socket.once('secureConnect', () => {
            const reused = socket.isSessionReused();
            // Let TLS 1.3 tickets arrive before closing.
            socket.end('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
            socket.on('data', () => {});
            socket.once('close', () => resolve(reused));
          });
          socket.on('error', reject);
        }),
      );
    }
    return out;
  }

  it.each(['TLSv1.2', 'TLSv1.3'] as const)('%s: never resumed with mTLS on; resumed with mTLS off', async (version) => {
    await using verifyAlb = await startAlb({ certificate: serverCertificate(pki), mutualAuthentication: verifyMode(pki) });
    expect(await resumed(verifyAlb.port, clientContext(pki, 'good', version))).toEqual([false, false]);
    await using passAlb = await startAlb({ certificate: serverCertificate(pki), mutualAuthentication: { mode: 'passthrough' } });
    expect(await resumed(passAlb.port, clientContext(pki, 'good', version))).toEqual([false, false]);
    await using offAlb = await startAlb({ certificate: serverCertificate(pki) });
    expect(await resumed(offAlb.port, clientContext(pki, undefined, version))).toEqual([false, true]);
  });
});

describe('security policies', () => {
  const versionOf = (port: number, options: tls.ConnectionOptions) =>
    new Promise<{ protocol: string | null; cipher: string } | { error: string }>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.root.certPem, ...options }, () => {
        resolve({ protocol: socket.getProtocol(), cipher: socket.getCipher().name });
        socket.destroy();
      });
      socket.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    });

  it('the default (TLS13-1-2-2021-06) speaks TLS 1.3 and 1.2 with ECDHE-ECDSA-AES128-GCM-SHA256 first', async () => {
    await using alb = await startAlb({ certificate: serverCertificate(pki) });
    expect(await versionOf(alb.port, {})).toEqual({ protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' });
    expect(await versionOf(alb.port, { maxVersion: 'TLSv1.2' })).toEqual({ protocol: 'TLSv1.2', cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256' });
    expect(await versionOf(alb.port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA256' })).toEqual({
      protocol: 'TLSv1.2',
      cipher: 'ECDHE-ECDSA-AES128-SHA256',
    });
  });

  it('Res-2021-06 refuses CBC suites; TLS13-1-3 refuses TLS 1.2; 2016-08 refuses TLS 1.3 and allows CBC-SHA1', async () => {
    await using res = await startAlb({ certificate: serverCertificate(pki), sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06' });
    expect(await versionOf(res.port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA256' })).toHaveProperty('error');
    await using only13 = await startAlb({ certificate: serverCertificate(pki), sslPolicy: 'ELBSecurityPolicy-TLS13-1-3-2021-06' });
    expect(await versionOf(only13.port, { maxVersion: 'TLSv1.2' })).toHaveProperty('error');
    const failedEntry = await only13.connectionLog.waitFor(() => true);
    expect(failedEntry.tlsVerifyStatus).toBe('Failed:UnmappedConnectionError');
    expect([failedEntry.tlsProtocol, failedEntry.tlsHandshakeLatency]).toEqual(['-', '-']);
    await using old = await startAlb({ certificate: serverCertificate(pki), sslPolicy: 'ELBSecurityPolicy-2016-08' });
    expect(await versionOf(old.port, { minVersion: 'TLSv1.3' })).toHaveProperty('error');
    expect(await versionOf(old.port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA' })).toEqual({
      protocol: 'TLSv1.2',
      cipher: 'ECDHE-ECDSA-AES128-SHA',
    });
  });
});

describe('bad input fails at start, naming the field', () => {
  const code = async (options: AlbOptions) =>
    startAlb(options).then(
      async (alb) => {
        await alb.close();
        return { code: 'started', message: '' };
      },
      (e: { code: string; message: string }) => ({ code: e.code, message: e.message }),
    );

  it('server key not matching its certificate', async () => {
    const r = await code({ certificate: { certPem: pki.server.chainPem, keyPem: pki.clients.good.keyPem } });
    expect(r.code).toBe('HARNESS_ERR_KEY_MISMATCH');
    expect(r.message).toMatch(/^startAlb: certificate\.keyPem does not match certificate\.certPem \(/);
  });

  it('unknown policy, verify without a trust store, unknown attribute, bad attribute value, bad target', async () => {
    const cert = serverCertificate(pki);
    const unknownPolicy = await code({ certificate: cert, sslPolicy: 'ELBSecurityPolicy-FS-2018' as never });
    expect(unknownPolicy).toMatchObject({ code: 'HARNESS_ERR_ALB_CONFIG' });
    expect(unknownPolicy.message).toContain("sslPolicy 'ELBSecurityPolicy-FS-2018'");
    expect(unknownPolicy.message).toContain('ELBSecurityPolicy-TLS13-1-2-2021-06');
    const noStore = await code({ certificate: cert, mutualAuthentication: { mode: 'verify' } });
    expect(noStore.code).toBe('HARNESS_ERR_ALB_CONFIG');
    expect(noStore.message).toContain('mutualAuthentication.trustStore is required');
    const attr = await code({ certificate: cert, attributes: { 'routing.http.xff_header_processing.mod': 'append' } });
    expect(attr.message).toContain("unknown key 'routing.http.xff_header_processing.mod'");
    const value = await code({ certificate: cert, attributes: { 'routing.http.xff_header_processing.mode': 'Append' } });
    expect(value.message).toContain("use 'append', 'preserve' or 'remove'");
    const target = await code({ certificate: cert, targets: ['127.0.0.1:8080'] });
    expect(target.message).toContain("targets[0] '127.0.0.1:8080'");
  });

  it('a malformed trust-store bundle (from the loader)', async () => {
    const r = await code({
      certificate: serverCertificate(pki),
      mutualAuthentication: { mode: 'verify', trustStore: { caCertificatesBundle: `${pki.root.certPem}\n${pki.intermediate.certPem}` } },
    });
    expect(r.code).toBe('HARNESS_ERR_TRUST_STORE');
  });
});
