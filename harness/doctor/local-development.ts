import { localCertificatesIgnored } from '../gateway/start-gateway.ts';
import type { RouteCertificate, Finding } from './types.ts';

/**
 * The `local` environment type is the managed edge's local development: it has no mTLS bindings,
 * so every route that names a certificate answers 500 there.
 *
 * Hook: when the gateway exposes its explanation of why local development on the managed-edge
 * runtime cannot reach a private-CA origin, add it here as a second finding (same check id).
 */
export function checkLocalDevelopment(routes: readonly RouteCertificate[], findings: Finding[]): void {
  const names = [...new Set(routes.flatMap((r) => (r.name ? [r.name] : [])))];
  if (names.length === 0) return;
  const first = routes.find((r) => r.name)!;
  findings.push({
    severity: 'error', check: 'local-development', environmentType: 'local', route: first.route, file: first.file, field: first.field,
    message: localCertificatesIgnored(names),
    fix: 'Judge the deployed environment types instead (--env-type development, preview or production), or test in a preview environment.',
  });
}
