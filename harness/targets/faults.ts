import type { TargetApp } from './target-app.ts';

/** Destroys the socket as soon as a request arrives: the caller sees ECONNRESET. */
export const resetApp: TargetApp = (app) => {
  app.all('/{*path}', (req) => {
    req.socket.resetAndDestroy();
  });
};

/** Ends the socket (FIN) without writing a response: the caller sees "socket hang up". */
export const closeApp: TargetApp = (app) => {
  app.all('/{*path}', (req) => {
    req.socket.end();
  });
};

/** Writes a response no HTTP parser accepts (status 999, a header line without a colon), then closes. */
export const malformedApp: TargetApp = (app) => {
  app.all('/{*path}', (req) => {
    req.socket.end('HTTP/1.1 999 \r\n garbage\r\n\r\n');
  });
};

/** Answers 200 JSON `{delayedMs}` after `delayMs` (default 1_000). Pending timers are cleared on close. */
export const slowApp: TargetApp = (app, options) => {
  const delayMs = options.delayMs ?? 1_000;
  const timers = new Set<NodeJS.Timeout>();
  app.all('/{*path}', (req, res) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!res.destroyed) res.status(200).json({ delayedMs: delayMs });
    }, delayMs);
    timers.add(timer);
    req.socket.once('close', () => {
      clearTimeout(timer);
      timers.delete(timer);
    });
  });
  return () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };
};
