import type { IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { ConnectionOptions, SecureContext } from 'node:tls';

export interface ClientResponse {
  /** The client's local port: the `client_port` of the ALB's log lines for this connection. */
  localPort: number;
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface AlbRequestOptions {
  /** A shared client SecureContext (cert, key, ca, TLS versions: https.request ignores min/maxVersion beside it). */
  secureContext: SecureContext;
  servername?: string;
  path?: string;
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: string;
}

/** The error of a request the ALB refused, with the client's local port (to find its log line). */
export type AlbRequestError = NodeJS.ErrnoException & { localPort: number };

/**
 * One request over a fresh, verifying TLS connection (`agent: false`). Rejects with the client's
 * error (an AlbRequestError) when the ALB closes the connection instead of answering.
 */
export function albRequest(port: number, options: AlbRequestOptions): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    let localPort = 0;
    // `secureContext` is a tls.ConnectionOptions field that https.RequestOptions' type omits.
    const requestOptions: https.RequestOptions & ConnectionOptions = {
      host: '127.0.0.1',
      port,
      servername: options.servername ?? 'localhost',
      path: options.path ?? '/',
      method: options.method ?? 'GET',
      headers: options.headers,
      agent: false,
      secureContext: options.secureContext,
    };
    const req = https.request(requestOptions, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ localPort, status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('socket', (socket) => socket.once('connect', () => (localPort = socket.localPort ?? 0)));
    req.on('error', (err: NodeJS.ErrnoException) => reject(Object.assign(err, { localPort })));
    req.end(options.body);
  });
}
