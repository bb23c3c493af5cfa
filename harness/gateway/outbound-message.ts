import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { TLSSocket } from 'node:tls';
import { isHopByHop } from './hop-by-hop.ts';
import { checkOriginStatus, isNullBody } from './origin-answer.ts';

/** Conversions between WHATWG fetch objects and node:http messages, for the outbound client. */

/** `fetch` init with Zuplo's extension. `zuplo` is read from the init only, never from a Request object (as the runtime does). */
export interface OutboundFetchInit extends RequestInit {
  zuplo?: { mtlsCertificate?: string };
}

/** What is sent: `none`, bytes that can be re-sent (redirects, stale keep-alive retry), or a one-shot stream. */
export type OutboundBody = { kind: 'none' } | { kind: 'bytes'; bytes: Buffer } | { kind: 'stream'; stream: ReadableStream<Uint8Array> };

/** Bytes when the caller gave bytes (so redirects and retries can re-send), the stream when the caller gave a stream. */
export async function outboundBody(request: Pick<Request, 'body' | 'arrayBuffer'>, init: OutboundFetchInit | undefined, input: string | URL | Request): Promise<OutboundBody> {
  if (request.body === null) return { kind: 'none' };
  const streamed = init?.body instanceof ReadableStream || (init?.body === undefined && input instanceof Request);
  if (streamed) return { kind: 'stream', stream: request.body };
  return { kind: 'bytes', bytes: Buffer.from(await request.arrayBuffer()) };
}

export function nodeHeaders(headers: Headers, body: OutboundBody, method: string, url: URL): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  headers.forEach((value, name) => {
    if (!isHopByHop(name)) out[name] = value;
  });
  out.host = url.host; // Host always comes from the target URL
  if (body.kind === 'bytes') out['content-length'] = String(body.bytes.length);
  else if (body.kind === 'none') {
    delete out['content-length'];
    // As fetch does: an empty POST/PUT still says how long its (empty) body is.
    if (method === 'POST' || method === 'PUT') out['content-length'] = '0';
  }
  return out;
}

export function writeBody(req: ClientRequest, body: OutboundBody): void {
  if (body.kind === 'none') return void req.end();
  if (body.kind === 'bytes') return void req.end(body.bytes);
  const source = Readable.fromWeb(body.stream as unknown as NodeReadableStream<Uint8Array>);
  source.on('error', (err) => req.destroy(err));
  req.on('error', () => source.destroy());
  source.pipe(req);
}

export function toWebResponse(res: IncomingMessage, method: string): Response {
  const status = res.statusCode ?? 0;
  checkOriginStatus(status);
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i]!, raw[i + 1]!); // rawHeaders keeps every set-cookie as its own entry
    } catch {
      // A header WHATWG Headers cannot hold: fetch would drop the response; we drop the header.
    }
  }
  const nullBody = isNullBody(method, status);
  if (nullBody) res.resume();
  const body = nullBody ? null : lazyWebBody(res);
  const init = { status, statusText: res.statusMessage ?? '', headers };
  try {
    return new Response(body, init);
  } catch {
    return new Response(body, { ...init, statusText: '' }); // a reason phrase WHATWG rejects
  }
}

/** Node bodies behind web streams that nobody has read yet (see `takeNodeBody`). */
const unreadNodeBodies = new WeakMap<ReadableStream<Uint8Array>, { message: IncomingMessage; claimed: boolean }>();

/**
 * A web stream over the origin's body that converts nothing in the turn the head arrived: a body
 * the gateway writes straight away goes out as the node stream it is (`takeNodeBody`), which saves
 * both conversions; otherwise the WHATWG adapter (`Readable.toWeb`) is made on the first pull or
 * at the end of the turn, whichever comes first.
 */
function lazyWebBody(message: IncomingMessage): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const entry = { message, claimed: false };
  const open = () => {
    entry.claimed = true;
    return (reader ??= (Readable.toWeb(message) as unknown as ReadableStream<Uint8Array>).getReader());
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await open().read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel(reason) {
        if (reader) await reader.cancel(reason);
        else {
          entry.claimed = true;
          message.destroy();
        }
      },
    },
    { highWaterMark: 0 },
  );
  unreadNodeBodies.set(stream, entry);
  // Unclaimed by the end of this turn (a handler holds the Response, or dropped it): read as fetch does,
  // so a small body completes and its keep-alive socket goes back to the pool.
  setImmediate(() => {
    if (!entry.claimed) open();
  });
  return stream;
}

/**
 * The origin's node body behind `body` when nobody has read, locked or cancelled it: the caller
 * then owns it (pipe it). Undefined otherwise (read the web stream).
 */
export function takeNodeBody(body: ReadableStream<Uint8Array>): IncomingMessage | undefined {
  const entry = unreadNodeBodies.get(body);
  if (entry === undefined || entry.claimed || body.locked) return undefined;
  entry.claimed = true;
  return entry.message;
}

export function tlsProtocolOf(socket: Socket): string | undefined {
  const protocol = (socket as Partial<TLSSocket>).getProtocol?.();
  return protocol ?? undefined;
}

/** Response.url and .redirected are read-only getters; the instance gets own values, as fetch's would have. */
export function setResponseUrl(response: Response, url: URL, redirected: boolean): void {
  Object.defineProperty(response, 'url', { value: url.href });
  Object.defineProperty(response, 'redirected', { value: redirected });
}
