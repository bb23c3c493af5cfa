import { SEED_SECTIONS, type Scenario } from '../types.ts';
import { FORWARD_WITH_CERT, PASSTHROUGH_HEADER } from './common.ts';

const seedSection = SEED_SECTIONS['rejects-403'];

/** The seed's "The ALB rejects the certificate": the handshake completes and a 403 comes back. */
export const rejects403: Scenario[] = [
  {
    id: 'http-403-model-untrusted',
    title: 'Untrusted certificate, with the ALB modelled as answering 403 (the seed’s description)',
    group: 'rejects-403',
    seedSection,
    variant: 'untrusted-root',
    alb: { mode: 'verify', verifyFailure: 'http-403' },
    gateway: FORWARD_WITH_CERT,
    expected: { status: 403, tlsVerifyStatus: 'Failed:ClientCertUntrusted', failureClass: null, reachesTarget: false },
    explanation:
      'The seed says an ALB that does not trust the certificate returns 403 after the handshake. AWS documents no HTTP ' +
      'status for mTLS failures (a real ALB closes the handshake: see ca-not-in-trust-store), so this scenario runs the ' +
      "emulator's opt-in http-403 model. Either way the connection log shows Failed:ClientCertUntrusted.",
    fix: 'Add the CA that issued the client certificate to the trust store bundle (aws elbv2 modify-trust-store), and ' +
      'check the connection log rather than the status code. A 403 from a real ALB usually means AWS WAF blocked the request.',
  },
  {
    id: 'passthrough-target-refuses',
    title: 'The listener is in passthrough mode, so the target verifies the certificate and answers 403',
    group: 'rejects-403',
    seedSection,
    variant: 'untrusted-root',
    alb: { mode: 'passthrough', target: 'verifying' },
    gateway: FORWARD_WITH_CERT,
    expected: {
      status: 403,
      tlsVerifyStatus: 'Success',
      failureClass: null,
      targetHeaders: { present: { [PASSTHROUGH_HEADER]: { fact: 'chain', variant: 'untrusted-root' } } },
    },
    explanation:
      'In passthrough mode the ALB accepts any certificate and forwards it in X-Amzn-Mtls-Clientcert; the application ' +
      'behind it checks the chain, finds no trusted CA and answers 403. The certificate is presented but not trusted, ' +
      'and the load balancer enforced nothing.',
    fix: 'Switch the listener to verify mode with a trust store holding your CA: aws elbv2 modify-listener --listener-arn ' +
      'ARN --mutual-authentication Mode=verify,TrustStoreArn=TS_ARN. Or add the CA to what the application trusts.',
  },
  {
    id: 'trust-store-intermediate-only-no-partial-chain',
    title: 'The trust store holds only the intermediate CA, not the full chain to the root',
    group: 'rejects-403',
    seedSection,
    variant: 'good',
    alb: { mode: 'verify', trustStore: 'intermediate-only', revocations: ['intermediate'], verifyFailure: 'http-403' },
    gateway: FORWARD_WITH_CERT,
    expected: { status: 403, tlsVerifyStatus: 'Failed:ClientCertUntrusted', failureClass: null, reachesTarget: false },
    explanation:
      'The client certificate comes from an intermediate CA and the bundle contains that intermediate but not its root. ' +
      'Whether ALB accepts an intermediate as the anchor is not documented; with partial chains off (the emulator default) the ' +
      'path never reaches a root and the certificate is untrusted (shown here with the http-403 model, as the seed describes).',
    fix: 'Put the full chain in the CA bundle: cat intermediate.pem root.pem > bundle.pem (no blank lines), upload it to S3 ' +
      'and run aws elbv2 modify-trust-store.',
  },
  {
    id: 'trust-store-full-chain-fixed',
    title: 'The fix: the trust store holds root and intermediate',
    group: 'rejects-403',
    seedSection,
    variant: 'good',
    alb: { mode: 'verify', trustStore: 'root+intermediate', verifyFailure: 'http-403' },
    gateway: FORWARD_WITH_CERT,
    expected: {
      status: 200,
      tlsVerifyStatus: 'Success',
      failureClass: null,
      targetHeaders: { present: { 'x-amzn-mtls-clientcert-subject': { fact: 'subject', variant: 'good' } } },
    },
    explanation: 'Same certificate and listener as the previous scenario, with the root added to the bundle: the path ' +
      'leaf > intermediate > root is complete and the request goes through.',
    fix: 'Nothing to fix: keep every CA from the issuing one up to the root in the bundle.',
  },
];
