import { X509Certificate } from 'node:crypto';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import { issuerRfc2253, subjectRfc2253 } from '../../certs/x509/cert-names.ts';
import type { AbortWatch } from './client-abort.ts';
import { classifyOutboundError, errorCode, type OutboundPhase } from './failure-class.ts';
import { nodeHeaders, tlsProtocolOf, writeBody, type OutboundBody } from './outbound-message.ts';
import type { TlsConnectionPool } from './tls-contexts.ts';
import type { MtlsBinding, UpstreamRecord } from './types.ts';
import { UpstreamError } from './upstream-error.ts';

/** One HTTP exchange (one redirect hop) of an outbound fetch; `R` is what its answer becomes. */
export interface Attempt<R = Response> {
  url: URL;
  method: string;
  headers: Headers;
  body: OutboundBody;
  binding: MtlsBinding | undefined;
  mtlsCertificate: string | undefined;
  requestId: string;
  signal: AbortWatch | undefined;
  /** Why no certificate is sent, when none is (for the record and the 522 detail). */
  noCertificateReason: string | undefined;
  /** Turns the origin's response head into the answer (throws for a head that cannot be one). */
  convert(res: IncomingMessage, method: string): R;
}

/** What an attempt needs from its client. */
export interface AttemptEnvironment {
  pool(binding: MtlsBinding | undefined): TlsConnectionPool;
  httpAgent(): import('node:http').Agent;
  connectTimeoutMs: number;
  /** `host:port` → address, as curl's --resolve. */
  resolve: ReadonlyMap<string, string>;
  record(record: UpstreamRecord): void;
}

/** Thrown inside an attempt when a pooled keep-alive socket turned out to be closed by the origin: retried once on a new one. */
export class StaleSocket extends Error {}

const certificateNames = new WeakMap<MtlsBinding, { subject?: string; issuer?: string }>();

/** Subject and issuer of a binding's leaf, as an ALB prints them (`CN=…,O=…`), computed once per binding. */
function namesOf(binding: MtlsBinding): { subject?: string; issuer?: string } {
  let names = certificateNames.get(binding);
  if (names === undefined) {
    try {
      const leaf = new X509Certificate(binding.certPem);
      names = { subject: subjectRfc2253(leaf), issuer: issuerRfc2253(leaf) };
    } catch {
      names = {};
    }
    certificateNames.set(binding, names);
  }
  return names;
}

/** The record of an attempt before it settles. */
function newRecord(attempt: Attempt<unknown>, presentsCertificate: boolean): UpstreamRecord {
  const record: UpstreamRecord = {
    requestId: attempt.requestId,
    method: attempt.method,
    url: attempt.url.href,
    mtlsCertificate: attempt.mtlsCertificate,
    presentedCertificate: presentsCertificate,
  };
  if (presentsCertificate && attempt.binding) {
    const { subject, issuer } = namesOf(attempt.binding);
    if (subject !== undefined) record.certificateSubject = subject;
    if (issuer !== undefined) record.certificateIssuer = issuer;
  }
  if (!presentsCertificate && attempt.noCertificateReason !== undefined) record.noCertificateReason = attempt.noCertificateReason;
  return record;
}

/** Records a settled attempt with its duration. */
function settle(record: UpstreamRecord, started: number, env: AttemptEnvironment): void {
  record.durationMs = Math.round(performance.now() - started);
  env.record(record);
}

