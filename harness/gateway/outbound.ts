import type { IncomingMessage } from 'node:http';
import type { AbortWatch } from './client-abort.ts';
import { originAnswer, type OriginAnswer } from './origin-answer.ts';
import { outboundBody, setResponseUrl, toWebResponse, type OutboundBody, type OutboundFetchInit } from './outbound-message.ts';
import { abortName, sendAttempt, StaleSocket, type Attempt, type AttemptEnvironment } from './outbound-attempt.ts';
import { TlsContextCache } from './tls-contexts.ts';
import type { MtlsBinding, UpstreamRecord } from './types.ts';
import { BINDING_INVALID, BINDING_NOT_FOUND, UpstreamError } from './upstream-error.ts';
import { maxEntriesOption, pushBounded } from '../bounded-list.ts';

export { BINDING_INVALID, BINDING_NOT_FOUND, UpstreamError } from './upstream-error.ts';
export type { OutboundFetchInit } from './outbound-message.ts';

/** Set on an init by the URL handlers: why the call sends no certificate (shown in the record and the 522 detail). */
export const NO_CERTIFICATE_REASON = Symbol.for('alb-mtls-harness.gateway.no-certificate-reason');

export interface OutboundClient {
  /** WHATWG-like fetch over node:https. Throws UpstreamError for connection failures and for a missing binding (the runtime's exact text). */
  fetch(input: string | URL | Request, init?: OutboundFetchInit): Promise<Response>;
  /**
   * The same call for the URL forward fast path: the answer stays a node message (see
   * origin-answer.ts) for the gateway to write as it came. Records, errors and redirects as `fetch`;
   * `abort` (the client going away) stands in for an AbortSignal.
   */
  forward(url: URL, init: OutboundFetchInit, abort?: AbortWatch): Promise<OriginAnswer>;
  /** The last attempts (each redirect hop is one), in the order they settled; at most `maxRecords`. */
  readonly records: UpstreamRecord[];
  /** Destroys every agent and pooled connection. Idempotent. */
  close(): Promise<void>;
}

export interface OutboundClientOptions {
  /** The mTLS bindings of this deployment, by name. */
  bindings: Map<string, MtlsBinding>;
  /**
   * The deployment's environment variables. On the edge, variables and mTLS bindings share one
   * `env`, so naming a variable as `mtlsCertificate` gives BINDING_INVALID rather than
   * BINDING_NOT_FOUND. Default: none.
   */
  variables?: Readonly<Record<string, string | undefined>>;
  /** CA(s) trusted for the origin's certificate. Default: Node's public roots. */
  originCa?: string | string[];
  /** Timeout for TCP connect plus TLS handshake, ms. Default 10_000. */
  connectTimeoutMs?: number;
  /** Pin the TLS version. Default: negotiate. */
  tlsVersion?: '1.2' | '1.3';
  /** The request id recorded for an attempt. Default: the `zp-rid` request header, else `''`. */
  requestIdFor?(headers: Headers): string | undefined;
  /** Idle keep-alive lifetime, ms. Default 1_000. */
  keepAliveTimeoutMs?: number;
  /** `host:port` → address, as curl's `--resolve`. */
  resolve?: Readonly<Record<string, string>>;
  /** How many records to keep. Default 1_000. */
  maxRecords?: number;
  /** Called once per settled attempt. */
  onRecord?(record: UpstreamRecord): void;
}

const MAX_REDIRECTS = 20;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * The gateway's outbound HTTP client: fetch semantics over node:http/node:https (undici's fetch
 * reports a TLS 1.3 alert as a bare "fetch failed", losing the reason), with the runtime's
 * `{zuplo: {mtlsCertificate}}` extension, one cached SecureContext per binding, and every attempt
 * classified and recorded.
 */
