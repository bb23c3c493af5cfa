import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki, type ClientVariantId, type Pki } from '../../certs/index.ts';
import { startHaproxy, type HaproxyHandle } from '../helpers/haproxy.ts';
import { requestOverSocket } from '../helpers/unix-tls-request.ts';
import { albOnlyRuleOfVariant } from '../helpers/alb-only-rules.ts';

/**
 * A differential oracle: HAProxy's `verify required` (OpenSSL underneath, Debian's defaults) against
 * the verdicts our PKI labels each variant with. Where the two disagree, it is an ALB rule that
 * OpenSSL does not have, and the ALB-only rules table says which.
 */

describe('HAProxy verify-required oracle (real haproxy, unix socket)', () => {
  let pki: Pki;
  let haproxy: HaproxyHandle;
  beforeAll(async () => {
    pki = await createPki();
    haproxy = await startHaproxy({
      serverChainPem: pki.server.chainPem, serverKeyPem: pki.server.keyPem, caPem: pki.root.certPem,
      crlPem: pki.crls.root.pem + pki.crls.intermediate.pem,
    });
  });
  afterAll(async () => {
    await haproxy?.[Symbol.asyncDispose]();
  });

  const ids = Object.keys({
    good: 1, 'good-alt': 1, 'escaped-subject': 1, 'high-bit-serial': 1, expired: 1, 'not-yet-valid': 1, 'untrusted-root': 1,
    'self-signed': 1, 'leaf-only': 1, 'server-auth-only': 1, revoked: 1, 'chain-too-deep': 1, 'unsupported-key': 1,
    'sha1-signature': 1, 'x509-v1': 1, 'root-appended': 1, 'expired-intermediate': 1,
  } satisfies Partial<Record<ClientVariantId, 1>>) as ClientVariantId[];

  for (const id of ids) {
    for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
      it(`${id} (${maxVersion}): HAProxy ${albOnlyRuleOfVariant(id) ? 'differs from ALB as documented' : 'agrees with the ALB verdict'}`, async () => {
        const c = pki.clients[id];
        // Node refuses to even load a SHA-1 certificate at its default security level; lower it for this client only.
        const ciphers = id === 'sha1-signature' ? 'DEFAULT:@SECLEVEL=0' : undefined;
        const r = await requestOverSocket(haproxy.socketPath, { certPem: c.chainPem, keyPem: c.keyPem, caPem: pki.root.certPem, maxVersion, ciphers });
        const albAccepts = c.expectedVerdict === 'Success';
        if (albOnlyRuleOfVariant(id)) expect(r.accepted, r.detail).toBe(!albAccepts);
        else expect(r.accepted, `${r.detail} (ALB: ${c.expectedVerdict})`).toBe(albAccepts);
      });
    }
  }
});