/** A DNS lookup that answers `address` for `hostname` (curl's --resolve), and the system's answer otherwise. */
function pinnedLookup(address: string): LookupFunction {
  const family = isIP(address);
  return (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

/**
 * Sends one attempt over node:http/node:https and settles with its answer as soon as its head
 * arrives. Every failure is classified by what happened on the socket (TCP connected, handshake
 * done, response bytes seen, the connection proven by an earlier response) and recorded once.
 */
export function sendAttempt<R>(attempt: Attempt<R>, env: AttemptEnvironment, mayRetry: boolean): Promise<R> {
  const { url, method, body, binding, signal } = attempt;
  const started = performance.now();
  const tls = url.protocol === 'https:';
  if (!tls && url.protocol !== 'http:') return Promise.reject(new TypeError(`fetch failed: unsupported URL scheme ${url.protocol}`));
  let pool: TlsConnectionPool | undefined;
  try {
    pool = tls ? env.pool(binding) : undefined;
  } catch (err) {
    // OpenSSL refused the certificate or key (the store checks both, so this means a hand-made binding).
    env.record({ ...newRecord(attempt, false), errorCode: errorCode(err), durationMs: 0 });
    const what = binding ? `mTLS certificate binding '${binding.name}' could not be loaded` : 'the TLS client could not be set up';
    return Promise.reject(new Error(`${what}: ${(err as Error).message}. Upload a PEM certificate chain and its matching private key.`, { cause: err }));
  }
  const record = newRecord(attempt, pool?.presentsCertificate ?? false);
  const phase: OutboundPhase = { tls, tcpConnected: false, secureConnected: false, responseBytes: false };
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port || (tls ? '443' : '80');
  if (signal?.aborted) {
    Object.assign(record, { failureClass: 'upstream-timeout', errorCode: abortName(signal.reason) });
    settle(record, started, env);
    return Promise.reject(signal.reason);
  }
  const pinned = env.resolve.get(`${hostname.toLowerCase()}:${port}`);

  return new Promise<R>((resolve, reject) => {
    let settled = false;
    let response: IncomingMessage | undefined;
    let watch: SocketWatch | undefined;
    const finish = (outcome: () => void, keepRecord = true) => {
      if (settled) return;
      settled = true;
      watch?.stop();
      if (keepRecord) settle(record, started, env);
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

    const req: ClientRequest = (tls ? httpsRequest : httpRequest)({
      hostname,
      port,
      path: `${url.pathname}${url.search}`,
      method,
      headers: nodeHeaders(attempt.headers, body, method, url),
      agent: pool?.agent ?? env.httpAgent(),
      // SNI and the certificate host check use the URL host; Node checks IP SANs for IP literals and sends no SNI.
      ...(tls && isIP(hostname) === 0 ? { servername: hostname } : {}),
      ...(pinned !== undefined ? { lookup: pinnedLookup(pinned) } : {}),
    });

    req.on('socket', (socket: Socket) => {
      watch = watchSocket(socket, {
        tls,
        reused: req.reusedSocket,
        phase,
        record,
        connectTimeoutMs: env.connectTimeoutMs,
        onConnectTimeout: (what) =>
          req.destroy(Object.assign(new Error(`${what} to ${url.host} did not finish within ${env.connectTimeoutMs} ms`), { code: 'ETIMEDOUT' })),
      });
    });

    req.on('response', (res) => {
      response = res;
      phase.responseBytes = true;
      record.status = res.statusCode;
      let built: R;
      try {
        built = attempt.convert(res, method);
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
      const verdict = watch?.originVerdict();
      if (verdict !== undefined) phase.originVerifyError = verdict;
      const classification = classifyOutboundError(err, phase);
      record.errorCode = classification?.errorCode ?? code ?? undefined;
      if (classification) {
        record.failureClass = classification.failureClass;
        finish(() => reject(new UpstreamError({ ...classification, url: url.href }, { cause: err })));
      } else {
        finish(() => reject(new TypeError(`fetch failed: ${err.message}`, { cause: err })));
      }
    });

    signal?.addEventListener('abort', onAbort, { once: true });
    writeBody(req, body);
  });
}

type SocketListeners = Array<[string, (...args: unknown[]) => void]>;

/** Adds a once-listener to `socket` and notes it in `listeners` (removed when the attempt settles). */
function listenOnce(socket: Socket, listeners: SocketListeners, event: string, listener: (...args: unknown[]) => void, first = false): void {
  listeners.push([event, listener]);
  if (first) socket.prependOnceListener(event, listener);
  else socket.once(event, listener);
}

interface SocketWatch {
  /** The client's verdict on the origin's certificate, read before the socket was freed. */
  originVerdict(): string | undefined;
  /** Stops the connect timer and removes every listener (the socket may go back to the pool). */
  stop(): void;
}

/**
 * Follows one socket through TCP connect, the TLS handshake and the first response byte, filling
 * `phase` (what the failure classifier reads) and the record's TLS version; runs the connect timer,
 * which covers TCP connect plus the handshake.
 */
function watchSocket(
  socket: Socket,
  opts: { tls: boolean; reused: boolean; phase: OutboundPhase; record: UpstreamRecord; connectTimeoutMs: number; onConnectTimeout(what: string): void },
): SocketWatch {
  const { tls, phase, record } = opts;
  let verdict: string | undefined;
  // Every listener is removed when the attempt settles: a keep-alive socket serves many attempts.
  const listeners: SocketListeners = [];
  const timer = socket.connecting
    ? setTimeout(() => {
        phase.connectTimedOut = true;
        opts.onConnectTimeout(phase.tcpConnected ? 'TLS handshake' : 'TCP connect');
      }, opts.connectTimeoutMs)
    : undefined;
  const watch: SocketWatch = {
    originVerdict: () => verdict,
    stop() {
      clearTimeout(timer);
      for (const [event, listener] of listeners) socket.removeListener(event, listener);
    },
  };
  listenOnce(socket, listeners, 'data', () => (phase.responseBytes = true));
  if (!socket.connecting) {
    // A pooled keep-alive connection: connected, past its handshake, and it already carried a response.
    phase.tcpConnected = true;
    phase.secureConnected = tls;
    phase.provenAccepted = opts.reused;
    record.tlsProtocol = tlsProtocolOf(socket);
    phase.tlsProtocol = record.tlsProtocol;
    return watch;
  }
  if (tls) {
    // Read while the native handle is alive: when the socket errs or ends, before it is freed.
    const read = () => (verdict ??= originVerdict((socket as unknown as { _handle?: TlsHandle | null })._handle));
    listenOnce(socket, listeners, 'error', read, true);
    listenOnce(socket, listeners, 'end', read, true);
    // A TLS 1.3 server sends its session ticket only once it has accepted the client's Finished and certificate.
    listenOnce(socket, listeners, 'session', () => (phase.provenAccepted = true));
  }
  listenOnce(socket, listeners, 'connect', () => {
    phase.tcpConnected = true;
    if (!tls) clearTimeout(timer);
  });
  listenOnce(socket, listeners, 'secureConnect', () => {
    phase.secureConnected = true;
    record.tlsProtocol = tlsProtocolOf(socket);
    phase.tlsProtocol = record.tlsProtocol;
    // Under TLS 1.2 the server's Finished comes after its verdict on the client certificate: it accepted it.
    if (record.tlsProtocol === 'TLSv1.2') phase.provenAccepted = true;
    clearTimeout(timer);
  });
  return watch;
}

/** The native TLS handle's view of the peer certificate (Node keeps it after a failed handshake). */
interface TlsHandle {
  verifyError?(): (Error & { code?: string }) | null;
}

/**
 * The client's verdict on the origin's certificate, read from the TLS handle even when the
 * handshake failed (Node checks it only after a completed handshake; a client that verifies during
 * the handshake would have stopped there). `verifyError` is Node's internal TLSWrap method, so
 * anything unexpected reads as "no verdict".
 */
function originVerdict(handle: TlsHandle | null | undefined): string | undefined {
  try {
    const code = handle?.verifyError?.()?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

function abortName(reason: unknown): string {
  return reason instanceof Error || reason instanceof DOMException ? reason.name : 'AbortError';
}

export { abortName };
