import type { TlsVerifyStatus } from '../../certs/alb-codes.ts';
import type { ClientVariantId } from '../../certs/pki/types.ts';
import { SEED_SECTIONS, type Scenario } from '../types.ts';
import { CERT_NAME, FORWARD_WITH_CERT, VERIFY_ALB } from './common.ts';

const seedSection = SEED_SECTIONS['fails-522'];

const LOGS =
  'Turn on ALB connection logs (Load balancer > Attributes > Connection logs) and look for tls_verify_status=Failed:* ' +
  'at the time of the request; the 522 itself carries no reason.';

/** The ALB in verify mode closes the handshake for this client certificate: the gateway answers 522. */
function handshakeRejected(
  id: string,
  variant: ClientVariantId,
  tlsVerifyStatus: TlsVerifyStatus,
  text: { title: string; explanation: string; fix: string },
): Scenario {
  return {
    id,
    title: text.title,
    group: 'fails-522',
    seedSection,
    variant,
    alb: VERIFY_ALB,
    gateway: FORWARD_WITH_CERT,
    expected: { status: 522, tlsVerifyStatus, failureClass: 'handshake-rejected', reachesTarget: false },
    explanation: `${text.explanation} No HTTP response exists, so the deployed gateway answers 522 (connection failed before any HTTP response); zuplo dev answers the same failure with 500 (the ${id}-zuplo-dev variants).`,
    fix: `${text.fix} ${LOGS}`,
  };
}

