import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2Session } from 'node:http2';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { connectionState } from './connection-state.ts';
import { TargetPool, createTargetAgents } from './forward.ts';
import { http2Stream, isHttp2Request } from './http2-request.ts';
import type { ListenerLogs } from './listener-logs.ts';
import type { ListenerServer } from './listener-server.ts';
import type { AlbConfig } from './options.ts';
import { createClientErrorHandler, createRequestHandler } from './request-handler.ts';

/**
 * Wires the HTTP side of a listener: requests (HTTP/1.1 and HTTP/2 alike) go to the request
 * handler, idle connections are closed at `idle_timeout.timeout_seconds`, and requests Node's
 * parser rejects get ALB's 400. Returns the target pool (health checks narrow it) and what to
 * release when the listener closes.
 */
export function serveRequests(server: ListenerServer, config: AlbConfig, logs: ListenerLogs): { pool: TargetPool; close(): void } {
  // ALB does not verify target certificates, so the target hop must not either.
  const { httpAgent, httpsAgent } = createTargetAgents();
  const pool = new TargetPool(config.targets);
  const context = {
    config,
    listenerPort: logs.listenerPort,
    forward: {
      pool,
      connectTimeoutMs: config.targetConnectTimeoutMs,
      idleTimeoutMs: config.targetIdleTimeoutMs,
      targetTls: { rejectUnauthorized: false },
      httpAgent,
      httpsAgent,
    },
    log: logs.access,
  };
  const onRequest = createRequestHandler(context);
  // Requests still being answered on a connection (an HTTP/1.1 socket or an HTTP/2 session): the idle
  // timeout leaves those to the target timeout. An HTTP/2 request's `req.socket` is a new Proxy per
  // stream, so the session is the key there.
  const inFlight = new WeakMap<Socket | Http2Session, number>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const connection = isHttp2Request(req) ? http2Stream(req).session! : req.socket;
    inFlight.set(connection, (inFlight.get(connection) ?? 0) + 1);
    res.once('close', () => inFlight.set(connection, (inFlight.get(connection) ?? 1) - 1));
    void onRequest(req, res);
  });
  // An idle HTTP/1.1 socket, or an idle HTTP/2 session.
  const closeIfIdle = (connection: Socket | Http2Session) => {
    if ((inFlight.get(connection) ?? 0) > 0 || connection.destroyed) return;
    connection.destroy();
  };
  server.on('timeout', closeIfIdle);
  // Node passes only a session's first timeout to the server (its listener is a `once`): when that one
  // found a request in flight, the later ones arrive on the session itself.
  server.on('session', (session: Http2Session) => session.on('timeout', () => closeIfIdle(session)));
  const onClientError = createClientErrorHandler(context);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    // Before the handshake finished there was no request, so no access-log line and no HTTP answer.
    if (!connectionState(socket as TLSSocket)) {
      socket.destroy();
      return;
    }
    // The client hung up in the middle of a request body: that request is logged 460 when its
    // response closes, and no 400 goes to a client that has left.
    if (err.code === 'HPE_INVALID_EOF_STATE' && (inFlight.get(socket) ?? 0) > 0) {
      socket.destroy();
      return;
    }
    onClientError(err, socket);
  });
  return {
    pool,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
