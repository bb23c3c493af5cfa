import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { formatWithOptions } from 'node:util';
import { UserError } from '../errors.ts';
import { listenWithHandle } from '../server-handle.ts';
import { CertificateStore } from './cert-store.ts';
import { compatFlags } from './compat.ts';
import { dispatch } from './dispatch.ts';
import { DEFAULT_PROJECT_TYPE, emulatedRuntime, honoursOriginCa, localEdgeTrustFinding, runtimeBanner } from './emulated-runtime.ts';
import { importUserModule } from './function-handlers.ts';
import { installFetchWrapper, releaseFetchWrapper, shared, type GatewayRuntime, type LogLevel } from './gateway-context.ts';
import { createGatewayServer } from './gateway-server.ts';
import { createOutboundClient } from './outbound.ts';
import { loadProject, type LoadedProject } from './project-loader.ts';
import { compileRoutes, type CompiledRoute, type RouteSource } from './routes.ts';
import * as runtimeShim from './runtime/index.ts';
import { validateGatewayOptions } from './start-options.ts';
import { certificateWarnings } from './startup-warnings.ts';
import type { GatewayHandle, GatewayOptions, UpstreamRecord } from './types.ts';
import { formatUpstreamRecord } from './upstream-log.ts';

/** Where `zuplo dev` on a managed-dedicated project finds its client certificates. */
export const LOCAL_MTLS_DIR = '.zuplo-local/mtls';

/**
 * Starts a Zuplo-like gateway on 127.0.0.1 (port 0 unless given) and resolves once it listens.
 * Routes come from `options.routes` or `<projectDir>/config/*.oas.json`; variables from the
 * project's `.env.zuplo`, then `.env`, then `options.environment`. What it answers as follows
 * `environmentType` (default `development`) and, for `local`, the project type (see
 * emulated-runtime.ts): a deployed environment binds the certificates enabled for it; `zuplo dev`
 * binds none on a managed-edge project and every certificate of the store on a managed-dedicated one.
 * Start-up problems (bad JSON, unknown handler export, `$env()` in a disallowed place, a module
 * that fails to import, an option outside its set) reject with a UserError naming the file and field.
 */
export async function startGateway(options: GatewayOptions = {}): Promise<GatewayHandle> {
  validateGatewayOptions(options);
  const warnings: string[] = [];
  const warn = (message: string) => {
    if (warnings.includes(message)) return; // each warning once
    warnings.push(message);
    options.onWarning?.(message);
  };
  const { sources, environment, flags, environmentType, projectType, runtime } = await readInputs(options, warn);

  // Certificate warnings are held until the routes say which certificates the project uses.
  const storeWarnings: string[] = [];
  const store = await openStore(options, runtime, (m) => storeWarnings.push(m));
  const bindings = runtime === 'deployed' ? store.bindingsFor(environmentType) : runtime === 'local-dedicated' ? store.allBindings() : new Map();
  if (runtime === 'local-edge' && store.list().length > 0) warn(localCertificatesIgnored(store.list().map((r) => r.name)));
  const trust = localEdgeTrustFinding({ environmentType, projectType, originCaGiven: options.originCa !== undefined });
  if (trust !== undefined) warn(`${trust.message} ${trust.fix}`);

  // A line given as a function is formatted only when someone listens (the hot path's lines).
  const print = (line: string | (() => string)) => {
    if (options.onLog) options.onLog(typeof line === 'function' ? line() : line);
  };
  const attemptsByRequest = new Map<string, UpstreamRecord[]>();
  const outbound = createOutboundClient({
    bindings,
    // On the edge, variables and bindings share one env (naming a variable says "not a valid binding");
    // Deno's local loader looks names up among its certificates only (so it says "not found").
    variables: runtime === 'local-dedicated' ? {} : environment,
    ...(options.originCa !== undefined && honoursOriginCa(runtime) ? { originCa: options.originCa } : {}),
    ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
    ...(options.tlsVersion !== undefined ? { tlsVersion: options.tlsVersion } : {}),
    ...(options.originKeepAliveMs !== undefined ? { keepAliveTimeoutMs: options.originKeepAliveMs } : {}),
    ...(options.resolve !== undefined ? { resolve: options.resolve } : {}),
    ...(options.maxUpstreamRecords !== undefined ? { maxRecords: options.maxUpstreamRecords } : {}),
    requestIdFor: (headers) => headers.get('zp-rid') ?? undefined,
    // An attempt made while its request is answered is printed with the answer; a late one (waitUntil) at once.
    onRecord: (record) => {
      const pending = attemptsByRequest.get(record.requestId);
      if (pending !== undefined) pending.push(record);
      else print(formatUpstreamRecord(record));
    },
  });

  const pending = new Set<Promise<unknown>>();
  const s = shared();
  const gateway: GatewayRuntime = {
    id: s.nextId++,
    environment,
    environmentType,
    runtime,
    flags,
    failureMode: options.failureMode,
    buildId: randomUUID(),
    outbound,
    attemptsByRequest,
    print,
    log: (level, requestId, args) => writeLog(level, requestId, args),
    waitUntil(promise) {
      const tracked = promise.catch(() => {}).finally(() => pending.delete(tracked));
      pending.add(tracked);
    },
  };
  installFetchWrapper();

  let routes: CompiledRoute[];
  try {
    routes = await compileRoutes(sources, { env: environment, flags, warn, resolveModule: moduleResolver(options, gateway) });
  } catch (err) {
    await outbound.close();
    releaseFetchWrapper();
    throw err;
  }
  for (const w of certificateWarnings({ routes, store, storeWarnings, runtime, environmentType })) warn(w);

  const server = createGatewayServer(flags, (input) => dispatch(gateway, routes, input));
  const handle = await listenWithHandle(server, {
    protocol: 'http',
    ...(options.port !== undefined ? { port: options.port } : {}),
    onClose: async () => {
      s.active.delete(gateway);
      await Promise.all(pending);
      await outbound.close();
      releaseFetchWrapper();
    },
  }).catch(async (err: unknown) => {
    await outbound.close();
    releaseFetchWrapper();
    throw err;
  });
  s.active.add(gateway);
  return {
    url: handle.url,
    port: handle.port,
    close: handle.close,
    [Symbol.asyncDispose]: handle.close,
    warnings,
    upstream: outbound.records,
    banner: runtimeBanner(environmentType, projectType, options.failureMode),
    recycleConnections: () => outbound.close(),
  };
}

