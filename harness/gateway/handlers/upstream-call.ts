import { compileTemplate, type CompiledTemplate, type TemplateScope } from '../env-selectors.ts';
import { requireGateway, type GatewayRuntime } from '../gateway-context.ts';
import { deleteHopByHop } from '../hop-by-hop.ts';
import { HEADERS_HANDED_OVER, NO_CERTIFICATE_REASON, type OutboundFetchInit } from '../outbound.ts';
import { UpstreamError } from '../upstream-error.ts';
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

// As the runtime prints it: String(value), so "1" from $env() reads `Received: 1`.
function describe(value: unknown): string {
  return String(value);
}

/**
 * Why a route sends no client certificate, by its options object (set when routes are compiled
 * from the raw `mtlsCertificate` text, which `$env()` resolution loses).
 */
export const noCertificateReasons = new WeakMap<object, string>();

/** The runtime's log line before a URL Forward call. */
export const forwardingLogLine = (url: string) => `URL Forwarding to '${url}'`;


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
 * body stream; the client certificate when `mtlsCertificate` is truthy; the optional timeout (an
 * `upstream-timeout` UpstreamError, which the failure answer turns into the 504); redirects
 * followed (body buffered first) or returned as they are. The call is cancelled when the gateway's
 * client goes away (the request's signal).
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
  const url = parseTarget(target);
  const method = request.method;
  const headers = new Headers(request.headers);
  deleteHopByHop(headers);
  headers.delete('host'); // the origin's Host comes from the target URL
  const hasBody = method !== 'GET' && method !== 'HEAD' && request.body !== null;
  // Following a 307/308 re-sends the body, so it is buffered first (as the runtime does); otherwise it streams.
  const body: BodyInit | null = hasBody ? (follow ? await request.arrayBuffer() : request.body) : null;

  const timer = typeof timeout === 'number' ? AbortSignal.timeout(timeout * 1000) : undefined;
  const signal = timer === undefined ? request.signal : AbortSignal.any([timer, request.signal]);
  const init = upstreamInit(method, headers, body, follow, signal, options);
  try {
    const response = await gateway.outbound.fetch(url.href, init);
    warnOnGatewayStatus(gateway, context.requestId, response.status);
    return response;
  } catch (err) {
    if (timer?.aborted) {
      throw new UpstreamError({ failureClass: 'upstream-timeout', message: timeoutDetail(timeout as number), url: url.href, errorCode: 'TimeoutError' }, { cause: err });
    }
    throw err;
  }
}

/** The outbound init of a URL handler's call: `headers` are handed over (the call edits them, no copy). */
export function upstreamInit(
  method: string,
  headers: Headers,
  body: BodyInit | null,
  follow: boolean,
  signal: AbortSignal | undefined,
  options: Record<string, unknown>,
): OutboundFetchInit {
  const certificate = options.mtlsCertificate;
  const zuplo = certificate ? { mtlsCertificate: String(certificate) } : undefined;
  const init: OutboundFetchInit & { [NO_CERTIFICATE_REASON]?: string; [HEADERS_HANDED_OVER]?: boolean } = {
    method,
    headers,
    body,
    redirect: follow ? 'follow' : 'manual',
    signal,
    zuplo,
    [HEADERS_HANDED_OVER]: true,
  };
  const reason = noCertificateReasons.get(options);
  if (reason !== undefined) init[NO_CERTIFICATE_REASON] = reason;
  // Node's fetch types need `duplex` for a streamed body.
  if (body instanceof ReadableStream) Object.assign(init, { duplex: 'half' });
  return init;
}

/** The runtime's warning when the origin answers 502, 503 or 504. */
export function warnOnGatewayStatus(gateway: GatewayRuntime, requestId: string, status: number): void {
  if (status === 502 || status === 503 || status === 504) gateway.log('warn', requestId, [`BadGatewayResponse ${status}`]);
}

/** The target as a URL, or the runtime's TypeError naming it (a 500). */
export function parseTarget(target: string): URL {
  try {
    return new URL(target);
  } catch (err) {
    throw new TypeError(invalidUrlMessage(target), { cause: err });
  }
}

/** The runtime's message for a target that is not a URL: it names the text. */
export const invalidUrlMessage = (target: string) => `Invalid URL: '${target}'`;
