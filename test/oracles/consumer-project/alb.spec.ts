import { request } from 'node:https';
import { expect, test } from 'vitest';
import { createPki, startAlb, startTarget } from 'alb-mtls-harness';

test('a verify-mode ALB forwards a good client certificate and logs Success', async () => {
  const pki = await createPki();
  await using target = await startTarget({ kind: 'echo' });
  await using alb = await startAlb({
    certificate: { certPem: pki.server.chainPem, keyPem: pki.server.keyPem },
    mutualAuthentication: { mode: 'verify', trustStore: { caCertificatesBundle: pki.trustStoreBundle } },
    targets: [target.url],
  });
  const status = await new Promise<number | undefined>((resolve, reject) => {
    const req = request(`${alb.url}/hello`, { ca: pki.root.certPem, cert: pki.clients.good.chainPem, key: pki.clients.good.keyPem, servername: 'localhost' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end();
  });
  expect(status).toBe(200);
  expect(target.requests[0]?.headers['x-amzn-mtls-clientcert-subject']).toBe('CN=zuplo-gateway,O=alb-mtls-harness');
  expect(alb.connectionLog.entries.at(-1)?.tlsVerifyStatus).toBe('Success');
});
