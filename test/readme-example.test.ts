import { expect, test, vi } from 'vitest';
import { createPki, startAlb, startGateway, startTarget } from '../index.ts';

/**
 * The README's library example, verbatim between the markers (test/readme.test.ts checks that the
 * README holds exactly these lines), with its printed values checked.
 */
test('the README example runs and prints what the README says', async () => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  // readme:example:start
  const pki = await createPki(); // EC P-256; also { keyType: 'rsa' }, { now: new Date('2025-01-01') }
  await using target = await startTarget({ kind: 'echo' });
  await using alb = await startAlb({
    certificate: { certPem: pki.server.chainPem, keyPem: pki.server.keyPem },
    mutualAuthentication: {
      mode: 'verify',
      trustStore: { caCertificatesBundle: pki.trustStoreBundle, revocations: [pki.crls.intermediate.pem] },
    },
    targets: [target.url],
  });
  await using gateway = await startGateway({
    routes: {
      paths: {
        '/api/hello': {
          get: {
            'x-zuplo-route': {
              handler: {
                export: 'urlForwardHandler',
                module: '$import(@zuplo/runtime)',
                options: { baseUrl: alb.url, mtlsCertificate: 'aws_alb_cert' },
              },
            },
          },
        },
      },
    },
    environmentType: 'production',
    certificates: [
      { name: 'aws_alb_cert', cert: pki.clients.good.chainPem, key: pki.clients.good.keyPem, environmentTypes: ['production'] },
    ],
    originCa: pki.root.certPem, // the gateway verifies the ALB's server certificate
  });

  const res = await fetch(`${gateway.url}/api/hello`);
  console.log(res.status); // 200
  console.log(target.requests[0]?.headers['x-amzn-mtls-clientcert-subject']); // CN=zuplo-gateway,O=alb-mtls-harness
  console.log(alb.connectionLog.entries.at(-1)?.tlsVerifyStatus); // Success
  // readme:example:end
  await res.arrayBuffer();
  expect(log.mock.calls).toEqual([[200], ['CN=zuplo-gateway,O=alb-mtls-harness'], ['Success']]);
});
