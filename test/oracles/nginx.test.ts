import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki, type ClientVariantId, type Pki } from '../../certs/index.ts';
import { startNginx, type NginxHandle } from '../helpers/nginx.ts';
import { requestOverSocket } from '../helpers/unix-tls-request.ts';
import { albOnlyRuleOfVariant } from '../helpers/alb-only-rules.ts';

/**
 * nginx, the terminator most people reach for to fake an mTLS ALB, as a second oracle. It agrees
 * with ALB on *which* certificates to refuse, but refuses differently: the handshake completes and
 * nginx answers HTTP 400 "The SSL certificate error", where ALB closes the connection during the
 * handshake (which the gateway reports as 522). That difference is why a local nginx misleads.
 */

describe('nginx ssl_verify_client oracle (real nginx, unix socket)', () => {
  let pki: Pki;
  let nginx: NginxHandle;
  beforeAll(async () => {
    pki = await createPki();
    nginx = await startNginx({
      serverChainPem: pki.server.chainPem, serverKeyPem: pki.server.keyPem, caPem: pki.root.certPem,
      crlPem: pki.crls.root.pem + pki.crls.intermediate.pem,
    });
  });
  afterAll(async () => {
    await nginx?.[Symbol.asyncDispose]();
  });

  const ids: ClientVariantId[] = [
    'good', 'escaped-subject', 'high-bit-serial', 'expired', 'not-yet-valid', 'untrusted-root', 'self-signed', 'leaf-only',
    'server-auth-only', 'revoked', 'chain-too-deep', 'unsupported-key', 'sha1-signature', 'x509-v1', 'root-appended', 'expired-intermediate',
  ];
  for (const id of ids) {
    it(`${id}: nginx ${albOnlyRuleOfVariant(id) ? 'differs from ALB as documented' : 'refuses exactly what ALB refuses'}, but with HTTP 400, not a closed handshake`, async () => {
      const c = pki.clients[id];
      const ciphers = id === 'sha1-signature' ? 'DEFAULT:@SECLEVEL=0' : undefined; // Node refuses to load SHA-1 certificates otherwise
      const r = await requestOverSocket(nginx.socketPath, { certPem: c.chainPem, keyPem: c.keyPem, caPem: pki.root.certPem, ciphers });
      const albAccepts = c.expectedVerdict === 'Success';
      const nginxAccepts = albOnlyRuleOfVariant(id) ? !albAccepts : albAccepts;
      if (nginxAccepts) {
        expect(r.detail).toBe('HTTP/1.1 200 OK');
      } else {
        expect(r.detail).toBe('HTTP/1.1 400 Bad Request');
        expect(r.body).toContain('The SSL certificate error');
      }
    });
  }

  it('no client certificate: 400 "No required SSL certificate was sent" (ALB: handshake failure)', async () => {
    const r = await requestOverSocket(nginx.socketPath, { caPem: pki.root.certPem });
    expect(r.detail).toBe('HTTP/1.1 400 Bad Request');
    expect(r.body).toContain('No required SSL certificate was sent');
  });
});
