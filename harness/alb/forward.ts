import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { sendAlbError } from './error-pages.ts';
import { http2Stream, isHttp2Request, isHttp2Response } from './http2-request.ts';
import { HOP_BY_HOP, type OutgoingHeaders } from './outgoing-headers.ts';

/** Round robin over the target URLs, as an ALB target group with the default algorithm. */
export class TargetPool {
  readonly #targets: readonly URL[];
  #next = 0;
  /** Health checks set this: the targets in service now (default: every target). */
  inService: () => readonly URL[] = () => this.#targets;
  constructor(targets: readonly URL[]) {
    this.#targets = targets;
  }
  /** The next target, or undefined when none is registered (503). */
  next(): URL | undefined {
    const targets = this.inService();
    if (targets.length === 0) return undefined;
    const target = targets[this.#next % targets.length]!;
    this.#next = (this.#next + 1) % targets.length;
    return target;
  }
}

export interface ForwardOptions {
  pool: TargetPool;
  /** No TCP connection to the target within this many ms -> 504. */
  connectTimeoutMs: number;
  /** No bytes from the target for this many ms -> 504 (ALB's idle timeout). */
  idleTimeoutMs: number;
  /** TLS options for https targets (ALB does not verify target certificates; the listener supplies this). */
  targetTls: ConnectionOptions;
  /**
   * Kept-alive connection pools, as an ALB keeps connections to its targets. A pooled socket the
   * target closed while idle can race the next request; such a request is retried once on a fresh
   * connection when it has no body (see `isStaleSocketError`), so the race never shows as a 502.
   */
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
}

/** Pooled agents for the target hop; destroy them when the listener closes. */
export function createTargetAgents(): { httpAgent: http.Agent; httpsAgent: https.Agent } {
  // Free sockets are dropped after 4 s, before a Node target's 5 s keepAliveTimeout closes them.
  const pool = { keepAlive: true, maxFreeSockets: 32, timeout: 4_000 };
  return { httpAgent: new http.Agent(pool), httpsAgent: new https.Agent(pool) };
}

const secondsSince = (started: number) => (performance.now() - started) / 1000;

function startIdleTimer(socket: Socket, idleTimeoutMs: number, onIdle: () => void): void {
  socket.setTimeout(idleTimeoutMs);
  socket.on('timeout', onIdle);
}

/** A request without a body can be sent again as it is. */
function isReplayable(req: IncomingMessage): boolean {
  // HTTP/2 frames the body without Content-Length: a request has none when its HEADERS ended the stream.
  if (isHttp2Request(req)) return http2Stream(req).endAfterHeaders;
  const length = req.headers['content-length'];
  return (length === undefined || length === '0') && req.headers['transfer-encoding'] === undefined;
}

/** The failure of a reused pooled socket that the target had already closed, before any response byte. */
function isStaleSocketError(proxyReq: http.ClientRequest, err: NodeJS.ErrnoException): boolean {
  return proxyReq.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE' || err.message === 'socket hang up');
}

/** Why the ALB answered instead of the target; goes in the access log's error_reason. */
export type ForwardErrorReason =
  | 'NoRegisteredTargets'
  | 'TargetConnectionRefused'
  | 'TargetConnectTimeout'
  | 'TargetIdleTimeout'
  | 'TargetResponseMalformed'
  | 'TargetClosedConnection'
  | 'TargetTlsError';

export interface ForwardOutcome {
  elbStatusCode: number;
  targetStatusCode: number | null;
  /** `host:port`, null when no target was chosen. */
  target: string | null;
  targetProcessingSeconds: number | null;
  errorReason: ForwardErrorReason | null;
  /** Response body bytes sent to the client. */
  sentBodyBytes: number;
}

function errorStatus(err: NodeJS.ErrnoException, phase: 'connect' | 'idle' | null): { status: number; reason: ForwardErrorReason } {
  if (phase === 'connect') return { status: 504, reason: 'TargetConnectTimeout' };
  if (phase === 'idle') return { status: 504, reason: 'TargetIdleTimeout' };
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return { status: 502, reason: 'TargetConnectionRefused' };
  if (code.startsWith('HPE_')) return { status: 502, reason: 'TargetResponseMalformed' };
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || /certificate|ssl|tls/i.test(err.message)) {
    return { status: 502, reason: 'TargetTlsError' };
  }
  return { status: 502, reason: 'TargetClosedConnection' };
}

/**
 * Sends the request to the next target and streams the answer back. Target failures become ALB
 * responses: 503 no targets; 502 refused, reset, closed or malformed; 504 connect or idle timeout.
 * A failure after the response started can only cut the client connection.
 */
