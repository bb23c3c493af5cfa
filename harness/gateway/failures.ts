import { problemResponse, serialiseCause } from './problems.ts';
import type { EnvironmentType, FailureClass, FailureMode, UpstreamRecord } from './types.ts';

/**
 * Turns an error thrown by a handler into the response the user sees.
 *
 * - A connection failure (an UpstreamError: handshake-rejected, origin-untrusted, connect-refused,
 *   connect-timeout) is **522** problem+json in `edge` mode: on the deployed edge the platform
 *   answers 522 when the connection to the origin fails before any HTTP response (SEED). The title
 *   is Cloudflare's name for 522, "Connection Timed Out", because that is what users search for;
 *   the `detail` says what really happened, in words, and the upstream URL and error code. (The
 *   real edge's 522 page is not problem+json; we choose problem+json so every gateway error has one
 *   shape.) In `runtime` mode it is the 500 the runtime code itself produces, detail = the message.
 * - A missing or invalid mTLS binding is a 500 with the runtime's exact message, in both modes.
 * - `upstream-timeout` is a 504 (the URL handlers answer it themselves with the exact text).
 * - Anything else is a 500 whose detail is the error's message.
 * In `local` and `development` environments a 500 also carries `cause` (the serialised error).
 */
export interface FailureContext {
  url: string;
  requestId: string;
  buildId: string;
  rayId?: string | null;
  failureMode: FailureMode;
  environmentType: EnvironmentType;
  /** The outbound attempts of this request, to name the origin in the 522 detail. */
  upstream?: readonly UpstreamRecord[];
}

/** The title used for 522. */
export const EDGE_FAILURE_TITLE = 'Connection Timed Out';

const EDGE_DETAIL: Record<Exclude<FailureClass, 'binding-missing' | 'upstream-timeout'>, string> = {
  'handshake-rejected':
    'The origin closed the TLS connection during the handshake: it did not accept the client certificate (or none was sent). ' +
    'An AWS ALB in mTLS verify mode does this when the certificate does not chain to a CA in its trust store, has expired ' +
    'or is not yet valid, is revoked, or is missing. Check the ALB trust store, the certificate dates, and that ' +
    'mtlsCertificate names a certificate enabled for this environment type.',
  'origin-untrusted':
    "The gateway could not verify the origin's TLS server certificate: it is not issued by a CA the gateway trusts, " +
    'is outside its validity dates, or does not name the host in the URL. Check the origin certificate chain and the host in baseUrl.',
  'connect-refused':
    'The origin refused the TCP connection: nothing accepts connections at that host and port. Check the host and port in ' +
    "baseUrl and that the load balancer's HTTPS listener exists.",
  'connect-timeout':
    'The connection to the origin did not complete in time (TCP connect or TLS handshake). Check that the origin is reachable ' +
    'from the gateway (security groups, network ACLs) and that the port speaks TLS.',
};

export function failureResponse(err: unknown, ctx: FailureContext): Response {
  const failureClass = (err as { failureClass?: unknown } | null)?.failureClass as FailureClass | undefined;
  const message = err instanceof Error ? err.message : String(err);
  const base = { url: ctx.url, requestId: ctx.requestId, buildId: ctx.buildId, rayId: ctx.rayId };
  if (failureClass === 'upstream-timeout') return problemResponse({ ...base, status: 504, detail: message });

  const isConnectionFailure = failureClass !== undefined && failureClass !== 'binding-missing';
  if (isConnectionFailure && ctx.failureMode === 'edge') {
    const code = (err as { errorCode?: unknown }).errorCode;
    const origin = [...(ctx.upstream ?? [])].reverse().find((r) => r.requestId === ctx.requestId && r.failureClass === failureClass);
    const facts = [origin?.url, typeof code === 'string' ? code : undefined].filter(Boolean).join(', ');
    return problemResponse({
      ...base,
      status: 522,
      detail: EDGE_DETAIL[failureClass] + (facts ? ` (${facts})` : ''),
    });
  }
  const withCause = ctx.environmentType === 'local' || ctx.environmentType === 'development';
  return problemResponse({
    ...base,
    status: 500,
    detail: message,
    ...(withCause ? { overrides: { cause: serialiseCause(err) } } : {}),
  });
}
