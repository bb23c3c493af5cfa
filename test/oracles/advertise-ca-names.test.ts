import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../certs/pki/types.ts';
import { startAlb } from '../../harness/alb/index.ts';
import { openssl } from '../helpers/openssl.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { buildPki, serverCertificate, verifyMode } from '../alb/fixture.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await buildPki();
});

/** `openssl s_client` against the ALB with the good client certificate; stdin closed, 15 s timeout (helper). */
async function sClient(port: number, version: '-tls1_2' | '-tls1_3'): Promise<string> {
  await using dir = await tempDir('alb-sclient-');
  const cert = await dir.file('client.pem', pki.clients.good.certPem);
  const key = await dir.file('client.key', pki.clients.good.keyPem);
  const chain = await dir.file('chain.pem', pki.intermediate.certPem);
  const ca = await dir.file('root.pem', pki.root.certPem);
  const r = await openssl(['s_client', '-connect', `127.0.0.1:${port}`, version, '-cert', cert, '-key', key, '-cert_chain', chain, '-CAfile', ca]);
  return r.stdout;
}

describe.each(['-tls1_2', '-tls1_3'] as const)('CertificateRequest by mode (%s)', (version) => {
  // s_client prints "Requested Signature Algorithms" only when the server sent a CertificateRequest.
  const REQUESTED = 'Requested Signature Algorithms:';

  it('off: no CertificateRequest, so the client sends no certificate', async () => {
    await using alb = await startAlb({ certificate: serverCertificate(pki) });
    const out = await sClient(alb.port, version);
    expect(out).toMatch(new RegExp(`^New, ${version === '-tls1_2' ? 'TLSv1\\.2' : 'TLSv1\\.3'}, Cipher is `, 'm'));
    expect(out).not.toContain(REQUESTED);
  });

  it('passthrough: a CertificateRequest, and the certificate reaches the log', async () => {
    await using alb = await startAlb({ certificate: serverCertificate(pki), mutualAuthentication: { mode: 'passthrough' } });
    const out = await sClient(alb.port, version);
    expect(out).toContain(REQUESTED);
    expect((await alb.connectionLog.waitFor(() => true)).leafClientCertSerialNumber).toBe(pki.clients.good.facts.serialNumber);
  });
});

describe.each(['-tls1_2', '-tls1_3'] as const)('AdvertiseTrustStoreCaNames (%s)', (version) => {
  it('off (default): the CertificateRequest carries no CA names', async () => {
    await using alb = await startAlb({ certificate: serverCertificate(pki), mutualAuthentication: verifyMode(pki) });
    const out = await sClient(alb.port, version);
    expect(out).toContain('No client certificate CA names sent');
    expect(out).not.toContain('Acceptable client certificate CA names');
    // The handshake really happened with the client certificate, and it verified.
    expect((await alb.connectionLog.waitFor(() => true)).tlsVerifyStatus).toBe('Success');
  });

  it('on: the CertificateRequest lists the trust store CA DN', async () => {
    await using alb = await startAlb({ certificate: serverCertificate(pki), mutualAuthentication: verifyMode(pki, { advertiseTrustStoreCaNames: 'on' }) });
    const out = await sClient(alb.port, version);
    const section = out.split('Acceptable client certificate CA names\n')[1] ?? '';
    expect(section.split('\n')[0]).toBe('O = alb-mtls-harness, CN = alb-mtls-harness Root CA');
    expect(out).not.toContain('No client certificate CA names sent');
    expect((await alb.connectionLog.waitFor(() => true)).tlsVerifyStatus).toBe('Success');
  });
});

describe('AdvertiseTrustStoreCaNames after modifyTrustStore', () => {
  it('the CertificateRequest of a new connection lists the new bundle', async () => {
    await using alb = await startAlb({ certificate: serverCertificate(pki), mutualAuthentication: verifyMode(pki, { advertiseTrustStoreCaNames: 'on' }) });
    alb.modifyTrustStore({ caCertificatesBundle: pki.rogueRoot.certPem });
    const out = await sClient(alb.port, '-tls1_3');
    const section = (out.split('Acceptable client certificate CA names\n')[1] ?? '').split('\nRequested Signature Algorithms')[0];
    expect(section).toBe('O = Somebody Else, CN = Rogue Root CA');
  });
});
