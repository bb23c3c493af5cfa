import { UserError } from '../errors.ts';
import { microsecondTimestamp, splitLogLine, subMillisecondDigits, unquote } from './connection-log.ts';
import type { AccessLogEntry } from './types.ts';

/**
 * ALB access-log fields in AWS's order (load-balancer-access-logs.html); `quoted` fields are written
 * inside double quotes. `conn_trace_id` follows `classification_reason`, as in the current format.
 */
export const ACCESS_LOG_FIELDS: ReadonlyArray<{ name: string; quoted: boolean }> = [
  { name: 'type', quoted: false },
  { name: 'time', quoted: false },
  { name: 'elb', quoted: false },
  { name: 'client:port', quoted: false },
  { name: 'target:port', quoted: false },
  { name: 'request_processing_time', quoted: false },
  { name: 'target_processing_time', quoted: false },
  { name: 'response_processing_time', quoted: false },
  { name: 'elb_status_code', quoted: false },
  { name: 'target_status_code', quoted: false },
  { name: 'received_bytes', quoted: false },
  { name: 'sent_bytes', quoted: false },
  { name: 'request', quoted: true },
  { name: 'user_agent', quoted: true },
  { name: 'ssl_cipher', quoted: false },
  { name: 'ssl_protocol', quoted: false },
  { name: 'target_group_arn', quoted: false },
  { name: 'trace_id', quoted: true },
  { name: 'domain_name', quoted: true },
  { name: 'chosen_cert_arn', quoted: true },
  { name: 'matched_rule_priority', quoted: false },
  { name: 'request_creation_time', quoted: false },
  { name: 'actions_executed', quoted: true },
  { name: 'redirect_url', quoted: true },
  { name: 'error_reason', quoted: true },
  { name: 'target:port_list', quoted: true },
  { name: 'target_status_code_list', quoted: true },
  { name: 'classification', quoted: true },
  { name: 'classification_reason', quoted: true },
  { name: 'conn_trace_id', quoted: false },
  { name: 'transformed_host', quoted: true },
  { name: 'transformed_uri', quoted: true },
  { name: 'request_transform_status', quoted: true },
];

/** One request as the listener saw it. Missing values are written as `-`. */
export interface RequestFacts {
  /** `https`, or `h2` for HTTP/2 over TLS (the access log's first field). */
  type: 'https' | 'h2';
  /** When the request arrived (request_creation_time) and when the response finished (time). */
  receivedAt: Date;
  finishedAt: Date;
  elb: string;
  clientIp: string;
  clientPort: number;
  /** `host:port` of the target, or null when no target was reached (503, limits, 403). */
  target: string | null;
  /** Seconds; null = -1 (AWS's value when the step did not happen). */
  requestProcessingSeconds: number | null;
  targetProcessingSeconds: number | null;
  responseProcessingSeconds: number | null;
  elbStatusCode: number;
  targetStatusCode: number | null;
  receivedBytes: number;
  sentBytes: number;
  /** `GET https://host:443/path HTTP/1.1`, or `- - -` when no request line was parsed. */
  request: string;
  userAgent: string | null;
  sslCipher: string | null;
  sslProtocol: string | null;
  targetGroupArn: string | null;
  traceId: string | null;
  domainName: string | null;
  actionsExecuted: string | null;
  errorReason: string | null;
  connTraceId: string;
}

const seconds = (value: number | null): string => (value === null ? '-1' : value.toFixed(3));
const orDash = (value: string | number | null | undefined): string =>
  value === null || value === undefined || value === '' ? '-' : String(value);
// Quotes inside a quoted field are escaped so the line stays splittable.
const quote = (value: string): string => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/**
 * Builds the access-log entry for one request. `fields` and `raw` are formatted on first read,
 * from the facts and the sub-millisecond digits taken now: a log file reads `raw` at once, an
 * in-memory log that nobody reads costs no formatting.
 */
export function accessLogEntry(facts: RequestFacts): AccessLogEntry {
  const finishedMicros = subMillisecondDigits();
  const receivedMicros = subMillisecondDigits();
  let formatted: { fields: Record<string, string>; raw: string } | undefined;
  return {
    get fields() {
      return (formatted ??= formatEntry(facts, finishedMicros, receivedMicros)).fields;
    },
    connTraceId: facts.connTraceId,
    elbStatusCode: facts.elbStatusCode,
    targetStatusCode: facts.targetStatusCode,
    get raw() {
      return (formatted ??= formatEntry(facts, finishedMicros, receivedMicros)).raw;
    },
  };
}

function formatEntry(facts: RequestFacts, finishedMicros: number, receivedMicros: number): { fields: Record<string, string>; raw: string } {
  const values: Record<string, string> = {
    type: facts.type,
    time: microsecondTimestamp(facts.finishedAt, finishedMicros),
    elb: facts.elb,
    'client:port': `${facts.clientIp}:${facts.clientPort}`,
    'target:port': orDash(facts.target),
    request_processing_time: seconds(facts.requestProcessingSeconds),
    target_processing_time: seconds(facts.targetProcessingSeconds),
    response_processing_time: seconds(facts.responseProcessingSeconds),
    elb_status_code: String(facts.elbStatusCode),
    target_status_code: orDash(facts.targetStatusCode),
    received_bytes: String(facts.receivedBytes),
    sent_bytes: String(facts.sentBytes),
    request: facts.request,
    user_agent: orDash(facts.userAgent),
    ssl_cipher: orDash(facts.sslCipher),
    ssl_protocol: orDash(facts.sslProtocol),
    target_group_arn: orDash(facts.targetGroupArn),
    trace_id: orDash(facts.traceId),
    domain_name: orDash(facts.domainName),
    chosen_cert_arn: '-',
    matched_rule_priority: '0',
    request_creation_time: microsecondTimestamp(facts.receivedAt, receivedMicros),
    actions_executed: orDash(facts.actionsExecuted),
    redirect_url: '-',
    error_reason: orDash(facts.errorReason),
    'target:port_list': orDash(facts.target),
    target_status_code_list: orDash(facts.targetStatusCode),
    classification: '-',
    classification_reason: '-',
    conn_trace_id: facts.connTraceId,
    transformed_host: '-',
    transformed_uri: '-',
    request_transform_status: '-',
  };
  const raw = ACCESS_LOG_FIELDS.map(({ name, quoted }) => (quoted ? quote(values[name]!) : values[name]!)).join(' ');
  return { fields: values, raw };
}

/** Parses a raw access-log line (the inverse of `accessLogEntry`). */
export function parseAccessLogLine(raw: string): AccessLogEntry {
  const parts = splitLogLine(raw);
  if (parts.length < ACCESS_LOG_FIELDS.length) {
    throw new UserError('HARNESS_ERR_LOG_LINE', `parseAccessLogLine: the line has ${parts.length} fields, an ALB access-log line has ${ACCESS_LOG_FIELDS.length}: ${raw.slice(0, 200)}`);
  }
  const fields: Record<string, string> = {};
  ACCESS_LOG_FIELDS.forEach(({ name, quoted }, i) => {
    const part = parts[i]!;
    fields[name] = quoted ? unquote(part).replace(/\\(["\\])/g, '$1') : part;
  });
  const target = fields.target_status_code!;
  return {
    fields,
    connTraceId: fields.conn_trace_id!,
    elbStatusCode: Number(fields.elb_status_code),
    targetStatusCode: target === '-' ? null : Number(target),
    raw,
  };
}
