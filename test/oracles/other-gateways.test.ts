import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPki, type ClientVariantId, type Pki } from '../../certs/index.ts';
import { startAlb } from '../../harness/alb/index.ts';
import type { AlbHandle, ConnectionLogEntry } from '../../harness/alb/types.ts';
import { startTarget, type TargetHandle } from '../../harness/targets/index.ts';
import { startSocketDaemon, type SocketDaemon } from '../helpers/socket-daemon.ts';
import { runNginx } from '../helpers/nginx.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * The emulator serves any mTLS client, not only our gateway: real nginx (proxy_ssl_*) and real
 * HAProxy (server ... ssl crt ... verify required) sit in front of the ALB in verify mode, each
 * presenting one of the PKI's client certificates. The ALB's verdict (connection log) is the one
 * our gateway gets for the same certificate (`expectedVerdict`), and each tool answers its own
 * client as it does in front of a real ALB: nginx 502, HAProxy 503 (502 under TLS 1.3). Both listen on a unix socket
 * (neither can bind port 0); the ALB and the target listen on 127.0.0.1, port 0.
 */

type GatewayKind = 'nginx' | 'haproxy';
type Tls = '1.2' | '1.3';

/** nginx as an mTLS client: the README's "Using another gateway" configuration, in a temp dir. */
async function startNginxGateway(o: { albPort: number; albName: string; certPem: string; keyPem: string; caPem: string; tls: Tls }): Promise<SocketDaemon> {
  const dir = await tempDir('alb-mtls-nginx-gw-');
  const cert = await dir.file('client.pem', o.certPem);
  const key = await dir.file('client.key', o.keyPem);
  const ca = await dir.file('alb-ca.pem', o.caPem);
  const socketPath = join(dir.path, 'nginx.sock');
  return runNginx(dir, socketPath, `
  server {
    listen unix:${socketPath};
    location / {
      proxy_pass https://127.0.0.1:${o.albPort};
      proxy_ssl_certificate ${cert};
      proxy_ssl_certificate_key ${key};
      proxy_ssl_trusted_certificate ${ca};
      proxy_ssl_verify on;
      proxy_ssl_verify_depth 2;
      proxy_ssl_name ${o.albName};
      proxy_ssl_server_name on;
      proxy_ssl_protocols TLSv${o.tls};
      proxy_set_header Host ${o.albName};
    }
  }`);
}

/** HAProxy as an mTLS client: the README's configuration, in a temp dir. */
async function startHaproxyGateway(o: { albPort: number; albName: string; certPem: string; keyPem: string; caPem: string; tls: Tls }): Promise<SocketDaemon> {
  const dir = await tempDir('alb-mtls-haproxy-gw-');
  const crt = await dir.file('client.pem', o.certPem + o.keyPem);
  const ca = await dir.file('alb-ca.pem', o.caPem);
  const socketPath = join(dir.path, 'fe.sock');
  const version = `TLSv${o.tls}`;
  const cfg = await dir.file('haproxy.cfg', [
    'global', '  log stdout format raw local0 info',
    'defaults', '  mode http', '  timeout connect 2s', '  timeout client 5s', '  timeout server 5s', '  retries 0', '  log global',
    'frontend fe', `  bind unix@${socketPath}`, '  default_backend alb',
    'backend alb',
    `  server alb 127.0.0.1:${o.albPort} ssl crt ${crt} ca-file ${ca} verify required sni str(${o.albName}) verifyhost ${o.albName} ssl-min-ver ${version} ssl-max-ver ${version}`,
    '',
  ].join('\n'));
  return startSocketDaemon({ command: 'haproxy', args: ['-f', cfg, '-db'], socketPath, stopSignal: 'SIGTERM', cleanup: () => dir[Symbol.asyncDispose]() });
}

/** One plain HTTP GET over the gateway's unix socket. */
function getOverSocket(socketPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: '/api/orders', headers: { host: 'gateway.local' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

const judged = (e: ConnectionLogEntry) => e.tlsProtocol !== '-' && e.tlsVerifyStatus !== '-';

describe('other gateways in front of the emulated ALB (real nginx and HAProxy as mTLS clients)', () => {
  let pki: Pki;
  let target: TargetHandle;
  beforeAll(async () => {
    pki = await createPki();
    target = await startTarget({ kind: 'echo' });
  });
  afterAll(async () => {
    await target?.close();
  });

  const start: Record<GatewayKind, typeof startNginxGateway> = { nginx: startNginxGateway, haproxy: startHaproxyGateway };
  /**
   * What each tool answers its own client when the ALB drops the handshake. HAProxy: 503 under TLS
   * 1.2 (the connection never came up); under TLS 1.3 the client's handshake is complete before the
   * server judges the certificate, so HAProxy counts the connection as made and reports the close as 502.
   */
  const refusedStatus: Record<GatewayKind, Record<Tls, number>> = { nginx: { '1.2': 502, '1.3': 502 }, haproxy: { '1.2': 503, '1.3': 502 } };
  const variants: ClientVariantId[] = ['good', 'expired', 'untrusted-root', 'revoked', 'leaf-only', 'server-auth-only'];

  for (const kind of ['nginx', 'haproxy'] as const) {
    for (const tls of ['1.2', '1.3'] as const) {
      for (const id of variants) {
        test(`${kind}, TLS ${tls}, ${id}: the ALB's verdict is our gateway's, and ${kind} answers as it does`, async () => {
          const client = pki.clients[id];
          await using alb: AlbHandle = await startAlb({
            certificate: { certPem: pki.server.chainPem, keyPem: pki.server.keyPem },
            mutualAuthentication: {
              mode: 'verify',
              trustStore: { caCertificatesBundle: pki.trustStoreBundle, revocations: [pki.crls.root.pem, pki.crls.intermediate.pem] },
            },
            targets: [target.url],
          });
          const albPort = Number(new URL(alb.url).port);
          await using gateway = await start[kind]({ albPort, albName: alb.hostname, certPem: client.chainPem, keyPem: client.keyPem, caPem: pki.root.certPem, tls });
          const answer = await getOverSocket(gateway.socketPath);
          const entry = await alb.connectionLog.waitFor(judged, 5_000);

          expect(entry.tlsVerifyStatus).toBe(client.expectedVerdict);
          expect(entry.tlsProtocol).toBe(`TLSv${tls}`);
          if (client.expectedVerdict === 'Success') {
            expect(answer.status).toBe(200);
            expect(JSON.parse(answer.body).headers['x-amzn-mtls-clientcert-subject']).toBe(client.facts.subject);
            expect(alb.accessLog.entries).toHaveLength(1);
          } else {
            expect(answer.status).toBe(refusedStatus[kind][tls]);
            expect(alb.accessLog.entries).toHaveLength(0);
            if (kind === 'nginx' && tls === '1.2') expect(gateway.log()).toContain('peer closed connection in SSL handshake');
          }
        });
      }
    }
  }
});
