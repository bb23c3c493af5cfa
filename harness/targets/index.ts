import { createServer, STATUS_CODES, type Server } from 'node:http';
import express, { type ErrorRequestHandler } from 'express';
import { maxEntriesOption, pushBounded } from '../bounded-list.ts';
import { UserError } from '../errors.ts';
import { listenWithHandle, type ServerHandle } from '../server-handle.ts';
import { echoHandler } from './echo.ts';
import { closeApp, malformedApp, resetApp, slowApp } from './faults.ts';
import { verifyingApp } from './verifying.ts';
import { ALB_CONSUMER_APPS } from './alb-consumers.ts';
import type { TargetApp } from './target-app.ts';
import { TARGET_KINDS, TARGET_MAX_HEADER_BYTES, type TargetKind, type TargetOptions } from './target-options.ts';

export { verifyPresentedChain, type ChainVerdict } from './chain-verdict.ts';
export type { EchoBody } from './target-options.ts';
export { TARGET_KINDS, TARGET_MAX_HEADER_BYTES, type TargetKind, type TargetOptions } from './target-options.ts';

/** What the target saw of one request. */
export interface ReceivedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Parsed query (express `simple` parser): repeated keys become arrays. */
  query: Record<string, unknown>;
  /** Lower-cased header names, as Node joins them. */
  headers: Record<string, string | string[] | undefined>;
}

export interface TargetHandle extends ServerHandle {
  /** The requests received, in arrival order: the newest `maxRequests`. */
  readonly requests: ReceivedRequest[];
}

const APPS: Record<Exclude<TargetKind, 'echo'>, TargetApp> = {
  verifying: verifyingApp,
  reset: resetApp,
  slow: slowApp,
  malformed: malformedApp,
  close: closeApp,
  ...ALB_CONSUMER_APPS,
};

/**
 * Starts an HTTP target (what the ALB forwards to) on 127.0.0.1, port 0. `echo` answers 200 with
 * what it received; `verifying` plays an app behind an ALB in passthrough mode; `reset`, `close`,
 * `malformed` and `slow` misbehave as their names say.
 */
export async function startTarget(options: TargetOptions): Promise<TargetHandle> {
  if (typeof options !== 'object' || options === null || !(TARGET_KINDS as readonly unknown[]).includes(options.kind)) {
    const kind = (options as Partial<TargetOptions> | null | undefined)?.kind;
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `startTarget: kind is ${JSON.stringify(kind)}; use one of ${TARGET_KINDS.map((k) => `'${k}'`).join(', ')}.`);
  }
  const maxRequests = maxEntriesOption(options.maxRequests, 'startTarget: maxRequests');
  const requests: ReceivedRequest[] = [];
  if (options.kind === 'echo') {
    const echo = echoHandler(options, (seen) => pushBounded(requests, seen, maxRequests));
    const handle = await listenWithHandle(createServer({ maxHeaderSize: TARGET_MAX_HEADER_BYTES }, echo), { protocol: 'http' });
    return Object.assign(handle, { requests });
  }
  const app = express();
  app.disable('x-powered-by');
  app.use((req, _res, next) => {
    pushBounded(requests, { method: req.method, path: req.path, query: { ...(req.query as Record<string, unknown>) }, headers: { ...req.headers } }, maxRequests);
    next();
  });
  const cleanup = APPS[options.kind](app, options);
  app.use(plainErrorAnswer);
  const server: Server = createServer({ maxHeaderSize: TARGET_MAX_HEADER_BYTES }, app);
  const handle = await listenWithHandle(server, { protocol: 'http', onClose: () => cleanup?.() });
  return Object.assign(handle, { requests });
}

/**
 * Express's default error page carries the stack trace and absolute paths (outside production). A
 * test target answers a bad request (e.g. a path whose percent-encoding does not decode) with a
 * plain-text status line instead, and anything else with a plain 500.
 */
const plainErrorAnswer: ErrorRequestHandler = (err: { status?: unknown; statusCode?: unknown }, _req, res, _next) => {
  const status = Number(err?.status ?? err?.statusCode);
  const code = Number.isInteger(status) && status >= 400 && status < 600 ? status : 500;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(code).type('text/plain').send(`${code} ${STATUS_CODES[code] ?? 'Error'}\n`);
};
