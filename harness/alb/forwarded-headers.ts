import { randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { deleteHeader, getHeader, setHeader, type OutgoingHeaders } from './outgoing-headers.ts';

/** `routing.http.xff_header_processing.mode`. Default `append`. */
/** `routing.http.xff_header_processing.mode` values. */
export const XFF_MODES = ['append', 'preserve', 'remove'] as const;
export type XffMode = (typeof XFF_MODES)[number];

export interface ForwardedContext {
  clientIp: string;
  clientPort: number;
  /** The listener port the client connected to (X-Forwarded-Port). */
  listenerPort: number;
  xffMode: XffMode;
  /** `routing.http.xff_client_port.enabled`. Default false. */
  xffClientPort: boolean;
  now: Date;
  /**
   * Bytes of the client's header block (`Name: value` CRLF per header). AWS: "If the HTTP headers
   * exceed 7 KB, the load balancer rewrites the X-Amzn-Trace-Id header with a Root field". Default:
   * the trace header's own size.
   */
  requestHeaderBytes?: number;
}

/** `::ffff:1.2.3.4` (IPv4 on a dual-stack socket) -> `1.2.3.4`; other addresses unchanged. */
export function plainIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/** The client's XFF entry: `1.2.3.4`, or with the port option `1.2.3.4:8080` / `[2001:db8::1]:8080`. */
export function xffClientEntry(ip: string, port: number, withPort: boolean): string {
  const addr = plainIp(ip);
  if (!withPort) return addr;
  return isIPv6(addr) ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** Number of addresses in an X-Forwarded-For value (comma-separated, empty entries ignored). */
export function countXffAddresses(value: string | undefined): number {
  if (!value) return 0;
  return value.split(',').filter((part) => part.trim() !== '').length;
}

/** `1-<8 hex epoch seconds>-<24 hex>`: one X-Ray trace id segment. */
export function newTraceIdValue(now: Date): string {
  const epoch = Math.floor(now.getTime() / 1000).toString(16).padStart(8, '0');
  return `1-${epoch}-${randomHex24()}`;
}

// One random draw serves many trace ids (12 bytes = 24 hex digits each), hex-encoded once: a crypto
// call and an encoding per request cost more than the id is worth.
const RANDOM_POOL_BYTES = 12 * 256;
let randomHexPool = '';
let randomOffset = 0;

function randomHex24(): string {
  if (randomOffset + 24 > randomHexPool.length) {
    randomHexPool = randomBytes(RANDOM_POOL_BYTES).toString('hex');
    randomOffset = 0;
  }
  const hex = randomHexPool.slice(randomOffset, randomOffset + 24);
  randomOffset += 24;
  return hex;
}

/** Above this size of the request's HTTP headers ALB discards the incoming trace header and starts a fresh Root (request-tracing docs). */
export const TRACE_HEADER_MAX_BYTES = 7 * 1024;

/** Bytes of a request's header block as received: `Name: value` plus CRLF per header (rawHeaders). */
export function headerBlockBytes(rawHeaders: readonly string[]): number {
  let n = 0;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) n += Buffer.byteLength(rawHeaders[i]!) + 2 + Buffer.byteLength(rawHeaders[i + 1]!) + 2;
  return n;
}

/**
 * The X-Amzn-Trace-Id the ALB forwards (load-balancer-request-tracing.html):
 * - none, or request headers over 7 KB (`headerBytes`, default the trace header's own size) -> `Root=1-...`;
 * - a Root and a Self -> Self's value is replaced, everything else kept in place;
 * - a Root, no Self -> `Self=1-...;` inserted in front, custom fields kept;
 * - no Root (custom fields only) -> `Root=1-...;` inserted in front, custom fields kept.
 */
export function traceIdHeader(incoming: string | undefined, now: Date, headerBytes?: number): string {
  const fresh = newTraceIdValue(now);
  if (!incoming || incoming.trim() === '') return `Root=${fresh}`;
  if ((headerBytes ?? Buffer.byteLength(incoming)) > TRACE_HEADER_MAX_BYTES) return `Root=${fresh}`;
  const fields = incoming.split(';').filter((f) => f.trim() !== '');
  const key = (field: string) => field.split('=')[0]!.trim();
  const selfIndex = fields.findIndex((f) => key(f) === 'Self');
  if (fields.some((f) => key(f) === 'Root')) {
    if (selfIndex >= 0) {
      fields[selfIndex] = `Self=${fresh}`;
      return fields.join(';');
    }
    return [`Self=${fresh}`, ...fields].join(';');
  }
  return [`Root=${fresh}`, ...fields].join(';');
}

/**
 * Applies X-Forwarded-For/-Proto/-Port and X-Amzn-Trace-Id to the outgoing headers (mutates them).
 * Returns the trace header value (it goes in the access log).
 */
export function applyForwardedHeaders(headers: OutgoingHeaders, ctx: ForwardedContext): { traceId: string } {
  const entry = xffClientEntry(ctx.clientIp, ctx.clientPort, ctx.xffClientPort);
  const existing = getHeader(headers, 'x-forwarded-for');
  if (ctx.xffMode === 'append') {
    setHeader(headers, 'X-Forwarded-For', existing && existing.trim() !== '' ? `${existing}, ${entry}` : entry);
  } else if (ctx.xffMode === 'remove') {
    deleteHeader(headers, 'x-forwarded-for');
  }
  setHeader(headers, 'X-Forwarded-Proto', 'https');
  setHeader(headers, 'X-Forwarded-Port', String(ctx.listenerPort));
  const traceId = traceIdHeader(getHeader(headers, 'x-amzn-trace-id'), ctx.now, ctx.requestHeaderBytes);
  setHeader(headers, 'X-Amzn-Trace-Id', traceId);
  return { traceId };
}
