import type { IncomingMessage } from 'node:http';
import { countXffAddresses } from './forwarded-headers.ts';

/** ALB request limits (load-balancer-limits.html; none adjustable). */
export const ALB_REQUEST_LIMITS = {
  /** Request line, and any single header line, in bytes. */
  singleHeaderBytes: 16 * 1024,
  /** The whole request header block, in bytes. Also given to Node as `maxHeaderSize`. */
  headerBlockBytes: 64 * 1024,
  /** X-Forwarded-For addresses; more gives 463. */
  xffAddresses: 30,
} as const;

export interface LimitViolation {
  status: 400 | 463;
  /** One sentence for logs. */
  reason: string;
}

/**
 * Checks a parsed request against ALB's limits. A header block over 64K never gets here: Node's parser
 * stops at `maxHeaderSize` and the listener answers 400 from `clientError`.
 */
export function checkRequestLimits(req: IncomingMessage): LimitViolation | null {
  const requestLine = `${req.method} ${req.url} HTTP/${req.httpVersion}`;
  if (Buffer.byteLength(requestLine) > ALB_REQUEST_LIMITS.singleHeaderBytes) {
    return { status: 400, reason: `request line is ${Buffer.byteLength(requestLine)} bytes, over ALB's 16K limit` };
  }
  let total = Buffer.byteLength(requestLine) + 2;
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.startsWith(':')) continue; // an HTTP/2 pseudo-header: counted in the request line above
    const line = Buffer.byteLength(raw[i]!) + 2 + Buffer.byteLength(raw[i + 1]!);
    if (line > ALB_REQUEST_LIMITS.singleHeaderBytes) {
      return { status: 400, reason: `header '${raw[i]}' is ${line} bytes, over ALB's 16K single-header limit` };
    }
    total += line + 2;
  }
  if (total > ALB_REQUEST_LIMITS.headerBlockBytes) {
    return { status: 400, reason: `request headers are ${total} bytes, over ALB's 64K limit` };
  }
  const xff = req.headers['x-forwarded-for'];
  const count = countXffAddresses(Array.isArray(xff) ? xff.join(',') : xff);
  if (count > ALB_REQUEST_LIMITS.xffAddresses) {
    return { status: 463, reason: `X-Forwarded-For holds ${count} addresses, over ALB's limit of 30` };
  }
  return null;
}
