import { STATUS_CODES, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { EchoBody } from './target-options.ts';

/** What the echo target tells its starter about each request (the target handle's `requests`). */
export interface EchoSeen {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * The path and query of a request target as express reads them (`req.path`, `req.query` with the
 * `simple` parser, i.e. node:querystring: a repeated key becomes an array).
 */
export function pathAndQuery(target: string): { path: string; query: Record<string, unknown> } {
  if (target.startsWith('/') && !target.includes('#')) {
    const q = target.indexOf('?');
    return q < 0 ? { path: target, query: {} } : { path: target.slice(0, q), query: { ...parseQuery(target.slice(q + 1)) } };
  }
  try {
    const url = new URL(target, 'http://target.invalid');
    return { path: url.pathname, query: { ...parseQuery(url.search.slice(1)) } };
  } catch {
    return { path: target, query: {} };
  }
}

/** A path whose percent-encoding does not decode (express answers 400 for it). */
function undecodable(path: string): boolean {
  if (!path.includes('%')) return false;
  try {
    decodeURIComponent(path);
    return false;
  } catch {
    return true;
  }
}

/** A plain-text status answer (no stack page, no paths). */
export function plainAnswer(res: ServerResponse, status: number): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${status} ${STATUS_CODES[status] ?? 'Error'}\n`;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * The echo target as a plain node:http handler: 200 JSON (an EchoBody) for any method and any
 * path, with an `x-target: <name>` header. Plain node:http rather than express: the target sits on
 * every request of the full path, and express's router and ETag cost more than the echo itself.
 */
export function echoHandler(options: { name?: string }, seen: (request: EchoSeen) => void): RequestListener {
  const name = options.name ?? 'echo';
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const { path, query } = pathAndQuery(url);
    const method = req.method ?? 'GET';
    seen({ method, path, query: { ...query }, headers: { ...req.headers } });
    if (!path.startsWith('/')) {
      req.resume();
      plainAnswer(res, 404);
      return;
    }
    if (undecodable(path)) {
      req.resume();
      plainAnswer(res, 400);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => plainAnswer(res, 500));
    req.on('end', () => {
      const echo: EchoBody = {
        method,
        path,
        url,
        query,
        headers: req.headers,
        rawHeaderNames: req.rawHeaders.filter((_, i) => i % 2 === 0),
        body: Buffer.concat(chunks).toString('utf8'),
        name,
      };
      const json = JSON.stringify(echo);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json), 'x-target': name });
      res.end(json);
    });
  };
}