/** Routes, variables, compatibility flags and the emulated runtime, from the options and the project directory. */
async function readInputs(options: GatewayOptions, warn: (message: string) => void) {
  if (options.routes === undefined && options.projectDir === undefined) {
    throw new UserError(
      'HARNESS_ERR_INVALID_ARGUMENT',
      'startGateway: give either projectDir (a directory with config/routes.oas.json) or routes (the parsed document).',
    );
  }
  const project: LoadedProject | undefined = options.projectDir !== undefined ? await loadProject(options.projectDir) : undefined;
  const sources: RouteSource[] = options.routes !== undefined ? [{ file: 'routes (in memory)', document: options.routes }] : project!.routeSources;
  if (project !== undefined && !project.hasPolicies) {
    warn(
      `${join(project.dir, 'config/policies.json')} is missing: the Zuplo CLI refuses to build a project without it. ` +
        'Create it with {"policies": []}.',
    );
  }
  const environment: Record<string, string | undefined> = { ...project?.environment, ...options.environment };
  for (const name of Object.keys(environment)) {
    if (/^(?:__)?ZUPLO/.test(name)) warn(`environment variable ${name}: names starting with ZUPLO or __ZUPLO are reserved by Zuplo; rename it.`);
  }
  const flags = compatFlags(
    options.compatibilityDate ?? project?.compatibilityDate,
    options.compatibilityDate !== undefined ? 'compatibilityDate' : 'zuplo.jsonc compatibilityDate',
  );
  const environmentType = options.environmentType ?? 'development';
  const projectType = options.projectType ?? project?.projectType ?? DEFAULT_PROJECT_TYPE;
  return { sources, environment, flags, environmentType, projectType, runtime: emulatedRuntime(environmentType, projectType) };
}

/**
 * The certificate store: the given directory or inputs; on a managed-dedicated project's `zuplo dev`
 * without one, `<projectDir>/.zuplo-local/mtls` when it exists (as the real CLI loads it).
 */
async function openStore(options: GatewayOptions, runtime: string, onWarning: (m: string) => void): Promise<CertificateStore> {
  const storeOptions = { strictNames: options.strictNames ?? false, onWarning };
  let dir = typeof options.certificates === 'string' ? options.certificates : undefined;
  if (options.certificates === undefined && runtime === 'local-dedicated' && options.projectDir !== undefined) {
    const local = join(options.projectDir, LOCAL_MTLS_DIR);
    if (await stat(local).then((st) => st.isDirectory(), () => false)) dir = local;
  }
  if (dir !== undefined) return CertificateStore.open(dir, storeOptions);
  const store = CertificateStore.inMemory(storeOptions);
  for (const input of Array.isArray(options.certificates) ? options.certificates : []) await store.create(input);
  return store;
}

/** Loads `$import(x)`: the runtime shim, an in-memory module, or a project module. */
function moduleResolver(options: GatewayOptions, gateway: GatewayRuntime) {
  return async (specifier: string, pointer: string, file: string): Promise<Record<string, unknown>> => {
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
  };
}

// Logs go to stderr only with DEBUG=harness:gateway (or harness:*), as the rest of the harness does.
function writeLog(level: LogLevel, requestId: string | undefined, args: unknown[]): void {
  const debug = process.env.DEBUG ?? '';
  if (!/(?:^|,)\s*harness:(?:\*|gateway)/.test(debug)) return;
  process.stderr.write(`harness:gateway ${level} ${requestId ?? '-'} ${formatWithOptions({ colors: false }, ...args)}\n`);
}

/**
 * `local` on a managed-edge project is workerd's `zuplo dev`, which has no mTLS bindings (it
 * ignores `--mtls-certs` with a warning); say so instead of silently dropping the certificates.
 */
export const localCertificatesIgnored = (names: readonly string[]) =>
  `environmentType 'local' on a managed-edge project: mTLS certificate bindings do not exist in zuplo dev, so ${names.map((n) => `'${n}'`).join(', ')} ` +
  `${names.length === 1 ? 'is' : 'are'} not bound and a route naming one answers 500 "not found". To present <dir>/<name>/tls.crt and ` +
  "tls.key as zuplo dev --mtls-certs does, use a managed-dedicated project (projectType in zuplo.jsonc); to bind them by environment type, use a deployed environment type.";
