import type { ClientAbort } from './client-abort.ts';
import { failureResponse } from './failure-answer.ts';
import { fastForwardBase, forwardWithoutRuntimeObjects } from './handlers/url-forward.ts';
import { addHeaderIfMissing, isOriginAnswer, type OriginAnswer } from './origin-answer.ts';
import { runInGateway, type GatewayRuntime } from './gateway-context.ts';
import { problemResponse, serialiseCause } from './problems.ts';
import { matchRoute, type CompiledRoute } from './routes.ts';
import { ZuploContext } from './runtime/zuplo-context.ts';
import { ZuploRequest } from './runtime/zuplo-request.ts';
import { formatUpstreamRecord } from './upstream-log.ts';
import { isUpstreamError } from './upstream-error.ts';
import type { UpstreamRecord } from './types.ts';

/** A normalised incoming request, ready to route. */
export interface DispatchInput {
  method: string;
  url: string;
  /** `url` parsed, when the caller has it (routing reads its pathname). */
  parsedUrl?: URL;
  headers: Headers;
  body: ReadableStream<Uint8Array> | null;
  requestId: string;
  /** Aborts when the gateway's client goes away: the handler's upstream call is cancelled. */
  abort?: ClientAbort;
}

/** The runtime's log line for a handler that threw. */
export const handlerErrorLogLine = (method: string, path: string) => `ERROR [${method} ${path}] Error executing request handler.`;

/** The runtime's message for a Response whose body was already read. */
export const BODY_USED_MESSAGE = 'Body has already been used. It can only be used once. Use tee() first if you need to read it twice.';

/**
 * Routes one request and runs its handler inside the gateway's AsyncLocalStorage context, so
 * `environment`, `fetch` and the URL handlers resolve to this gateway; a urlForwardHandler route
 * that needs none of that is forwarded without the runtime's objects (the answer is then an
 * OriginAnswer, which only the gateway's writer reads). Never throws: every failure
 * becomes a response. The response always carries `zp-rid` (an upstream's own value is kept).
 * Each upstream attempt the request made is printed once, with the status the client got.
 */
export async function dispatch(gateway: GatewayRuntime, routes: readonly CompiledRoute[], input: DispatchInput): Promise<Response | OriginAnswer> {
  const attempts: UpstreamRecord[] = [];
  gateway.attemptsByRequest.set(input.requestId, attempts);
  let response: Response | OriginAnswer;
  let routeLabel: string | undefined;
  try {
    ({ response, routeLabel } = await route(gateway, routes, input, attempts));
  } finally {
    gateway.attemptsByRequest.delete(input.requestId);
  }
  for (const attempt of attempts) {
    if (routeLabel !== undefined) attempt.route = routeLabel;
    attempt.answeredStatus = response.status;
    gateway.print(() => formatUpstreamRecord(attempt, response.status));
  }
  if (isOriginAnswer(response)) {
    addHeaderIfMissing(response, 'zp-rid', input.requestId);
    return response;
  }
  if (response.headers.has('zp-rid')) return response;
  try {
    response.headers.set('zp-rid', input.requestId);
    return response;
  } catch {
    // Immutable headers (e.g. a Response.error() or one from another fetch): copy, body still streams.
    const headers = new Headers(response.headers);
    headers.set('zp-rid', input.requestId);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }
}

