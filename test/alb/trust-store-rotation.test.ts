import https from 'node:https';
import tls from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../certs/pki/types.ts';
import { startAlb } from '../../harness/alb/index.ts';
import { startTarget } from '../../harness/targets/index.ts';
import { albRequest, type AlbRequestError } from './echo-target.ts';
import { buildPki, clientContext, serverCertificate } from './fixture.ts';

let pki: Pki;
let next: Pki; // another PKI: the "new CA" of a rotation
beforeAll(async () => {
  [pki, next] = await Promise.all([buildPki(), buildPki()]);
});

const refusal = (p: Promise<unknown>) => p.then(() => 'answered', (e: AlbRequestError) => e.code ?? 'error');
/** A client of the new PKI that still verifies the ALB's server certificate (issued by the old root). */
const nextClient = () => tls.createSecureContext({ cert: next.clients.good.chainPem, key: next.clients.good.keyPem, ca: pki.root.certPem });

async function verdictOf(alb: Awaited<ReturnType<typeof startAlb>>, context: tls.SecureContext): Promise<string> {
  const local = await albRequest(alb.port, { secureContext: context }).then((r) => r.localPort, (e: AlbRequestError) => e.localPort);
  return (await alb.connectionLog.waitFor((e) => e.clientPort === local)).tlsVerifyStatus;
}

/** One keep-alive connection: requests after the first reuse its socket (no new handshake). */
function keptAlive(port: number) {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, cert: pki.clients.good.chainPem, key: pki.clients.good.keyPem, ca: pki.root.certPem });
  const get = () =>
    new Promise<{ status: number; localPort: number }>((resolve, reject) => {
      const req = https.get({ host: '127.0.0.1', port, servername: 'localhost', path: '/', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, localPort: req.socket?.localPort ?? 0 }));
      });
      req.on('error', reject);
    });
  return { get, [Symbol.dispose]: () => agent.destroy() };
}

