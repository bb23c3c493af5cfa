import type { ClientVariantId } from './types.ts';
import type { TlsVerifyStatus } from '../alb-codes.ts';

export interface ClientVariantSpec {
  description: string;
  /** Verify mode, default trust store (root only) and revocations (root + intermediate CRLs). */
  expectedVerdict: TlsVerifyStatus | null;
  verdictReason: string;
}

/**
 * Every client certificate a PKI set holds: what it is, and what an ALB in verify mode does with it.
 * Verdicts marked "inferred" are our reading of AWS's mutual-TLS documentation where it names the
 * failure but not the exact status code (the README's divergences list them).
 */
export const CLIENT_VARIANTS: Record<ClientVariantId, ClientVariantSpec> = {
  good: {
    description: 'The good client certificate: clientAuth EKU, issued by the intermediate, presented with the intermediate.',
    expectedVerdict: 'Success',
    verdictReason: 'It chains to the root in the trust store and breaks no ALB rule.',
  },
  'good-alt': {
    description: 'A second good client certificate with another subject (for per-environment certificates).',
    expectedVerdict: 'Success',
    verdictReason: 'It chains to the root in the trust store and breaks no ALB rule.',
  },
  'escaped-subject': {
    description: 'A good certificate whose subject needs RFC 2253 escaping and whose base64 holds "+", "/" and "=".',
    expectedVerdict: 'Success',
    verdictReason: 'Special characters in the subject do not affect verification.',
  },
  'high-bit-serial': {
    description: "A good certificate whose serial's first byte has the high bit set (DER adds a 00 sign byte).",
    expectedVerdict: 'Success',
    verdictReason: 'The serial form does not affect verification.',
  },
  expired: {
    description: 'Expired: notAfter is 30 days before now.',
    expectedVerdict: 'Failed:ClientCertExpired',
    verdictReason: 'The certificate has expired (accepted only with IgnoreClientCertificateExpiry).',
  },
  'not-yet-valid': {
    description: 'Not yet valid: notBefore is 30 days after now.',
    expectedVerdict: 'Failed:ClientCertNotYetValid',
    verdictReason: 'The certificate is not valid yet (IgnoreClientCertificateExpiry does not cover this: inferred).',
  },
  'untrusted-root': {
    description: 'Issued by a rogue root CA that is not in the trust store.',
    expectedVerdict: 'Failed:ClientCertUntrusted',
    verdictReason: 'No CA in the trust store issued it.',
  },
  'self-signed': {
    description: 'A self-signed client certificate.',
    expectedVerdict: 'Failed:ClientCertUntrusted',
    verdictReason: 'A self-signed certificate chains to nothing in the trust store.',
  },
  'leaf-only': {
    description: 'The good leaf presented without its intermediate.',
    expectedVerdict: 'Failed:ClientCertUntrusted',
    verdictReason: 'The trust store holds only the root, so the path to it cannot be built (add the intermediate to the bundle, or send it).',
  },
  'server-auth-only': {
    description: 'A leaf whose extended key usage is serverAuth only.',
    expectedVerdict: 'Failed:ClientCertPurposeInvalid',
    verdictReason: 'Its EKU does not allow client authentication (inferred mapping).',
  },
  revoked: {
    description: "Revoked: listed in the intermediate's CRL; its serial has the high bit set.",
    expectedVerdict: 'Failed:ClientCertCrlHit',
    verdictReason: "Its serial is on the intermediate's CRL in the trust store's revocations.",
  },
  'chain-too-deep': {
    description: 'Root -> 3 intermediates -> leaf: a 5-certificate path.',
    expectedVerdict: 'Failed:ClientCertMaxChainDepthExceeded',
    verdictReason: "ALB's maximum chain depth is 4 (counted leaf to anchor: inferred).",
  },
  'unsupported-key': {
    description: 'An Ed25519 leaf.',
    expectedVerdict: 'Failed:ClientCertTypeUnsupported',
    verdictReason: 'ALB accepts RSA 2048-8192 and EC P-256/P-384/P-521 keys only (inferred mapping).',
  },
  'sha1-signature': {
    description: 'A leaf signed with SHA-1.',
    expectedVerdict: 'Failed:ClientCertTypeUnsupported',
    verdictReason: 'ALB accepts SHA-256/384/512 signatures only (inferred mapping).',
  },
  'x509-v1': {
    description: 'An X.509 version 1 leaf (no extensions).',
    expectedVerdict: 'Failed:ClientCertTypeUnsupported',
    verdictReason: 'ALB supports X.509v3 client certificates only (inferred code).',
  },
  'root-appended': {
    description: 'The untrusted leaf with the trusted root appended to its chain (a known bypass shape in other tools).',
    expectedVerdict: 'Failed:ClientCertUntrusted',
    verdictReason: 'A trusted root in the presented chain does not make an unrelated leaf trusted.',
  },
  'key-mismatch': {
    description: 'The good certificate paired with a private key that does not belong to it.',
    expectedVerdict: null,
    verdictReason: 'A TLS client refuses to load the pair (key values mismatch), so nothing reaches the ALB.',
  },
  'expired-intermediate': {
    description: 'A good leaf issued by an intermediate whose validity has ended.',
    expectedVerdict: 'Failed:ClientCertExpired',
    verdictReason: 'A certificate in the chain (the intermediate) has expired.',
  },
};
