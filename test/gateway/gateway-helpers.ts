import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { listenWithHandle, type ServerHandle } from '../../harness/server-handle.ts';
import { startGateway } from '../../harness/gateway/index.ts';
import type { GatewayOptions, RoutesDocument } from '../../harness/gateway/types.ts';

/** What the echo upstream saw for one request. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[];
  body: string;
  /** The client certificate's subject CN, when the upstream is https with requestCert. */
  clientCn?: string;
}

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => void;

/** Echo: 200 application/json with what it saw, unless `handler` answers. */
const echo: UpstreamHandler = (_req, res, seen) => {
  res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'echo' });
  res.end(JSON.stringify(seen));
};

async function readSeen(req: IncomingMessage): Promise<SeenRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const peer = (req.socket as Partial<TLSSocket>).getPeerCertificate?.();
  return {
    method: req.method ?? '',
    url: req.url ?? '',
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    body: Buffer.concat(chunks).toString('utf8'),
    ...(peer && peer.subject ? { clientCn: String(peer.subject.CN) } : {}),
  };
}

/** A plain HTTP upstream that records every request. */
export async function startUpstream(handler: UpstreamHandler = echo): Promise<ServerHandle & { seen: SeenRequest[] }> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    void readSeen(req).then((s) => {
      seen.push(s);
      handler(req, res, s);
    });
  });
  const handle = await listenWithHandle(server, { protocol: 'http' });
  return Object.assign(handle, { seen });
}

/** An HTTPS upstream (mTLS when `requestCert` + `rejectUnauthorized: true` + `ca` are given). */
export async function startHttpsUpstream(
  tls: ServerOptions,
  handler: UpstreamHandler = echo,
): Promise<ServerHandle & { seen: SeenRequest[] }> {
  const seen: SeenRequest[] = [];
  const server = createHttpsServer(tls, (req, res) => {
    void readSeen(req).then((s) => {
      seen.push(s);
      handler(req, res, s);
    });
  });
  const handle = await listenWithHandle(server, { protocol: 'https' });
  return Object.assign(handle, { seen });
}

/** A temp Zuplo-style project directory, removed by `await using`. */
export async function tempProject(files: Record<string, string>): Promise<{ dir: string } & AsyncDisposable> {
  const dir = await mkdtemp(join(tmpdir(), 'gateway-project-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return { dir, [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }) };
}

/** A routes document with one route per entry: `[path, method(s), handler]`. */
export function routesDoc(
  entries: Array<{ path: string; method?: string; handler: Record<string, unknown>; pathMode?: 'open-api' | 'url-pattern' }>,
): RoutesDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const e of entries) {
    const item = (paths[e.path] ??= {});
    if (e.pathMode) item['x-zuplo-path'] = { pathMode: e.pathMode };
    item[e.method ?? 'get'] = { 'x-zuplo-route': { corsPolicy: 'none', handler: e.handler } };
  }
  return { openapi: '3.1.0', paths };
}

export const forward = (options: Record<string, unknown>) => ({
  export: 'urlForwardHandler',
  module: '$import(@zuplo/runtime)',
  options,
});

export const rewrite = (options: Record<string, unknown>) => ({
  export: 'urlRewriteHandler',
  module: '$import(@zuplo/runtime)',
  options,
});

/** Parses a problem+json body and blanks the per-request trace values, keeping the key order. */
export function normaliseProblem(text: string): string {
  return text
    .replace(/"timestamp": "[^"]+"/, '"timestamp": "<ts>"')
    .replace(/"requestId": "[^"]+"/, '"requestId": "<rid>"')
    .replace(/"buildId": "[^"]+"/, '"buildId": "<build>"');
}

/** The start-up error of `startGateway(options)`; fails (after closing the gateway) if it started. */
export async function startupError(options: GatewayOptions): Promise<Error & { code: string }> {
  let handle: Awaited<ReturnType<typeof startGateway>>;
  try {
    handle = await startGateway(options);
  } catch (err) {
    return err as Error & { code: string };
  }
  await handle.close();
  throw new Error('startGateway() succeeded but a start-up error was expected');
}
