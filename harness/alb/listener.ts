import { constants as cryptoConstants } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import http2, { type Http2Session } from 'node:http2';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Server as TlsServer, TLSSocket } from 'node:tls';
import { failed } from '../../certs/alb-codes.ts';
import { listenWithHandle } from '../server-handle.ts';
import { connectionLogEntry, newConnTraceId } from './connection-log.ts';
import { connectionState, setConnectionState } from './connection-state.ts';
import { TargetPool, createTargetAgents } from './forward.ts';
import { plainIp } from './forwarded-headers.ts';
import { http2Stream, isHttp2Request } from './http2-request.ts';
import { leafFields } from './leaf-fields.ts';
import { ALB_REQUEST_LIMITS } from './limits.ts';
import { openLogFiles, type LogFiles } from './log-files.ts';
import { createLogStream } from './log-stream.ts';
import type { AlbConfig } from './options.ts';
import { capturePeerChain, type PeerChain } from './peer-chain.ts';
import { nodeCipherString } from './policies.ts';
import { createClientErrorHandler, createRequestHandler } from './request-handler.ts';
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
  const server = createTlsHttpServer(config, {
    ...contextOptions,
    requestCert: mtls,
    // The ALB verifies in JS (verify.ts); OpenSSL's verdict is only kept as a cross-check.
    rejectUnauthorized: false,
    ...(config.advertiseTrustStoreCaNames && config.trustStore ? { ca: config.trustStore.pems } : {}),
    // Node's own handshake timer stays as a backstop behind ours (connection handler below).
    handshakeTimeout: config.handshakeTimeoutMs + 1_000,
  });
  // The idle timeout covers established connections, between requests as well as before the first.
  // HTTP/1.1 connections get it on the socket; HTTP/2 sessions get `timeout` as their session timeout.
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
  server.on('timeout', (connection: Socket | Http2Session) => {
    if ((inFlight.get(connection) ?? 0) > 0) return;
    connection.destroy();
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

/** The TLS server of a listener, with the HTTP timeouts both kinds take. */
type ListenerServer = TlsServer & { timeout: number; keepAliveTimeout: number };

/**
 * The HTTPS listener's server. With `routing.http2.enabled` (AWS's default) it is an HTTP/2 server
 * that also serves HTTP/1.1 (`allowHTTP1`): ALPN offers `h2` first, then `http/1.1`, and a client
 * that offers no ALPN gets HTTP/1.1. Both are TLS servers with the same events, so the handshake
 * handling, the connection log and `setSecureContext` (trust-store rotation) work for either.
 *
 * With HTTP/2 disabled the listener offers `http/1.1` only, and a client that offers only `h2` fails
 * the handshake with alert 120 no_application_protocol (what OpenSSL does under Node when the lists do
 * not overlap); a client that offers both, or none, gets HTTP/1.1. AWS documents only that HTTP/2 can
 * be turned off, not what an h2-only client then sees.
 *
 * Header limits: Node applies ALB's 16K-per-header rule in the request handler for both protocols.
 * Over HTTP/2, Node refuses a header list over 64K itself (RST_STREAM REFUSED_STREAM, before any
 * handler runs) where HTTP/1.1 gets ALB's 400.
 */
function createTlsHttpServer(config: AlbConfig, options: https.ServerOptions): ListenerServer {
  if (!config.http2) {
    return https.createServer({
      ...options,
      ALPNProtocols: ['http/1.1'],
      maxHeaderSize: ALB_REQUEST_LIMITS.headerBlockBytes,
    }) as unknown as ListenerServer;
  }
  const server = http2.createSecureServer({
    ...(options as http2.SecureServerOptions),
    allowHTTP1: true,
    // Node's HTTP/1.1 parser keeps 2000 fields (maxHeadersCount); HTTP/2's default of 128 would refuse
    // requests that HTTP/1.1 accepts. (AWS documents no count limit.)
    maxHeaderListPairs: 2000,
  });
  // The HTTP/1.1 side (allowHTTP1) reads the header-size limit from the server object.
  Object.assign(server, { maxHeaderSize: ALB_REQUEST_LIMITS.headerBlockBytes });
  return server as unknown as ListenerServer;
}
