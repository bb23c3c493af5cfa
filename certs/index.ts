/** The PKI factory: a CA hierarchy with every client certificate a user can meet behind an ALB in verify mode. */
export { createPki, DEFAULT_ALB_DNS_NAME } from './pki/pki.ts';
export { CLIENT_VARIANTS } from './pki/variants.ts';
export { ALB_FAILURE_CODES, failed, isTlsVerifyStatus } from './alb-codes.ts';
export type { AlbFailureCode, TlsVerifyStatus } from './alb-codes.ts';
export { formatNameRfc2253, escapeRfc2253Value } from './x509/dn.ts';
export { subjectRfc2253, issuerRfc2253 } from './x509/cert-names.ts';
export { splitPemBlocks, ensureTrailingNewline, derToPem, certificateBlocks } from './x509/pem.ts';
export { certFacts } from './x509/facts.ts';
export { P12_PASSWORD } from './pki/write.ts';
export type * from './pki/types.ts';
