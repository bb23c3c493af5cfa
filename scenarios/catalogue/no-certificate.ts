import { SEED_SECTIONS, type Scenario } from '../types.ts';
import { ALL_MTLS_HEADERS, CERT_NAME } from './common.ts';

const seedSection = SEED_SECTIONS['no-certificate'];

const NOT_FOUND = `mTLS certificate binding '${CERT_NAME}' not found. Ensure the certificate is uploaded and properly configured.`;

/** The seed's "No certificate appears to be sent". */
export const noCertificate: Scenario[] = [
  {
    id: 'cert-not-enabled-for-env',
    title: 'The certificate is enabled for production only, and the gateway runs in preview',
    group: 'no-certificate',
    seedSection,
    alb: { mode: 'verify' },
    gateway: {
      handler: 'url-forward',
      mtlsCertificate: CERT_NAME,
      certificates: [{ name: CERT_NAME, variant: 'good', environmentTypes: ['production'] }],
      environmentType: 'preview',
    },
    expected: { status: 500, tlsVerifyStatus: null, failureClass: 'binding-missing', reachesTarget: false, bodyIncludes: [NOT_FOUND] },
    explanation:
      'A certificate is bound only into deployments of the environment types it is enabled for. This preview deployment ' +
      'has no alb_cert binding, so the runtime throws "not found" before connecting and answers 500.',
    fix: 'Run zuplo mtls-certificate list and check the environments column; enable preview with zuplo mtls-certificate ' +
      'update --cert-id ID --environment-type preview --environment-type production (the list replaces the old one), then redeploy.',
  },
  {
    id: 'local-environment',
    title: 'Running locally (zuplo dev): mTLS bindings do not exist',
    group: 'no-certificate',
    seedSection,
    alb: { mode: 'verify' },
    gateway: {
      handler: 'url-forward',
      mtlsCertificate: CERT_NAME,
      certificates: [{ name: CERT_NAME, variant: 'good', environmentTypes: ['development', 'preview', 'production'] }],
      environmentType: 'local',
    },
    expected: { status: 500, tlsVerifyStatus: null, failureClass: 'binding-missing', reachesTarget: false, bodyIncludes: [NOT_FOUND] },
    explanation:
      'Local development has no mTLS bindings (the seed: "test in a preview environment rather than locally"), so the ' +
      'certificate lookup fails with "not found" and the gateway answers 500.',
    fix: 'Deploy to a preview environment (push a branch) and test there.',
  },
  {
    id: 'passthrough-no-certificate',
    title: 'No mtlsCertificate on the route, listener in passthrough: the request goes through without a certificate',
    group: 'no-certificate',
    seedSection,
    alb: { mode: 'passthrough' },
    gateway: { handler: 'url-forward' },
    expected: {
      status: 200,
      tlsVerifyStatus: 'Success',
      failureClass: null,
      targetHeaders: { absent: ALL_MTLS_HEADERS },
    },
    explanation:
      'The route has no "mtlsCertificate" option, so the gateway sends none, and a passthrough listener forwards the ' +
      'request anyway, without X-Amzn-Mtls-Clientcert. Nothing fails, which is why a missing certificate can go unnoticed.',
    fix: 'Add "mtlsCertificate" to the handler options, and switch the listener to verify mode so a missing certificate fails loudly.',
  },
];
