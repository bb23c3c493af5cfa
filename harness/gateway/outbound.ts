import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type Socket } from 'node:net';
import { classifyOutboundError, errorCode, type Classification, type OutboundPhase } from './failure-class.ts';
import {
  nodeHeaders,
  outboundBody,
  setResponseUrl,
  tlsProtocolOf,
  toWebResponse,
  writeBody,
  type OutboundBody,
} from './outbound-message.ts';
import { TlsContextCache, type TlsConnectionPool } from './tls-contexts.ts';
import type { FailureClass, MtlsBinding, UpstreamRecord } from './types.ts';

/** The runtime's exact message for a name with no binding in this deployment (spec §3). */
export const BINDING_NOT_FOUND = (name: string): string =>
  `mTLS certificate binding '${name}' not found. Ensure the certificate is uploaded and properly configured.`;

/** The runtime's exact message for a binding that is not an mTLS certificate (for example a string variable). */
export const BINDING_INVALID = (name: string): string =>
  `mTLS certificate binding '${name}' is not a valid mTLS certificate binding. Make sure it's configured as an mTLS certificate, not an environment variable.`;

/** `fetch` init with Zuplo's extension. `zuplo` is read from the init only, never from a Request object (as the runtime does). */
export interface OutboundFetchInit extends RequestInit {
  zuplo?: { mtlsCertificate?: string };
}

export interface OutboundClient {
  /** WHATWG-like fetch over node:https. Throws UpstreamError for connection failures; the runtime's exact Error for a missing binding. */
  fetch(input: string | URL | Request, init?: OutboundFetchInit): Promise<Response>;
  /** Every attempt (each redirect hop is one), in the order they settled. */
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
}

/** A connection failure in the closed FailureClass set. Match on `failureClass`, not on the message. */
export class UpstreamError extends Error {
  readonly failureClass: FailureClass;
  readonly errorCode?: string;
  constructor(classification: Classification, options?: { cause?: unknown }) {
    super(classification.message, options);
    this.name = 'UpstreamError';
    this.failureClass = classification.failureClass;
    if (classification.errorCode !== undefined) this.errorCode = classification.errorCode;
  }
}

const MAX_REDIRECTS = 20;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

interface Attempt {
  url: URL;
  method: string;
  headers: Headers;
  body: OutboundBody;
  binding: MtlsBinding | undefined;
  mtlsCertificate: string | undefined;
  requestId: string;
  signal: AbortSignal | undefined;
}

/** Thrown inside an attempt when a pooled keep-alive socket turned out to be closed by the origin: retried once on a new one. */
class StaleSocket extends Error {}

/**
 * The gateway's outbound HTTP client: fetch semantics over node:http/node:https (undici loses TLS
 * 1.3 alerts, node-tls-notes §2), with the runtime's `{zuplo: {mtlsCertificate}}` extension, one
 * cached SecureContext per binding, and every failure classified and recorded.
 */
