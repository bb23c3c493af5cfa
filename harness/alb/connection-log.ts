import { randomBytes, type X509Certificate } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { isTlsVerifyStatus } from '../../certs/alb-codes.ts';
import { UserError } from '../errors.ts';
import type { LeafFields } from './leaf-fields.ts';
import type { ConnectionLogEntry, TlsVerifyStatus } from './types.ts';

/** The 15 connection-log fields, in AWS's order (load-balancer-connection-logs.html). */
export const CONNECTION_LOG_FIELDS = [
  'timestamp',
  'client_ip',
  'client_port',
  'listener_port',
  'tls_protocol',
  'tls_cipher',
  'tls_handshake_latency',
  'leaf_client_cert_subject',
  'leaf_client_cert_validity',
  'leaf_client_cert_serial_number',
  'tls_verify_status',
  'conn_trace_id',
  'tls_keyexchange',
  'elb',
  'ip_address',
] as const;

/** `TID_` + 32 lowercase hex digits, shared by the connection entry and every access entry on it. */
export function newConnTraceId(): string {
  return `TID_${randomBytes(16).toString('hex')}`;
}

/**
 * ISO 8601 with microseconds (`2023-10-04T17:05:15.514108Z`). The clock gives milliseconds; the
 * sub-millisecond digits come from the monotonic timer, so they are real but not reproducible.
 */
export function microsecondTimestamp(date: Date, micros: number = subMillisecondDigits()): string {
  return date.toISOString().replace(/Z$/, `${String(micros).padStart(3, '0')}Z`);
}

/** The three digits after the milliseconds: the monotonic clock's sub-millisecond part (0-999). */
export function subMillisecondDigits(): number {
  return Math.floor((performance.now() % 1) * 1000);
}

/** What the listener knows about one connection when it is established or fails. */
export interface ConnectionFacts {
  at: Date;
  clientIp: string;
  clientPort: number;
  listenerPort: number;
  /** `TLSv1.2`, `TLSv1.3`; null = unknown (handshake failed early). */
  tlsProtocol: string | null;
  /** OpenSSL cipher name; null = unknown. */
  tlsCipher: string | null;
  /** Seconds from TCP accept to handshake completion; null = the handshake failed. */
  handshakeLatencySeconds: number | null;
  /** Leaf fields; null when mTLS is off, no certificate was sent, or it did not parse. */
  leaf: LeafFields | null;
  tlsVerifyStatus: TlsVerifyStatus | '-';
  connTraceId: string;
  /** Key-exchange group; null = unknown (Node does not expose the server's negotiated group). */
  tlsKeyExchange: string | null;
  elb: string;
  ipAddress: string;
  opensslAuthorizationError?: string;
  reason?: string;
  presentedChain?: readonly X509Certificate[];
}

const dash = (value: string | null | undefined): string => (value === null || value === undefined || value === '' ? '-' : value);

/** Builds the entry and its raw line. */
export function connectionLogEntry(facts: ConnectionFacts): ConnectionLogEntry {
  const fields = {
    timestamp: microsecondTimestamp(facts.at),
    clientIp: facts.clientIp,
    clientPort: facts.clientPort,
    listenerPort: facts.listenerPort,
    tlsProtocol: dash(facts.tlsProtocol),
    tlsCipher: dash(facts.tlsCipher),
    tlsHandshakeLatency: facts.handshakeLatencySeconds === null ? '-' : facts.handshakeLatencySeconds.toFixed(3),
    // The parsed entry holds the bare DN; only the raw line quotes it.
    leafClientCertSubject: facts.leaf ? facts.leaf.subject : '-',
    leafClientCertValidity: facts.leaf ? facts.leaf.validity : '-',
    leafClientCertSerialNumber: facts.leaf ? facts.leaf.serialNumber : '-',
    tlsVerifyStatus: facts.tlsVerifyStatus,
    connTraceId: facts.connTraceId,
    tlsKeyExchange: dash(facts.tlsKeyExchange),
    elb: facts.elb,
    ipAddress: facts.ipAddress,
  };
  const raw = [
    fields.timestamp,
    fields.clientIp,
    fields.clientPort,
    fields.listenerPort,
    fields.tlsProtocol,
    fields.tlsCipher,
    fields.tlsHandshakeLatency,
    facts.leaf ? `"${facts.leaf.subject}"` : '-',
    fields.leafClientCertValidity,
    fields.leafClientCertSerialNumber,
    fields.tlsVerifyStatus,
    fields.connTraceId,
    fields.tlsKeyExchange,
    fields.elb,
    fields.ipAddress,
  ].join(' ');
  const entry: ConnectionLogEntry = { ...fields, raw };
  if (facts.opensslAuthorizationError !== undefined) entry.opensslAuthorizationError = facts.opensslAuthorizationError;
  if (facts.reason !== undefined) entry.reason = facts.reason;
  // Not enumerable: the entry's data (equality, JSON) stays what the log line says.
  if (facts.presentedChain?.length) Object.defineProperty(entry, 'presentedChain', { value: facts.presentedChain, enumerable: false });
  return entry;
}

/** Splits a log line on spaces, keeping `"..."` fields (with `\"` escapes) whole. */
export function splitLogLine(line: string): string[] {
  const out: string[] = [];
  const token = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const match of line.matchAll(token)) out.push(match[0]);
  return out;
}

/** `"x"` -> `x`; anything else unchanged. */
export function unquote(field: string): string {
  return field.length >= 2 && field.startsWith('"') && field.endsWith('"') ? field.slice(1, -1) : field;
}

/** Parses a raw connection-log line back into an entry (the inverse of `connectionLogEntry`). */
export function parseConnectionLogLine(raw: string): ConnectionLogEntry {
  const parts = splitLogLine(raw);
  if (parts.length < CONNECTION_LOG_FIELDS.length) {
    throw new UserError('HARNESS_ERR_LOG_LINE', `parseConnectionLogLine: the line has ${parts.length} fields, an ALB connection-log line has ${CONNECTION_LOG_FIELDS.length}: ${raw.slice(0, 200)}`);
  }
  const p = (i: number) => parts[i]!;
  const status = p(10);
  return {
    timestamp: p(0),
    clientIp: p(1),
    clientPort: Number(p(2)),
    listenerPort: Number(p(3)),
    tlsProtocol: p(4),
    tlsCipher: p(5),
    tlsHandshakeLatency: p(6),
    leafClientCertSubject: unquote(p(7)),
    leafClientCertValidity: p(8),
    leafClientCertSerialNumber: p(9),
    tlsVerifyStatus: status === '-' || isTlsVerifyStatus(status) ? status : '-',
    connTraceId: p(11),
    tlsKeyExchange: p(12),
    elb: p(13),
    ipAddress: p(14),
    raw,
  };
}
