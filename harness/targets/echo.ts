import type { TargetApp } from './target-app.ts';
import type { EchoBody } from './target-options.ts';

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
