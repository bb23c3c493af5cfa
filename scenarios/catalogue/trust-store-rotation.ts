import { SEED_SECTIONS, type Scenario, type ScenarioGateway } from '../types.ts';

const seedSection = SEED_SECTIONS['alb-behaviour'];
const CONFIGURE_DOC = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/configuring-mtls-with-elb.html#replace-ca-cert-bundle';
const MA_DOC = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/mutual-authentication.html';
const SOURCE =
  `${CONFIGURE_DOC} (ModifyTrustStore replaces the whole CA bundle, at any time); ${MA_DOC} (verify mode authenticates the ` +
  'client certificate "when it negotiates TLS connections"; session resumption is not supported). What happens to established ' +
  'connections is not documented: the emulator keeps them, since the certificate is only judged at the handshake.';

const OLD_CERT = 'alb_cert_g1';
const NEW_CERT = 'alb_cert_g2';
const ALL = ['development', 'preview', 'production'] as const;

/** Both certificates uploaded (`zuplo mtls-certificate create`), the route picking one with $env(ALB_MTLS_CERT). */
const ROTATING_GATEWAY: ScenarioGateway = {
  handler: 'env-selected',
  certificates: [
    { name: OLD_CERT, chain: 'rotation-old', environmentTypes: [...ALL] },
    { name: NEW_CERT, chain: 'rotation-new', environmentTypes: [...ALL] },
  ],
  environment: { ALB_MTLS_CERT: OLD_CERT },
};

const OK = { status: 200, tlsVerifyStatus: 'Success', failureClass: null, reachesTarget: true } as const;
const SWITCH = { action: 'redeploy-gateway', environment: { ALB_MTLS_CERT: NEW_CERT } } as const;

/** Rotating the client CA on a running ALB (ModifyTrustStore), in the safe order and in the order that breaks. */
export const trustStoreRotation: Scenario[] = [
  {
    id: 'ca-rotation-overlap',
    title: 'Rotating the client CA without downtime: both CAs in the bundle while the gateway switches certificates',
    group: 'alb-behaviour',
    seedSection,
    alb: { mode: 'verify', trustStoreFixture: 'rotation-old-ca' },
    gateway: ROTATING_GATEWAY,
    expected: OK,
    steps: [
      { action: 'modify-trust-store', trustStoreFixture: 'rotation-both-cas' },
      { connection: 'new', expected: OK },
      SWITCH,
      { connection: 'new', expected: OK },
      { action: 'modify-trust-store', trustStoreFixture: 'rotation-new-ca' },
      { connection: 'reuse', expected: OK },
      { connection: 'new', expected: OK },
    ],
    explanation:
      'The gateway presents a certificate from the old client CA (G1). ModifyTrustStore first replaces the bundle with one ' +
      'holding both CAs, so every new connection is accepted whichever certificate it carries. The new certificate is ' +
      `uploaded (zuplo mtls-certificate create ${NEW_CERT}) and the gateway redeployed with ALB_MTLS_CERT=${NEW_CERT}; its ` +
      'new connections present the G2 certificate and are accepted. Only then is the old CA removed from the bundle: the ' +
      'established connection and every new one carry the G2 certificate, so nothing fails at any point.',
    fix:
      'Rotate in this order: (1) aws elbv2 modify-trust-store with a bundle holding the old and the new CA; (2) upload the ' +
      'new certificate, point ALB_MTLS_CERT (or the route\'s mtlsCertificate) at it and redeploy every environment; (3) wait ' +
      'until the connection log shows no leaf from the old CA for longer than the idle timeout; (4) modify-trust-store ' +
      'with the new CA only.',
    source: SOURCE,
  },
  {
    id: 'ca-rotation-old-removed-first',
    title: 'Removing the old CA before the gateway switched: established connections still work, new ones fail with 522',
    group: 'alb-behaviour',
    seedSection,
    alb: { mode: 'verify', trustStoreFixture: 'rotation-old-ca' },
    gateway: ROTATING_GATEWAY,
    expected: OK,
    steps: [
      { action: 'modify-trust-store', trustStoreFixture: 'rotation-new-ca' },
      { connection: 'reuse', expected: OK },
      { connection: 'new', expected: { status: 522, tlsVerifyStatus: 'Failed:ClientCertUntrusted', failureClass: 'handshake-rejected', reachesTarget: false } },
      SWITCH,
      { connection: 'new', expected: OK },
    ],
    explanation:
      'ModifyTrustStore replaced the bundle with the new CA (G2) while the gateway still presented its G1 certificate. The ' +
      'ALB judges a client certificate only when a connection is negotiated, so the gateway\'s established keep-alive ' +
      'connection keeps working (200): nothing looks wrong right after the change. The outage starts when that connection ' +
      'is recycled (idle timeout, a new runtime instance, a deploy): the new handshake presents the G1 certificate, the ALB ' +
      'logs Failed:ClientCertUntrusted and closes the connection, and the gateway answers 522. It shows up minutes later, ' +
      'on some instances first, which makes it look unrelated to the trust store change. Switching the gateway to the G2 ' +
      'certificate ends it.',
    fix:
      'Put the old CA back at once (modify-trust-store with both CAs), then rotate in the safe order: both CAs in the bundle, ' +
      `switch the gateway (ALB_MTLS_CERT=${NEW_CERT}, redeploy), and remove the old CA last. The connection log's ` +
      'tls_verify_status=Failed:ClientCertUntrusted with the old leaf subject confirms this cause.',
    source: SOURCE,
  },
];