export function forwardRequest(
  req: IncomingMessage,
  res: ServerResponse,
  headers: OutgoingHeaders,
  options: ForwardOptions,
): Promise<ForwardOutcome> {
  const target = options.pool.next();
  if (!target) {
    sendAlbError(res, 503);
    return Promise.resolve({
      elbStatusCode: 503,
      targetStatusCode: null,
      target: null,
      targetProcessingSeconds: null,
      errorReason: 'NoRegisteredTargets',
      sentBodyBytes: 0,
    });
  }
  const secure = target.protocol === 'https:';
  const port = Number(target.port || (secure ? 443 : 80));
  const hostPort = `${target.hostname}:${port}`;
  const started = performance.now();

  const replayable = isReplayable(req);

  return new Promise<ForwardOutcome>((resolve) => {
    let settled = false;
    let timeoutPhase: 'connect' | 'idle' | null = null;
    let connectTimer: NodeJS.Timeout | undefined;
    let sentBodyBytes = 0;
    let targetStatusCode: number | null = null;
    let current: http.ClientRequest | undefined;
    const finish = (outcome: Omit<ForwardOutcome, 'target' | 'sentBodyBytes'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      // Written out rather than spread: a spread of these differently shaped outcomes is slow in V8.
      resolve({
        elbStatusCode: outcome.elbStatusCode,
        targetStatusCode: outcome.targetStatusCode,
        target: hostPort,
        targetProcessingSeconds: outcome.targetProcessingSeconds,
        errorReason: outcome.errorReason,
        sentBodyBytes,
      });
    };

    const send = (agent: http.Agent | false) => {
      const requestOptions: http.RequestOptions & ConnectionOptions = {
        host: target.hostname.replace(/^\[|\]$/g, ''),
        port,
        method: req.method,
        path: req.url,
        headers,
        agent,
        // ALB's limit on a target's response header block.
        maxHeaderSize: 32 * 1024,
        ...(secure ? options.targetTls : {}),
      };
      const proxyReq = (secure ? https : http).request(requestOptions);
      current = proxyReq;

      proxyReq.on('socket', (socket: Socket) => {
        // The idle timer is this request's: it must not stay on a socket that returns to the pool.
        const onIdle = () => {
          timeoutPhase = 'idle';
          proxyReq.destroy(new Error(`target ${hostPort} sent nothing for ${options.idleTimeoutMs} ms`));
        };
        proxyReq.once('close', () => {
          socket.off('timeout', onIdle);
          if (!socket.destroyed) socket.setTimeout(0);
        });
        if (!socket.connecting) {
          startIdleTimer(socket, options.idleTimeoutMs, onIdle); // a pooled connection
          return;
        }
        connectTimer = setTimeout(() => {
          timeoutPhase = 'connect';
          proxyReq.destroy(new Error(`no connection to target ${hostPort} within ${options.connectTimeoutMs} ms`));
        }, options.connectTimeoutMs);
        socket.once('connect', () => {
          clearTimeout(connectTimer);
          startIdleTimer(socket, options.idleTimeoutMs, onIdle);
        });
      });

      proxyReq.on('response', (proxyRes) => {
        targetStatusCode = proxyRes.statusCode ?? null;
        const outHeaders: Record<string, string | string[]> = {};
        const targetHeaders = proxyRes.headers;
        for (const name in targetHeaders) {
          const value = targetHeaders[name];
          if (value !== undefined && !HOP_BY_HOP.has(name)) outHeaders[name] = value;
        }
        // HTTP/2 has no reason phrase (Node warns when given one).
        if (isHttp2Response(res)) res.writeHead(proxyRes.statusCode ?? 502, outHeaders);
        else res.writeHead(proxyRes.statusCode ?? 502, proxyRes.statusMessage, outHeaders);
        proxyRes.on('data', (chunk: Buffer) => {
          sentBodyBytes += chunk.length;
        });
        proxyRes.pipe(res);
        proxyRes.on('end', () =>
          finish({ elbStatusCode: targetStatusCode ?? 502, targetStatusCode, targetProcessingSeconds: secondsSince(started), errorReason: null }),
        );
        // The target died mid-body: the status is already out, so the client connection is cut.
        proxyRes.on('error', () => {
          res.destroy();
          finish({ elbStatusCode: targetStatusCode ?? 502, targetStatusCode, targetProcessingSeconds: secondsSince(started), errorReason: 'TargetClosedConnection' });
        });
        proxyRes.on('aborted', () => {
          res.destroy();
          finish({ elbStatusCode: targetStatusCode ?? 502, targetStatusCode, targetProcessingSeconds: secondsSince(started), errorReason: 'TargetClosedConnection' });
        });
      });

      proxyReq.on('error', (err: NodeJS.ErrnoException) => {
        if (settled) return;
        if (targetStatusCode !== null) {
          res.destroy();
          finish({ elbStatusCode: targetStatusCode, targetStatusCode, targetProcessingSeconds: secondsSince(started), errorReason: 'TargetClosedConnection' });
          return;
        }
        if (replayable && agent !== false && timeoutPhase === null && isStaleSocketError(proxyReq, err)) {
          send(false); // once, on a connection of its own
          return;
        }
        const { status, reason } = errorStatus(err, timeoutPhase);
        sendAlbError(res, status);
        finish({ elbStatusCode: status, targetStatusCode: null, targetProcessingSeconds: null, errorReason: reason });
      });

      if (replayable) proxyReq.end();
      else req.pipe(proxyReq);
    };

    // The client went away first (ALB logs 460): stop the target request too. (`writableEnded`, not
    // `writableFinished`: an HTTP/2 stream the client reset reads as finished.)
    res.on('close', () => {
      if (settled || res.writableEnded) return;
      finish({ elbStatusCode: 460, targetStatusCode, targetProcessingSeconds: null, errorReason: null });
      current?.destroy();
    });
    send(secure ? options.httpsAgent : options.httpAgent);
  });
}
