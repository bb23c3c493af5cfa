import { SEED_SECTIONS, type Scenario } from '../types.ts';
import { ALL_MTLS_HEADERS, FORWARD_WITH_CERT, PASSTHROUGH_HEADER, VERIFY_HEADERS, verifyHeadersOf } from './common.ts';

const seedSection = SEED_SECTIONS['alb-behaviour'];

/** ALB behaviour the seed relies on, as AWS's mutual-TLS and listener documentation describes it. */
export const albBehaviour: Scenario[] = [
  {
    id: 'ignore-expiry-accepts-expired',
    title: 'IgnoreClientCertificateExpiry=true lets an expired certificate through',
    group: 'alb-behaviour',
    seedSection,
    variant: 'expired',
    alb: { mode: 'verify', ignoreClientCertificateExpiry: true },
    gateway: FORWARD_WITH_CERT,
    expected: { status: 200, tlsVerifyStatus: 'Success', failureClass: null, targetHeaders: { present: verifyHeadersOf('expired') } },
    explanation: 'With ignore-expiry on, the ALB skips the notAfter check (only that one) and forwards the expired ' +
      "certificate's details; the Validity header shows the past date.",
    fix: 'A stopgap only: renew the certificate, then turn it off (--mutual-authentication ...,IgnoreClientCertificateExpiry=false).',
  },
  {
    id: 'bundle-intermediate-completes-leaf-only',
    title: 'An intermediate in the CA bundle completes a chain whose client sends only its leaf',
    group: 'alb-behaviour',
    seedSection,
    variant: 'leaf-only',
    alb: { mode: 'verify', trustStore: 'root+intermediate' },
    gateway: FORWARD_WITH_CERT,
    expected: { status: 200, tlsVerifyStatus: 'Success', failureClass: null, targetHeaders: { present: verifyHeadersOf('leaf-only') } },
    explanation: 'The gateway sends only the leaf; the ALB finds the missing intermediate in its trust store and builds the path to the root.',
    fix: 'Nothing to fix; the alternative is to upload the certificate with its chain.',
  },
  {
    id: 'off-mode-no-headers',
    title: 'Mutual authentication off: no certificate requested, no X-Amzn-Mtls-* headers',
    group: 'alb-behaviour',
    seedSection,
    variant: 'good',
    alb: { mode: 'off' },
    gateway: FORWARD_WITH_CERT,
    expected: { status: 200, tlsVerifyStatus: 'Success', failureClass: null, targetHeaders: { absent: ALL_MTLS_HEADERS } },
    explanation: 'With mTLS off the ALB never asks for a client certificate, so the one the gateway holds is not sent and ' +
      'the target learns nothing about the caller. Anyone can call the ALB.',
    fix: 'Turn on verify mode: aws elbv2 modify-listener --listener-arn ARN --mutual-authentication Mode=verify,TrustStoreArn=TS_ARN.',
  },
  {
    id: 'passthrough-does-not-enforce',
    title: 'Passthrough forwards an untrusted certificate unverified, in X-Amzn-Mtls-Clientcert',
    group: 'alb-behaviour',
    seedSection,
    variant: 'untrusted-root',
    alb: { mode: 'passthrough' },
    gateway: FORWARD_WITH_CERT,
    expected: {
      status: 200,
      tlsVerifyStatus: 'Success',
      failureClass: null,
      targetHeaders: { present: { [PASSTHROUGH_HEADER]: { fact: 'chain', variant: 'untrusted-root' } }, absent: [...VERIFY_HEADERS] },
    },
    explanation: 'Passthrough accepts any certificate and hands the whole presented chain (leaf first, URL-encoded PEM) ' +
      'to the target. Unless the target verifies it, an untrusted caller gets through.',
    fix: 'Use verify mode (the seed: "Use verify mode, not passthrough"), or verify X-Amzn-Mtls-Clientcert in the application.',
  },
  {
    id: 'root-appended-rejected',
    title: 'Appending the trusted root to a rogue chain does not make it trusted',
    group: 'alb-behaviour',
    seedSection,
    variant: 'root-appended',
    alb: { mode: 'verify' },
    gateway: FORWARD_WITH_CERT,
    expected: { status: 522, tlsVerifyStatus: 'Failed:ClientCertUntrusted', failureClass: 'handshake-rejected', reachesTarget: false },
    explanation: "The leaf comes from a rogue CA; the trusted root sent after it did not sign it, so the path is not built and the handshake is dropped.",
    fix: 'Present the chain that actually issued the leaf; the trust store decides, not what the client sends.',
  },
  {
    id: 'client-mtls-headers-stripped',
    title: 'A client-sent X-Amzn-Mtls-Clientcert-Subject is replaced by the real one',
    group: 'alb-behaviour',
    seedSection,
    variant: 'good',
    alb: { mode: 'verify' },
    gateway: FORWARD_WITH_CERT,
    request: { headers: { 'X-Amzn-Mtls-Clientcert-Subject': 'CN=forged' } },
    expected: {
      status: 200,
      tlsVerifyStatus: 'Success',
      failureClass: null,
      targetHeaders: { present: { 'x-amzn-mtls-clientcert-subject': { fact: 'subject', variant: 'good' } } },
    },
    explanation: 'The caller forged the header; the gateway forwards it, and the ALB drops client-sent X-Amzn-Mtls-* ' +
      'headers before adding its own (AWS does not document this; the emulator strips by default).',
    fix: 'Trust these headers only behind an ALB in verify mode, and only from the ALB (restrict the targets’ security group).',
  },
  {
    id: 'dead-target-502',
    title: 'The target resets the connection: the ALB answers 502',
    group: 'alb-behaviour',
    seedSection,
    variant: 'good',
    alb: { mode: 'verify', target: 'reset' },
    gateway: FORWARD_WITH_CERT,
    expected: { status: 502, tlsVerifyStatus: 'Success', failureClass: null },
    explanation: 'mTLS succeeded; the target then reset the connection, so the ALB generated a 502, and the gateway passed it through unchanged.',
    fix: 'Check the target (aws elbv2 describe-target-health) and its logs; this is not an mTLS problem.',
  },
  {
    id: 'no-targets-503',
    title: 'The target group is empty: the ALB answers 503',
    group: 'alb-behaviour',
    seedSection,
    variant: 'good',
    alb: { mode: 'verify', target: 'none' },
    gateway: FORWARD_WITH_CERT,
    expected: { status: 503, tlsVerifyStatus: 'Success', failureClass: null, reachesTarget: false },
    explanation: 'mTLS succeeded, but no target is registered, so the ALB answers 503 itself.',
    fix: 'Register targets: aws elbv2 register-targets --target-group-arn TG_ARN --targets Id=...',
  },
  {
    id: 'request-timeout-504',
    title: 'The target is slower than the route’s requestTimeoutSeconds: the gateway answers 504',
    group: 'alb-behaviour',
    seedSection,
    variant: 'good',
    alb: { mode: 'verify', target: 'slow', targetDelayMs: 3_000 },
    gateway: { ...FORWARD_WITH_CERT, requestTimeoutSeconds: 0.3 },
    expected: { status: 504, tlsVerifyStatus: 'Success', failureClass: 'upstream-timeout', bodyIncludes: ['0.3 seconds'] },
    explanation: 'mTLS succeeded and the request reached the target, which did not answer within the 0.3 s set in ' +
      'requestTimeoutSeconds, so the gateway gave up with a 504 problem+json.',
    fix: 'Raise requestTimeoutSeconds on the route, or make the target faster. Not an mTLS problem.',
  },
  {
    id: 'http2-client-same-verdict',
    title: 'An HTTP/2 client (curl --http2) gets the same verdict and headers; the target still receives HTTP/1.1',
    group: 'alb-behaviour',
    seedSection,
    caller: 'h2-client',
    variant: 'good',
    alb: { mode: 'verify' },
    gateway: FORWARD_WITH_CERT,
    expected: {
      status: 200,
      tlsVerifyStatus: 'Success',
      failureClass: null,
      targetHeaders: { present: { ...verifyHeadersOf('good'), 'x-forwarded-proto': 'https' }, absent: [PASSTHROUGH_HEADER] },
    },
    explanation: 'The listener offers ALPN h2 and http/1.1 (routing.http2.enabled is true by default) and mutual TLS works ' +
      'the same over both: a client that speaks HTTP/2 with the same certificate as the gateway gets the same ' +
      'tls_verify_status and its request reaches the target as HTTP/1.1 (the target group\'s default protocol version) with ' +
      'the same X-Amzn-Mtls-* and X-Forwarded-* headers; only the access log differs: type h2 and "HTTP/2.0" in the request field. ' +
      'The gateway itself speaks HTTP/1.1 to the ALB, as the Zuplo runtime\'s fetch does, so its lines say https / HTTP/1.1.',
    fix: 'Nothing to fix. To tell the two apart in logs, read the access log\'s first field (h2 or https). To keep every client on ' +
      'HTTP/1.1, set the load-balancer attribute routing.http2.enabled=false (curl --http2 then falls back to HTTP/1.1).',
    source: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html (HTTP/2: ' +
      '"Mutual TLS authentication for Application Load Balancers supports HTTP/2 in both passthrough and verify modes"); ' +
      'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html#target-group-protocol-version ' +
      '(HTTP/1.1 targets receive HTTP/2 requests as HTTP/1.1); ' +
      'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html (type h2)',
  },
  {
    id: 'http2-client-untrusted-403',
    title: 'An HTTP/2 client with an untrusted certificate gets the 403 of the http-403 model over HTTP/2',
    group: 'alb-behaviour',
    seedSection,
    caller: 'h2-client',
    variant: 'untrusted-root',
    alb: { mode: 'verify', verifyFailure: 'http-403' },
    gateway: FORWARD_WITH_CERT,
    expected: { status: 403, tlsVerifyStatus: 'Failed:ClientCertUntrusted', failureClass: null, reachesTarget: false },
    explanation: 'The verdict does not depend on the HTTP version: the ALB judges the certificate during the TLS handshake, ' +
      'before ALPN\'s choice matters. In the emulator\'s http-403 model the handshake completes and every request on the ' +
      'connection is answered 403 by the ALB itself (Server: awselb/2.0), here on an HTTP/2 stream; the connection log ' +
      'says Failed:ClientCertUntrusted and the access log has a type h2 line with elb_status_code 403.',
    fix: 'Issue the client certificate from a CA in the trust store, or add its root (and intermediates) to the bundle.',
    source: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html (HTTP/2 with mutual TLS in verify mode); ' +
      'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-connection-logs.html (ClientCertUntrusted)',
  },
];
