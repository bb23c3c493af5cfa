import type { IncomingMessage } from 'node:http';

/**
 * An origin's answer as the URL forward fast path carries it to the client: the node message and
 * what a WHATWG Response made from it would hold, without building one (a Response with a stream
 * body costs more than the rest of the hop). Only the gateway writes it; handlers never see it.
 */
export class OriginAnswer {
  constructor(
    readonly status: number,
    /** The reason phrase, `''` when WHATWG would refuse it (as `new Response` would be given). */
    readonly statusText: string,
    /** The header entries as `Headers.forEach` lists them (see `webHeaderEntries`). */
    readonly headers: Array<[string, string]>,
    /** The body; null for a null-body status or a HEAD answer (the message is then drained). */
    readonly body: IncomingMessage | null,
  ) {}
}

export function isOriginAnswer(value: unknown): value is OriginAnswer {
  return value instanceof OriginAnswer;
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
// The reason-phrase production: HTAB, SP, VCHAR, obs-text (what `new Response` accepts as statusText).
const REASON_PHRASE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Throws (as the WHATWG conversion does) for a status a Response cannot carry. */
export function checkOriginStatus(status: number): void {
  if (status < 200 || status > 599) throw new RangeError(`the origin answered with an invalid HTTP status ${status}`);
}

/** Whether the answer to `method` with `status` has no body (the message is drained). */
export function isNullBody(method: string, status: number): boolean {
  return method === 'HEAD' || NULL_BODY_STATUSES.has(status);
}

/** The answer for `res`, with the same status check, reason phrase and headers as the WHATWG conversion. */
export function originAnswer(res: IncomingMessage, method: string): OriginAnswer {
  const status = res.statusCode ?? 0;
  checkOriginStatus(status);
  const nullBody = isNullBody(method, status);
  if (nullBody) res.resume();
  const statusText = res.statusMessage ?? '';
  return new OriginAnswer(status, REASON_PHRASE.test(statusText) ? statusText : '', webHeaderEntries(res.rawHeaders), nullBody ? null : res);
}

// A name WHATWG Headers accepts (an HTTP token) and a value it keeps as it is (no surrounding
// whitespace to strip, no NUL/CR/LF to refuse).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PLAIN_VALUE = /^(?:[^\0\t\n\r ](?:[^\0\n\r]*[^\0\t\n\r ])?)?$/;

/**
 * Raw header pairs as `Headers.forEach` lists them after `append`ing each: lower-case names in
 * code-unit order, repeated names joined with `", "`, every set-cookie its own entry, surrounding
 * whitespace stripped, and a pair Headers refuses left out. The common case (token names, plain
 * values) is done here; anything else goes through a real Headers object.
 */
export function webHeaderEntries(raw: readonly string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    if (!TOKEN.test(name) || !PLAIN_VALUE.test(value)) return viaHeaders(raw);
    pairs.push([name.toLowerCase(), value]);
  }
  // A stable sort keeps each name's values in arrival order, as Headers joins them.
  pairs.sort(byName);
  const entries: Array<[string, string]> = [];
  for (const pair of pairs) {
    const last = entries.at(-1);
    if (last !== undefined && last[0] === pair[0] && pair[0] !== 'set-cookie') last[1] = `${last[1]}, ${pair[1]}`;
    else entries.push(pair);
  }
  return entries;
}

const byName = (a: [string, string], b: [string, string]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

function viaHeaders(raw: readonly string[]): Array<[string, string]> {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i]!, raw[i + 1]!);
    } catch {
      // A header WHATWG Headers cannot hold: fetch would drop the response; we drop the header.
    }
  }
  const entries: Array<[string, string]> = [];
  headers.forEach((value, name) => entries.push([name, value]));
  return entries;
}

/** Adds `name: value` unless the answer already has `name`, keeping the entries in Headers order. */
export function addHeaderIfMissing(answer: OriginAnswer, name: string, value: string): void {
  let at = answer.headers.length;
  for (let i = 0; i < answer.headers.length; i++) {
    const current = answer.headers[i]![0];
    if (current === name) return;
    if (current > name) {
      at = i;
      break;
    }
  }
  answer.headers.splice(at, 0, [name, value]);
}
