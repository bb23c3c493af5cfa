import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientVariantId, Pki } from '../../certs/pki/types.ts';
import { startAlb } from '../../harness/alb/index.ts';
import { albRequest, type AlbRequestError } from './echo-target.ts';
import { buildPki, clientContext, serverCertificate, verifyMode } from './fixture.ts';
import { startTarget } from '../../harness/targets/index.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await buildPki();
});

// Every variant a TLS client can load (key-mismatch never reaches the ALB: expectedVerdict null).
const VARIANTS: ClientVariantId[] = [
  'good',
  'good-alt',
  'escaped-subject',
  'high-bit-serial',
  'expired',
  'not-yet-valid',
  'untrusted-root',
  'self-signed',
  'leaf-only',
  'server-auth-only',
  'revoked',
  'chain-too-deep',
  'unsupported-key',
  'sha1-signature',
  'x509-v1',
  'root-appended',
  'expired-intermediate',
];

describe.each(['TLSv1.2', 'TLSv1.3'] as const)('verify mode, every PKI client variant, %s', (version) => {
  it.each(VARIANTS)('%s: the expected verdict is logged; failures never see an HTTP response', async (variant) => {
    const client = pki.clients[variant];
    expect(client.expectedVerdict).not.toBeNull();
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), mutualAuthentication: verifyMode(pki), targets: [target.url] });
    const request = albRequest(alb.port, { secureContext: clientContext(pki, variant, version) });

    if (client.expectedVerdict === 'Success') {
      const res = await request;
      expect(res.status).toBe(200);
      const entry = await alb.connectionLog.waitFor((e) => e.clientPort === res.localPort);
      expect(entry.tlsVerifyStatus).toBe('Success');
      expect(entry.tlsProtocol).toBe(version);
      expect(entry.leafClientCertSerialNumber).toBe(client.facts.serialNumber);
      return;
    }
    const err = (await request.then(
      (res) => {
        throw new Error(`expected the ALB to close the connection, got HTTP ${res.status}`);
      },
      (e: AlbRequestError) => e,
    )) as AlbRequestError;
    // A closed connection / TLS error, never an HTTP answer.
    expect(err.code).toMatch(/^(ECONNRESET|EPIPE|ERR_SSL_.*)$/);
    const entry = await alb.connectionLog.waitFor((e) => e.clientPort === err.localPort);
    expect(entry.tlsVerifyStatus).toBe(client.expectedVerdict);
    expect(entry.tlsHandshakeLatency).toBe('-');
    // ALB still logs the leaf it was shown (checklist 4): subject, validity and serial.
    const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    expect([entry.leafClientCertSubject, entry.leafClientCertValidity, entry.leafClientCertSerialNumber]).toEqual([
      client.facts.subject,
      `NotBefore=${iso(client.facts.notBefore)};NotAfter=${iso(client.facts.notAfter)}`,
      client.facts.serialNumber,
    ]);
    expect(entry.raw).toContain(` "${client.facts.subject}" `);
    expect(alb.accessLog.entries).toHaveLength(0);
    expect(target.requests).toHaveLength(0);
  });
});
