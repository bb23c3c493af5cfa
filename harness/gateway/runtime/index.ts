/**
 * The local `@zuplo/runtime` shim. User function handlers import it by that name; a module
 * resolve hook (loader-hooks.mjs) maps the specifier here. Covers what the seed and the spec's
 * checklist use: ZuploRequest, ZuploContext, environment, HttpProblems, the URL handlers, fetch.
 */
import { zuploFetch } from '../gateway-context.ts';
import type { OutboundFetchInit } from '../outbound.ts';

export { ZuploRequest } from './zuplo-request.ts';
export type { ZuploRequestInit, RequestUser } from './zuplo-request.ts';
export { ZuploContext } from './zuplo-context.ts';
export type { RouteConfiguration, ZuploLogger } from './zuplo-context.ts';
export { environment } from './environment.ts';
export { HttpProblems } from './http-problems.ts';
export { urlForwardHandler } from '../handlers/url-forward.ts';
export { urlRewriteHandler } from '../handlers/url-rewrite.ts';

/** `RequestInit` plus Zuplo's `zuplo` member (`mtlsCertificate`, and the ignored cache hints). */
export type ZuploFetchInit = OutboundFetchInit;

/**
 * Zuplo's fetch: inside a gateway request it goes through that gateway's outbound client and
 * presents the client certificate named by `init.zuplo.mtlsCertificate` (the global `fetch` does
 * the same while a gateway runs). Only the init is inspected; `zuplo` on a Request is ignored.
 */
export function fetch(input: string | URL | Request, init?: ZuploFetchInit): Promise<Response> {
  return zuploFetch(input, init);
}
