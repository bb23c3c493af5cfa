import type { TLSSocket } from 'node:tls';
import { connectionLogEntry, newConnTraceId } from './connection-log.ts';
import { setConnectionState } from './connection-state.ts';
import { plainIp } from './forwarded-headers.ts';
import type { AcceptedConnection } from './handshake-tracker.ts';
import { leafFields } from './leaf-fields.ts';
import type { ListenerLogs } from './listener-logs.ts';
import type { ListenerServer } from './listener-server.ts';
import type { AlbConfig } from './options.ts';
import { capturePeerChain, type PeerChain } from './peer-chain.ts';
import type { TlsVerifyStatus, VerifyResult } from './types.ts';
import { verifyClientChain } from './verify.ts';

const NO_CHAIN: PeerChain = { presented: [] };

/**
 * Judges every completed handshake: verifies the client chain (verify mode), writes the
 * connection-log line, then closes the connection (verifyFailure `handshake`) or records the
 * verdict for the request handler (connection-state.ts). Prepended so that the decision is taken
 * before Node's HTTP/1.1 or HTTP/2 layer attaches to the socket.
 */
export function judgeConnections(
  server: ListenerServer,
  config: AlbConfig,
  logs: ListenerLogs,
  finished: (socket: TLSSocket) => AcceptedConnection | undefined,
): void {
  const mtls = config.mode !== 'off';
  server.prependListener('secureConnection', (socket: TLSSocket) => {
    const tcp = finished(socket);
    const latency = tcp ? (performance.now() - tcp.startedAt) / 1000 : 0;
    // Capture the chain before anything else reads the peer certificate (peer-chain.ts).
    const chain = mtls ? capturePeerChain(socket) : NO_CHAIN;
    let verdict: VerifyResult | null = null;
    let status: TlsVerifyStatus = 'Success';
    if (config.mode === 'verify' && config.trustStore) {
      verdict = verifyClientChain({
        presented: chain.presented,
        trustStore: config.trustStore,
        now: config.clock(),
        ignoreClientCertificateExpiry: config.ignoreClientCertificateExpiry,
        partialChain: config.partialChain,
        noCertificateStatus: config.noCertificateStatus,
      });
      status = verdict.status;
    }
    const rejected = status !== 'Success';
    const closeNow = rejected && config.verifyFailure === 'handshake';
    const protocol = socket.getProtocol();
    const cipher = socket.getCipher()?.name ?? null;
    const connTraceId = newConnTraceId();
    const opensslError = mtls && chain.presented.length > 0 && !socket.authorized ? String(socket.authorizationError ?? '') : undefined;
    logs.connection(
      connectionLogEntry({
        at: config.clock(),
        clientIp: plainIp(socket.remoteAddress ?? tcp?.ip ?? '-'),
        clientPort: socket.remotePort ?? tcp?.port ?? 0,
        listenerPort: logs.listenerPort(),
        tlsProtocol: protocol,
        tlsCipher: cipher,
        // AWS: "-" when the handshake is not established; in the http-403 model it was.
        handshakeLatencySeconds: closeNow ? null : latency,
        leaf: mtls ? leafFields(chain.presented[0]) : null,
        tlsVerifyStatus: status,
        connTraceId,
        // Node exposes the negotiated group only on client sockets (getEphemeralKeyInfo() is null here).
        tlsKeyExchange: null,
        elb: config.loadBalancerId,
        ipAddress: logs.nodeIp,
        ...(opensslError ? { opensslAuthorizationError: opensslError } : {}),
        ...(verdict ? { reason: verdict.reason } : {}),
        presentedChain: chain.presented,
      }),
    );
    if (closeNow) {
      // No alert can be chosen from Node; the client sees the connection close before any HTTP byte.
      socket.destroy();
      return;
    }
    setConnectionState(socket, {
      connTraceId,
      clientIp: plainIp(socket.remoteAddress ?? '-'),
      clientPort: socket.remotePort ?? 0,
      chain,
      tlsVerifyStatus: status,
      rejected,
      tlsProtocol: protocol,
      tlsCipher: cipher,
    });
  });
}
