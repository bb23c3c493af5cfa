import http2, { type IncomingHttpHeaders } from 'node:http2';
import tls, { type SecureContext } from 'node:tls';

export interface Http2ClientOptions {
  /** Client certificate, key, trusted CAs and TLS versions, as one context. */
  secureContext: SecureContext;
  /** SNI and the `:authority` host. Default `localhost`. */
  servername?: string;
  /** ALPN protocols offered. Default `['h2']` (what an HTTP/2-only client such as Node's http2 offers). */
  alpnProtocols?: string[];
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Bounds the wait for the answer. Default 15_000 ms. */
  timeoutMs?: number;
}

export interface Http2ClientResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** What ALPN selected on the client's socket. */
  alpnProtocol: string | false;
  /** The client's local port: the `client_port` of the ALB's log lines for this connection. */
  localPort: number;
}

/** The error of a request that got no answer, with the client's local port (to find its connection-log line). */
export type Http2ClientError = Error & { code?: string; localPort: number };

/**
 * One request over a fresh HTTP/2 connection that verifies the server (as curl --http2 does), then
 * closes the session. Rejects with an Http2ClientError when the server ends the connection
 * (e.g. a refused client certificate) or ALPN does not select `h2`.
 */
export function http2Request(host: string, port: number, options: Http2ClientOptions): Promise<Http2ClientResponse> {
  const servername = options.servername ?? 'localhost';
  return new Promise((resolve, reject) => {
    let localPort = 0;
    let socket: tls.TLSSocket | undefined;
    const session = http2.connect(`https://${servername}:${port}`, {
      createConnection: () => {
        socket = tls.connect({ host, port, servername, secureContext: options.secureContext, ALPNProtocols: options.alpnProtocols ?? ['h2'] });
        socket.once('connect', () => (localPort = socket!.localPort ?? 0));
        return socket;
      },
    });
    const fail = (err: Error & { code?: string }) => {
      session.destroy();
      reject(Object.assign(err, { localPort }));
    };
    const timer = setTimeout(() => fail(new Error(`no answer over HTTP/2 within ${options.timeoutMs ?? 15_000} ms`)), options.timeoutMs ?? 15_000);
    session.on('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    // A session the server closes before any response (e.g. after the handshake) ends without 'error'.
    session.on('close', () => {
      clearTimeout(timer);
      reject(Object.assign(new Error('the server closed the HTTP/2 connection before answering'), { code: 'ERR_HTTP2_SESSION_CLOSED', localPort }));
    });
    const stream = session.request(
      { ':method': options.method ?? 'GET', ':path': options.path ?? '/', ...options.headers },
      { endStream: options.body === undefined },
    );
    stream.on('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    stream.on('response', (headers) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        clearTimeout(timer);
        resolve({
          status: Number(headers[':status']),
          headers,
          body: Buffer.concat(chunks).toString('utf8'),
          alpnProtocol: socket?.alpnProtocol ?? false,
          localPort,
        });
        session.close();
      });
    });
    if (options.body !== undefined) stream.end(options.body);
  });
}
