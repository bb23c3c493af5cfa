import { requireGateway } from '../gateway-context.ts';
import type { ZuploContext } from '../runtime/zuplo-context.ts';
import type { ZuploRequest } from '../runtime/zuplo-request.ts';
import { callUpstream, evaluateTemplate, forwardingLogLine } from './upstream-call.ts';

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

/**
 * `urlForwardHandler`: options `baseUrl` (required, a `${...}` template), `forwardSearch` (default
 * true; only `false` turns it off), `followRedirects` (default false; honoured only from compat
 * 2025-02-06, before which redirects are always followed), `requestTimeoutSeconds`, `mtlsCertificate`.
 */
export async function urlForwardHandler(request: ZuploRequest, context: ZuploContext): Promise<Response> {
  const gateway = requireGateway('urlForwardHandler');
  const options = context.route.handler.options;
  const base = evaluateTemplate('baseUrl', request, context, gateway);
  const incoming = new URL(request.url);
  const target = joinForwardUrl(base, incoming.pathname, options.forwardSearch === false ? '' : incoming.search);
  const follow = gateway.flags.forwardHandlerHonoursFollowRedirects ? options.followRedirects === true : true;
  gateway.print(() => forwardingLogLine(target));
  return callUpstream(request, context, target, follow);
}