export function createOutboundClient(opts: OutboundClientOptions): OutboundClient & {
  /** SecureContexts built so far: one per binding used plus one for requests without a certificate. */
  readonly secureContextsCreated: number;
  [Symbol.asyncDispose](): Promise<void>;
} {
  const cache = new TlsContextCache({
    originCa: opts.originCa,
    tlsVersion: opts.tlsVersion,
    keepAliveTimeoutMs: opts.keepAliveTimeoutMs,
  });
  const records: UpstreamRecord[] = [];
  const connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;

  async function outboundFetch(input: string | URL | Request, init?: OutboundFetchInit): Promise<Response> {
    const { zuplo, ...rest } = init ?? {};
    // Request does the fetch-standard normalisation (method case, header validation, body extraction).
    const request = new Request(input, { ...rest, duplex: 'half' } as RequestInit);
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined;
    const requestId = opts.requestIdFor?.(request.headers) ?? request.headers.get('zp-rid') ?? '';
    const mtlsCertificate = zuplo?.mtlsCertificate || undefined;
    const base = { requestId, method: request.method, url: request.url, mtlsCertificate, presentedCertificate: false };

    let binding: MtlsBinding | undefined;
    if (mtlsCertificate !== undefined) {
      const variables = opts.variables ?? {};
      const found: unknown =
        opts.bindings.get(mtlsCertificate) ??
        (Object.hasOwn(variables, mtlsCertificate) ? variables[mtlsCertificate] : undefined);
      if (found === undefined) {
        records.push({ ...base, failureClass: 'binding-missing' });
        throw new Error(BINDING_NOT_FOUND(mtlsCertificate));
      }
      if (!isBinding(found)) {
        records.push({ ...base, failureClass: 'binding-missing', errorCode: 'BINDING_INVALID' });
        throw new Error(BINDING_INVALID(mtlsCertificate));
      }
      binding = found;
    }
    if (signal?.aborted) {
      records.push({ ...base, failureClass: 'upstream-timeout', errorCode: abortName(signal.reason) });
      throw signal.reason;
    }

    let url = new URL(request.url);
    let method = request.method;
    const headers = new Headers(request.headers);
    let body = await outboundBody(request, init, input);

    for (let hop = 0; ; hop++) {
      const attempt: Attempt = { url, method, headers, body, binding, mtlsCertificate, requestId, signal };
      const response = await sendWithStaleRetry(attempt);
      const location = response.headers.get('location');
      if (!REDIRECT_STATUSES.has(response.status) || location === null || request.redirect === 'manual') {
        setResponseUrl(response, url, hop > 0);
        return response;
      }
      await response.body?.cancel();
      if (request.redirect === 'error') throw new TypeError(`fetch failed: redirect to ${location} with redirect mode "error"`);
      if (hop + 1 > MAX_REDIRECTS) throw new TypeError(`fetch failed: more than ${MAX_REDIRECTS} redirects (last: ${url.href})`);
      const next = new URL(location, url);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new TypeError(`fetch failed: redirect to unsupported URL ${next.href}`);
      // Fetch standard: 303 (and 301/302 after POST) become GET without a body; 307/308 re-send it.
      if (response.status === 303 ? method !== 'HEAD' : (response.status === 301 || response.status === 302) && method === 'POST') {
        method = 'GET';
        body = { kind: 'none' };
        for (const name of ['content-length', 'content-type', 'content-encoding', 'content-language', 'content-location']) headers.delete(name);
      } else if (body.kind === 'stream') {
        throw new TypeError(`fetch failed: cannot follow a ${response.status} redirect with a streamed request body (${next.href})`);
      }
      if (next.origin !== url.origin) for (const name of ['authorization', 'cookie', 'proxy-authorization']) headers.delete(name);
      url = next;
    }
  }

  async function sendWithStaleRetry(attempt: Attempt): Promise<Response> {
    try {
      return await send(attempt, true);
    } catch (err) {
      if (!(err instanceof StaleSocket)) throw err;
      return send(attempt, false);
    }
  }

  function send(attempt: Attempt, mayRetry: boolean): Promise<Response> {
    const { url, method, body, binding, signal } = attempt;
    const tls = url.protocol === 'https:';
    if (!tls && url.protocol !== 'http:') return Promise.reject(new TypeError(`fetch failed: unsupported URL scheme ${url.protocol}`));
    const record: UpstreamRecord = {
      requestId: attempt.requestId,
      method,
      url: url.href,
      mtlsCertificate: attempt.mtlsCertificate,
      presentedCertificate: false,
    };
    let pool: TlsConnectionPool | undefined;
    try {
      pool = tls ? cache.poolFor(binding) : undefined;
    } catch (err) {
      // OpenSSL refused the certificate or key (the store checks both, so this means a hand-made binding).
      records.push({ ...record, errorCode: errorCode(err) });
      const what = binding ? `mTLS certificate binding '${binding.name}' could not be loaded` : 'the TLS client could not be set up';
      return Promise.reject(new Error(`${what}: ${(err as Error).message}. Upload a PEM certificate chain and its matching private key.`, { cause: err }));
    }
    record.presentedCertificate = pool?.presentsCertificate ?? false;
    const phase: OutboundPhase = { tls, tcpConnected: false, secureConnected: false, responseBytes: false };
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    if (signal?.aborted) {
      records.push({ ...record, failureClass: 'upstream-timeout', errorCode: abortName(signal.reason) });
      return Promise.reject(signal.reason);
    }

    return new Promise<Response>((resolve, reject) => {
      let settled = false;
      let connectTimer: NodeJS.Timeout | undefined;
      let response: IncomingMessage | undefined;
      const finish = (outcome: () => void, keepRecord = true) => {
        if (settled) return;
        settled = true;
        clearTimeout(connectTimer);
        if (keepRecord) records.push(record);
        outcome();
      };
      const onAbort = () => {
        const reason: unknown = signal!.reason;
        if (response) {
          response.destroy(reason instanceof Error ? reason : new Error(String(reason)));
          return;
        }
        record.failureClass = 'upstream-timeout';
        record.errorCode = abortName(reason);
        req.destroy();
        finish(() => reject(reason));
      };

      const options = {
        hostname,
        port: url.port || (tls ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        method,
        headers: nodeHeaders(attempt.headers, body, method, url),
        agent: pool?.agent ?? cache.httpAgent(),
        // SNI and the certificate host check use the URL host; Node checks IP SANs for IP literals and sends no SNI.
        ...(tls && isIP(hostname) === 0 ? { servername: hostname } : {}),
      };
      const req: ClientRequest = (tls ? httpsRequest : httpRequest)(options);

      req.on('socket', (socket: Socket) => {
        socket.once('data', () => (phase.responseBytes = true));
        if (!socket.connecting) {
          // A pooled keep-alive connection: already connected and (for TLS) past its handshake.
          phase.tcpConnected = true;
          phase.secureConnected = tls;
          record.tlsProtocol = tlsProtocolOf(socket);
          phase.tlsProtocol = record.tlsProtocol;
          return;
        }
        connectTimer = setTimeout(() => {
          phase.connectTimedOut = true;
          const what = phase.tcpConnected ? 'TLS handshake' : 'TCP connect';
          req.destroy(Object.assign(new Error(`${what} to ${url.host} did not finish within ${connectTimeoutMs} ms`), { code: 'ETIMEDOUT' }));
        }, connectTimeoutMs);
        socket.once('connect', () => {
          phase.tcpConnected = true;
          if (!tls) clearTimeout(connectTimer);
        });
        socket.once('secureConnect', () => {
          phase.secureConnected = true;
          record.tlsProtocol = tlsProtocolOf(socket);
          phase.tlsProtocol = record.tlsProtocol;
          clearTimeout(connectTimer);
        });
      });

      req.on('response', (res) => {
        response = res;
        phase.responseBytes = true;
        record.status = res.statusCode;
        let built: Response;
        try {
          built = toWebResponse(res, method);
        } catch (err) {
          res.destroy();
          record.errorCode = 'INVALID_RESPONSE';
          finish(() => reject(new TypeError(`fetch failed: ${(err as Error).message}`, { cause: err })));
          return;
        }
        if (signal) res.once('close', () => signal.removeEventListener('abort', onAbort));
        finish(() => resolve(built));
      });

      req.on('error', (err) => {
        if (settled) return;
        signal?.removeEventListener('abort', onAbort);
        const code = errorCode(err);
        // The origin closed an idle pooled connection just as we reused it: not the origin's verdict, retry once.
        if (mayRetry && req.reusedSocket && !phase.responseBytes && body.kind !== 'stream' && (code === 'ECONNRESET' || code === 'EPIPE')) {
          finish(() => reject(new StaleSocket()), false);
          return;
        }
        const classification = classifyOutboundError(err, phase);
        record.errorCode = classification?.errorCode ?? code ?? undefined;
        if (classification) {
          record.failureClass = classification.failureClass;
          finish(() => reject(new UpstreamError(classification, { cause: err })));
        } else {
          finish(() => reject(new TypeError(`fetch failed: ${err.message}`, { cause: err })));
        }
      });

      signal?.addEventListener('abort', onAbort, { once: true });
      writeBody(req, body);
    });
  }

  return {
    fetch: outboundFetch,
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

function isBinding(value: unknown): value is MtlsBinding {
  const b = value as Partial<MtlsBinding> | null;
  return typeof b === 'object' && b !== null && typeof b.certPem === 'string' && typeof b.keyPem === 'string';
}

function abortName(reason: unknown): string {
  return reason instanceof Error || reason instanceof DOMException ? reason.name : 'AbortError';
}
