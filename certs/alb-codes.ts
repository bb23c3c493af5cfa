/**
 * The `tls_verify_status` vocabulary of ALB connection logs, exactly as AWS documents it
 * (load-balancer-connection-logs.html). `ClientCertRevoked` is deliberately absent: it is not
 * an ALB code.
 */
export const ALB_FAILURE_CODES = [
  'ClientCertMaxChainDepthExceeded',
  'ClientCertMaxSizeExceeded',
  'ClientCertCrlHit',
  'ClientCertCrlProcessingError',
  'ClientCertUntrusted',
  'ClientCertNotYetValid',
  'ClientCertExpired',
  'ClientCertTypeUnsupported',
  'ClientCertInvalid',
  'ClientCertPurposeInvalid',
  'ClientCertRejected',
  'UnmappedConnectionError',
  'ClientCertIncompatible',
] as const;

export type AlbFailureCode = (typeof ALB_FAILURE_CODES)[number];

/** `Success`, or `Failed:<code>`; the value of field 11 of a connection-log line. */
export type TlsVerifyStatus = 'Success' | `Failed:${AlbFailureCode}`;

export function failed(code: AlbFailureCode): TlsVerifyStatus {
  return `Failed:${code}`;
}

export function isTlsVerifyStatus(value: string): value is TlsVerifyStatus {
  if (value === 'Success') return true;
  return value.startsWith('Failed:') && (ALB_FAILURE_CODES as readonly string[]).includes(value.slice(7));
}
