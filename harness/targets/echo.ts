import type { TargetApp } from './target-app.ts';

/** 200 JSON `{method, path, query, headers}` for any method and path. */
export const echoApp: TargetApp = (app) => {
  app.all('/{*path}', (req, res) => {
    res.status(200).json({ method: req.method, path: req.path, query: req.query, headers: req.headers });
  });
};
