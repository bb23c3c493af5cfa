import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { failed } from '../../certs/alb-codes.ts';
import { connectionLogEntry, newConnTraceId } from './connection-log.ts';
import { plainIp } from './forwarded-headers.ts';
import type { ListenerServer } from './listener-server.ts';
import type { ListenerLogs } from './listener-logs.ts';
import type { AlbConfig } from './options.ts';

/** A TCP connection whose TLS handshake has not finished. */
export interface AcceptedConnection {
  /** performance.now() at TCP accept, for the handshake latency. */
  startedAt: number;
  ip: string;
  port: number;
}

const peerKey = (socket: Socket) => `${socket.remoteAddress}:${socket.remotePort}`;

/**
 * Tracks every TCP connection from accept until its TLS handshake finishes. One that never finishes
 * (handshake timeout, TLS error, hang-up) is one connection-log line with `-` TLS fields.
 * Returns `finished(socket)`: the accept facts of a socket whose handshake completed, taken off the list.
 */
export function trackHandshakes(server: ListenerServer, config: AlbConfig, logs: ListenerLogs): (socket: TLSSocket) => AcceptedConnection | undefined {
  const pending = new Map<string, AcceptedConnection & { handshakeTimer: NodeJS.Timeout }>();

  const take = (key: string) => {
    const tcp = pending.get(key);
    if (!tcp) return undefined;
    pending.delete(key);
    clearTimeout(tcp.handshakeTimer);
    return tcp;
  };

  const logFailedHandshake = (key: string, reason: string) => {
    const tcp = take(key);
    if (!tcp) return;
    logs.connection(
      connectionLogEntry({
        at: config.clock(),
        clientIp: plainIp(tcp.ip),
        clientPort: tcp.port,
        listenerPort: logs.listenerPort(),
        tlsProtocol: null,
        tlsCipher: null,
        handshakeLatencySeconds: null,
        leaf: null,
        tlsVerifyStatus: failed('UnmappedConnectionError'),
        connTraceId: newConnTraceId(),
        tlsKeyExchange: null,
        elb: config.loadBalancerId,
        ipAddress: logs.nodeIp,
        reason,
      }),
    );
  };

  server.on('connection', (socket: Socket) => {
    const key = peerKey(socket);
    // Our own timer rather than Node's handshakeTimeout, whose expiry cannot be told apart from a client hang-up.
    const handshakeTimer = setTimeout(() => {
      logFailedHandshake(key, `TLS handshake not completed within ${config.handshakeTimeoutMs} ms (ERR_TLS_HANDSHAKE_TIMEOUT)`);
      socket.destroy(); // destroyed, not ended: a peer that never answers must not keep the descriptor open
    }, config.handshakeTimeoutMs);
    handshakeTimer.unref();
    pending.set(key, { startedAt: performance.now(), ip: socket.remoteAddress ?? '-', port: socket.remotePort ?? 0, handshakeTimer });
    // A client that disconnects before TLS completes (and gets no tlsClientError) is still one log line.
    socket.once('close', () => logFailedHandshake(key, 'connection closed before the TLS handshake completed'));
  });

  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
    logFailedHandshake(peerKey(socket), `TLS handshake failed: ${err.code ?? ''} ${err.message}`.trim());
    // Destroyed, not ended: a peer that never answers must not keep the descriptor open.
    socket.destroy();
  });

  return (socket) => take(peerKey(socket));
}
