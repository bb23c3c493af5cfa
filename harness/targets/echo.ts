import type { TargetApp } from './target-app.ts';

/** What the echo target answers: what it received, as JSON. */
export interface EchoBody {
  method: string;
  /** Path without the query string. */
  path: string;
  /** The request target exactly as received (path and query). */
  url: string;
  query: Record<string, unknown>;
  /** Lower-cased header names, as Node joins them. */
  headers: Record<string, string | string[] | undefined>;
  /** Header names exactly as sent, in order. */
  rawHeaderNames: string[];
  /** The request body, as UTF-8 text. */
  body: string;
  /** The target's `name` option (round-robin checks). */
  name: string;
}

/** 200 JSON (an EchoBody) for any method and path, with an `x-target: <name>` header. */
export const echoApp: TargetApp = (app, options) => {
  const name = options.name ?? 'echo';
  app.all('/{*path}', (req, res, next) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', next);
    req.on('end', () => {
      const echo: EchoBody = {
        method: req.method,
        path: req.path,
        url: req.originalUrl,
        query: req.query as Record<string, unknown>,
        headers: req.headers,
        rawHeaderNames: req.rawHeaders.filter((_, i) => i % 2 === 0),
        body: Buffer.concat(chunks).toString('utf8'),
        name,
      };
      res.status(200).set('x-target', name).json(echo);
    });
  });
};
