/** The PKI factory: a CA hierarchy with every client certificate a user can meet behind an ALB in verify mode. */
export { createPki, DEFAULT_ALB_DNS_NAME } from './pki.ts';
export { CLIENT_VARIANTS } from './variants.ts';
export { ALB_FAILURE_CODES, failed, isTlsVerifyStatus } from './alb-codes.ts';
export type { AlbFailureCode, TlsVerifyStatus } from './alb-codes.ts';
export { subjectRfc2253, issuerRfc2253, formatNameRfc2253, escapeRfc2253Value } from './dn.ts';
export { splitPemBlocks, ensureTrailingNewline, derToPem, certificateBlocks } from './pem.ts';
export { certFacts } from './facts.ts';
export { P12_PASSWORD } from './write.ts';
export type * from './types.ts';
