import { requireGateway } from '../gateway-context.ts';
import type { ZuploContext } from '../runtime/zuplo-context.ts';
import type { ZuploRequest } from '../runtime/zuplo-request.ts';
import { callUpstream, evaluateTemplate, parseTarget } from './upstream-call.ts';

/**
 * `urlRewriteHandler`: options `rewritePattern` (required, a `${...}` template giving the whole
 * URL), `forwardSearch` (default true: each incoming query pair is appended, duplicates kept),
 * `followRedirects` (truthy = follow, no compat gate), `requestTimeoutSeconds`, `mtlsCertificate`.
 */
export async function urlRewriteHandler(request: ZuploRequest, context: ZuploContext): Promise<Response> {
  const gateway = requireGateway('urlRewriteHandler');
  const options = context.route.handler.options;
  const target = parseTarget(evaluateTemplate('rewritePattern', request, context, gateway));
  if (options.forwardSearch !== false) {
    for (const [key, value] of new URL(request.url).searchParams) target.searchParams.append(key, value);
  }
  return callUpstream(request, context, target.href, Boolean(options.followRedirects));
}
