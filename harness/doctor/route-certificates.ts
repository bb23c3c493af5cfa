import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { isUserError } from '../errors.ts';
import { compatFlags } from '../gateway/compat.ts';
import { compileTemplate, resolveEnvString, TEMPLATE_SCOPE, type TemplateScope } from '../gateway/env-selectors.ts';
import { resolveModuleFile } from '../gateway/function-handlers.ts';
import type { LoadedProject } from '../gateway/project-loader.ts';
import { compileRoutes, type CompiledRoute } from '../gateway/routes.ts';
import type { Finding, RouteCertificate } from './types.ts';

/** One place a route names an mTLS certificate, before the store is consulted. */
export type CertificateReference = Omit<RouteCertificate, 'sends'>;

/** Any export of any module is a function: doctor reads routes without running the project's code. */
// (`then` stays undefined: the namespace is awaited, and a thenable would never settle.)
const ANY_EXPORTS = new Proxy({}, { get: (_t, key) => (key === 'then' ? undefined : () => undefined) }) as Record<string, unknown>;

/**
 * The routes as the gateway compiles them (the same `$env()` resolution, over `.env.zuplo` then
 * `.env`), and for each the certificate name it sends: `handler.options.mtlsCertificate` for the
 * runtime's handlers, `mtlsCertificate: ...` in a function module's source for the rest.
 */
export async function findRouteCertificates(project: LoadedProject, findings: Finding[]): Promise<RouteCalls> {
  const env = project.environment;
  let routes: CompiledRoute[];
  try {
    routes = await compileRoutes(project.routeSources, {
      env,
      flags: compatFlags(project.compatibilityDate, 'zuplo.jsonc compatibilityDate'),
      warn: (message) => findings.push(routeWarning(message)),
      resolveModule: async () => ANY_EXPORTS,
    });
  } catch (err) {
    if (!isUserError(err)) throw err;
    const file = /^([^:]+):/.exec(err.message)?.[1] ?? 'config/routes.oas.json';
    findings.push({ severity: 'error', check: 'routes-invalid', file, field: '', message: err.message, fix: 'Fix the routes file as the message says; the gateway does not start until then.' });
    return { references: [], unnamed: [] };
  }
  const references: CertificateReference[] = [];
  const unnamed: CertificateReference[] = [];
  for (const route of routes) {
    const { config } = route;
    const label = `${config.methods.join(',')} ${config.path}`;
    const file = config.file ?? 'config/routes.oas.json';
    if (config.handler.module === '@zuplo/runtime') {
      const raw = rawOptions(project, file, config.path, config.methods);
      const template = config.handler.options.baseUrl ?? config.handler.options.rewritePattern;
      const host = hostnameOf(typeof template === 'string' ? evaluate(template, env) : undefined);
      if (raw === undefined) continue;
      if (raw.options.mtlsCertificate === undefined) {
        if (host.hostname) unnamed.push({ route: label, file, field: raw.pointer, written: '', ...host });
        continue;
      }
      const written = String(raw.options.mtlsCertificate);
      const name = typeof raw.options.mtlsCertificate === 'string' ? resolveEnvString(raw.options.mtlsCertificate, env) : undefined;
      references.push({ route: label, file, field: `${raw.pointer}.mtlsCertificate`, written, ...(name ? { name } : {}), ...host });
      continue;
    }
    const moduleFile = await resolveModuleFile(project.dir, config.handler.module);
    if (moduleFile === undefined) continue;
    const text = await readFile(moduleFile, 'utf8');
    const host = hostnameOf(fetchUrl(text, env));
    const found = moduleReferences(text, env);
    for (const ref of found) {
      references.push({ route: label, file: relative(project.dir, moduleFile), field: ref.field, written: ref.written, ...(ref.name ? { name: ref.name } : {}), ...host });
    }
    if (found.length === 0 && host.hostname) unnamed.push({ route: label, file: relative(project.dir, moduleFile), field: 'fetch', written: '', ...host });
  }
  return { references, unnamed };
}

