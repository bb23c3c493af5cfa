import { UserError } from '../errors.ts';
import type { CompatFlags } from './compat.ts';
import { assertNoSelectors, compileTemplate, resolveEnvString, resolveOptions } from './env-selectors.ts';
import { noCertificateReasons, requiredOptionMessage } from './handlers/upstream-call.ts';
import { compilePath, type PathMatcher, type PathMode } from './path-pattern.ts';
import type { RouteConfiguration } from './runtime/zuplo-context.ts';

/** One routes file: its project-relative name (for messages) and parsed content. */
export interface RouteSource {
  file: string;
  document: unknown;
}

export type RouteHandler = (request: never, context: never) => unknown;

export interface CompiledRoute {
  readonly config: RouteConfiguration;
  /** Upper-case methods. */
  readonly methods: ReadonlySet<string>;
  readonly matcher: PathMatcher;
  readonly handler: RouteHandler;
}

/** Loads the module named by `$import(x)`; errors must name `file` and `pointer`. */
export type ModuleResolver = (specifier: string, pointer: string, file: string) => Promise<Record<string, unknown>>;

export interface CompileRoutesOptions {
  env: Readonly<Record<string, string | undefined>>;
  flags: CompatFlags;
  warn(message: string): void;
  resolveModule: ModuleResolver;
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
// Path-item members that are not operations.
const PATH_ITEM_FIELDS = new Set(['summary', 'description', 'servers', 'parameters', '$ref']);
const IMPORT_WHOLE = /^\$import\((.*)\)$/;

/** The runtime's start-up error for a route whose handler export is not a function. */
export const noHandlerMessage = (path: string) => `Invalid state - No handler on route for path '${path}'`;

/** The build error for the same method and path declared twice (across all files). */
export const duplicateRouteMessage = (method: string, path: string) =>
  `Cannot have duplicate routes declared. Route '${method} ${path}' declared more than once.`;

const configError = (message: string) => new UserError('HARNESS_ERR_GATEWAY_CONFIG', message);

/**
 * Validates and compiles routes the way Zuplo's build does: `paths` → methods (comma-joined keys
 * allowed) → `x-zuplo-route`; operations without it are skipped. Routes keep document order, files
 * in the order given. Every start-up error names the file and the JSON path of the field.
 */
export async function compileRoutes(sources: RouteSource[], opts: CompileRoutesOptions): Promise<CompiledRoute[]> {
  const routes: CompiledRoute[] = [];
  const seen = new Map<string, string>(); // "GET /x" -> where it was declared
  for (const { file, document } of sources) {
    const paths = (document as { paths?: unknown } | null)?.paths;
    if (document === null || typeof document !== 'object' || Array.isArray(document)) {
      throw configError(`${file}: the document must be a JSON object with a "paths" member (an OpenAPI 3.1 document).`);
    }
    if (paths === undefined) continue;
    if (paths === null || typeof paths !== 'object' || Array.isArray(paths)) {
      throw configError(`${file}: "paths" must be an object mapping each path to its operations, e.g. {"/hello": {"get": {...}}}.`);
    }
    for (const [path, item] of Object.entries(paths as Record<string, unknown>)) {
      const itemPointer = `paths.${path}`;
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        throw configError(`${file}: ${itemPointer} must be an object of operations (get, post, ...).`);
      }
      const pathItem = item as Record<string, unknown>;
      const mode = pathModeOf(pathItem['x-zuplo-path'], `${itemPointer}.x-zuplo-path`, file);
      for (const [key, operation] of Object.entries(pathItem)) {
        if (key.startsWith('x-') || PATH_ITEM_FIELDS.has(key)) {
          assertNoSelectors(operation, `${itemPointer}.${key}`, file, never, never);
          continue;
        }
        const methods = key.split(',').map((m) => m.trim().toLowerCase());
        if (!methods.every((m) => (HTTP_METHODS as readonly string[]).includes(m))) {
          opts.warn(`${file}: ${itemPointer}.${key}: "${key}" is not an HTTP method (${HTTP_METHODS.join(', ')}); ignored.`);
          continue;
        }
        // Selectors are only allowed inside x-zuplo-route (checked there); the rest of an operation allows none.
        if (operation !== null && typeof operation === 'object') {
          for (const [field, value] of Object.entries(operation)) {
            if (field !== 'x-zuplo-route') assertNoSelectors(value, `${itemPointer}.${key}.${field}`, file, never, never);
          }
        }
        const route = (operation as Record<string, unknown> | null)?.['x-zuplo-route'];
        if (route === undefined) continue;
        const pointer = `${itemPointer}.${key}.x-zuplo-route`;
        const upper = methods.map((m) => m.toUpperCase());
        for (const method of upper) {
          const id = `${method} ${path}`;
          const before = seen.get(id);
          if (before !== undefined) {
            throw configError(`${file}: ${duplicateRouteMessage(method, path)} (${pointer}; first declared in ${before}). Remove one of them.`);
          }
          seen.set(id, `${file}: ${pointer}`);
        }
        routes.push(await compileRoute({ path, mode, methods: upper, route, pointer, file }, opts));
      }
    }
  }
  return routes;
}

