import { emulatedRuntime, localEdgeTrustFinding } from '../gateway/emulated-runtime.ts';
import { localCertificatesIgnored } from '../gateway/start-gateway.ts';
import type { ProjectType } from '../gateway/types.ts';
import type { RouteCertificate, Finding } from './types.ts';

/**
 * The `local` environment type is `zuplo dev`. On a managed-edge project (workerd) it has no mTLS
 * bindings, so every route that names a certificate answers 500, and it trusts only public web CAs,
 * so an ALB with a private server certificate cannot be reached at all. (A managed-dedicated
 * project presents the store's certificates, as `zuplo dev --mtls-certs` does: nothing to add.)
 */
export function checkLocalDevelopment(routes: readonly RouteCertificate[], projectType: ProjectType | undefined, originCaGiven: boolean, findings: Finding[]): void {
  if (emulatedRuntime('local', projectType) !== 'local-edge') return;
  const first = routes.find((r) => r.name);
  const names = [...new Set(routes.flatMap((r) => (r.name ? [r.name] : [])))];
  const where = first ? { route: first.route, file: first.file, field: first.field } : { file: 'zuplo.jsonc', field: 'projectType' };
  if (names.length > 0) {
    findings.push({
      severity: 'error', check: 'local-development', environmentType: 'local', ...where,
      message: localCertificatesIgnored(names),
      fix: 'Judge the deployed environment types instead (--env-type development, preview or production), or test in a preview environment.',
    });
  }
  const trust = localEdgeTrustFinding({ environmentType: 'local', ...(projectType ? { projectType } : {}), originCaGiven });
  if (trust) findings.push({ severity: trust.severity, check: 'local-development', environmentType: 'local', file: 'zuplo.jsonc', field: 'projectType', message: trust.message, fix: trust.fix });
}
