import { SEED_SECTIONS, type Scenario } from '../types.ts';
import { FORWARD_WITH_CERT, verifyHeadersOf } from './common.ts';

const seedSection = SEED_SECTIONS['trust-store-load'];

/** AWS: "Before you begin" of the ALB mutual authentication page (bundle format) and the ELB quotas page. */
const MA_DOC = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/mutual-authentication.html';
const QUOTA_DOC = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html';
const CA_BUNDLE_KC = 'https://repost.aws/knowledge-center/elb-alb-mtls-ca-bundle-issues';

/** After the fix each of these is the walkthrough's success: the good certificate reaches the target. */
const AFTER_FIX = { status: 200, tlsVerifyStatus: 'Success', failureClass: null, targetHeaders: { present: verifyHeadersOf('good') } } as const;

/**
 * Trust stores the ALB refuses when it loads them (CreateTrustStore / ModifyTrustStore fail, the
 * listener keeps serving with the store it had). Each run loads the broken store, checks the
 * refusal, then loads the fixed one and sends the walkthrough's request.
 */
export const trustStoreLoad: Scenario[] = [
  {
    id: 'bundle-blank-line-refused',
    title: 'A CA bundle with a blank line is refused',
    group: 'trust-store-load',
    seedSection,
    variant: 'good',
    alb: { mode: 'verify', trustStoreFixture: 'refused-blank-line' },
    gateway: FORWARD_WITH_CERT,
    expected: { ...AFTER_FIX, albRefuses: { code: 'HARNESS_ERR_TRUST_STORE', includes: 'blank line' } },
    explanation: 'The bundle was assembled with cat and an empty line between the comment and the certificate. AWS ' +
      'accepts only PEM blocks and # comment lines, with no blank lines anywhere, so creating or modifying the trust store fails.',
    fix: "Delete empty lines (sed -i '/^$/d' bundle.pem), upload the bundle to S3 again and run aws elbv2 modify-trust-store --trust-store-arn TS_ARN --ca-certificates-bundle-s3-bucket B --ca-certificates-bundle-s3-key K.",
    source: `${MA_DOC} (CA certificates bundle format); ${CA_BUNDLE_KC}`,
  },
  {
    id: 'bundle-dash-in-comment-refused',
    title: 'A CA bundle whose comment contains "-" is refused',
    group: 'trust-store-load',
    seedSection,
    variant: 'good',
    alb: { mode: 'verify', trustStoreFixture: 'refused-dash-comment' },
    gateway: FORWARD_WITH_CERT,
    expected: { ...AFTER_FIX, albRefuses: { code: 'HARNESS_ERR_TRUST_STORE', includes: 'comment contains "-"' } },
    explanation: 'The comment "# root CA - production" holds a dash. AWS comment lines start with # and must not contain "-" ' +
      '(a dash run is how PEM armour starts), so the bundle is refused.',
    fix: 'Remove the dashes from every comment line (or the comments), then modify-trust-store with the new S3 object.',
    source: `${MA_DOC} (CA certificates bundle format)`,
  },
  {
    id: 'trust-store-26-cas-refused',
    title: 'A trust store with 26 CA certificates is over the quota of 25',
    group: 'trust-store-load',
    seedSection,
    variant: 'good',
    alb: { mode: 'verify', trustStoreFixture: 'refused-26-cas' },
    gateway: FORWARD_WITH_CERT,
    expected: { ...AFTER_FIX, albRefuses: { code: 'HARNESS_ERR_TRUST_STORE', includes: 'CA certificates per trust store' } },
    explanation: 'A partner roots bundle grew to 26 CA certificates; an ALB trust store holds at most 25 and the quota cannot ' +
      'be raised, so the 26th certificate makes the whole bundle fail.',
    fix: 'Keep only the roots and intermediates that issue the client certificates you accept (the gateway needs one); ' +
      'split partners over a second listener with its own trust store if you must.',
    source: `${QUOTA_DOC} (Trust stores: CA certificates per trust store)`,
  },
  {
    id: 'trust-store-ca-over-16kb-refused',
    title: 'A CA certificate over 16 KB is refused',
    group: 'trust-store-load',
    seedSection,
    variant: 'good',
    alb: { mode: 'verify', trustStoreFixture: 'refused-ca-over-16kb' },
    gateway: FORWARD_WITH_CERT,
    expected: { ...AFTER_FIX, albRefuses: { code: 'HARNESS_ERR_TRUST_STORE', includes: 'CA certificate size limit of 16 KB' } },
    explanation: 'One CA in the bundle carries 500 subject alternative names and weighs over 16 KB of PEM; ALB limits each CA ' +
      'certificate to 16 KB, so the bundle is refused.',
    fix: 'Use a CA certificate without the bulky extensions (CAs need no SAN list); the limit is not adjustable.',
    source: `${QUOTA_DOC} (CA certificate size)`,
  },
  {
    id: 'crl-der-refused',
    title: 'A CRL in DER, as AWS Private CA publishes it, is refused',
    group: 'trust-store-load',
    seedSection,
    variant: 'good',
    alb: { mode: 'verify', trustStoreFixture: 'refused-der-crl' },
    gateway: FORWARD_WITH_CERT,
    expected: { ...AFTER_FIX, albRefuses: { code: 'HARNESS_ERR_CRL', includes: 'DER-encoded CRL' } },
    explanation: 'AWS Private CA writes its CRL to S3 in DER; add-trust-store-revocations takes PEM CRLs only, so pointing it ' +
      'at the Private CA bucket fails.',
    fix: 'Convert it and upload the PEM: openssl crl -inform DER -in crl.der -outform PEM -out crl.pem; then ' +
      'aws elbv2 add-trust-store-revocations --trust-store-arn TS_ARN --revocation-contents S3Bucket=B,S3Key=crl.pem.',
    source: `${MA_DOC} (certificate revocation); https://docs.aws.amazon.com/privateca/latest/userguide/crl-planning.html (CRLs are DER)`,
  },
];
