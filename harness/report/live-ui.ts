import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AccessLogEntry, AlbHandle, ConnectionLogEntry, MutualAuthenticationMode } from '../alb/types.ts';
import { listenWithHandle, type ServerHandle } from '../server-handle.ts';
import { strictCsp } from './csp.ts';
import { cardId, connectionCard, requestItem } from './live-cards.ts';
import { LIVE_CSS, LIVE_SCRIPT, livePage } from './live-page.ts';

export interface LiveUiOptions {
  /** The ALB whose connection and access logs the page shows. */
  alb: AlbHandle;
  /** The ALB's `MutualAuthentication.Mode`, for the explanations. Default `verify`. */
  mode?: MutualAuthenticationMode;
  /** How the ALB shows a rejection, for the explanations. Default `handshake`. */
  verifyFailure?: 'handshake' | 'http-403';
  /** Port on 127.0.0.1. Default 0 (any free port). */
  port?: number;
  /** Events kept to replay to a page that opens later. Default 500. */
  history?: number;
}

export type LiveUiHandle = ServerHandle;

interface LiveEvent {
  name: 'connection' | 'request';
  data: string;
}

/**
 * A local page (127.0.0.1 only) that shows the ALB's connections as they happen: one card per
 * connection-log entry (verdict, decoded chain, explanation, fix), filled with its access-log
 * entries, pushed as server-sent events. The page loads nothing but itself and its event stream
 * (Content-Security-Policy), and only answers requests addressed to its own host name, so another
 * site cannot read it through a rebound DNS name.
 */
export async function startLiveUi(options: LiveUiOptions): Promise<LiveUiHandle> {
  const context = { mode: options.mode ?? 'verify', verifyFailure: options.verifyFailure ?? 'handshake' } as const;
  const limit = options.history ?? 500;
  const history: LiveEvent[] = [];
  const streams = new Set<ServerResponse>();
  const publish = (event: LiveEvent) => {
    history.push(event);
    if (history.length > limit) history.shift();
    for (const res of streams) res.write(frame(event));
  };
  const connectionEvent = (entry: ConnectionLogEntry): LiveEvent => ({
    name: 'connection',
    data: JSON.stringify({ id: cardId(entry.connTraceId), verdict: entry.tlsVerifyStatus, html: connectionCard(entry, context) }),
  });
  const requestEvent = (entry: AccessLogEntry): LiveEvent => ({ name: 'request', data: JSON.stringify(requestItem(entry)) });
  // What the ALB logged before the page started, then everything it logs from now on.
  for (const entry of options.alb.connectionLog.entries.slice(-limit)) publish(connectionEvent(entry));
  for (const entry of options.alb.accessLog.entries.slice(-limit)) publish(requestEvent(entry));
  const stopConnections = options.alb.connectionLog.subscribe((entry) => publish(connectionEvent(entry)));
  const stopRequests = options.alb.accessLog.subscribe((entry) => publish(requestEvent(entry)));

  const csp = `${strictCsp({ style: LIVE_CSS, script: LIVE_SCRIPT, connectSelf: true })}; frame-ancestors 'none'`;
  let port = 0;
  const page = () => livePage({ albUrl: options.alb.url, mode: context.mode });
  const server = createServer((req, res) => {
    if (!ownHost(req, port)) return send(res, 421, 'text/plain', 'This page answers only at 127.0.0.1 or localhost.\n');
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'Only GET.\n');
    if (path === '/') return send(res, 200, 'text/html; charset=utf-8', page(), { 'Content-Security-Policy': csp });
    if (path === '/events') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
      res.write(': alb-mtls live events\n\n');
      for (const event of history) res.write(frame(event));
      streams.add(res);
      res.on('close', () => streams.delete(res));
      return;
    }
    return send(res, 404, 'text/plain', 'Not found. The page is at /.\n');
  });
  const handle = await listenWithHandle(server, {
    protocol: 'http',
    port: options.port ?? 0,
    onClose: () => {
      stopConnections();
      stopRequests();
    },
  });
  port = handle.port;
  return handle;
}

function frame(event: LiveEvent): string {
  // JSON.stringify never emits a raw newline, so one data line carries the whole event.
  return `event: ${event.name}\ndata: ${event.data}\n\n`;
}

function ownHost(req: IncomingMessage, port: number): boolean {
  const host = (req.headers.host ?? '').toLowerCase();
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    ...extra,
  });
  res.end(body);
}