/** What the routes send: the certificate references, and the https calls that name no certificate at all. */
export interface RouteCalls {
  references: CertificateReference[];
  unnamed: CertificateReference[];
}

function routeWarning(message: string): Finding {
  const [file = 'config/routes.oas.json', field = ''] = message.split(': ', 2);
  return { severity: 'warning', check: 'route-warning', file, field, message, fix: 'Follow the warning: the deployed gateway treats this the same way.' };
}

/** The route's raw `handler.options` (as written in the file) and its JSON path. */
function rawOptions(project: LoadedProject, file: string, path: string, methods: string[]): { options: Record<string, unknown>; pointer: string } | undefined {
  const document = project.routeSources.find((s) => s.file === file)?.document as { paths?: Record<string, Record<string, unknown>> } | undefined;
  const item = document?.paths?.[path] ?? {};
  const wanted = methods.map((m) => m.toLowerCase()).join(',');
  for (const [key, operation] of Object.entries(item)) {
    if (key.split(',').map((m) => m.trim().toLowerCase()).join(',') !== wanted) continue;
    const options = (operation as { 'x-zuplo-route'?: { handler?: { options?: Record<string, unknown> } } })?.['x-zuplo-route']?.handler?.options;
    if (options) return { options, pointer: `paths.${path}.${key}.x-zuplo-route.handler.options` };
  }
  return undefined;
}

/** A `${...}` template evaluated with only `env` known; undefined when it needs the request. */
function evaluate(template: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  try {
    const scope = Object.fromEntries(TEMPLATE_SCOPE.map((k) => [k, undefined])) as TemplateScope;
    scope.env = env;
    return compileTemplate(template, 'baseUrl', 'routes')(scope);
  } catch {
    return undefined;
  }
}

function hostnameOf(url: string | undefined): { hostname?: string } {
  if (url === undefined) return {};
  try {
    const { protocol, hostname } = new URL(url);
    return protocol === 'https:' && hostname ? { hostname: hostname.replace(/^\[|\]$/g, '') } : {};
  } catch {
    return {};
  }
}

const ENV_READ = /^environment(?:\.([A-Za-z_$][\w$]*)|\[\s*(['"`])([^'"`]+)\2\s*\])$/;
const MTLS_OPTION = /mtlsCertificate\s*:\s*(?:(['"`])([^'"`$]*)\1|(environment(?:\.[A-Za-z_$][\w$]*|\[\s*['"`][^'"`]+['"`]\s*\])))/g;

/** `mtlsCertificate: "name"` and `mtlsCertificate: environment.X` in a function module's source. */
function moduleReferences(text: string, env: Readonly<Record<string, string | undefined>>): { field: string; written: string; name?: string }[] {
  const out: { field: string; written: string; name?: string }[] = [];
  for (const match of text.matchAll(MTLS_OPTION)) {
    const line = text.slice(0, match.index).split('\n').length;
    if (match[2] !== undefined) {
      out.push({ field: `line ${line}: mtlsCertificate`, written: JSON.stringify(match[2]), name: match[2] });
    } else {
      const read = ENV_READ.exec(match[3]!);
      const variable = read?.[1] ?? read?.[3] ?? '';
      const name = env[variable];
      out.push({ field: `line ${line}: mtlsCertificate`, written: match[3]!, ...(name ? { name } : {}) });
    }
  }
  return out;
}

/** The first `fetch("https://...")` URL of a module, with `${environment.X}` / `${env.X}` filled in. */
function fetchUrl(text: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const match = /fetch\(\s*(['"`])([^'"`]*)\1/.exec(text);
  if (!match) return undefined;
  return match[2]!.replace(/\$\{\s*(?:environment|env)\.([A-Za-z_$][\w$]*)\s*\}/g, (_m, name: string) => env[name] ?? '');
}
