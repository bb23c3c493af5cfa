import type { AlbFailureCode } from '../../certs/alb-codes.ts';

/** The fix, in one sentence, for each way an ALB in verify mode rejects a client chain. */
export const VERDICT_FIXES: Record<AlbFailureCode, string> = {
  ClientCertMaxChainDepthExceeded: 'Issue the client certificate closer to the trust-store CA: ALB allows at most 4 certificates, leaf through anchor.',
  ClientCertMaxSizeExceeded: 'Send a smaller chain (drop certificates the trust store already holds) or use smaller CA certificates.',
  ClientCertCrlHit: 'The certificate is revoked: issue a new one and upload it with alb-mtls mtls-certificate create.',
  ClientCertCrlProcessingError: "Replace the CRL with one signed by the issuer's current key, in PEM.",
  ClientCertUntrusted: 'Add the CA that issued the certificate to the trust-store bundle, and upload the chain with its intermediates (leaf first).',
  ClientCertNotYetValid: 'Wait until the certificate is valid, or reissue it with a notBefore in the past.',
  ClientCertExpired: 'Issue a new certificate and upload it (alb-mtls mtls-certificate create), then point the route at it.',
  ClientCertTypeUnsupported: 'Reissue it as X.509 v3 with an RSA 2048-8192 or EC P-256/384/521 key and a SHA-2 signature.',
  ClientCertInvalid: 'Re-export the chain in order, leaf first, each certificate signed by the next.',
  ClientCertPurposeInvalid: 'Reissue the certificate with extendedKeyUsage clientAuth.',
  ClientCertRejected: 'Check the trust store and the listener configuration.',
  UnmappedConnectionError: 'Make sure a client certificate is sent: the route must name a certificate enabled for this environment type.',
  ClientCertIncompatible: 'Reissue the certificate with a key type and signature ALB supports.',
};