const never = () => false;

function pathModeOf(value: unknown, pointer: string, file: string): PathMode {
  if (value === undefined) return 'open-api';
  const mode = (value as { pathMode?: unknown } | null)?.pathMode;
  if (mode === undefined) return 'open-api';
  if (mode === 'open-api' || mode === 'url-pattern') return mode;
  throw configError(`${file}: ${pointer}.pathMode: Unknown path mode ${String(mode)}. Use "open-api" (the default) or "url-pattern".`);
}

interface RouteInput {
  path: string;
  mode: PathMode;
  methods: string[];
  route: unknown;
  pointer: string;
  file: string;
}

async function compileRoute(input: RouteInput, opts: CompileRoutesOptions): Promise<CompiledRoute> {
  const { path, mode, methods, route, pointer, file } = input;
  if (route === null || typeof route !== 'object' || Array.isArray(route)) {
    throw configError(`${file}: ${pointer} must be an object with a "handler" member.`);
  }
  const optionsPointer = `${pointer}.handler.options`;
  const insideOptions = (p: string) => p === optionsPointer || p.startsWith(`${optionsPointer}.`);
  assertNoSelectors(route, pointer, file, insideOptions, (p) => p === `${pointer}.handler.module` || insideOptions(p));

  const r = route as Record<string, unknown>;
  const handler = r.handler as Record<string, unknown> | undefined;
  if (handler === null || typeof handler !== 'object' || Array.isArray(handler)) {
    throw configError(
      `${file}: ${pointer}.handler is missing. Add {"export": "urlForwardHandler", "module": "$import(@zuplo/runtime)", "options": {...}}.`,
    );
  }
  const exportName = handler.export;
  if (typeof exportName !== 'string' || exportName === '') {
    throw configError(`${file}: ${pointer}.handler.export must name the handler function, e.g. "urlForwardHandler" or "default".`);
  }
  const moduleText = handler.module;
  const specifier = typeof moduleText === 'string' ? IMPORT_WHOLE.exec(moduleText)?.[1]?.trim() : undefined;
  if (specifier === undefined || specifier === '') {
    throw configError(
      `${file}: ${pointer}.handler.module must be "$import(<module>)", e.g. "$import(@zuplo/runtime)" or "$import(./modules/my-handler)"` +
        ` (got ${JSON.stringify(moduleText)}).`,
    );
  }
  const rawOptions = handler.options ?? {};
  if (rawOptions === null || typeof rawOptions !== 'object' || Array.isArray(rawOptions)) {
    throw configError(`${file}: ${optionsPointer} must be an object.`);
  }
  const options = resolveOptions(rawOptions, optionsPointer, { env: opts.env, file, warn: opts.warn }) as Record<string, unknown>;
  const reason = noCertificateReason((rawOptions as Record<string, unknown>).mtlsCertificate, opts.env);
  if (reason !== undefined) noCertificateReasons.set(options, reason);

  if (specifier === '@zuplo/runtime') {
    const required = exportName === 'urlForwardHandler' ? 'baseUrl' : exportName === 'urlRewriteHandler' ? 'rewritePattern' : undefined;
    if (required !== undefined) {
      const value = options[required];
      if (value === undefined || value === null || value === '') {
        throw configError(`${file}: ${optionsPointer}.${required}: ${requiredOptionMessage(required)} Add it, e.g. "${required}": "\${env.ALB_BACKEND_URL}".`);
      }
      if (typeof value !== 'string') {
        throw configError(`${file}: ${optionsPointer}.${required} must be a string (a URL template), got ${JSON.stringify(value)}.`);
      }
      compileTemplate(value, `${optionsPointer}.${required}`, file); // syntax errors are start-up errors
    }
  }

  let matcher: PathMatcher;
  try {
    matcher = compilePath(path, mode, opts.flags);
  } catch (err) {
    throw new UserError(
      'HARNESS_ERR_GATEWAY_CONFIG',
      `${file}: paths.${path}: not a valid ${mode} path (${(err as Error).message}).` +
        (mode === 'url-pattern' ? ' Check the URLPattern syntax, e.g. "/api/:path*".' : ' Use {name} for parameters.'),
      { cause: err },
    );
  }

  const namespace = await opts.resolveModule(specifier, `${pointer}.handler.module`, file);
  const fn = namespace[exportName];
  if (typeof fn !== 'function') {
    const functions = Object.keys(namespace).filter((k) => typeof namespace[k] === 'function');
    const near = functions.find((k) => k.toLowerCase() === exportName.toLowerCase());
    throw configError(
      `${file}: ${noHandlerMessage(path)}. ${pointer}.handler.export is "${exportName}", which ${specifier} does not export as a function` +
        (near !== undefined ? `; did you mean "${near}"?` : functions.length > 0 ? ` (its functions: ${functions.join(', ')}).` : '.'),
    );
  }

  const policies = r.policies as RouteConfiguration['policies'];
  if ((policies?.inbound?.length ?? 0) > 0 || (policies?.outbound?.length ?? 0) > 0) {
    opts.warn(`${file}: ${pointer}.policies: policies are not emulated by the harness; the route runs without them.`);
  }
  const config: RouteConfiguration = {
    path,
    pathMode: mode,
    methods,
    handler: { export: exportName, module: specifier, options },
    ...(policies !== undefined ? { policies } : {}),
    ...(typeof r.corsPolicy === 'string' ? { corsPolicy: r.corsPolicy } : {}),
    file,
  };
  return { config, methods: new Set(methods), matcher, handler: fn as RouteHandler };
}

