// Plain Node, no TypeScript: the README's example with try/finally in place of `await using`.
import { createPki, startAlb, startGateway, startTarget } from 'alb-mtls-harness';

const pki = await createPki();
const target = await startTarget({ kind: 'echo' });
try {
  const alb = await startAlb({
    certificate: { certPem: pki.server.chainPem, keyPem: pki.server.keyPem },
    mutualAuthentication: { mode: 'verify', trustStore: { caCertificatesBundle: pki.trustStoreBundle, revocations: [pki.crls.intermediate.pem] } },
    targets: [target.url],
  });
  try {
    const gateway = await startGateway({
      routes: {
        paths: {
          '/api/hello': {
            get: {
              'x-zuplo-route': {
                handler: { export: 'urlForwardHandler', module: '$import(@zuplo/runtime)', options: { baseUrl: alb.url, mtlsCertificate: 'aws_alb_cert' } },
              },
            },
          },
        },
      },
      environmentType: 'production',
      certificates: [{ name: 'aws_alb_cert', cert: pki.clients.good.chainPem, key: pki.clients.good.keyPem, environmentTypes: ['production'] }],
      originCa: pki.root.certPem,
    });
    try {
      const res = await fetch(`${gateway.url}/api/hello`);
      console.log(`status=${res.status}`);
      console.log(`subject=${target.requests[0]?.headers['x-amzn-mtls-clientcert-subject']}`);
      console.log(`tls_verify_status=${alb.connectionLog.entries.at(-1)?.tlsVerifyStatus}`);
    } finally {
      await gateway.close();
    }
  } finally {
    await alb.close();
  }
} finally {
  await target.close();
}
