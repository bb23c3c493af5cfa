import { randomUUID } from 'node:crypto';
import { formatWithOptions } from 'node:util';
import { UserError } from '../errors.ts';
import { listenWithHandle } from '../server-handle.ts';
import { CertificateStore } from './cert-store.ts';
import { compatFlags } from './compat.ts';
import { dispatch } from './dispatch.ts';
import { importUserModule } from './function-handlers.ts';
import { installFetchWrapper, shared, type GatewayRuntime, type LogLevel } from './gateway-context.ts';
import { createGatewayServer } from './gateway-server.ts';
import { createOutboundClient } from './outbound.ts';
import { loadProject, type LoadedProject } from './project-loader.ts';
import { compileRoutes, type RouteSource } from './routes.ts';
import * as runtimeShim from './runtime/index.ts';
import type { GatewayHandle, GatewayOptions } from './types.ts';

/**
 * Starts a Zuplo-like gateway on 127.0.0.1 (port 0 unless given) and resolves once it listens.
 * Routes come from `options.routes` or `<projectDir>/config/*.oas.json`; variables from the
 * project's `.env.zuplo`, then `.env`, then `options.environment`; mTLS bindings from
 * `options.certificates` filtered by `environmentType` (default `development`). Start-up
 * problems (bad JSON, unknown handler export, `$env()` in a disallowed place, a module that fails
 * to import) reject with a UserError (`HARNESS_ERR_GATEWAY_CONFIG`) naming the file and field.
 */
export async function startGateway(options: GatewayOptions = {}): Promise<GatewayHandle> {
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    options.onWarning?.(message);
  };
  if (options.routes === undefined && options.projectDir === undefined) {
    throw new UserError(
      'HARNESS_ERR_INVALID_ARGUMENT',
      'startGateway: give either projectDir (a directory with config/routes.oas.json) or routes (the parsed document).',
    );
  }
  const project: LoadedProject | undefined = options.projectDir !== undefined ? await loadProject(options.projectDir) : undefined;
  const sources: RouteSource[] = options.routes !== undefined ? [{ file: 'routes (in memory)', document: options.routes }] : project!.routeSources;

  const environment: Record<string, string | undefined> = { ...project?.environment, ...options.environment };
  for (const name of Object.keys(environment)) {
    if (/^(?:__)?ZUPLO/.test(name)) warn(`environment variable ${name}: names starting with ZUPLO or __ZUPLO are reserved by Zuplo; rename it.`);
  }
  const flags = compatFlags(
    options.compatibilityDate ?? project?.compatibilityDate,
    options.compatibilityDate !== undefined ? 'compatibilityDate' : 'zuplo.jsonc compatibilityDate',
  );
  const environmentType = options.environmentType ?? 'development';

  const storeOptions = { strictNames: options.strictNames ?? false, onWarning: warn };
  let store: CertificateStore;
  if (typeof options.certificates === 'string') {
    store = await CertificateStore.open(options.certificates, storeOptions);
  } else {
    store = CertificateStore.inMemory(storeOptions);
    for (const input of options.certificates ?? []) await store.create(input);
  }
  if (environmentType === 'local' && store.list().length > 0) warn(localCertificatesIgnored(store.list().map((r) => r.name)));
  const outbound = createOutboundClient({
    bindings: store.bindingsFor(environmentType),
    variables: environment,
    ...(options.originCa !== undefined ? { originCa: options.originCa } : {}),
    ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
    ...(options.tlsVersion !== undefined ? { tlsVersion: options.tlsVersion } : {}),
    requestIdFor: (headers) => headers.get('zp-rid') ?? undefined,
  });

  const pending = new Set<Promise<unknown>>();
  const s = shared();
  const gateway: GatewayRuntime = {
    id: s.nextId++,
    environment,
    environmentType,
    flags,
    failureMode: options.failureMode ?? 'edge',
    buildId: randomUUID(),
    outbound,
    log: (level, requestId, args) => writeLog(level, requestId, args),
    waitUntil(promise) {
      const tracked = promise.catch(() => {}).finally(() => pending.delete(tracked));
      pending.add(tracked);
    },
  };
  installFetchWrapper();

  let routes;
  try {
    routes = await compileRoutes(sources, {
      env: environment,
      flags,
      warn,
      resolveModule: async (specifier, pointer, file) => {
        if (specifier === '@zuplo/runtime') return runtimeShim as unknown as Record<string, unknown>;
        const inMemory = options.modules?.[specifier] ?? options.modules?.[specifier.replace(/\.[cm]?[jt]s$/, '')];
        if (inMemory !== undefined) return inMemory;
        if (specifier.startsWith('./') || specifier.startsWith('../')) {
          if (options.projectDir === undefined) {
            throw new UserError(
              'HARNESS_ERR_GATEWAY_CONFIG',
              `${file}: ${pointer}: module "${specifier}" is not in options.modules, and there is no projectDir to load it from. ` +
                `Pass modules: {"${specifier}": {...}} or a projectDir.`,
            );
          }
          return importUserModule(options.projectDir, specifier, { file, pointer }, gateway);
        }
        throw new UserError(
          'HARNESS_ERR_GATEWAY_CONFIG',
          `${file}: ${pointer}: module "${specifier}" is not supported. Use $import(@zuplo/runtime) or $import(./modules/<name>).`,
        );
      },
    });
  } catch (err) {
    await outbound.close();
    throw err;
  }

  const server = createGatewayServer(flags, (input) => dispatch(gateway, routes, input));
  const handle = await listenWithHandle(server, {
    protocol: 'http',
    ...(options.port !== undefined ? { port: options.port } : {}),
    onClose: async () => {
      s.active.delete(gateway);
      await Promise.all(pending);
      await outbound.close();
    },
  });
  s.active.add(gateway);
  return {
    url: handle.url,
    port: handle.port,
    close: handle.close,
    [Symbol.asyncDispose]: handle.close,
    warnings,
    upstream: outbound.records,
  };
}

// Logs go to stderr only with DEBUG=harness:gateway (or harness:*), as the rest of the harness does.
function writeLog(level: LogLevel, requestId: string | undefined, args: unknown[]): void {
  const debug = process.env.DEBUG ?? '';
  if (!/(?:^|,)\s*harness:(?:\*|gateway)/.test(debug)) return;
  process.stderr.write(`harness:gateway ${level} ${requestId ?? '-'} ${formatWithOptions({ colors: false }, ...args)}\n`);
}

/**
 * `local` is an edge project's `zuplo dev`, which has no mTLS bindings (it ignores `--mtls-certs`
 * with a warning); say so instead of silently dropping the certificates the caller passed.
 */
export const localCertificatesIgnored = (names: readonly string[]) =>
  `environmentType 'local': mTLS certificate bindings do not exist in local development, so ${names.map((n) => `'${n}'`).join(', ')} ` +
  `${names.length === 1 ? 'is' : 'are'} not bound and a route naming one answers 500 "not found". To load <dir>/<name>/tls.crt and ` +
  "tls.key as a managed-dedicated project's zuplo dev --mtls-certs does, use environmentType 'development'.";