/**
 * Finds the route for a request: the first whose path and method match, else 404. (The runtime
 * answers 405 only for its built-in MCP POST routes, which the emulator does not have; a path
 * declared for another method is still a 404.)
 */
export function matchRoute(
  routes: readonly CompiledRoute[],
  method: string,
  pathname: string,
): { route: CompiledRoute; params: Record<string, string> } | { status: 404 } {
  for (const route of routes) {
    const params = route.matcher.match(pathname);
    if (params === undefined) continue;
    if (route.methods.has(method)) return { route, params };
  }
  return { status: 404 };
}

/** Why a route's `mtlsCertificate` option selects no certificate, in words; undefined when it selects one. */
export function noCertificateReason(raw: unknown, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (raw === undefined) return 'the route has no mtlsCertificate option';
  if (typeof raw !== 'string') return raw ? undefined : `the route's mtlsCertificate is ${JSON.stringify(raw)}`;
  if (resolveEnvString(raw, env)) return undefined;
  const variable = /\$env\((.*?)\)/.exec(raw)?.[1];
  if (variable === undefined) return 'the route\'s mtlsCertificate is empty';
  return env[variable] === undefined
    ? `the route's mtlsCertificate is "${raw}" and ${variable} is not set`
    : `the route's mtlsCertificate is "${raw}" and ${variable} is empty`;
}
