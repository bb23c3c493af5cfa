import { constants as cryptoConstants } from 'node:crypto';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { failed } from '../../certs/alb-codes.ts';
import { listenWithHandle } from '../server-handle.ts';
import { connectionLogEntry, newConnTraceId } from './connection-log.ts';
import { connectionState, setConnectionState } from './connection-state.ts';
import { TargetPool, createTargetAgents } from './forward.ts';
import { plainIp } from './forwarded-headers.ts';
import { leafFields } from './leaf-fields.ts';
import { ALB_REQUEST_LIMITS } from './limits.ts';
import { openLogFiles, type LogFiles } from './log-files.ts';
import { createLogStream } from './log-stream.ts';
import type { AlbConfig } from './options.ts';
import { capturePeerChain, type PeerChain } from './peer-chain.ts';
import { nodeCipherString } from './policies.ts';
import { createClientErrorHandler, createRequestHandler } from './request-handler.ts';
import { adoptSharedContext, serverContextOptions } from './server-context.ts';
import type { AccessLogEntry, AlbHandle, ConnectionLogEntry, TlsVerifyStatus, VerifyResult } from './types.ts';
import { verifyClientChain } from './verify.ts';
import { trustStoreControl } from './trust-store-control.ts';

/** The ALB node's address in logs (field 15) and log file names. */
const NODE_IP = '127.0.0.1';
const NO_CHAIN: PeerChain = { presented: [] };

/**
 * Starts one HTTPS listener (a load balancer with several is load-balancer.ts, which enforces AWS's
 * quota of 2 verify listeners).
 *
 * TLS: the server requests a certificate in passthrough and verify, but never lets OpenSSL decide
 * (`rejectUnauthorized: false`): our verifier applies ALB's rules and yields one status code
 * (ARCHITECTURE decision 2). `ca` goes to OpenSSL only when CA names are advertised, because Node
 * advertises every CA it is given. With mTLS on there are no session tickets and no session cache
 * (ALB supports no resumption with mTLS).
 */
