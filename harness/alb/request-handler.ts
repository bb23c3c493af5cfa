import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { accessLogEntry, type RequestFacts } from './access-log.ts';
import { connectionState, type ConnectionState } from './connection-state.ts';
import { sendAlbError, writeRawAlbError } from './error-pages.ts';
import { forwardRequest, type ForwardOptions, type ForwardOutcome } from './forward.ts';
import { applyForwardedHeaders, headerBlockBytes, plainIp } from './forwarded-headers.ts';
import { passthroughHeaders, stripClientMtlsHeaders, verifyModeHeaders } from './headers.ts';
import { isHttp2Request, regularRawHeaders, requestAuthority, toHttp1Headers } from './http2-request.ts';
import { checkRequestLimits } from './limits.ts';
import type { AlbConfig } from './options.ts';
import { copyRequestHeaders, dropInvalidHeaderFields, setHeader, type OutgoingHeaders } from './outgoing-headers.ts';
import type { AccessLogEntry } from './types.ts';

export interface RequestHandlerContext {
  config: AlbConfig;
  /** The actual listener port (the configured one may be 0). */
  listenerPort: () => number;
  forward: ForwardOptions;
  log: (entry: AccessLogEntry) => void;
}

/** e.g. `GET https://host:443/path HTTP/1.1`; an HTTP/2 request reads `... HTTP/2.0`, as in AWS's HTTP/2 log example. */
function requestLine(req: IncomingMessage, listenerPort: number): string {
  const host = (requestAuthority(req) ?? '-').replace(/:\d+$/, '');
  return `${req.method} https://${host}:${listenerPort}${req.url} HTTP/${req.httpVersion}`;
}

/** Request line, headers and body as HTTP/1.1 would send them (HTTP/2's compressed size is not visible to Node's compatibility API). */
function receivedBytes(req: IncomingMessage): number {
  let n = Buffer.byteLength(`${req.method} ${req.url} HTTP/${req.httpVersion}\r\n\r\n`);
  for (const part of regularRawHeaders(req.rawHeaders)) n += Buffer.byteLength(part) + 2;
  return n + Number(req.headers['content-length'] ?? 0);
}

function fallbackState(socket: Socket): ConnectionState {
  return {
    connTraceId: '-',
    clientIp: plainIp(socket.remoteAddress ?? '-'),
    clientPort: socket.remotePort ?? 0,
    chain: { presented: [] },
    tlsVerifyStatus: 'Success',
    rejected: false,
    tlsProtocol: null,
    tlsCipher: null,
  };
}

/** The HTTP side of the listener: limits, header rewriting, forwarding, and one access-log line per request. */
export function createRequestHandler(ctx: RequestHandlerContext) {
  const { config } = ctx;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const receivedAt = config.clock();
    const started = performance.now();
    const conn = connectionState(req.socket as TLSSocket) ?? fallbackState(req.socket);
    const base: RequestBase = {
      type: isHttp2Request(req) ? ('h2' as const) : ('https' as const),
      receivedAt,
      elb: config.loadBalancerId,
      clientIp: conn.clientIp,
      clientPort: conn.clientPort,
      receivedBytes: receivedBytes(req),
      request: requestLine(req, ctx.listenerPort()),
      userAgent: req.headers['user-agent'] ?? null,
      sslCipher: conn.tlsCipher,
      sslProtocol: conn.tlsProtocol,
      targetGroupArn: null,
      domainName: (req.socket as TLSSocket).servername || null,
      connTraceId: conn.connTraceId,
    };
    // http-403 model of a failed verification: nothing is forwarded on this connection.
    if (conn.rejected) {
      sendAlbError(res, 403);
      logLocal(ctx, base, 403, `ClientCertVerificationFailed:${conn.tlsVerifyStatus}`, Number(res.getHeader('content-length') ?? 0));
      return;
    }
    const violation = checkRequestLimits(req);
    if (violation) {
      sendAlbError(res, violation.status, { close: violation.status === 400 });
      logLocal(ctx, base, violation.status, violation.reason, Number(res.getHeader('content-length') ?? 0));
      return;
    }

    const headers: OutgoingHeaders = copyRequestHeaders(req.headers);
    // Targets get HTTP/1.1 (the target group's default protocol version), whatever the client spoke.
    if (isHttp2Request(req)) toHttp1Headers(headers, req);
    if (config.dropInvalidHeaderFields) dropInvalidHeaderFields(headers);
    if (config.stripClientMtlsHeaders) stripClientMtlsHeaders(headers, config.headerNames);
    const leaf = conn.chain.presented[0];
    if (config.mode === 'verify' && leaf && conn.tlsVerifyStatus === 'Success') {
      Object.assign(headers, verifyModeHeaders(leaf, config.headerNames, config.headerEncoding));
    } else if (config.mode === 'passthrough') {
      Object.assign(headers, passthroughHeaders(conn.chain.presented, config.headerNames, config.headerEncoding));
    }
    if (config.tlsHeaderNames.enabled) {
      if (conn.tlsProtocol) setHeader(headers, config.tlsHeaderNames.version, conn.tlsProtocol);
      if (conn.tlsCipher) setHeader(headers, config.tlsHeaderNames.cipherSuite, conn.tlsCipher);
    }
    const { traceId } = applyForwardedHeaders(headers, {
      clientIp: conn.clientIp,
      clientPort: conn.clientPort,
      listenerPort: ctx.listenerPort(),
      xffMode: config.xffMode,
      xffClientPort: config.xffClientPort,
      now: receivedAt,
      requestHeaderBytes: headerBlockBytes(regularRawHeaders(req.rawHeaders)),
    });
    const requestProcessing = (performance.now() - started) / 1000;
    const outcome: ForwardOutcome = await forwardRequest(req, res, headers, ctx.forward);
    const answeredByTarget = outcome.targetStatusCode !== null;
    ctx.log(
      accessLogEntry(finishedFacts(base, {
        finishedAt: config.clock(),
        target: outcome.target,
        requestProcessingSeconds: answeredByTarget ? requestProcessing : null,
        targetProcessingSeconds: answeredByTarget ? outcome.targetProcessingSeconds : null,
        responseProcessingSeconds: answeredByTarget ? 0 : null,
        elbStatusCode: outcome.elbStatusCode,
        targetStatusCode: outcome.targetStatusCode,
        sentBytes: answeredByTarget ? outcome.sentBodyBytes : Number(res.getHeader('content-length') ?? 0),
        traceId,
        actionsExecuted: outcome.target ? 'forward' : null,
        errorReason: outcome.errorReason,
      })),
    );
  };
}

