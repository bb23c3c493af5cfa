import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { ClientAbort } from './client-abort.ts';
import type { CompatFlags } from './compat.ts';
import type { DispatchInput } from './dispatch.ts';
import { EDGE_FAILURE_TITLE } from './failure-answer.ts';
import { isHopByHop } from './hop-by-hop.ts';
import { gatewayMadeBody } from './problems.ts';
import { takeNodeBody } from './outbound-message.ts';
import { isOriginAnswer, type OriginAnswer } from './origin-answer.ts';
import { normaliseRequest } from './request-normalise.ts';


/**
 * The gateway's HTTP front: turns each node request into a normalised WHATWG request, hands it to
 * `handle`, and streams the Response back (status, reason phrase, every header including repeated
 * set-cookie, body bytes as they come).
 */
export function createGatewayServer(flags: CompatFlags, handle: (input: DispatchInput) => Promise<Response | OriginAnswer>): Server {
  return createServer((req, res) => {
    // The client going away before its answer is complete cancels the handler's upstream call.
    const abort = new ClientAbort();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort(new DOMException('The client closed the connection.', 'AbortError'));
    });
    void serve(req, res, flags, handle, abort).catch((err: unknown) => {
      // dispatch() never throws; this is a bug or a broken client socket. Do not leave the client hanging.
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`gateway error: ${(err as Error).message}\n`);
      } else {
        res.destroy(err as Error);
      }
    });
  });
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  flags: CompatFlags,
  handle: (input: DispatchInput) => Promise<Response | OriginAnswer>,
  abort: ClientAbort,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    try {
      headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    } catch {
      // A header value WHATWG Headers refuses: the edge would not deliver it either.
    }
  }
  const host = req.headers.host ?? `${req.socket.localAddress}:${req.socket.localPort}`;
  const rawUrl = /^https?:\/\//i.test(req.url ?? '') ? req.url! : `http://${host}${req.url ?? '/'}`;
  let absolute: URL;
  try {
    absolute = new URL(rawUrl);
  } catch {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end('Bad Request: the request target is not a valid URL\n');
    return;
  }
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  const normalised = normaliseRequest({ method, url: absolute.href, parsedUrl: absolute, headers, hasBody, ownsHeaders: true }, flags);

  let body: ReadableStream<Uint8Array> | null = null;
  if (hasBody && !normalised.dropBody && method !== 'GET' && method !== 'HEAD') {
    body = Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>;
  } else {
    req.resume(); // discard a dropped body so the connection stays usable
  }

  const response = await handle({
    method,
    url: normalised.url,
    parsedUrl: normalised.parsedUrl,
    headers: normalised.headers,
    body,
    requestId: normalised.requestId,
    abort,
  });
  if (isOriginAnswer(response)) writeOriginAnswer(res, response, method);
  else await writeResponse(res, response, method);
}

function writeStatus(res: ServerResponse, status: number, statusText: string): void {
  res.statusCode = status;
  if (statusText) res.statusMessage = statusText;
  else if (status === 522) res.statusMessage = EDGE_FAILURE_TITLE; // Node knows no phrase for 522
}

/** The origin's answer on the fast path: what `writeResponse` writes for the Response it would have been. */
function writeOriginAnswer(res: ServerResponse, answer: OriginAnswer, method: string): void {
  writeStatus(res, answer.status, answer.statusText);
  const cookies: string[] = [];
  for (const [name, value] of answer.headers) if (name === 'set-cookie') cookies.push(value);
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  for (const [name, value] of answer.headers) {
    if (name === 'set-cookie' || isHopByHop(name)) continue;
    res.setHeader(name, value);
  }
  if (answer.body === null || method === 'HEAD') {
    answer.body?.destroy();
    res.end();
    return;
  }
  pipeBody(res, answer.body);
}

async function writeResponse(res: ServerResponse, response: Response, method: string): Promise<void> {
  writeStatus(res, response.status, response.statusText);
  const made = gatewayMadeBody(response);
  if (made !== undefined) {
    // The runtime's own answers (problem+json) carry Content-Length and no Date, never chunked.
    res.sendDate = false;
    response.headers.forEach((value, name) => res.setHeader(name, value));
    res.setHeader('content-length', made.byteLength);
    res.end(method === 'HEAD' ? undefined : made);
    return;
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  response.headers.forEach((value, name) => {
    if (name === 'set-cookie' || isHopByHop(name)) return;
    res.setHeader(name, value);
  });
  if (response.body === null || method === 'HEAD') {
    await response.body?.cancel();
    res.end();
    return;
  }
  // An origin body nobody touched is piped as the node stream it is (no WHATWG round trip).
  pipeBody(res, takeNodeBody(response.body) ?? Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>));
}

/**
 * Streams `source` to the client. Nothing waits for the end: a broken upstream body cuts the
 * client's response, and a client that goes away stops the upstream body.
 */
function pipeBody(res: ServerResponse, source: Readable): void {
  source.once('error', (err) => {
    // The upstream body broke mid-stream: the client must see a truncated response, not a clean end.
    res.destroy(err);
  });
  res.once('close', () => {
    if (!source.destroyed) source.destroy();
  });
  source.pipe(res);
}
