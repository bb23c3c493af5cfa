import { compileTemplate, type CompiledTemplate, type TemplateScope } from '../env-selectors.ts';
import { requireGateway, type GatewayRuntime } from '../gateway-context.ts';
import { problemResponse } from '../problems.ts';
import type { OutboundFetchInit } from '../outbound.ts';
import type { ZuploContext } from '../runtime/zuplo-context.ts';
import type { ZuploRequest } from '../runtime/zuplo-request.ts';
import type { BodyInit } from '../fetch-types.ts';

/** The runtime's exact message for a bad `requestTimeoutSeconds` (a 500). */
export const timeoutOptionMessage = (received: unknown) =>
  `The 'requestTimeoutSeconds' handler option must be a positive number of seconds. Received: ${describe(received)}. ` +
  'Remove the option to disable the request timeout.';

/** The 504 `detail` when `requestTimeoutSeconds` elapses. */
export const timeoutDetail = (seconds: number) =>
  `The upstream server did not respond within the configured timeout of ${seconds} seconds.`;

/** The build error for a missing `baseUrl` / `rewritePattern` (also thrown at runtime, giving 500). */
export const requiredOptionMessage = (option: 'baseUrl' | 'rewritePattern') =>
  `Invalid request handler configuration. handler.options.${option} is required but was not provided.`;

// Strings show their quotes, so a `$env()` value ("30") is visibly not a number.
function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

// Connection-level headers that belong to the client→gateway hop, not the gateway→origin hop.
// Host comes from the target URL (spec §2).
const HOP_BY_HOP = ['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'];

const templates = new WeakMap<object, Map<string, CompiledTemplate>>();

/** Evaluates `baseUrl` / `rewritePattern` for this request (compiled once per route options object). */
export function evaluateTemplate(
  option: 'baseUrl' | 'rewritePattern',
  request: ZuploRequest,
  context: ZuploContext,
  gateway: GatewayRuntime,
): string {
  const options = context.route.handler.options;
  const text = options[option];
  if (typeof text !== 'string' || text === '') throw new Error(requiredOptionMessage(option));
  let perOptions = templates.get(options);
  if (perOptions === undefined) templates.set(options, (perOptions = new Map()));
  let template = perOptions.get(text);
  if (template === undefined) {
    template = compileTemplate(text, `handler.options.${option}`, context.route.file);
    perOptions.set(text, template);
  }
  return template(templateScope(request, context, gateway));
}

export function templateScope(request: ZuploRequest, context: ZuploContext, gateway: GatewayRuntime): TemplateScope {
  const url = new URL(request.url);
  return {
    request,
    context,
    params: request.params,
    query: request.query,
    method: request.method,
    headers: request.headers,
    url: request.url,
    host: url.host,
    hostname: url.hostname,
    origin: url.origin,
    pathname: url.pathname,
    port: url.port,
    search: url.search,
    e: encodeURIComponent,
    env: gateway.environment,
  };
}

/**
 * Sends the request upstream the way both URL handlers do: same method, headers (minus hop-by-hop),
 * body stream; the client certificate when `mtlsCertificate` is truthy; the optional timeout
 * (504 problem when it elapses); redirects followed (body buffered first) or returned as they are.
 */
export async function callUpstream(
  request: ZuploRequest,
  context: ZuploContext,
  target: string,
  follow: boolean,
): Promise<Response> {
  const gateway = requireGateway('urlForwardHandler/urlRewriteHandler');
  const options = context.route.handler.options;

  const timeout = options.requestTimeoutSeconds;
  if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0)) {
    throw new Error(timeoutOptionMessage(timeout));
  }
  // Parse first so an invalid target is the runtime's TypeError ("Invalid URL"), a 500.
  const url = new URL(target);
  const method = request.method;
  const headers = new Headers(request.headers);
  for (const name of HOP_BY_HOP) headers.delete(name);
  const hasBody = method !== 'GET' && method !== 'HEAD' && request.body !== null;
  // Following a 307/308 re-sends the body, so it is buffered first (as the runtime does); otherwise it streams.
  const body: BodyInit | null = hasBody ? (follow ? await request.arrayBuffer() : request.body) : null;

  const certificate = options.mtlsCertificate;
  const zuplo = certificate ? { mtlsCertificate: String(certificate) } : undefined;
  const signal = typeof timeout === 'number' ? AbortSignal.timeout(timeout * 1000) : undefined;

  try {
    const init: OutboundFetchInit = { method, headers, body, redirect: follow ? 'follow' : 'manual', signal, zuplo };
    // Node's fetch types need `duplex` for a streamed body.
    if (body instanceof ReadableStream) Object.assign(init, { duplex: 'half' });
    const response = await gateway.outbound.fetch(url.href, init);
    if (response.status === 502 || response.status === 503 || response.status === 504) {
      gateway.log('warn', context.requestId, [`BadGatewayResponse ${response.status}`]);
    }
    return response;
  } catch (err) {
    const name = (err as { name?: unknown } | null)?.name;
    if (signal?.aborted && (name === 'TimeoutError' || name === 'AbortError')) {
      return problemResponse({
        status: 504,
        detail: timeoutDetail(timeout as number),
        url: request.url,
        requestId: context.requestId,
        buildId: gateway.buildId,
        rayId: request.headers.get('cf-ray'),
      });
    }
    throw err;
  }
}