export async function startListener(config: AlbConfig): Promise<AlbHandle> {
  const mtls = config.mode !== 'off';
  const connectionLog = createLogStream<ConnectionLogEntry>('connectionLog', config.maxLogEntries);
  const accessLog = createLogStream<AccessLogEntry>('accessLog', config.maxLogEntries);
  const files: LogFiles | null = config.logDirectory
    ? openLogFiles(config.logDirectory, { loadBalancerId: config.loadBalancerId, at: config.clock(), nodeIp: NODE_IP })
    : null;
  const logConnection = (entry: ConnectionLogEntry) => {
    files?.appendConnection(entry.raw);
    connectionLog.push(entry);
  };
  const logAccess = (entry: AccessLogEntry) => {
    files?.appendAccess(entry.raw);
    accessLog.push(entry);
  };

  // The TLS context, kept apart so a trust-store change can rebuild it with the new CA names.
  const contextOptions = {
    cert: config.certPem,
    key: config.keyPem,
    minVersion: config.policy.minVersion,
    maxVersion: config.policy.maxVersion,
    ciphers: nodeCipherString(config.policy),
    honorCipherOrder: true, // "the server's cipher order wins" (describe-ssl-policies)
    ...(mtls ? { secureOptions: cryptoConstants.SSL_OP_NO_TICKET } : {}),
  };
  // Advertised CA names make a listener's context its own; otherwise an mTLS listener's can be shared (server-context.ts).
  const shareContext = mtls && !(config.advertiseTrustStoreCaNames && config.trustStore);
  const server = https.createServer({
    ...serverContextOptions(contextOptions, shareContext),
    requestCert: mtls,
    // The ALB verifies in JS (verify.ts); OpenSSL's verdict is only kept as a cross-check.
    rejectUnauthorized: false,
    ...(config.advertiseTrustStoreCaNames && config.trustStore ? { ca: config.trustStore.pems } : {}),
    maxHeaderSize: ALB_REQUEST_LIMITS.headerBlockBytes,
    // Node's own handshake timer stays as a backstop behind ours (connection handler below).
    handshakeTimeout: config.handshakeTimeoutMs + 1_000,
  });
  if (shareContext) adoptSharedContext(server, contextOptions);
  // The idle timeout covers established connections, between requests as well as before the first.
  server.timeout = config.idleTimeoutMs;
  server.keepAliveTimeout = config.idleTimeoutMs;

  // TCP accept time per peer address, to measure handshake latency and to log connections that never finish TLS.
  const pending = new Map<string, { startedAt: number; at: Date; ip: string; port: number; handshakeTimer?: NodeJS.Timeout }>();
  const peerKey = (socket: Socket) => `${socket.remoteAddress}:${socket.remotePort}`;
  let port = 0;

  const logFailedHandshake = (key: string, reason: string) => {
    const tcp = pending.get(key);
    if (!tcp) return;
    pending.delete(key);
    clearTimeout(tcp.handshakeTimer);
    logConnection(
      connectionLogEntry({
        at: config.clock(),
        clientIp: plainIp(tcp.ip),
        clientPort: tcp.port,
        listenerPort: port,
        tlsProtocol: null,
        tlsCipher: null,
        handshakeLatencySeconds: null,
        leaf: null,
        tlsVerifyStatus: failed('UnmappedConnectionError'),
        connTraceId: newConnTraceId(),
        tlsKeyExchange: null,
        elb: config.loadBalancerId,
        ipAddress: NODE_IP,
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
    pending.set(key, { startedAt: performance.now(), at: config.clock(), ip: socket.remoteAddress ?? '-', port: socket.remotePort ?? 0, handshakeTimer });
    // A client that disconnects before TLS completes (and gets no tlsClientError) is still one log line.
    socket.once('close', () => logFailedHandshake(key, 'connection closed before the TLS handshake completed'));
  });

  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
    logFailedHandshake(peerKey(socket), `TLS handshake failed: ${err.code ?? ''} ${err.message}`.trim());
    // Destroyed, not ended: a peer that never answers must not keep the descriptor open.
    socket.destroy();
  });

  // Prepended so the decision is taken before Node's HTTP layer attaches to the socket.
  server.prependListener('secureConnection', (socket: TLSSocket) => {
    const key = peerKey(socket);
    const tcp = pending.get(key);
    pending.delete(key);
    clearTimeout(tcp?.handshakeTimer);
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
    logConnection(
      connectionLogEntry({
        at: config.clock(),
        clientIp: plainIp(socket.remoteAddress ?? tcp?.ip ?? '-'),
        clientPort: socket.remotePort ?? tcp?.port ?? 0,
        listenerPort: port,
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
        ipAddress: NODE_IP,
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

  // ALB does not verify target certificates, so the target hop must not either.
  const { httpAgent, httpsAgent } = createTargetAgents();
  const context = {
    config,
    listenerPort: () => port,
    forward: {
      pool: new TargetPool(config.targets),
      connectTimeoutMs: config.targetConnectTimeoutMs,
      idleTimeoutMs: config.targetIdleTimeoutMs,
      targetTls: { rejectUnauthorized: false },
      httpAgent,
      httpsAgent,
    },
    log: logAccess,
  };
  const onRequest = createRequestHandler(context);
  // Requests still being answered on a connection: the idle timeout leaves those to the target timeout.
  const inFlight = new WeakMap<Socket, number>();
  server.on('request', (req, res) => {
    const socket = req.socket;
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    res.once('close', () => inFlight.set(socket, (inFlight.get(socket) ?? 1) - 1));
    void onRequest(req, res);
  });
  server.on('timeout', (socket: Socket) => {
    if ((inFlight.get(socket) ?? 0) > 0) return;
    socket.destroy();
  });
  const onClientError = createClientErrorHandler(context);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    // Before the handshake finished there was no request, so no access-log line and no HTTP answer.
    if (!connectionState(socket as TLSSocket)) {
      socket.destroy();
      return;
    }
    onClientError(err, socket);
  });

  const handle = await listenWithHandle(server, {
    protocol: 'https',
    port: config.port,
    onClose: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  });
  port = handle.port;
  return { ...handle, hostname: config.hostname, connectionLog, accessLog, ...trustStoreControl(config, server, contextOptions) };
}
