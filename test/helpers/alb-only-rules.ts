import type { ClientVariantId } from '../../certs/index.ts';

/**
 * Where ALB refuses what an OpenSSL-based terminator (HAProxy, nginx) accepts: ALB rules that
 * OpenSSL does not have. The oracle tests expect exactly these disagreements and no others.
 */
export const ALB_ONLY_RULES: Partial<Record<ClientVariantId, string>> = {
  'unsupported-key': 'ALB accepts RSA and P-256/384/521 keys only; OpenSSL accepts Ed25519',
  'x509-v1': 'ALB supports X.509v3 only; OpenSSL verifies v1 certificates',
};