/** The seed's "Requests fail with a 522 or connection error", cause by cause. */
export const fails522: Scenario[] = [
  handshakeRejected('ca-not-in-trust-store', 'untrusted-root', 'Failed:ClientCertUntrusted', {
    title: "The CA that issued the gateway's certificate is not in the ALB trust store",
    explanation: 'The certificate was issued by a CA the trust store does not hold, so the ALB cannot chain it and drops the handshake.',
    fix: 'Add the issuing CA (and its root) to the CA bundle in S3, then update the trust store: aws elbv2 modify-trust-store ' +
      '--trust-store-arn ARN --ca-certificates-bundle-s3-bucket B --ca-certificates-bundle-s3-key K. Check which CA issued ' +
      'your certificate with openssl x509 -in client-cert.pem -noout -issuer.',
  }),
  handshakeRejected('client-cert-expired', 'expired', 'Failed:ClientCertExpired', {
    title: "The gateway's client certificate has expired",
    explanation: "The certificate's notAfter date is in the past; an ALB in verify mode rejects it during the handshake.",
    fix: 'Issue a new certificate and upload it: zuplo mtls-certificate create --name <new name> ... (then point ' +
      '"mtlsCertificate" at it and redeploy). Check dates with openssl x509 -in client-cert.pem -noout -dates.',
  }),
  {
    id: 'cert-name-env-unset',
    title: 'The certificate name comes from an environment variable that is not set: no certificate is sent',
    group: 'fails-522',
    seedSection,
    alb: VERIFY_ALB,
    gateway: {
      handler: 'env-selected',
      certificates: [{ name: CERT_NAME, variant: 'good', environmentTypes: ['development', 'preview', 'production'] }],
      environment: {},
    },
    expected: { status: 522, tlsVerifyStatus: 'Failed:UnmappedConnectionError', failureClass: 'handshake-rejected', reachesTarget: false },
    explanation:
      '"mtlsCertificate": "$env(ALB_MTLS_CERT)" resolves to nothing because ALB_MTLS_CERT is not set in this environment. ' +
      'An empty name is not an error at the gateway: it simply makes a plain TLS call without a client certificate, and ' +
      'the ALB in verify mode drops the handshake (its connection log shows the no-certificate status). Deployed, the gateway answers 522; zuplo dev answers the same failure with 500 (the -zuplo-dev variants).',
    fix: 'Set ALB_MTLS_CERT for this environment (Zuplo portal > Settings > Environment Variables) to the name you used in ' +
      `zuplo mtls-certificate create, then redeploy (variables are read at deploy time). ${LOGS}`,
  },
  {
    id: 'cert-name-not-uploaded',
    title: 'mtlsCertificate names a certificate that was never uploaded (a typo): 500 from the runtime',
    group: 'fails-522',
    seedSection,
    alb: VERIFY_ALB,
    gateway: {
      handler: 'url-forward',
      mtlsCertificate: 'albCert',
      certificates: [{ name: CERT_NAME, variant: 'good', environmentTypes: ['development', 'preview', 'production'] }],
    },
    expected: {
      status: 500,
      tlsVerifyStatus: null,
      failureClass: 'binding-missing',
      reachesTarget: false,
      bodyIncludes: ["mTLS certificate binding 'albCert' not found. Ensure the certificate is uploaded and properly configured."],
    },
    explanation:
      'The route asks for albCert but the certificate was uploaded as alb_cert. The runtime looks the name up before ' +
      'connecting and throws "mTLS certificate binding \'albCert\' not found...", so no connection is made and the answer ' +
      'is a 500 problem+json with that message. The seed files this under 522, but the runtime (7.6.4) answers 500.',
    fix: 'Make "mtlsCertificate" match the name in zuplo mtls-certificate list exactly (case-sensitive), or upload the ' +
      'certificate under that name, then redeploy.',
  },
  handshakeRejected('leaf-without-intermediate', 'leaf-only', 'Failed:ClientCertUntrusted', {
    title: 'The gateway sends only its leaf; the intermediate CA is neither sent nor in the trust store',
    explanation: 'The certificate was issued by an intermediate CA, the uploaded file holds only the leaf, and the trust ' +
      'store holds only the root, so the ALB cannot build the path leaf > intermediate > root.',
    fix: 'Upload the certificate with its chain (cat client-cert.pem intermediate.pem > chain.pem; zuplo mtls-certificate ' +
      'create --cert chain.pem ...), or add the intermediate to the trust store bundle.',
  }),
  handshakeRejected('chain-too-deep', 'chain-too-deep', 'Failed:ClientCertMaxChainDepthExceeded', {
    title: 'The client chain is deeper than the ALB allows (4)',
    explanation: 'The path from the leaf through three intermediates to the root has 5 certificates; the ALB limit is 4 and cannot be raised.',
    fix: 'Issue the client certificate from a CA closer to the root (at most two intermediates), or put an intermediate in the trust store as the anchor.',
  }),
  handshakeRejected('revoked', 'revoked', 'Failed:ClientCertCrlHit', {
    title: "The client certificate's serial is on a CRL attached to the trust store",
    explanation: "The certificate is listed in the intermediate CA's revocation list, which was added to the trust store, so the ALB rejects it.",
    fix: 'Issue and upload a new certificate. List the trust store revocations with aws elbv2 describe-trust-store-revocations ' +
      '--trust-store-arn ARN, and check the serial with openssl x509 -noout -serial.',
  }),
  handshakeRejected('not-yet-valid', 'not-yet-valid', 'Failed:ClientCertNotYetValid', {
    title: "The client certificate's notBefore is in the future",
    explanation: 'The certificate is not valid yet (issued with a future start date or a clock skewed CA); ignore-expiry does not cover this.',
    fix: 'Wait until notBefore, or reissue with a notBefore in the past. Check with openssl x509 -noout -dates.',
  }),
  handshakeRejected('wrong-purpose', 'server-auth-only', 'Failed:ClientCertPurposeInvalid', {
    title: 'The certificate is a server certificate (EKU serverAuth only), not a client certificate',
    explanation: 'Its Extended Key Usage allows serverAuth only, so it may not authenticate a client.',
    fix: 'Reissue with Extended Key Usage clientAuth (1.3.6.1.5.5.7.3.2). Check with openssl x509 -noout -ext extendedKeyUsage.',
  }),
  handshakeRejected('unsupported-key-type', 'unsupported-key', 'Failed:ClientCertTypeUnsupported', {
    title: 'The client certificate has an Ed25519 key, which ALB does not accept',
    explanation: 'ALB accepts RSA 2048-8192 and ECDSA P-256/P-384/P-521 keys with SHA-2 signatures only.',
    fix: 'Reissue the certificate with an ECDSA P-256 or RSA 2048+ key. Check with openssl x509 -noout -text | grep "Public Key Algorithm".',
  }),
  {
    id: 'gateway-distrusts-alb-cert',
    title: "The gateway does not trust the ALB's server certificate",
    group: 'fails-522',
    seedSection,
    variant: 'good',
    alb: { ...VERIFY_ALB, serverCertificate: 'serverUntrusted' },
    gateway: FORWARD_WITH_CERT,
    expected: { status: 522, tlsVerifyStatus: null, failureClass: 'origin-untrusted', reachesTarget: false },
    explanation:
      "TLS is checked in both directions. The ALB's HTTPS listener presents a certificate from a CA the gateway does not " +
      'trust, so the gateway aborts the handshake before the ALB ever judges the client certificate. Deployed, the gateway answers 522; zuplo dev answers the same failure with 500 (the -zuplo-dev variants).',
    fix: 'Give the HTTPS listener a certificate from a public CA (ACM) that covers the hostname in baseUrl: aws elbv2 ' +
      'modify-listener --listener-arn ARN --certificates CertificateArn=... Check with openssl s_client -connect HOST:443 -showcerts.',
  },
  {
    id: 'alb-cert-host-mismatch',
    title: "The ALB's server certificate does not cover the hostname in baseUrl",
    group: 'fails-522',
    seedSection,
    variant: 'good',
    alb: { ...VERIFY_ALB, serverCertificate: 'serverWrongHost' },
    gateway: FORWARD_WITH_CERT,
    expected: { status: 522, tlsVerifyStatus: null, failureClass: 'origin-untrusted', reachesTarget: false },
    explanation:
      "The listener's certificate is trusted but issued for another name (wrong-host.example.com). The gateway checks " +
      'the name against baseUrl and aborts. The *.elb.amazonaws.com name is never covered by your certificate.',
    fix: 'Point baseUrl at a custom domain (Route 53 alias to the ALB) that the listener certificate covers, or add that ' +
      'name to the certificate in ACM.',
  },
  {
    id: 'alb-unreachable',
    title: 'Nothing is listening at baseUrl (wrong port, deleted ALB, security group)',
    group: 'fails-522',
    seedSection,
    variant: 'good',
    alb: { ...VERIFY_ALB, down: true },
    gateway: FORWARD_WITH_CERT,
    expected: { status: 522, tlsVerifyStatus: null, failureClass: 'connect-refused', reachesTarget: false },
    explanation:
      'The TCP connection is refused, so no TLS handshake starts and the ALB logs nothing. On AWS a security group ' +
      'that drops the traffic gives the same 522, after a timeout instead. Deployed, the gateway answers 522; zuplo dev answers the same failure with 500 (the -zuplo-dev variants).',
    fix: "Check baseUrl's host and port, that the listener exists (aws elbv2 describe-listeners), and that the ALB's " +
      'security group allows inbound 443 from Zuplo (see Zuplo egress IPs).',
  },
];
