import type { ClientVariantId } from '../../certs/index.ts';

/**
 * The one table of rules where an ALB's verdict and OpenSSL's (`openssl verify -x509_strict -purpose
 * sslclient`, and the OpenSSL inside HAProxy and nginx) differ on purpose. Every oracle test expects
 * exactly these disagreements and no others.
 *
 * `alb-rejects`: an ALB rule OpenSSL does not have (OpenSSL says OK, ALB fails the chain).
 * `openssl-rejects`: an OpenSSL rule an ALB does not apply (ALB says Success, OpenSSL fails).
 */
export interface AlbOnlyRuleRow {
  direction: 'alb-rejects' | 'openssl-rejects';
  /** Why, with the source: AWS's documentation or OpenSSL's documented behaviour. */
  reason: string;
}

export const ALB_ONLY_RULES = {
  'key-type': {
    direction: 'alb-rejects',
    reason: 'ALB accepts RSA 2048-8192 bit and ECDSA secp256r1/secp384r1/secp521r1 keys only (AWS: mutual-authentication.html); OpenSSL accepts Ed25519 and, at its default security level 1, RSA 1024',
  },
  'x509-v1': {
    direction: 'alb-rejects',
    reason: 'ALB supports X.509v3 certificates only (AWS: mutual-authentication.html); OpenSSL verifies a v1 leaf, even with -x509_strict',
  },
  'sha1-signature': {
    direction: 'alb-rejects',
    reason: 'ALB accepts SHA-2 signatures only (AWS: mutual-authentication.html lists SHA256/384/512 with RSA, ECDSA, RSASSA-PSS); OpenSSL 3.0 at security level 1 still verifies SHA-1',
  },
  'leaf-is-ca': {
    direction: 'alb-rejects',
    reason: 'a client certificate must be an end entity (RFC 5280: a CA key signs certificates, not TLS handshakes); OpenSSL\'s sslclient purpose accepts a CA leaf whose keyUsage has digitalSignature',
  },
  'leaf-key-usage-digital-signature': {
    direction: 'alb-rejects',
    reason: 'a TLS client signs CertificateVerify, so a leaf keyUsage must have digitalSignature (RFC 5280 4.2.1.3); OpenSSL\'s sslclient purpose also accepts keyAgreement alone',
  },
  'crl-stale': {
    direction: 'openssl-rejects',
    reason: 'AWS documents no nextUpdate check for trust-store revocation lists, so the emulator keeps applying an expired CRL (a choice where AWS is silent: README Divergences); OpenSSL fails the whole chain with "CRL has expired"',
  },
  'crl-not-yet-valid': {
    direction: 'openssl-rejects',
    reason: 'AWS documents no thisUpdate check for trust-store revocation lists, so the emulator applies a CRL issued "in the future" (a choice where AWS is silent); OpenSSL fails the chain with "CRL is not yet valid"',
  },
  'crl-per-level': {
    direction: 'openssl-rejects',
    reason: 'CRLs are optional trust-store imports (AddTrustStoreRevocations) and AWS documents no failure for a CA without one, so the emulator checks only the levels that have a CRL; OpenSSL\'s -crl_check_all demands one for every level ("unable to get certificate CRL")',
  },
  'validity-end-inclusive': {
    direction: 'openssl-rejects',
    reason: 'RFC 5280 makes the validity period notBefore through notAfter inclusive, so a certificate is still valid at its notAfter second (AWS is silent); OpenSSL (X509_cmp_time) already calls it expired then',
  },
  'path-building': {
    direction: 'openssl-rejects',
    reason: 'a path builder tries every candidate issuer (RFC 4158), so a valid path through a later presented cross-certificate is found (AWS is silent; the verifier builds paths); OpenSSL 3.0 follows the first matching presented issuer and only swaps in trust-store certificates, so it reports "unable to get local issuer certificate"',
  },
} as const satisfies Record<string, AlbOnlyRuleRow>;

export type AlbOnlyRule = keyof typeof ALB_ONLY_RULES;

/** The PKI factory's client variants that hit a rule of the table. */
export const VARIANT_RULES: Partial<Record<ClientVariantId, AlbOnlyRule>> = {
  'unsupported-key': 'key-type',
  'x509-v1': 'x509-v1',
};

/** The table row a PKI client variant hits, if any. */
export function albOnlyRuleOfVariant(id: ClientVariantId): AlbOnlyRuleRow | undefined {
  const rule = VARIANT_RULES[id];
  return rule ? ALB_ONLY_RULES[rule] : undefined;
}