export function createOutboundClient(opts: OutboundClientOptions): OutboundClient & {
  /** SecureContexts built so far: one per binding used plus one for requests without a certificate. */
  readonly secureContextsCreated: number;
  [Symbol.asyncDispose](): Promise<void>;
} {
  const cache = new TlsContextCache({ originCa: opts.originCa, tlsVersion: opts.tlsVersion, keepAliveTimeoutMs: opts.keepAliveTimeoutMs });
  const records: UpstreamRecord[] = [];
  const maxRecords = maxEntriesOption(opts.maxRecords, 'startGateway: maxUpstreamRecords');
  const record = (r: UpstreamRecord) => {
    pushBounded(records, r, maxRecords);
    opts.onRecord?.(r);
  };
  const env: AttemptEnvironment = {
    pool: (binding) => cache.poolFor(binding),
    httpAgent: () => cache.httpAgent(),
    connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
    resolve: new Map(Object.entries(opts.resolve ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    record,
  };

  async function send<R>(
    input: string | URL | Request,
    init: OutboundFetchInit | undefined,
    form: AnswerForm<R>,
    abort?: AbortWatch,
    parsedInput?: URL,
  ): Promise<R> {
    const zuplo = init?.zuplo;
    // Request does the fetch-standard normalisation (method case, header validation, body extraction);
    // the URL handlers' calls are already normal and skip it (a Request also follows the signal: costly).
    // Request ignores the init's `zuplo` member, so the init is given as it is (no copy without it).
    const request: RequestFields & { parsedUrl?: URL } =
      plainRequest(input, init ?? {}, parsedInput) ?? new Request(input, { ...init, duplex: 'half' } as RequestInit);
    const signal: AbortWatch | undefined = abort ?? init?.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined;
    const requestId = opts.requestIdFor?.(request.headers) ?? request.headers.get('zp-rid') ?? '';
    const mtlsCertificate = zuplo?.mtlsCertificate || undefined;
    const base = { requestId, method: request.method, url: request.url, mtlsCertificate, presentedCertificate: false };
    const binding = mtlsCertificate === undefined ? undefined : lookupBinding(mtlsCertificate, base);
    if (signal?.aborted) {
      record({ ...base, failureClass: 'upstream-timeout', errorCode: abortName(signal.reason), durationMs: 0 });
      throw signal.reason;
    }
    const noCertificateReason = (init as { [NO_CERTIFICATE_REASON]?: string } | undefined)?.[NO_CERTIFICATE_REASON];
    let attempt: Attempt<R> = {
      url: request.parsedUrl ?? new URL(request.url),
      method: request.method,
      headers: request.headers, // this fetch's own copy: a redirect may edit it
      body: await outboundBody(request, init, input),
      binding,
      mtlsCertificate,
      requestId,
      signal,
      noCertificateReason: mtlsCertificate === undefined ? (noCertificateReason ?? unnamedReason(zuplo)) : undefined,
      convert: form.convert,
    };
    for (let hop = 0; ; hop++) {
      const answer = await sendWithStaleRetry(attempt);
      const status = form.status(answer);
      const location = form.location(answer);
      if (!REDIRECT_STATUSES.has(status) || location === null || request.redirect === 'manual') return form.finish(answer, attempt.url, hop > 0);
      await form.discard(answer);
      if (request.redirect === 'error') throw new TypeError(`fetch failed: redirect to ${location} with redirect mode "error"`);
      if (hop + 1 > MAX_REDIRECTS) throw new TypeError(`fetch failed: more than ${MAX_REDIRECTS} redirects (last: ${attempt.url.href})`);
      attempt = redirected(attempt, status, location);
    }
  }

  /** The binding a name selects, or the runtime's error (recorded) when the name selects none. */
  function lookupBinding(name: string, base: UpstreamRecord): MtlsBinding {
    const variables = opts.variables ?? {};
    const found: unknown = opts.bindings.get(name) ?? (Object.hasOwn(variables, name) ? variables[name] : undefined);
    if (found === undefined) {
      record({ ...base, failureClass: 'binding-missing', durationMs: 0 });
      throw new UpstreamError({ failureClass: 'binding-missing', message: BINDING_NOT_FOUND(name), url: base.url });
    }
    if (!isBinding(found)) {
      record({ ...base, failureClass: 'binding-missing', errorCode: 'BINDING_INVALID', durationMs: 0 });
      throw new UpstreamError({ failureClass: 'binding-missing', errorCode: 'BINDING_INVALID', message: BINDING_INVALID(name), url: base.url });
    }
    return found;
  }

  function sendWithStaleRetry<R>(attempt: Attempt<R>): Promise<R> {
    return sendAttempt(attempt, env, true).catch((err: unknown) => {
      if (!(err instanceof StaleSocket)) throw err;
      return sendAttempt(attempt, env, false);
    });
  }

  return {
    fetch: (input, init) => send(input, init, webForm),
    forward: (url, init, abort) => send(url.href, init, nodeForm, abort, url),
    records,
    get secureContextsCreated() {
      return cache.created;
    },
    async close() {
      cache.close();
    },
    async [Symbol.asyncDispose]() {
      cache.close();
    },
  };
}

/**
 * The next attempt after a redirect, as the fetch standard has it: 303 (and 301/302 after POST)
 * become GET without a body; 307/308 re-send it (impossible for a one-shot stream); credentials
 * are not carried to another origin.
 */
function redirected<R>(previous: Attempt<R>, status: number, location: string): Attempt<R> {
  const next = new URL(location, previous.url);
  if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new TypeError(`fetch failed: redirect to unsupported URL ${next.href}`);
  let method = previous.method;
  let body: OutboundBody = previous.body;
  const headers = previous.headers;
  if (status === 303 ? method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST') {
    method = 'GET';
    body = { kind: 'none' };
    for (const name of ['content-length', 'content-type', 'content-encoding', 'content-language', 'content-location']) headers.delete(name);
  } else if (body.kind === 'stream') {
    throw new TypeError(`fetch failed: cannot follow a ${status} redirect with a streamed request body (${next.href})`);
  }
  if (next.origin !== previous.url.origin) for (const name of ['authorization', 'cookie', 'proxy-authorization']) headers.delete(name);
  return { ...previous, url: next, method, body, headers };
}

/** What the redirect loop reads of an answer, for both forms. */
interface AnswerForm<R> {
  convert(res: IncomingMessage, method: string): R;
  status(answer: R): number;
  location(answer: R): string | null;
  /** Drops the body of an answer that is not returned (a redirect followed). */
  discard(answer: R): Promise<void>;
  /** The answer handed to the caller; `url` is where it came from, after any redirects followed. */
  finish(answer: R, url: URL, redirected: boolean): R;
}

const webForm: AnswerForm<Response> = {
  convert: toWebResponse,
  status: (r) => r.status,
  location: (r) => r.headers.get('location'),
  discard: async (r) => void (await r.body?.cancel()),
  finish(r, url, redirected) {
    setResponseUrl(r, url, redirected);
    return r;
  },
};

const nodeForm: AnswerForm<OriginAnswer> = {
  convert: originAnswer,
  status: (a) => a.status,
  location: (a) => a.headers.find(([name]) => name === 'location')?.[1] ?? null,
  discard: async (a) => void a.body?.destroy(), // what cancelling the unread body of a Response does
  finish: (a) => a,
};

/**
 * Set to true on an init by the URL handlers: its `headers` are the call's own copy, which the fetch
 * edits rather than copying again (a mark on the init: a WeakSet entry per request costs more).
 */
export const HEADERS_HANDED_OVER = Symbol('alb-mtls-harness.gateway.headers-handed-over');

/** What the fetch needs of its Request: a `new Request` or, for a call that is already normal, these fields. */
type RequestFields = Pick<Request, 'url' | 'method' | 'headers' | 'redirect' | 'body' | 'arrayBuffer'>;

const PLAIN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
const PLAIN_INIT_KEYS = new Set(['method', 'headers', 'body', 'redirect', 'signal', 'duplex', 'zuplo']);
const REDIRECT_MODES = new Set(['follow', 'manual', 'error']);

/**
 * The request fields without a `new Request`, for a call that needs none of its normalisation: a
 * URL string without credentials, an uppercase standard method, a Headers object, no body, and
 * nothing else in the init. Undefined when any of that does not hold (then Request decides).
 */
function plainRequest(input: string | URL | Request, init: RequestInit, parsedInput?: URL): (RequestFields & { parsedUrl: URL }) | undefined {
  if (typeof input !== 'string' || !(init.headers instanceof Headers) || (init.body !== undefined && init.body !== null)) return undefined;
  const method = init.method ?? 'GET';
  const redirect = init.redirect ?? 'follow';
  if (!PLAIN_METHODS.has(method) || !REDIRECT_MODES.has(redirect)) return undefined;
  for (const key of Object.keys(init)) if (!PLAIN_INIT_KEYS.has(key)) return undefined;
  let url: URL;
  try {
    url = parsedInput ?? new URL(input);
  } catch {
    return undefined;
  }
  if (url.username !== '' || url.password !== '') return undefined;
  // The attempt edits its headers on a redirect: the caller's object must not change, so it is copied
  // unless the caller handed it over.
  const handedOver = (init as { [HEADERS_HANDED_OVER]?: boolean })[HEADERS_HANDED_OVER] === true;
  const headers = handedOver ? init.headers : new Headers(init.headers);
  return { url: url.href, parsedUrl: url, method, headers, redirect, body: null, arrayBuffer: noBytes };
}

const noBytes = async () => new ArrayBuffer(0);

/** Why a fetch call made without the URL handlers names no certificate. */
function unnamedReason(zuplo: OutboundFetchInit['zuplo']): string {
  if (zuplo === undefined) return 'the fetch call passed no zuplo.mtlsCertificate';
  const value = zuplo.mtlsCertificate;
  return value === undefined
    ? "the fetch call's zuplo.mtlsCertificate is undefined (an environment variable that is not set?)"
    : `the fetch call's zuplo.mtlsCertificate is ${JSON.stringify(value)}`;
}

function isBinding(value: unknown): value is MtlsBinding {
  const b = value as Partial<MtlsBinding> | null;
  return typeof b === 'object' && b !== null && typeof b.certPem === 'string' && typeof b.keyPem === 'string';
}
