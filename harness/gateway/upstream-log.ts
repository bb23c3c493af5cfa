import type { UpstreamRecord } from './types.ts';

/**
 * One upstream attempt as a log line: the route, the certificate name sent (or `none`), the TLS
 * version, the failure class, the status the client got, and how long the attempt took. Example:
 * `[GET /api/{id}] https://alb.example/api/1 cert=alb_cert tls=TLSv1.3 failure=handshake-rejected status=522 4ms`.
 * `answered` is the gateway's own status; when it differs from the origin's, both are shown.
 */
export function formatUpstreamRecord(record: UpstreamRecord, answered?: number): string {
  const parts = [
    `[${record.route ?? record.method}]`,
    record.url,
    `cert=${record.presentedCertificate ? (record.mtlsCertificate ?? 'none') : record.mtlsCertificate ? `none(asked:${record.mtlsCertificate})` : 'none'}`,
    `tls=${record.tlsProtocol ?? '-'}`,
    `failure=${record.failureClass ?? '-'}`,
    `status=${answered ?? record.status ?? '-'}`,
  ];
  if (record.status !== undefined && answered !== undefined && answered !== record.status) parts.push(`upstream=${record.status}`);
  parts.push(`${record.durationMs ?? 0}ms`);
  return parts.join(' ');
}