describe('trust store changes on a running ALB (ModifyTrustStore, Add/RemoveTrustStoreRevocations)', () => {
  it('modifyTrustStore: new connections see the new bundle, an established connection goes on', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({
      certificate: serverCertificate(pki),
      mutualAuthentication: { mode: 'verify', trustStore: { caCertificatesBundle: pki.trustStoreBundle } },
      targets: [target.url],
    });
    using kept = keptAlive(alb.port);
    const first = await kept.get();
    expect(first.status).toBe(200);

    // The overlap of a rotation: old and new CA together; both clients get in.
    alb.modifyTrustStore({ caCertificatesBundle: pki.trustStoreBundle + next.trustStoreBundle });
    expect(await verdictOf(alb, clientContext(pki, 'good'))).toBe('Success');
    expect(await verdictOf(alb, nextClient())).toBe('Success');

    // The old CA removed: a new connection with the old certificate is refused in the handshake...
    alb.modifyTrustStore({ caCertificatesBundle: next.trustStoreBundle });
    expect(await verdictOf(alb, clientContext(pki, 'good'))).toBe('Failed:ClientCertUntrusted');
    expect(await verdictOf(alb, nextClient())).toBe('Success');
    // ...while the connection established before goes on, on the same socket.
    const again = await kept.get();
    expect(again).toEqual({ status: 200, localPort: first.localPort });
  });

  it("trustStoreChange 'close-established': a change closes the established connection, and the reconnect is judged by the new store", async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({
      certificate: serverCertificate(pki),
      mutualAuthentication: { mode: 'verify', trustStore: { caCertificatesBundle: pki.trustStoreBundle } },
      targets: [target.url],
      trustStoreChange: 'close-established',
    });
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, cert: pki.clients.good.chainPem, key: pki.clients.good.keyPem, ca: pki.root.certPem });
    try {
      const socketOfFirst = await new Promise<import('node:net').Socket>((resolve, reject) => {
        const req = https.get({ host: '127.0.0.1', port: alb.port, servername: 'localhost', path: '/', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(req.socket!));
        });
        req.on('error', reject);
      });
      const closed = new Promise((resolve) => socketOfFirst.once('close', resolve));
      alb.modifyTrustStore({ caCertificatesBundle: next.trustStoreBundle });
      await closed; // the ALB closed the kept-alive connection
      expect(await verdictOf(alb, clientContext(pki, 'good'))).toBe('Failed:ClientCertUntrusted');
    } finally {
      agent.destroy();
    }
  });

  it('trustStoreChange: an unknown value is refused at start, naming the option', async () => {
    const error = await startAlb({
      certificate: serverCertificate(pki),
      mutualAuthentication: { mode: 'verify', trustStore: { caCertificatesBundle: pki.trustStoreBundle } },
      trustStoreChange: 'drain' as never,
    }).then(() => null, (e: Error & { code?: string }) => e);
    expect(error?.code).toBe('HARNESS_ERR_ALB_CONFIG');
    expect(error?.message).toContain('trustStoreChange');
  });

  it('a bundle that breaks ALB rules is refused and the listener keeps its store', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({
      certificate: serverCertificate(pki),
      mutualAuthentication: { mode: 'verify', trustStore: { caCertificatesBundle: pki.trustStoreBundle } },
      targets: [target.url],
    });
    let error: (Error & { code?: string }) | undefined;
    try {
      alb.modifyTrustStore({ caCertificatesBundle: 'not a bundle', source: 'new-bundle.pem' });
    } catch (err) {
      error = err as Error & { code?: string };
    }
    expect(error?.code).toBe('HARNESS_ERR_TRUST_STORE');
    expect(error?.message).toContain('new-bundle.pem');
    expect(await verdictOf(alb, clientContext(pki, 'good'))).toBe('Success');
  });

  it('addTrustStoreRevocations / removeTrustStoreRevocations by id, as AWS numbers them', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({
      certificate: serverCertificate(pki),
      mutualAuthentication: { mode: 'verify', trustStore: { caCertificatesBundle: pki.trustStoreBundle, revocations: [pki.crls.root.pem] } },
      targets: [target.url],
    });
    expect(await verdictOf(alb, clientContext(pki, 'revoked'))).toBe('Success');
    expect(alb.describeTrustStoreRevocations().map((r) => r.revocationId)).toEqual([1]);

    const added = alb.addTrustStoreRevocations([{ pem: pki.crls.intermediate.pem, source: 'intermediate.crl' }]);
    expect(added).toEqual([
      { revocationId: 2, revocationType: 'CRL', source: 'intermediate.crl', issuer: pki.intermediate.facts.subject, numberOfRevokedEntries: 1 },
    ]);
    expect(await verdictOf(alb, clientContext(pki, 'revoked'))).toBe('Failed:ClientCertCrlHit');

    expect(() => alb.removeTrustStoreRevocations([7])).toThrow(
      'removeTrustStoreRevocations: no revocation with id 7 (RevocationIdNotFound). The trust store has ids 1, 2; see describeTrustStoreRevocations().',
    );
    alb.removeTrustStoreRevocations([2]);
    expect(alb.describeTrustStoreRevocations().map((r) => r.revocationId)).toEqual([1]);
    expect(await verdictOf(alb, clientContext(pki, 'revoked'))).toBe('Success');
    // Ids are not reused after a removal.
    expect(alb.addTrustStoreRevocations([pki.crls.intermediate.pem])[0]!.revocationId).toBe(3);
  });

  it('outside verify mode there is no trust store to change', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), mutualAuthentication: { mode: 'passthrough' }, targets: [target.url] });
    expect(() => alb.modifyTrustStore({ caCertificatesBundle: pki.trustStoreBundle })).toThrow(
      "modifyTrustStore: this listener's mutual authentication mode is passthrough; a trust store applies in verify mode only.",
    );
    expect(await refusal(albRequest(alb.port, { secureContext: clientContext(pki, 'good') }))).toBe('answered');
  });
});
