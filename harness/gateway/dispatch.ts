import { failureResponse } from './failures.ts';
import { runInGateway, type GatewayRuntime } from './gateway-context.ts';
import { problemResponse, serialiseCause } from './problems.ts';
import { matchRoute, type CompiledRoute } from './routes.ts';
import { ZuploContext } from './runtime/zuplo-context.ts';
import { ZuploRequest } from './runtime/zuplo-request.ts';

/** A normalised incoming request, ready to route. */
export interface DispatchInput {
  method: string;
  url: string;
  headers: Headers;
  body: ReadableStream<Uint8Array> | null;
  requestId: string;
}

/**
 * Routes one request and runs its handler inside the gateway's AsyncLocalStorage context, so
 * `environment`, `fetch` and the URL handlers resolve to this gateway. Never throws: every failure
 * becomes a response. The response always carries `zp-rid` (an upstream's own value is kept).
 */
export async function dispatch(gateway: GatewayRuntime, routes: readonly CompiledRoute[], input: DispatchInput): Promise<Response> {
  const response = await route(gateway, routes, input);
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

async function route(gateway: GatewayRuntime, routes: readonly CompiledRoute[], input: DispatchInput): Promise<Response> {
  const base = {
    url: input.url,
    requestId: input.requestId,
    buildId: gateway.buildId,
    rayId: input.headers.get('cf-ray'),
  };
  const pathname = new URL(input.url).pathname;
  const found = matchRoute(routes, input.method, pathname);
  if ('status' in found) return problemResponse({ ...base, status: found.status });

  const request = new ZuploRequest(input.url, {
    method: input.method,
    headers: input.headers,
    body: input.body,
    params: found.params,
    ...(input.body !== null ? { duplex: 'half' } : {}),
  } as RequestInit);
  const context = new ZuploContext({
    requestId: input.requestId,
    route: found.route.config,
    waitUntil: (p) => gateway.waitUntil(p),
    log: (level, args) => gateway.log(level, input.requestId, args),
  });
  const withCause = gateway.environmentType === 'local' || gateway.environmentType === 'development';

  let result: unknown;
  try {
    result = await runInGateway(gateway, () => (found.route.handler as (r: ZuploRequest, c: ZuploContext) => unknown)(request, context));
  } catch (err) {
    return failureResponse(err, {
      ...base,
      failureMode: gateway.failureMode,
      environmentType: gateway.environmentType,
      upstream: gateway.outbound.records,
    });
  }
  if (!(result instanceof Response)) {
    const err = new TypeError(`Invalid Response type from the request handler: ${typeName(result)}`);
    return problemResponse({ ...base, status: 500, detail: err.message, ...(withCause ? { overrides: { cause: serialiseCause(err) } } : {}) });
  }
  if (result.bodyUsed) {
    const err = new TypeError('The Response returned by the request handler has a body that was already read. Return a new Response.');
    return problemResponse({ ...base, status: 500, detail: err.message, ...(withCause ? { overrides: { cause: serialiseCause(err) } } : {}) });
  }
  return result;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