/** The log line of a request the ALB answered itself, before any target (403, limits). */
function logLocal(ctx: RequestHandlerContext, base: RequestBase, status: number, errorReason: string | null, bodyBytes: number): void {
  const facts = finishedFacts(base, {
    finishedAt: ctx.config.clock(),
    target: null,
    requestProcessingSeconds: null,
    targetProcessingSeconds: null,
    responseProcessingSeconds: null,
    elbStatusCode: status,
    targetStatusCode: null,
    sentBytes: bodyBytes,
    traceId: null,
    actionsExecuted: null,
    errorReason,
  });
  ctx.log(accessLogEntry(facts));
}

/** What the access log knows of a request when it arrives. */
type RequestBase = Pick<
  RequestFacts,
  | 'type'
  | 'receivedAt'
  | 'elb'
  | 'clientIp'
  | 'clientPort'
  | 'receivedBytes'
  | 'request'
  | 'userAgent'
  | 'sslCipher'
  | 'sslProtocol'
  | 'targetGroupArn'
  | 'domainName'
  | 'connTraceId'
>;

/**
 * A request's facts from what it was and how it ended, written out field by field: the object
 * spread it replaces cost about 10 µs per request (profile of the full path).
 */
function finishedFacts(base: RequestBase, end: Omit<RequestFacts, keyof RequestBase>): RequestFacts {
  return {
    type: base.type,
    receivedAt: base.receivedAt,
    finishedAt: end.finishedAt,
    elb: base.elb,
    clientIp: base.clientIp,
    clientPort: base.clientPort,
    target: end.target,
    requestProcessingSeconds: end.requestProcessingSeconds,
    targetProcessingSeconds: end.targetProcessingSeconds,
    responseProcessingSeconds: end.responseProcessingSeconds,
    elbStatusCode: end.elbStatusCode,
    targetStatusCode: end.targetStatusCode,
    receivedBytes: base.receivedBytes,
    sentBytes: end.sentBytes,
    request: base.request,
    userAgent: base.userAgent,
    sslCipher: base.sslCipher,
    sslProtocol: base.sslProtocol,
    targetGroupArn: base.targetGroupArn,
    traceId: end.traceId,
    domainName: base.domainName,
    actionsExecuted: end.actionsExecuted,
    errorReason: end.errorReason,
    connTraceId: base.connTraceId,
  };
}

/**
 * Node's parser rejected the request before a handler ran (malformed, or a header block over
 * `maxHeaderSize` = 64K): answer 400 like ALB and log it.
 */
export function createClientErrorHandler(ctx: RequestHandlerContext) {
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const now = ctx.config.clock();
    writeRawAlbError(socket, 400, now);
    const conn = connectionState(socket as TLSSocket) ?? fallbackState(socket);
    ctx.log(
      accessLogEntry({
        type: 'https',
        receivedAt: now,
        finishedAt: now,
        elb: ctx.config.loadBalancerId,
        clientIp: conn.clientIp,
        clientPort: conn.clientPort,
        target: null,
        requestProcessingSeconds: null,
        targetProcessingSeconds: null,
        responseProcessingSeconds: null,
        elbStatusCode: 400,
        targetStatusCode: null,
        receivedBytes: 0,
        sentBytes: 0,
        request: '- - -',
        userAgent: null,
        sslCipher: conn.tlsCipher,
        sslProtocol: conn.tlsProtocol,
        targetGroupArn: null,
        traceId: null,
        domainName: null,
        actionsExecuted: null,
        errorReason: err.code === 'HPE_HEADER_OVERFLOW' ? "request headers over ALB's 64K limit" : `malformed request (${err.code ?? err.message})`,
        connTraceId: conn.connTraceId,
      }),
    );
  };
}
