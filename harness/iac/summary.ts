import { HTTP2_ATTRIBUTE } from '../alb/options.ts';
import type { ImportedAlbConfig } from './types.ts';

/**
 * What an import will enforce, as lines for a terminal: the listener and its mode, the trust store with
 * its CA subjects, the revocations, the attributes, and every note.
 */
export function describeImport(imported: ImportedAlbConfig): string[] {
  const { listener, albOptions: o, trustStore } = imported;
  const m = o.mutualAuthentication;
  const lines = [`Imported from ${imported.source} (${imported.format}):`];
  lines.push(`  listener ${listener.id}: ${listener.protocol ?? 'HTTPS'}${listener.port === undefined ? '' : ` port ${listener.port}`}, security policy ${o.sslPolicy ?? '(default)'}`);
  lines.push(`  mutual TLS mode ${m?.mode ?? 'off'}${m?.mode === 'verify' ? `, ignore client certificate expiry ${m.ignoreClientCertificateExpiry ?? false}, advertise trust store CA names ${m.advertiseTrustStoreCaNames ?? 'off'}` : ''}`);
  if (trustStore) {
    lines.push(`  trust store ${trustStore.name ?? trustStore.id} from ${trustStore.bundlePath}: ${trustStore.caSubjects.length} CA certificate(s)`);
    for (const subject of trustStore.caSubjects) lines.push(`    CA ${subject}`);
    if (trustStore.revocations.length === 0) lines.push('  revocations: none');
    for (const r of trustStore.revocations) lines.push(`  revocation ${r.path}: CRL of ${r.issuer}, ${r.revokedSerials} revoked serial(s)`);
  }
  const attributes = Object.entries(o.attributes ?? {});
  lines.push(attributes.length === 0 ? '  attributes: none beyond the defaults' : '  attributes:');
  for (const [key, value] of attributes) lines.push(`    ${key}=${value}`);
  if (o.attributes?.[HTTP2_ATTRIBUTE] === 'false') lines.push(`  note: ${HTTP2_ATTRIBUTE}=false: the listener offers HTTP/1.1 only (ALPN http/1.1, no h2)`);
  for (const note of imported.notes) lines.push(`  note: ${note}`);
  lines.push('  server certificate: the generated ALB certificate (an ACM certificate cannot be exported)');
  return lines;
}
