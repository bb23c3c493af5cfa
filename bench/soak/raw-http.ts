import type { Socket } from 'node:net';

/** One HTTP/1.1 response read off a raw socket: just enough parsing to keep a keep-alive connection in step. */
export interface RawResponse {
  status: number;
  closeAfter: boolean;
}

/**
 * Reads HTTP/1.1 responses from a socket one at a time (Content-Length and chunked bodies). A raw
 * reader, because the fuzzed requests must reach the server byte for byte, which Node's client
 * would refuse to send.
 */
export class RawResponseReader {
  #buffer = Buffer.alloc(0);
  #waiting: { resolve(r: RawResponse | null): void; bodyless: boolean } | undefined;
  #ended = false;

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#pump();
    });
    const end = () => {
      this.#ended = true;
      this.#pump();
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
  }

  /** The next response, or null when the connection closed first. `head`: the request was a HEAD (no body follows). */
  next(head = false): Promise<RawResponse | null> {
    return new Promise((resolve) => {
      this.#waiting = { resolve, bodyless: head };
      this.#pump();
    });
  }

  #pump(): void {
    if (!this.#waiting) return;
    const parsed = this.#parse(this.#waiting.bodyless);
    if (parsed === undefined && !this.#ended) return;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting.resolve(parsed ?? null);
  }

  #parse(bodyless: boolean): RawResponse | undefined {
    const headEnd = this.#buffer.indexOf('\r\n\r\n');
    if (headEnd < 0) return undefined;
    const head = this.#buffer.subarray(0, headEnd).toString('latin1');
    const [statusLine, ...lines] = head.split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? NaN);
    const header = (name: string) => lines.find((l) => l.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim().toLowerCase();
    const closeAfter = header('connection') === 'close';
    let bodyEnd: number;
    if (bodyless || status === 204 || status === 304) {
      bodyEnd = headEnd + 4;
    } else if (header('transfer-encoding') === 'chunked') {
      const end = this.#buffer.indexOf('\r\n0\r\n\r\n', headEnd + 2);
      if (end < 0) return undefined;
      bodyEnd = end + 7;
    } else {
      bodyEnd = headEnd + 4 + Number(header('content-length') ?? 0);
      if (this.#buffer.length < bodyEnd) return undefined;
    }
    this.#buffer = this.#buffer.subarray(bodyEnd);
    return { status, closeAfter };
  }
}