async function route(
  gateway: GatewayRuntime,
  routes: readonly CompiledRoute[],
  input: DispatchInput,
  attempts: readonly UpstreamRecord[],
): Promise<{ response: Response | OriginAnswer; routeLabel?: string }> {
  const base = { url: input.url, requestId: input.requestId, buildId: gateway.buildId, rayId: input.headers.get('cf-ray') };
  const url = input.parsedUrl ?? new URL(input.url);
  const found = matchRoute(routes, input.method, url.pathname);
  if ('status' in found) return { response: problemResponse({ ...base, status: found.status }) };
  const routeLabel = `${input.method} ${found.route.config.path}`;
  const options = found.route.config.handler.options;
  const fastBase = fastForwardBase(found.route.handler, options, input.method, url, input.body !== null);
  // The handler path's request objects are built before the try: a request they refuse fails as before.
  const call = fastBase === undefined ? handlerCall(gateway, found.route, found.params, input) : undefined;

  const withCause = gateway.environmentType === 'local' || gateway.environmentType === 'development';

  let result: unknown;
  try {
    result =
      call !== undefined
        ? await call()
        : await forwardWithoutRuntimeObjects(
            gateway,
            { method: input.method, url, headers: input.headers, requestId: input.requestId, abort: input.abort },
            fastBase!,
            options,
          );
  } catch (err) {
    gateway.print(handlerErrorLogLine(input.method, found.route.config.path));
    gateway.print(`  ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    const failureClass = isUpstreamError(err) ? err.failureClass : undefined;
    const attempt = [...attempts].reverse().find((a) => a.failureClass === failureClass);
    const response = failureResponse(err, {
      ...base,
      runtime: gateway.runtime,
      environmentType: gateway.environmentType,
      ...(gateway.failureMode !== undefined ? { failureMode: gateway.failureMode } : {}),
      ...(attempt !== undefined ? { attempt } : {}),
    });
    return { response, routeLabel };
  }
  if (isOriginAnswer(result)) return { response: result, routeLabel };
  const converted = toResponse(result);
  if (converted instanceof Response) {
    if (!converted.bodyUsed) return { response: converted, routeLabel };
    const err = new TypeError(BODY_USED_MESSAGE);
    gateway.print(handlerErrorLogLine(input.method, found.route.config.path));
    return { response: problemResponse({ ...base, status: 500, detail: err.message, ...(withCause ? { overrides: { cause: serialiseCause(err) } } : {}) }), routeLabel };
  }
  const err = new TypeError(`Invalid Response type from the request handler: ${typeName(result)}`);
  gateway.print(handlerErrorLogLine(input.method, found.route.config.path));
  return { response: problemResponse({ ...base, status: 500, detail: err.message, ...(withCause ? { overrides: { cause: serialiseCause(err) } } : {}) }), routeLabel };
}

/**
 * The call of the route's handler as the runtime makes it: with a ZuploRequest and ZuploContext
 * (built now: a request the Request constructor refuses fails before any handler runs), inside the
 * gateway's context.
 */
function handlerCall(gateway: GatewayRuntime, route: CompiledRoute, params: Record<string, string>, input: DispatchInput): () => unknown {
  const request = new ZuploRequest(input.url, {
    method: input.method,
    headers: input.headers,
    body: input.body,
    params,
    ...(input.abort !== undefined ? { signal: input.abort.signal } : {}),
    ...(input.body !== null ? { duplex: 'half' } : {}),
  } as RequestInit);
  const context = new ZuploContext({
    requestId: input.requestId,
    route: route.config,
    waitUntil: (p) => gateway.waitUntil(p),
    log: (level, args) => gateway.log(level, input.requestId, args),
  });
  return () => runInGateway(gateway, () => (route.handler as (r: ZuploRequest, c: ZuploContext) => unknown)(request, context));
}

/**
 * A handler's result as the runtime converts it: a Response as is; `undefined` an empty 200; a
 * plain object, array, string, number or boolean a 200 with its JSON. Anything else (a function, a
 * symbol, a bigint) is not convertible (undefined is returned).
 */
export function toResponse(result: unknown): Response | undefined {
  if (result instanceof Response) return result;
  if (result === undefined) return new Response(null, { status: 200 });
  const type = typeof result;
  if (type === 'function' || type === 'symbol' || type === 'bigint') return undefined;
  return new Response(JSON.stringify(result), { status: 200, headers: { 'content-type': 'application/json' } });
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
