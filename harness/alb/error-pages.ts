import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { isHttp2Response } from './http2-request.ts';

/**
 * The responses an ALB generates itself. Bodies copy awselb/2.0's nginx-style pages byte for byte
 * (CRLF line ends, `<center><h1>`), with nginx's reason phrases (`504 Gateway Time-out`).
 */
export const ALB_REASON_PHRASES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  403: 'Forbidden',
  405: 'Not Allowed',
  408: 'Request Time-out',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Large',
  // ALB-specific codes have no standard phrase; ALB's pages show the bare number [INF].
  460: '',
  463: '',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
  505: 'HTTP Version Not Supported',
};

/** The `Server` header of every ALB-generated response. */
export const ALB_SERVER_HEADER = 'awselb/2.0';

function statusLine(status: number): string {
  const phrase = ALB_REASON_PHRASES[status] ?? '';
  return phrase ? `${status} ${phrase}` : String(status);
}

/** The HTML body of an ALB-generated error, e.g. `<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n...`. */
export function albErrorBody(status: number): string {
  const title = statusLine(status);
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
}

/** Answers with an ALB-generated error page (no-op when the response has already started). */
export function sendAlbError(res: ServerResponse, status: number, options: { close?: boolean } = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = albErrorBody(status);
  const http2 = isHttp2Response(res);
  res.statusCode = status;
  // HTTP/2 has no reason phrase and forbids Connection: the same page, the stream simply ends.
  if (!http2) res.statusMessage = ALB_REASON_PHRASES[status] || 'Error';
  res.setHeader('Server', ALB_SERVER_HEADER);
  res.setHeader('Content-Type', 'text/html');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  if (options.close && !http2) res.setHeader('Connection', 'close');
  res.end(body);
}

/** The same page written raw to a socket, for errors found before Node's parser produced a request. */
export function writeRawAlbError(socket: Socket, status: number, date: Date): void {
  if (!socket.writable) return;
  const body = albErrorBody(status);
  const phrase = ALB_REASON_PHRASES[status] || 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${phrase}\r\nServer: ${ALB_SERVER_HEADER}\r\nDate: ${date.toUTCString()}\r\n` +
      `Content-Type: text/html\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
