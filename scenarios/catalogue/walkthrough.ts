import { SEED_SECTIONS, type Scenario } from '../types.ts';
import { CERT_NAME, FORWARD_WITH_CERT, PASSTHROUGH_HEADER, VERIFY_ALB, verifyHeadersOf } from './common.ts';

const seedSection = SEED_SECTIONS.walkthrough;

/** Two uploaded certificates, one per environment type, chosen by `$env(ALB_MTLS_CERT)` (seed step 4). */
const PER_ENVIRONMENT = [
  { name: 'alb_cert_preview', variant: 'good', environmentTypes: ['development', 'preview'] },
  { name: 'alb_cert_production', variant: 'good-alt', environmentTypes: ['production'] },
] as const satisfies Scenario['gateway']['certificates'];

/** The seed's walkthrough, each step working end to end. */
export const walkthrough: Scenario[] = [
  {
    id: 'url-forward-200',
    title: 'URL Forward Handler presents the client certificate; the ALB verifies it and forwards',
    group: 'walkthrough',
    seedSection,
    variant: 'good',
    alb: VERIFY_ALB,
    gateway: FORWARD_WITH_CERT,
    expected: {
      status: 200,
      tlsVerifyStatus: 'Success',
      failureClass: null,
      targetHeaders: {
        present: { ...verifyHeadersOf('good'), 'x-amzn-mtls-clientcert-subject': 'CN=zuplo-gateway,O=alb-mtls-harness' },
        absent: [PASSTHROUGH_HEADER],
      },
    },
    explanation:
      'The route uses urlForwardHandler with "mtlsCertificate": "alb_cert". The gateway presents that certificate (leaf + ' +
      'intermediate) in the TLS handshake; the ALB listener in verify mode chains it to the root CA in its trust store, ' +
      'logs tls_verify_status=Success in its connection log and forwards the request with the five ' +
      'X-Amzn-Mtls-Clientcert-* headers, which your target can use to identify the caller.',
    fix: 'Nothing to fix: this is the working setup. Your target can read X-Amzn-Mtls-Clientcert-Subject to know the call came through Zuplo.',
  },
  {
    id: 'function-handler-200',
    title: "The seed's Function Handler passes the certificate name in fetch's zuplo options",
    group: 'walkthrough',
    seedSection,
    alb: VERIFY_ALB,
    gateway: {
      handler: 'function',
      certificates: [{ name: CERT_NAME, variant: 'good', environmentTypes: ['development', 'preview', 'production'] }],
      environment: { ALB_MTLS_CERT: CERT_NAME },
    },
    request: { path: '/v1/orders' },
    expected: {
      status: 200,
      tlsVerifyStatus: 'Success',
      failureClass: null,
      targetHeaders: { present: verifyHeadersOf('good') },
    },
    explanation:
      'A Function Handler calls fetch(`${environment.ALB_BACKEND_URL}/api`, { zuplo: { mtlsCertificate: environment.ALB_MTLS_CERT } }) ' +
      "(the seed's code, unchanged, in scenarios/fixtures/function-project/modules/alb-forward.ts). The zuplo option makes the " +
      "gateway's fetch present the named certificate, so the ALB verifies it exactly as for the URL Forward Handler.",
    fix: 'Nothing to fix. If you build the URL yourself, keep the zuplo option in the second argument of fetch: it is ignored on a Request object.',
  },
  {
    id: 'env-selector-preview-200',
    title: '$env(ALB_MTLS_CERT) picks the preview certificate in a preview environment',
    group: 'walkthrough',
    seedSection,
    alb: VERIFY_ALB,
    gateway: {
      handler: 'env-selected',
      certificates: [...PER_ENVIRONMENT],
      environment: { ALB_MTLS_CERT: 'alb_cert_preview' },
      environmentType: 'preview',
    },
    expected: {
      status: 200,
      tlsVerifyStatus: 'Success',
      failureClass: null,
      targetHeaders: { present: { 'x-amzn-mtls-clientcert-subject': { fact: 'subject', variant: 'good' } } },
    },
    explanation:
      'The route says "baseUrl": "${env.ALB_BACKEND_URL}" and "mtlsCertificate": "$env(ALB_MTLS_CERT)". In the preview ' +
      'environment ALB_MTLS_CERT is alb_cert_preview, a certificate enabled for development and preview, so the ALB sees ' +
      "the preview certificate's subject.",
    fix: 'Nothing to fix. Set ALB_MTLS_CERT per environment in the Zuplo portal (Settings > Environment Variables).',
  },
  {
    id: 'env-selector-production-200',
    title: '$env(ALB_MTLS_CERT) picks the production certificate in production',
    group: 'walkthrough',
    seedSection,
    alb: VERIFY_ALB,
    gateway: {
      handler: 'env-selected',
      certificates: [...PER_ENVIRONMENT],
      environment: { ALB_MTLS_CERT: 'alb_cert_production' },
      environmentType: 'production',
    },
    expected: {
      status: 200,
      tlsVerifyStatus: 'Success',
      failureClass: null,
      targetHeaders: {
        present: {
          'x-amzn-mtls-clientcert-subject': { fact: 'subject', variant: 'good-alt' },
          'x-amzn-mtls-clientcert-serial-number': { fact: 'serialNumber', variant: 'good-alt' },
        },
      },
    },
    explanation:
      'Same route as the preview case; in production ALB_MTLS_CERT is alb_cert_production, a certificate enabled for ' +
      'production only, so the target sees the production subject. One route file serves every environment.',
    fix: 'Nothing to fix. Both CAs (or their common root) must be in the ALB trust store.',
  },
  {
    id: 'seed-cert-name-warning',
    title: "The seed's certificate name aws-alb-cert breaks the JavaScript-name rule: a warning, and it still works",
    group: 'walkthrough',
    seedSection,
    alb: VERIFY_ALB,
    gateway: {
      handler: 'url-forward',
      mtlsCertificate: 'aws-alb-cert',
      certificates: [{ name: 'aws-alb-cert', variant: 'good', environmentTypes: ['development', 'preview', 'production'] }],
    },
    expected: {
      status: 200,
      tlsVerifyStatus: 'Success',
      failureClass: null,
      targetHeaders: { present: { 'x-amzn-mtls-clientcert-subject': { fact: 'subject', variant: 'good' } } },
      gatewayWarnings: [/aws-alb-cert/, /valid JavaScript variable name/],
    },
    explanation:
      'The seed uploads the certificate as aws-alb-cert, yet says the name must follow JavaScript variable naming. A hyphen ' +
      'breaks that rule. zuplo mtls-certificate create (CLI 7.6.4) does not check it, so the harness warns at start-up and ' +
      'still binds the name (lenient default), and the call works.',
    fix: 'Name certificates like JavaScript identifiers (aws_alb_cert), so a future check cannot break the deployment: ' +
      'zuplo mtls-certificate create --name aws_alb_cert ..., and update "mtlsCertificate" to match.',
  },
];
