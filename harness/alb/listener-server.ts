import { constants as cryptoConstants } from 'node:crypto';
import http2 from 'node:http2';
import https from 'node:https';
import type { SecureContextOptions, Server as TlsServer } from 'node:tls';
import { ALB_REQUEST_LIMITS } from './limits.ts';
import type { AlbConfig } from './options.ts';
import { nodeCipherString } from './policies.ts';
import { adoptSharedContext, serverContextOptions } from './server-context.ts';

/** Requests in parallel on one HTTP/2 connection, as AWS documents for ALB listeners. */
export const ALB_HTTP2_MAX_CONCURRENT_STREAMS = 128;

/** The TLS server of a listener, with the HTTP timeouts both kinds take. */
export type ListenerServer = TlsServer & { timeout: number; keepAliveTimeout: number };

/**
 * The listener's TLS server and its SecureContext options (kept apart so that a trust-store change
 * can rebuild the context with the new CA names).
 *
 * TLS: the server requests a certificate in passthrough and verify, but never lets OpenSSL decide
 * (`rejectUnauthorized: false`): our verifier applies ALB's rules and yields one status code
 * (ARCHITECTURE decision 2). `ca` goes to OpenSSL only when CA names are advertised, because Node
 * advertises every CA it is given. With mTLS on there are no session tickets and no session cache
 * (ALB supports no resumption with mTLS).
 */
export function createListenerServer(config: AlbConfig): { server: ListenerServer; contextOptions: SecureContextOptions } {
  const mtls = config.mode !== 'off';
  const contextOptions: SecureContextOptions = {
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
  const server = httpServer(config, {
    ...serverContextOptions(contextOptions, shareContext),
    requestCert: mtls,
    // The ALB verifies in JS (verify.ts); OpenSSL's verdict is only kept as a cross-check.
    rejectUnauthorized: false,
    ...(config.advertiseTrustStoreCaNames && config.trustStore ? { ca: config.trustStore.pems } : {}),
    // Node's own handshake timer stays as a backstop behind ours (handshake-tracker.ts).
    handshakeTimeout: config.handshakeTimeoutMs + 1_000,
  });
  if (shareContext) adoptSharedContext(server, contextOptions);
  // The idle timeout covers established connections, between requests as well as before the first.
  // HTTP/1.1 connections get it on the socket; HTTP/2 sessions get `timeout` as their session timeout.
  server.timeout = config.idleTimeoutMs;
  server.keepAliveTimeout = config.idleTimeoutMs;
  return { server, contextOptions };
}

/**
 * With `routing.http2.enabled` (AWS's default) the listener is an HTTP/2 server that also serves
 * HTTP/1.1 (`allowHTTP1`): ALPN offers `h2` first, then `http/1.1`, and a client that offers no
 * ALPN gets HTTP/1.1. Both are TLS servers with the same events, so the handshake handling, the
 * connection log and `setSecureContext` (trust-store rotation) work for either.
 *
 * With HTTP/2 disabled the listener offers `http/1.1` only, and a client that offers only `h2` fails
 * the handshake with alert 120 no_application_protocol (what OpenSSL does under Node when the lists do
 * not overlap); a client that offers both, or none, gets HTTP/1.1. AWS documents only that HTTP/2 can
 * be turned off, not what an h2-only client then sees.
 *
 * Header limits: the request handler applies ALB's 16K-per-header rule for both protocols. Over
 * HTTP/2, Node refuses a header list over 64K itself (RST_STREAM REFUSED_STREAM, before any handler
 * runs) where HTTP/1.1 gets ALB's 400.
 */
function httpServer(config: AlbConfig, options: https.ServerOptions): ListenerServer {
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
    // "You can send up to 128 requests in parallel using one HTTP/2 connection" (ALB listeners page).
    settings: { maxConcurrentStreams: ALB_HTTP2_MAX_CONCURRENT_STREAMS },
    // Node's HTTP/1.1 parser keeps 2000 fields (maxHeadersCount); HTTP/2's default of 128 would refuse
    // requests that HTTP/1.1 accepts. (AWS documents no count limit.)
    maxHeaderListPairs: 2000,
  });
  // The HTTP/1.1 side (allowHTTP1) reads the header-size limit from the server object.
  Object.assign(server, { maxHeaderSize: ALB_REQUEST_LIMITS.headerBlockBytes });
  return server as unknown as ListenerServer;
}
