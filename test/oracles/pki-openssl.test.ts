import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPki, type ClientVariantId, type Pki } from '../../certs/index.ts';
import { openssl } from '../helpers/openssl.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { OPENSSL_SAYS, opensslVerify } from '../helpers/openssl-verify.ts';

async function verify(pki: Pki, chainPem: string, opts: { crls?: string[]; attime?: Date } = {}) {
  return (await opensslVerify({ rootPem: pki.root.certPem, chainPem, attime: opts.attime ?? pki.now, crls: opts.crls })).output;
}

describe('PKI factory against the OpenSSL CLI', () => {
  let pki: Pki;
  beforeAll(async () => {
    pki = await createPki();
  });

  for (const [id, says] of Object.entries(OPENSSL_SAYS) as [ClientVariantId, string | null][]) {
    if (says === null) continue;
    it(`${id}: openssl verify says "${says}"`, async () => {
      const crls = id === 'revoked' ? [pki.crls.root.pem, pki.crls.intermediate.pem] : undefined;
      const out = await verify(pki, pki.clients[id].chainPem, { crls });
      if (says === 'OK') expect(out).toMatch(/: OK\n/);
      else expect(out).toContain(says);
    });
  }

  it('good passes CRL checking at every level with both CRLs (revocation is not over-broad)', async () => {
    expect(await verify(pki, pki.clients.good.chainPem, { crls: [pki.crls.root.pem, pki.crls.intermediate.pem] })).toMatch(/: OK\n/);
    expect(await verify(pki, pki.clients.good.chainPem, { crls: [pki.crls.root.pem, pki.crls.intermediateEmpty.pem] })).toMatch(/: OK\n/);
  });

  it('the stale CRL is reported as expired by OpenSSL', async () => {
    const out = await verify(pki, pki.clients.good.chainPem, { crls: [pki.crls.root.pem, pki.crls.intermediateStale.pem] });
    expect(out).toContain('CRL has expired');
  });

  it('revocation matches a serial with the high bit set (the CRL carries the sign byte)', async () => {
    const serial = pki.clients.revoked.facts.serialNumber;
    expect(parseInt(serial.slice(0, 2), 16)).toBeGreaterThan(0x7f);
    const r = await openssl(['crl', '-noout', '-text'], pki.crls.intermediate.pem);
    expect(r.stdout).toContain(`Serial Number: ${serial}`);
    expect(r.stdout).not.toMatch(/Serial Number: -/);
  });

  it('every CRL is PEM with the "X509 CRL" label and parses in OpenSSL', async () => {
    for (const crl of Object.values(pki.crls)) {
      expect(crl.pem.startsWith('-----BEGIN X509 CRL-----\n')).toBe(true);
      expect(crl.pem.endsWith('-----END X509 CRL-----\n')).toBe(true);
      const r = await openssl(['crl', '-noout', '-issuer', '-nameopt', 'RFC2253'], crl.pem);
      expect(r.stdout.trim()).toBe(`issuer=${crl.issuer}`);
    }
  });

  it('subjects and issuers match `openssl x509 -nameopt RFC2253` exactly, escaping included', async () => {
    for (const id of ['good', 'escaped-subject', 'untrusted-root'] as const) {
      const c = pki.clients[id];
      const r = await openssl(['x509', '-noout', '-subject', '-issuer', '-serial', '-nameopt', 'RFC2253'], c.certPem);
      expect(r.stdout).toBe(`subject=${c.facts.subject}\nissuer=${c.facts.issuer}\nserial=${c.facts.serialNumber}\n`);
    }
    expect(pki.clients['escaped-subject'].facts.subject).toBe(
      'CN=\\#hash\\, \\"quoted\\" \\<angle\\>\\;semi\\+plus\\\\back,OU=\\ padded\\ ,O=alb-mtls-harness',
    );
  });

  it('the ALB server certificate verifies for TLS servers and carries the ALB DNS name, localhost and the loopback IPs', async () => {
    await using dir = await tempDir();
    const r = await openssl([
      'verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', await dir.file('root.pem', pki.root.certPem),
      '-untrusted', await dir.file('inter.pem', pki.intermediate.certPem), await dir.file('server.pem', pki.server.certPem),
    ]);
    expect(r.stdout).toMatch(/: OK\n/);
    const text = await openssl(['x509', '-noout', '-ext', 'subjectAltName'], pki.server.certPem);
    expect(text.stdout).toContain('DNS:my-alb-1234567890.us-east-1.elb.amazonaws.com, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
  });

  it('a set built as of a past date is valid at that date, and its expired variant is expired then', async () => {
    const then = new Date('2021-03-15T12:00:00Z');
    const old = await createPki({ now: then });
    expect(old.now.toISOString()).toBe('2021-03-15T12:00:00.000Z');
    expect(await verify(old, old.clients.good.chainPem)).toMatch(/: OK\n/);
    expect(await verify(old, old.clients.expired.chainPem)).toContain('certificate has expired');
    // ...and the same good certificate is not yet valid a year earlier.
    expect(await verify(old, old.clients.good.chainPem, { attime: new Date('2020-03-15T00:00:00Z') })).toContain('certificate is not yet valid');
  });
});

describe('writeTo: the PKCS#12 file against the OpenSSL CLI', () => {
  it('an RSA set includes a PKCS#12 of the good client that OpenSSL opens', async () => {
    const pki = await createPki({ keyType: 'rsa' });
    expect(pki.clients.good.facts).toMatchObject({ keyType: 'rsa-2048', signatureAlgorithm: 'sha256WithRSAEncryption' });
    await using dir = await tempDir();
    await pki.writeTo(dir.path, { force: true });
    const r = await openssl(['pkcs12', '-in', join(dir.path, 'clients/client-good.p12'), '-passin', 'pass:alb-mtls-harness', '-nokeys', '-clcerts']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('subject=O = alb-mtls-harness, CN = zuplo-gateway');
  }, 60_000);
});
