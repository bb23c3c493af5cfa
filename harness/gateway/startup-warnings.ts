import type { CertificateStore } from './cert-store.ts';
import type { EmulatedRuntime } from './emulated-runtime.ts';
import type { CompiledRoute } from './routes.ts';
import type { EnvironmentType } from './types.ts';

export interface CertificateWarningInput {
  routes: readonly CompiledRoute[];
  store: CertificateStore;
  /** What the store said while loading (name rules, expiry, skipped directories). */
  storeWarnings: readonly string[];
  runtime: EmulatedRuntime;
  environmentType: EnvironmentType;
}

/**
 * Start-up warnings about certificates, limited to the ones the project uses: a route naming a
 * certificate the store does not hold, or one not enabled for this environment type (both answer
 * 500 "not found"), and what the store said about the certificates the routes name. When a route
 * runs a function module, which certificates it names is unknown, so every store warning is kept.
 */
export function certificateWarnings(input: CertificateWarningInput): string[] {
  const { routes, store, runtime, environmentType } = input;
  const records = store.list();
  const used = new Map<string, string[]>(); // certificate name -> routes naming it
  let functionModules = false;
  for (const route of routes) {
    const { module, options } = route.config.handler;
    if (module !== '@zuplo/runtime') functionModules = true;
    const name = options.mtlsCertificate;
    if (typeof name !== 'string' || name === '') continue;
    const label = `${route.config.file}: route ${[...route.methods].join(',')} ${route.config.path}`;
    used.set(name, [...(used.get(name) ?? []), label]);
  }

  const out = input.storeWarnings.filter((w) => functionModules || [...used.keys()].some((n) => w.includes(`'${n}'`) || w.includes(`/${n}`)));
  for (const [name, where] of used) {
    const record = records.find((r) => r.name === name);
    const routesText = where.join('; ');
    if (runtime === 'local-edge') {
      out.push(`${routesText}: names mTLS certificate '${name}', but zuplo dev on a managed-edge project has no certificate bindings, so it answers 500 "not found".`);
    } else if (record === undefined) {
      const held = records.map((r) => r.name).join(', ') || 'none';
      out.push(
        `${routesText}: names mTLS certificate '${name}', which is not in the certificate store (it holds: ${held}), so it answers 500 "not found". ` +
          `Create it (alb-mtls mtls-certificate create --name ${name} ...) or fix the name.`,
      );
    } else if (runtime === 'deployed' && environmentType !== 'local' && !record.environments[environmentType]) {
      const enabled = Object.entries(record.environments).filter(([, on]) => on).map(([t]) => t).join(', ') || 'none';
      out.push(
        `${routesText}: names mTLS certificate '${name}', which is not enabled for the ${environmentType} environment type ` +
          `(enabled for: ${enabled}), so it answers 500 "not found". Enable it: alb-mtls mtls-certificate update --cert-id ${record.id} ` +
          `--environment-type ${environmentType} (repeat the flag to keep the others).`,
      );
    }
  }
  return out;
}
