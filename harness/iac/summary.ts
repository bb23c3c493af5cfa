import { HTTP2_ATTRIBUTE } from '../alb/options.ts';
import { resolveHealthCheck } from '../alb/health-checks.ts';
import type { HealthCheckOptions, MutualAuthenticationOptions } from '../alb/types.ts';
import type { ImportedAlbConfig, ImportedListenerId, ImportedLoadBalancerConfig, ImportedTrustStoreSummary } from './types.ts';

/**
 * What an import will enforce, as lines for a terminal: the listener and its mode, the trust store with
 * its CA subjects, the revocations, the attributes, and every note.
 */
export function describeImport(imported: ImportedAlbConfig): string[] {
  const { listener, albOptions: o, trustStore } = imported;
  const lines = [`Imported from ${imported.source} (${imported.format}):`];
  lines.push(...listenerLines(listener, o.sslPolicy, o.mutualAuthentication, trustStore, '  '));
  lines.push(...attributeLines(o.attributes ?? {}, 'attributes', '  '));
  lines.push(...healthCheckLines(o.healthCheck));
  return [...lines, ...closingLines(imported.notes)];
}

/** The same for every listener of a load balancer: the shared attributes once, then each listener. */
export function describeLoadBalancerImport(imported: ImportedLoadBalancerConfig): string[] {
  const count = imported.listeners.length;
  const lines = [`Imported from ${imported.source} (${imported.format}): ${count} HTTPS listener(s)${imported.loadBalancer ? ` of load balancer ${imported.loadBalancer}` : ''}`];
  lines.push(...attributeLines(imported.loadBalancerOptions.attributes ?? {}, 'load-balancer attributes', '  '));
  lines.push(...healthCheckLines(imported.loadBalancerOptions.healthCheck));
  for (const { listener, options, trustStore } of imported.listeners) {
    lines.push(...listenerLines(listener, options.sslPolicy, options.mutualAuthentication, trustStore, '  '));
    if (options.attributes) lines.push(...attributeLines(options.attributes, 'listener attributes', '    '));
  }
  return [...lines, ...closingLines(imported.notes)];
}

function listenerLines(listener: ImportedListenerId, sslPolicy: string | undefined, m: MutualAuthenticationOptions | undefined, trustStore: ImportedTrustStoreSummary | undefined, indent: string): string[] {
  const lines = [`${indent}listener ${listener.id}: ${listener.protocol ?? 'HTTPS'}${listener.port === undefined ? '' : ` port ${listener.port}`}, security policy ${sslPolicy ?? '(default)'}`];
  lines.push(`${indent}mutual TLS mode ${m?.mode ?? 'off'}${m?.mode === 'verify' ? `, ignore client certificate expiry ${m.ignoreClientCertificateExpiry ?? false}, advertise trust store CA names ${m.advertiseTrustStoreCaNames ?? 'off'}` : ''}`);
  if (trustStore) {
    lines.push(`${indent}trust store ${trustStore.name ?? trustStore.id} from ${trustStore.bundlePath}: ${trustStore.caSubjects.length} CA certificate(s)`);
    for (const subject of trustStore.caSubjects) lines.push(`${indent}  CA ${subject}`);
    if (trustStore.revocations.length === 0) lines.push(`${indent}revocations: none`);
    for (const r of trustStore.revocations) lines.push(`${indent}revocation ${r.path}: CRL of ${r.issuer}, ${r.revokedSerials} revoked serial(s)`);
  }
  return lines;
}

function attributeLines(attributes: Record<string, string>, title: string, indent: string): string[] {
  const entries = Object.entries(attributes);
  const lines = [entries.length === 0 ? `${indent}${title}: none beyond the defaults` : `${indent}${title}:`];
  for (const [key, value] of entries) lines.push(`${indent}  ${key}=${value}`);
  if (attributes[HTTP2_ATTRIBUTE] === 'false') lines.push(`  note: ${HTTP2_ATTRIBUTE}=false: the listener offers HTTP/1.1 only (ALPN http/1.1, no h2)`);
  return lines;
}

function healthCheckLines(options: HealthCheckOptions | undefined): string[] {
  const h = resolveHealthCheck(options);
  if (!h) return [];
  const over = h.protocol ?? "each target's protocol";
  return [
    `  target health check: GET ${h.path} over ${over}${h.port === undefined ? '' : ` port ${h.port}`} every ${h.intervalMs / 1000} s (timeout ${h.timeoutMs / 1000} s), healthy after ${h.healthyThresholdCount}, unhealthy after ${h.unhealthyThresholdCount}, codes ${h.matcher}`,
  ];
}

function closingLines(notes: readonly string[]): string[] {
  return [...notes.map((note) => `  note: ${note}`), '  server certificate: the generated ALB certificate (an ACM certificate cannot be exported)'];
}
