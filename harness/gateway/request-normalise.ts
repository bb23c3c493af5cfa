import { randomUUID } from 'node:crypto';
import type { CompatFlags } from './compat.ts';

/** Headers the runtime always removes from an incoming request (the edge's own mTLS/geo plumbing). */
export const ALWAYS_STRIPPED = [
  'zp-client-cert',
  'zp-mtls-status',
  'zp-mtls-failure-reason',
  'zp-mtls-cert-fingerprint-sha256',
  'zp-mtls-cert-not-before',
  'zp-mtls-cert-not-after',
  'zp-mtls-cert-issuer-dn',
  'zp-mtls-cert-subject-dn',
  'x-akamai-edgescape',
  'zp-local-service',
] as const;

const ALWAYS_STRIPPED_SET: ReadonlySet<string> = new Set(ALWAYS_STRIPPED);

/** From compat 2024-01-15 every `zp-*` / `cf-*` header goes, except these. */
export const INTERNAL_KEPT = new Set(['zp-rid', 'cf-ray', 'zp-body-removed']);

// Before 2024-01-15 only the geo headers went.
const LEGACY_GEO = /^(?:cf-ip|cf-region|cf-metro-code$|cf-postal-code$|cf-timezone$|zp-asn$|zp-colo$|zp-region$|zp-country$)/;

export interface IncomingRequest {
  method: string;
  /** Absolute URL as the gateway received it (`http://<host header><path>`). */
  url: string;
  headers: Headers;
  /** Whether the client sent a body (content-length > 0, or chunked). */
  hasBody: boolean;
  /** `headers` were made for this call: they are edited in place rather than copied. Default false. */
  ownsHeaders?: boolean;
  /** `url` already parsed, made for this call (it is edited in place rather than parsed again). */
  parsedUrl?: URL;
}

export interface NormalisedRequest {
  /** The URL after the `x-forwarded-proto` / `x-forwarded-scheme` / `x-scheme` rewrite. */
  url: string;
  /** The same URL, parsed. */
  parsedUrl: URL;
  /** A new Headers: stripped, with `zp-rid` (and `zp-body-removed` when applicable). */
  headers: Headers;
  requestId: string;
  /** GET/HEAD arrived with a body: it must not be read or forwarded. */
  dropBody: boolean;
}

/** Applies the runtime's request normalisation (what it strips, adds and rewrites before any handler runs). Pure apart from the UUID. */
export function normaliseRequest(incoming: IncomingRequest, flags: CompatFlags): NormalisedRequest {
  const headers = incoming.ownsHeaders ? incoming.headers : new Headers(incoming.headers);
  const requestId = headers.get('zp-rid') || headers.get('zuplo-request-id') || randomUUID();

  // One pass over the names present (Headers lists them lower-case) rather than a delete per
  // always-stripped name: each delete validates its argument, present or not.
  const names: string[] = [];
  headers.forEach((_value, name) => names.push(name));
  for (const name of names) {
    if (ALWAYS_STRIPPED_SET.has(name)) headers.delete(name);
    else if (flags.stripAllInternalHeaders) {
      if ((name.startsWith('zp-') || name.startsWith('cf-')) && !INTERNAL_KEPT.has(name)) headers.delete(name);
    } else if (LEGACY_GEO.test(name)) {
      headers.delete(name);
    }
  }
  if (flags.stripAllInternalHeaders) headers.delete('x-real-ip');
  headers.set('zp-rid', requestId);

  const method = incoming.method.toUpperCase();
  const dropBody = (method === 'GET' || method === 'HEAD') && incoming.hasBody;
  if (dropBody) {
    headers.delete('content-length');
    headers.delete('transfer-encoding');
    headers.set('zp-body-removed', 'true');
  }

  const url = incoming.parsedUrl ?? new URL(incoming.url);
  const scheme = headers.get('x-forwarded-proto') ?? headers.get('x-forwarded-scheme') ?? headers.get('x-scheme');
  if (scheme) {
    const first = scheme.split(',')[0]!.trim().toLowerCase();
    if (/^[a-z][a-z0-9+.-]*$/.test(first)) url.protocol = `${first}:`;
  }
  return { url: url.href, parsedUrl: url, headers, requestId, dropBody };
}
