/**
 * RFC 7807 problem responses shaped exactly like Zuplo's `HttpProblems`: fields in the
 * order type, title, status, detail?, instance, trace{timestamp, requestId, buildId, rayId?}, then
 * overrides/extensions; `JSON.stringify(body, null, 2)`; `application/problem+json`; a `zp-rid` header.
 */
import type { HeadersInit } from './fetch-types.ts';

/** Standard titles, plus 522 (Cloudflare's name for it, which is what users search for). */
export const STATUS_TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  522: 'Connection Timed Out',
};

export interface ProblemInit {
  status: number;
  /** Left out of the body when undefined. */
  detail?: string;
  /** The request URL; only its pathname is used (`instance`). */
  url: string;
  requestId: string;
  buildId: string;
  /** The incoming `cf-ray`, if any: `trace.rayId` appears only then. */
  rayId?: string | null;
  /** Members spread in after `trace` (a known member keeps its position and takes the new value). */
  overrides?: Record<string, unknown>;
  /** Extra response headers. */
  headers?: HeadersInit;
  /** The clock for `trace.timestamp`. Default: now. */
  now?: Date;
}

/** The body object, in Zuplo's field order. */
export function problemBody(init: ProblemInit): Record<string, unknown> {
  const trace: Record<string, unknown> = {
    timestamp: (init.now ?? new Date()).toISOString(),
    requestId: init.requestId,
    buildId: init.buildId,
  };
  if (init.rayId) trace.rayId = init.rayId;
  return {
    type: `https://httpproblems.com/http-status/${init.status}`,
    title: STATUS_TITLES[init.status] ?? `HTTP ${init.status}`,
    status: init.status,
    // Present as a key (for ordering) even when undefined; JSON.stringify leaves it out.
    detail: init.detail,
    instance: pathnameOf(init.url),
    trace,
    ...init.overrides,
  };
}

const madeBodies = new WeakMap<Response, Buffer>();

/** A complete problem+json Response. */
export function problemResponse(init: ProblemInit): Response {
  const headers = new Headers(init.headers);
  headers.set('content-type', 'application/problem+json');
  headers.set('zp-rid', init.requestId);
  const text = JSON.stringify(problemBody(init), null, 2);
  const response = new Response(text, { status: init.status, headers });
  madeBodies.set(response, Buffer.from(text));
  return response;
}

/** The bytes of a response the gateway made itself (a problem), which it sends with Content-Length; undefined for any other. */
export function gatewayMadeBody(response: Response): Buffer | undefined {
  return madeBodies.get(response);
}

/** The `cause` member added in local and development (working-copy) environments. */
export function serialiseCause(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error)) return err === undefined ? undefined : String(err);
  const out: Record<string, unknown> = { name: err.name, message: err.message, stack: err.stack };
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') out.code = code;
  if (err.cause !== undefined && depth < 4) out.cause = serialiseCause(err.cause, depth + 1);
  return out;
}

function pathnameOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
