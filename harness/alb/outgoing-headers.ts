import type { IncomingHttpHeaders } from 'node:http';

/**
 * The headers the ALB sends to a target: lowercase keys for what the client sent, the ALB's own
 * headers with their canonical (or renamed) case. Names compare case-insensitively.
 */
export type OutgoingHeaders = Record<string, string | string[]>;

/** A copy of the client's headers, minus hop-by-hop ones an HTTP proxy must not forward (RFC 9110 §7.6.1). */
export function copyRequestHeaders(incoming: IncomingHttpHeaders): OutgoingHeaders {
  const out: OutgoingHeaders = {};
  const connection = incoming.connection;
  // Most requests name only keep-alive (hop-by-hop anyway) or nothing in Connection: no list then.
  const connectionListed =
    connection === undefined || /^\s*keep-alive\s*$/i.test(connection)
      ? undefined
      : connection
          .split(',')
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean);
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || HOP_BY_HOP.has(name) || connectionListed?.includes(name)) continue;
    out[name] = value;
  }
  return out;
}

export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Finds a header regardless of case. */
export function getHeader(headers: OutgoingHeaders, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const key in headers) {
    // Names of another length cannot match: most keys are skipped without lower-casing them.
    if (key.length !== lower.length || key.toLowerCase() !== lower) continue;
    const value = headers[key]!;
    return Array.isArray(value) ? value.join(', ') : value;
  }
  return undefined;
}

/** Removes every spelling of a header. */
export function deleteHeader(headers: OutgoingHeaders, name: string): void {
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) if (key.length === lower.length && key.toLowerCase() === lower) delete headers[key];
}

/** Sets a header, replacing any other spelling of the same name. */
export function setHeader(headers: OutgoingHeaders, name: string, value: string): void {
  deleteHeader(headers, name);
  headers[name] = value;
}

/** A header name ALB keeps when `routing.http.drop_invalid_header_fields.enabled` is true. */
const VALID_HEADER_NAME = /^[-A-Za-z0-9]+$/;

/**
 * `routing.http.drop_invalid_header_fields.enabled=true`: removes every client header whose name is not
 * letters, digits and hyphens (e.g. `X_Amzn_Mtls_Clientcert_Subject`, which some servers read as the
 * hyphenated ALB header). With the attribute false (AWS's default) such headers reach the target.
 */
export function dropInvalidHeaderFields(headers: OutgoingHeaders): string[] {
  const dropped = Object.keys(headers).filter((name) => !VALID_HEADER_NAME.test(name));
  for (const name of dropped) delete headers[name];
  return dropped;
}
