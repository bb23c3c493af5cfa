import type { FailureClass } from './types.ts';

/**
 * Where an outbound attempt was when it failed. The same server behaviour surfaces at different
 * moments under TLS 1.2 and 1.3: a client-certificate rejection arrives *before* `secureConnect`
 * under 1.2, but *after* it under 1.3 (the client's side of the handshake finishes first; the
 * server's verdict comes with the first read). So the classifier keys on "before any response
 * byte", not on `secureConnect`, which is what makes the class identical in both versions. What
 * does tell a rejection from a connection lost in flight is proof that the origin accepted the
 * handshake (see `provenAccepted`).
 */
export interface OutboundPhase {
  /** The connection was HTTPS. */
  tls: boolean;
  /** TCP connected. */
  tcpConnected: boolean;
  /** The client's `secureConnect` fired (TLS only). */
  secureConnected: boolean;
  /** At least one byte of the HTTP response arrived. */
  responseBytes: boolean;
  /**
   * The origin is known to have accepted this connection's handshake, client certificate included:
   * it already carried a response (a pooled keep-alive socket), the server's TLS 1.2 Finished
   * arrived (sent after its verdict), or a TLS 1.3 session ticket arrived (sent after it accepted
   * the client's Finished).
   */
  provenAccepted?: boolean;
  /**
   * The client's own verdict on the origin's certificate, when it had one (an OpenSSL code such as
   * UNABLE_TO_GET_ISSUER_CERT_LOCALLY). A client that verifies during the handshake (BoringSSL, rustls)
   * stops there, before the origin can judge the client certificate, so this wins over any close.
   */
  originVerifyError?: string;
  /** Our connect timer (TCP connect + TLS handshake) fired. */
  connectTimedOut?: boolean;
  /** The TLS version negotiated, if the handshake completed (e.g. `TLSv1.3`). */
  tlsProtocol?: string;
}

export interface Classification {
  failureClass: FailureClass;
  /** The underlying code (ECONNREFUSED, ECONNRESET, ERR_SSL_..., CERT_HAS_EXPIRED, ETIMEDOUT). */
  errorCode?: string;
  /** What happened, in words a user understands. */
  message: string;
}

/** Client-side verification failures of the origin's certificate (OpenSSL X509_V_ERR names, plus Node's host-name check). */
const ORIGIN_VERIFY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
  'CERT_REVOKED',
  'INVALID_PURPOSE',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
]);

/** Codes meaning "the peer went away" (Node names them so; `socket hang up` is ECONNRESET). */
const CLOSED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'EPROTO', 'ERR_STREAM_PREMATURE_CLOSE']);

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/**
 * Maps one low-level outbound error to the closed FailureClass set, or `undefined` when it is not a
 * connection failure (a malformed response, DNS, an invalid URL): those stay ordinary fetch errors,
 * which the runtime turns into a 500 with the message. Pure: no I/O, no clock.
 *
 * Decisions:
 * - The connect timer covers TCP connect *and* the TLS handshake, so a server that accepts TCP but
 *   never speaks TLS is `connect-timeout` (Cloudflare's 522 is "connection timed out" for both).
 * - Any close, reset or TLS alert before the first response byte on a TLS connection is
 *   `handshake-rejected`, whether before or after `secureConnect` (see OutboundPhase). On plain
 *   HTTP there is no handshake, so such a close is left unclassified.
 */
export function classifyOutboundError(err: unknown, phase: OutboundPhase): Classification | undefined {
  const code = errorCode(err);
  const detail = err instanceof Error ? err.message : String(err);

  if (phase.connectTimedOut) {
    return {
      failureClass: 'connect-timeout',
      errorCode: code ?? 'ETIMEDOUT',
      message: phase.tcpConnected
        ? `The origin accepted the TCP connection but did not complete the TLS handshake in time (${detail}).`
        : `The TCP connection to the origin did not complete in time (${detail}).`,
    };
  }
  if (phase.tls && phase.originVerifyError !== undefined && !phase.responseBytes) {
    return originUntrusted(phase.originVerifyError, detail);
  }
  if (code !== undefined && UNREACHABLE_CODES.has(code)) {
    return { failureClass: 'connect-refused', errorCode: code, message: `The origin refused the TCP connection (${code}): nothing listens there.` };
  }
  if (code === 'ETIMEDOUT' && !phase.responseBytes) {
    return { failureClass: 'connect-timeout', errorCode: code, message: `The connection to the origin timed out (${detail}).` };
  }
  if (code !== undefined && ORIGIN_VERIFY_CODES.has(code)) return originUntrusted(code, detail);
  if (phase.provenAccepted && !phase.responseBytes && code !== undefined && isHandshakeClose(code, detail)) {
    return {
      failureClass: 'connection-lost',
      errorCode: code,
      message: `The origin closed a connection whose handshake it had accepted, before responding to this request (${code}: ${detail}).`,
    };
  }
  if (phase.tls && !phase.responseBytes && code !== undefined && isHandshakeClose(code, detail)) {
    const when = phase.secureConnected
      ? `right after the TLS handshake (${phase.tlsProtocol ?? 'TLS'}), before any HTTP response`
      : 'during the TLS handshake';
    const notTls = code === 'ERR_SSL_WRONG_VERSION_NUMBER' ? ' The origin does not seem to speak TLS on this port.' : '';
    return {
      failureClass: 'handshake-rejected',
      errorCode: code,
      message:
        `The origin closed the connection ${when} (${code}: ${detail}). A mutual-TLS origin does this when it does not ` +
        `accept the client certificate, or none was sent.${notTls}`,
    };
  }
  return undefined;
}

function originUntrusted(code: string, detail: string): Classification {
  const what =
    code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH'
      ? "the origin's certificate does not name the host the gateway connected to"
      : "the gateway does not trust the origin's certificate";
  return {
    failureClass: 'origin-untrusted',
    errorCode: code,
    message: `TLS verification of the origin failed: ${what} (${code}: ${detail}). Check originCa and the URL's host name.`,
  };
}

function isHandshakeClose(code: string, message: string): boolean {
  return CLOSED_CODES.has(code) || code.startsWith('ERR_SSL_') || /socket hang up|disconnected before secure TLS/i.test(message);
}

/**
 * The `code` of a Node error, if it has one. An `EPROTO` from a socket write carries the OpenSSL
 * reason only in its message (`...:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:...`);
 * it is turned into the `ERR_SSL_*` code Node uses elsewhere (`ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE`),
 * so the same alert has one code whichever path reported it.
 */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (code === 'EPROTO') {
    const reason = /SSL routines:[^:]*:([^:]+):/.exec((err as Error).message ?? '')?.[1];
    if (reason) return `ERR_SSL_${reason.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
  }
  return code;
}
