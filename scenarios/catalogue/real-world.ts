import { SEED_SECTIONS, type Scenario } from '../types.ts';
import { ALL_MTLS_HEADERS, FORWARD_WITH_CERT, verifyHeadersOf } from './common.ts';

const seedSection = SEED_SECTIONS['real-world'];

const MA_DOC = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/mutual-authentication.html';
const CONN_DOC = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-connection-logs.html';
const ATTR_DOC = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-attributes';

/** What users of real mTLS ALBs run into around the ALB: targets, certificates from elsewhere, other clients. */
export const realWorld: Scenario[] = [
  {
    id: 'passthrough-plus-decoded-as-space',
    title: 'The target decodes X-Amzn-Mtls-Clientcert as form data: "+" becomes a space and the PEM breaks',
    group: 'real-world',
    seedSection,
    variant: 'escaped-subject',
    alb: { mode: 'passthrough', target: 'form-decoding' },
    gateway: FORWARD_WITH_CERT,
    expected: { status: 400, tlsVerifyStatus: 'Success', failureClass: null, reachesTarget: true, bodyIncludes: ['not a valid PEM certificate'] },
    explanation: 'The ALB URL-encodes the chain but keeps "+", "=" and "/" as they are. The target decodes the header as a query ' +
      'string (Go url.QueryUnescape, URLSearchParams, a form parser), which reads "+" as a space; this certificate\'s base64 holds ' +
      'a "+", so the PEM no longer parses and the app answers 400. Certificates without "+" work, so it looks random.',
    fix: 'Decode with a percent-decoder that leaves "+" alone: decodeURIComponent in JavaScript, url.PathUnescape in Go, ' +
      'urllib.parse.unquote (not unquote_plus) in Python.',
    source: `${MA_DOC} (URL-encoded PEM with +=/ as safe characters); gaborage/go-bricks test fixture (url.QueryUnescape turns + into a space)`,
  },
  {
    id: 'passthrough-chain-over-8k-header-line',
    title: 'A long forwarded chain exceeds the target\'s 8 KB header-line limit: 400 from the target',
    group: 'real-world',
    seedSection,
    chain: 'long-public-chain',
    alb: { mode: 'passthrough', target: 'header-limit-8k' },
    gateway: FORWARD_WITH_CERT,
    expected: { status: 400, tlsVerifyStatus: 'Success', failureClass: null, reachesTarget: true, bodyIncludes: ['Request Header Or Cookie Too Large'] },
    explanation: 'In passthrough the ALB puts the whole presented chain in one header. A public CA\'s "long chain" (leaf, two ' +
      'RSA-4096 intermediates, a cross-signed root and the legacy root) makes it longer than 8 KB, and a target with the common 8 KB per-line limit (nginx large_client_header_buffers ' +
      '4 8k, gunicorn limit_request_field_size 8190) answers 400 "Request Header Or Cookie Too Large". The handshake and the ALB are fine.',
    fix: 'Present only leaf + the intermediates the trust store needs (no roots, no cross certificates), or raise the target\'s limit (nginx: large_client_header_buffers 4 32k; ' +
      'Node: --max-http-header-size; gunicorn: --limit-request-field_size 32768), or use verify mode, which forwards only the leaf.',
    source: `${MA_DOC} (X-Amzn-Mtls-Clientcert carries the entire chain); https://nginx.org/en/docs/http/ngx_http_core_module.html#large_client_header_buffers`,
  },
  {
    id: 'public-intermediate-without-client-auth',
    title: 'A chain from a public-CA-like hierarchy whose intermediate lacks the clientAuth EKU',
    group: 'real-world',
    seedSection,
    chain: 'public-intermediate-server-only',
    alb: { mode: 'verify', trustStoreFixture: 'public-root' },
    gateway: FORWARD_WITH_CERT,
    expected: { status: 522, tlsVerifyStatus: 'Failed:ClientCertPurposeInvalid', failureClass: 'handshake-rejected', reachesTarget: false },
    explanation: 'The leaf lists both serverAuth and clientAuth, but its issuing CA is restricted to serverAuth (public TLS ' +
      'hierarchies are being split that way, and public CAs are dropping clientAuth). An EKU on a CA limits every certificate ' +
      'under it, so the path is not valid for client authentication and the ALB drops the handshake. (AWS documents ' +
      'the code, not this rule; the emulator checks CAs as OpenSSL\'s sslclient purpose does: README, Divergences.)',
    fix: 'Issue client certificates from a private CA (AWS Private CA, step-ca) whose chain allows clientAuth, and put that root in the trust store.',
    source: `${CONN_DOC} (ClientCertPurposeInvalid); Let's Encrypt and the Chrome root program ending clientAuth in public TLS certificates (2025-2026)`,
  },
  {
    id: 'expires-tomorrow-still-accepted',
    title: 'A certificate that expires tomorrow is still accepted today',
    group: 'real-world',
    seedSection,
    variant: 'good',
    alb: { mode: 'verify', clock: 'day-before-expiry' },
    gateway: FORWARD_WITH_CERT,
    expected: { status: 200, tlsVerifyStatus: 'Success', failureClass: null, targetHeaders: { present: verifyHeadersOf('good') } },
    explanation: 'The ALB\'s clock is one day before the leaf\'s notAfter: everything works, and the only warning is the ' +
      'X-Amzn-Mtls-Clientcert-Validity header (and the connection log\'s leaf validity) the target receives.',
    fix: 'Alert on the validity before it runs out: read NotAfter from X-Amzn-Mtls-Clientcert-Validity or the connection log, ' +
      'renew, zuplo mtls-certificate update, redeploy. alb-mtls doctor --expiry-days 30 warns ahead; alb-mtls verify --cert CHAIN --trust-store BUNDLE --at DATE judges any date.',
    source: `${MA_DOC} (X-Amzn-Mtls-Clientcert-Validity); ${CONN_DOC}`,
  },
  {
    id: 'expired-the-day-after',
    title: 'The same certificate one day after its notAfter: the handshake fails',
    group: 'real-world',
    seedSection,
    variant: 'good',
    alb: { mode: 'verify', clock: 'day-after-expiry' },
    gateway: FORWARD_WITH_CERT,
    expected: { status: 522, tlsVerifyStatus: 'Failed:ClientCertExpired', failureClass: 'handshake-rejected', reachesTarget: false },
    explanation: 'Nothing changed but the date: the leaf expired overnight, the ALB drops the handshake and every call through the gateway answers 522.',
    fix: 'Renew the certificate and upload it (zuplo mtls-certificate update), then redeploy; IgnoreClientCertificateExpiry=true is a stopgap.',
    source: `${CONN_DOC} (ClientCertExpired)`,
  },
  {
    id: 'cross-signed-intermediate',
    title: 'A cross-signed intermediate links a new root to the trusted old one',
    group: 'real-world',
    seedSection,
    chain: 'cross-signed',
    alb: { mode: 'verify' },
    gateway: FORWARD_WITH_CERT,
    expected: {
      status: 200,
      tlsVerifyStatus: 'Success',
      failureClass: null,
      targetHeaders: { present: { 'x-amzn-mtls-clientcert-subject': 'CN=zuplo-gateway,O=Example Corp', 'x-amzn-mtls-clientcert-issuer': 'CN=alb-mtls-harness Issuing CA G2,O=alb-mtls-harness' } },
    },
    explanation: 'The client certificate comes from a new hierarchy (Root CA G2). The client sends leaf, issuing CA G2 and the ' +
      'cross certificate (G2\'s key, signed by the old root); the trust store still holds only the old root, and the path ' +
      'leaf → issuing CA → cross certificate → old root is four certificates, within the ALB\'s depth limit of 4.',
    fix: 'Nothing to fix during a migration; add the new root to the trust store, then drop the cross certificate from the chain.',
    source: `${MA_DOC} (chain building against the trust store); https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html (chain depth 4)`,
  },
  {
    id: 'health-path-needs-certificate-too',
    title: 'A client without a certificate calling /health is refused too: mTLS is per listener, not per path',
    group: 'real-world',
    seedSection,
    alb: { mode: 'verify' },
    gateway: { handler: 'url-forward' },
    request: { path: '/health' },
    expected: { status: 522, tlsVerifyStatus: 'Failed:UnmappedConnectionError', failureClass: 'handshake-rejected', reachesTarget: false },
    explanation: 'A monitor without a client certificate calls /health on the mTLS listener. Verify mode judges the certificate in ' +
      'the TLS handshake, before the ALB sees any path, so no listener rule can exempt /health.',
    fix: 'Give the monitor a client certificate, or serve /health on a second listener (another port) without mTLS. The ALB\'s own ' +
      'health checks to targets are unaffected: they do not use mTLS.',
    source: `${MA_DOC} (mutual TLS is a listener setting)`,
  },
  {
    id: 'underscore-mtls-header-forwarded',
    title: 'An X_Amzn_Mtls_* header spelled with underscores reaches the target (drop_invalid_header_fields off)',
    group: 'real-world',
    seedSection,
    variant: 'good',
    alb: { mode: 'verify' },
    gateway: FORWARD_WITH_CERT,
    request: { headers: { X_Amzn_Mtls_Clientcert_Subject: 'CN=forged' } },
    expected: {
      status: 200,
      tlsVerifyStatus: 'Success',
      failureClass: null,
      targetHeaders: { present: { x_amzn_mtls_clientcert_subject: 'CN=forged', 'x-amzn-mtls-clientcert-subject': { fact: 'subject', variant: 'good' } } },
    },
    explanation: 'The ALB strips client-sent X-Amzn-Mtls-* headers, but X_Amzn_Mtls_Clientcert_Subject is another name and passes ' +
      'through by default. Frameworks that map "-" and "_" to the same variable (CGI/WSGI HTTP_X_AMZN_MTLS_CLIENTCERT_SUBJECT, ' +
      'Rack, PHP) may read the forged value instead of the ALB\'s.',
    fix: 'Turn on routing.http.drop_invalid_header_fields.enabled=true (aws elbv2 modify-load-balancer-attributes) so header names ' +
      'with "_" are dropped, and read the hyphenated header only.',
    source: `${ATTR_DOC} (routing.http.drop_invalid_header_fields.enabled)`,
  },
  {
    id: 'underscore-mtls-header-dropped',
    title: 'With drop_invalid_header_fields on, the underscore-spelled header is dropped',
    group: 'real-world',
    seedSection,
    variant: 'good',
    alb: { mode: 'verify', attributes: { 'routing.http.drop_invalid_header_fields.enabled': 'true' } },
    gateway: FORWARD_WITH_CERT,
    request: { headers: { X_Amzn_Mtls_Clientcert_Subject: 'CN=forged' } },
    expected: {
      status: 200,
      tlsVerifyStatus: 'Success',
      failureClass: null,
      targetHeaders: { present: verifyHeadersOf('good'), absent: ['x_amzn_mtls_clientcert_subject'] },
    },
    explanation: 'The attribute makes the ALB drop every header whose name is not letters, digits and "-", so only the ALB\'s own X-Amzn-Mtls-Clientcert-Subject reaches the target.',
    fix: 'Nothing to fix: keep the attribute on for any target that reads X-Amzn-Mtls-* headers.',
    source: `${ATTR_DOC} (routing.http.drop_invalid_header_fields.enabled)`,
  },
  {
    id: 'cloudfront-origin-mtls-client',
    title: 'CloudFront origin mTLS in front of the ALB: CloudFront is the client, with its own certificate',
    group: 'real-world',
    seedSection,
    alb: { mode: 'verify' },
    gateway: {
      handler: 'url-forward',
      mtlsCertificate: 'cloudfront_origin',
      certificates: [{ name: 'cloudfront_origin', variant: 'good-alt', environmentTypes: ['development', 'preview', 'production'] }],
    },
    expected: { status: 200, tlsVerifyStatus: 'Success', failureClass: null, targetHeaders: { present: verifyHeadersOf('good-alt') } },
    explanation: 'With origin mTLS, CloudFront presents the ACM certificate set in the origin\'s OriginMtlsConfig; to the ALB it is ' +
      'one more client, judged against the same trust store, and the target sees that certificate\'s subject, not the viewer\'s.',
    fix: 'Put the CA that issued the CloudFront certificate in the trust store; authorise by X-Amzn-Mtls-Clientcert-Subject at the target.',
    source: 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/origin-mtls-authentication.html',
  },
  {
    id: 'cloudflare-aop-shared-certificate-untrusted',
    title: 'Cloudflare Authenticated Origin Pulls with the shared Cloudflare certificate: its CA is not in the trust store',
    group: 'real-world',
    seedSection,
    variant: 'untrusted-root',
    alb: { mode: 'verify' },
    gateway: FORWARD_WITH_CERT,
    expected: { status: 522, tlsVerifyStatus: 'Failed:ClientCertUntrusted', failureClass: 'handshake-rejected', reachesTarget: false, targetHeaders: { absent: [...ALL_MTLS_HEADERS] } },
    explanation: 'Zone-level Authenticated Origin Pulls presents a certificate issued by Cloudflare\'s origin-pull CA, which is not in ' +
      'the trust store, so the ALB drops the handshake. Cloudflare reports such a failure as 525; the emulated gateway answers 522, as Zuplo does.',
    fix: 'Use per-hostname Authenticated Origin Pulls with a certificate from your own CA (the one in the trust store). Trusting ' +
      'Cloudflare\'s shared CA would admit every Cloudflare customer.',
    source: 'https://developers.cloudflare.com/ssl/origin-configuration/authenticated-origin-pull/',
  },
];
