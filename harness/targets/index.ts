import { createServer, type Server } from 'node:http';
import express from 'express';
import { listenWithHandle, type ServerHandle } from '../server-handle.ts';
import { echoApp } from './echo.ts';
import { closeApp, malformedApp, resetApp, slowApp } from './faults.ts';
import { verifyingApp } from './verifying.ts';
import { ALB_CONSUMER_APPS } from './alb-consumers.ts';
import type { TargetApp } from './target-app.ts';

export { verifyPresentedChain, type ChainVerdict } from './chain-verdict.ts';

export type TargetKind = 'echo' | 'verifying' | 'reset' | 'slow' | 'malformed' | 'close' | keyof typeof ALB_CONSUMER_APPS;

export interface TargetOptions {
  kind: TargetKind;
  /** `verifying`: the CA(s) the target trusts for the forwarded client chain (PEM). Required for `verifying`. */
  trustedCa?: string;
  /** `slow`: how long to wait before answering, ms. Default 1_000. */
  delayMs?: number;
  /** `verifying`: the header carrying the URL-encoded PEM chain. Default `x-amzn-mtls-clientcert` (ALB passthrough). */
  headerName?: string;
  /** `verifying`: the clock for validity checks. Default: the current time. */
  now?: () => Date;
}

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
  /** Every request received, in arrival order. */
  readonly requests: ReceivedRequest[];
}

const APPS: Record<TargetKind, TargetApp> = {
  echo: echoApp,
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
  const requests: ReceivedRequest[] = [];
  const app = express();
  app.disable('x-powered-by');
  app.use((req, _res, next) => {
    requests.push({ method: req.method, path: req.path, query: { ...(req.query as Record<string, unknown>) }, headers: { ...req.headers } });
    next();
  });
  const cleanup = APPS[options.kind](app, options);
  const server: Server = createServer(app);
  const handle = await listenWithHandle(server, { protocol: 'http', onClose: () => cleanup?.() });
  return Object.assign(handle, { requests });
}
