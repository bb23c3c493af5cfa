import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { getHeader, type OutgoingHeaders } from './outgoing-headers.ts';

/**
 * The listener hands HTTP/2 requests (Node's compatibility API) to the same handler as HTTP/1.1
 * ones; these helpers hold what differs. An HTTP/2 request has no request line: method, path and
 * authority arrive as pseudo-headers (`:method`, `:path`, `:authority`, `:scheme`), which Node
 * also lists in `headers` and `rawHeaders`.
 */
export const isHttp2Request = (req: IncomingMessage): boolean => req.httpVersionMajor === 2;

/** The response of an HTTP/2 request: it takes no status message and no connection-specific headers. */
export const isHttp2Response = (res: ServerResponse): boolean => 'stream' in res;

/** The stream of an HTTP/2 request (the listener passes Http2ServerRequest typed as IncomingMessage). */
export const http2Stream = (req: IncomingMessage) => (req as unknown as Http2ServerRequest).stream;

/** The response object as its HTTP/2 type. */
export const asHttp2Response = (res: ServerResponse) => res as unknown as Http2ServerResponse;

const isPseudoHeader = (name: string) => name.startsWith(':');

/** `rawHeaders` without HTTP/2 pseudo-headers: the fields an HTTP/1.1 request would carry as header lines. */
export function regularRawHeaders(rawHeaders: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (!isPseudoHeader(rawHeaders[i]!)) out.push(rawHeaders[i]!, rawHeaders[i + 1]!);
  }
  return out;
}

/** The request's authority: the Host header, else (HTTP/2) `:authority`. */
export function requestAuthority(req: IncomingMessage): string | undefined {
  return req.headers.host ?? (req.headers[':authority'] as string | undefined);
}

/**
 * Turns the forwarded headers of an HTTP/2 request into HTTP/1.1 ones for the target: pseudo-headers
 * go, and `:authority` becomes Host when the client sent no Host (an HTTP/2-to-HTTP/1.1 intermediary
 * must create Host from `:authority`, RFC 9113 section 8.3.1).
 *
 * HTTP/2 frames a body by its DATA frames, so a client may send one without Content-Length (for any
 * method). HTTP/1.1 needs a length or chunked coding: without one, Node's client writes the body
 * unframed for GET, DELETE or OPTIONS, and the target reads it as the start of the next request on
 * that pooled connection. Such a body is sent chunked.
 */
export function toHttp1Headers(headers: OutgoingHeaders, req: IncomingMessage): void {
  const authority = headers[':authority'];
  for (const name of Object.keys(headers)) if (isPseudoHeader(name)) delete headers[name];
  if (typeof authority === 'string' && getHeader(headers, 'host') === undefined) headers.host = authority;
  if (!http2Stream(req).endAfterHeaders && getHeader(headers, 'content-length') === undefined) headers['transfer-encoding'] = 'chunked';
}
