import type { AbortWatch } from '../client-abort.ts';
import { requireGateway, type GatewayRuntime } from '../gateway-context.ts';
import { deleteHopByHop } from '../hop-by-hop.ts';
import type { OriginAnswer } from '../origin-answer.ts';
import type { ZuploContext } from '../runtime/zuplo-context.ts';
import type { ZuploRequest } from '../runtime/zuplo-request.ts';
import { callUpstream, evaluateTemplate, forwardingLogLine, parseTarget, upstreamInit, warnOnGatewayStatus } from './upstream-call.ts';

/**
 * Joins the evaluated base URL with the full incoming pathname (not only a wildcard's part): one
 * slash between them, nothing re-encoded, as the runtime joins them.
 */
export function joinForwardUrl(base: string, pathname: string, search: string): string {
  let joined: string;
  if (base.endsWith('/') && pathname.startsWith('/')) joined = base + pathname.slice(1);
  else if (!base.endsWith('/') && !pathname.startsWith('/')) joined = `${base}/${pathname}`;
  else joined = base + pathname;
  return joined + search;
}

/** The upstream URL for the incoming one, and whether redirects are followed. */
function forwardTarget(base: string, incoming: URL, options: Record<string, unknown>, gateway: GatewayRuntime): { target: string; follow: boolean } {
  const target = joinForwardUrl(base, incoming.pathname, options.forwardSearch === false ? '' : incoming.search);
  const follow = gateway.flags.forwardHandlerHonoursFollowRedirects ? options.followRedirects === true : true;
  gateway.print(() => forwardingLogLine(target));
  return { target, follow };
}

/**
 * `urlForwardHandler`: options `baseUrl` (required, a `${...}` template), `forwardSearch` (default
 * true; only `false` turns it off), `followRedirects` (default false; honoured only from compat
 * 2025-02-06, before which redirects are always followed), `requestTimeoutSeconds`, `mtlsCertificate`.
 */
export async function urlForwardHandler(request: ZuploRequest, context: ZuploContext): Promise<Response> {
  const gateway = requireGateway('urlForwardHandler');
  const options = context.route.handler.options;
  const base = evaluateTemplate('baseUrl', request, context, gateway);
  const { target, follow } = forwardTarget(base, new URL(request.url), options, gateway);
  return callUpstream(request, context, target, follow);
}

/** What the forward fast path accepts: the methods a plain outbound call keeps as they are. */
const FAST_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

/**
 * The base URL when a request to a route whose handler is urlForwardHandler can be forwarded
 * without the runtime's request objects: no body, a plain method, no credentials in the URL, a
 * `baseUrl` without `${...}` (so no template reads the request) and no `requestTimeoutSeconds`.
 * Undefined otherwise (the handler runs as written).
 */
export function fastForwardBase(handler: unknown, options: Record<string, unknown>, method: string, url: URL, hasBody: boolean): string | undefined {
  if (handler !== urlForwardHandler || hasBody || !FAST_METHODS.has(method)) return undefined;
  // new Request refuses a URL with credentials (an absolute-form request target can carry them): that path answers it.
  if (url.username !== '' || url.password !== '') return undefined;
  const base = options.baseUrl;
  if (typeof base !== 'string' || base === '' || base.includes('${') || options.requestTimeoutSeconds !== undefined) return undefined;
  return base;
}

/**
 * urlForwardHandler for a `fastForwardBase` request, with the same target, log line, headers,
 * certificate, redirects, records and errors, but no ZuploRequest, ZuploContext or Response: the
 * origin's answer stays a node message for the gateway to write. `headers` are the request's own
 * (normalised) headers: they are edited and handed on.
 */
export async function forwardWithoutRuntimeObjects(
  gateway: GatewayRuntime,
  request: { method: string; url: URL; headers: Headers; requestId: string; abort: AbortWatch | undefined },
  base: string,
  options: Record<string, unknown>,
): Promise<OriginAnswer> {
  const { target, follow } = forwardTarget(base, request.url, options, gateway);
  const url = parseTarget(target);
  deleteHopByHop(request.headers);
  request.headers.delete('host'); // the origin's Host comes from the target URL
  const init = upstreamInit(request.method, request.headers, null, follow, undefined, options);
  const answer = await gateway.outbound.forward(url, init, request.abort);
  warnOnGatewayStatus(gateway, request.requestId, answer.status);
  return answer;
}
