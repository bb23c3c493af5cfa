import type { X509Certificate } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { leafFields } from './leaf-fields.ts';

/** The mTLS header names ALB uses by default, keyed by the suffix of their renaming attribute. */
export const DEFAULT_MTLS_HEADER_NAMES = {
  clientcert: 'X-Amzn-Mtls-Clientcert',
  serial_number: 'X-Amzn-Mtls-Clientcert-Serial-Number',
  issuer: 'X-Amzn-Mtls-Clientcert-Issuer',
  subject: 'X-Amzn-Mtls-Clientcert-Subject',
  validity: 'X-Amzn-Mtls-Clientcert-Validity',
  leaf: 'X-Amzn-Mtls-Clientcert-Leaf',
} as const;

export type MtlsHeaderKey = keyof typeof DEFAULT_MTLS_HEADER_NAMES;
export type MtlsHeaderNames = Record<MtlsHeaderKey, string>;

/** `routing.http.request.x_amzn_mtls_clientcert{,_serial_number,...}.header_name` for a header key. */
export function renamingAttribute(key: MtlsHeaderKey): string {
  return key === 'clientcert'
    ? 'routing.http.request.x_amzn_mtls_clientcert.header_name'
    : `routing.http.request.x_amzn_mtls_clientcert_${key}.header_name`;
}

/** Header names after the listener's renaming attributes (names only; values never change). */
export function mtlsHeaderNames(attributes: Readonly<Record<string, string>>): MtlsHeaderNames {
  const names = { ...DEFAULT_MTLS_HEADER_NAMES } as MtlsHeaderNames;
  for (const key of Object.keys(names) as MtlsHeaderKey[]) {
    const renamed = attributes[renamingAttribute(key)];
    if (renamed) names[key] = renamed;
  }
  return names;
}

/** How PEM is URL-encoded: `literal` keeps `+=/` (real ALBs), `doc-example` percent-encodes `=` as AWS's passthrough example shows. */
export type HeaderEncoding = 'literal' | 'doc-example';

/**
 * URL-encodes PEM text as ALB does: "with +=/ as safe characters". Space -> `%20`, LF -> `%0A`.
 * `encodeURIComponent` then `%2B`, `%3D`, `%2F` back to `+`, `=`, `/` (`=` stays encoded in `doc-example`).
 */
export function urlEncodePem(pem: string, encoding: HeaderEncoding = 'literal'): string {
  let out = encodeURIComponent(pem).replace(/%2B/g, '+').replace(/%2F/g, '/');
  if (encoding === 'literal') out = out.replace(/%3D/g, '=');
  return out;
}

/** PEM of a certificate: 64-column base64, LF line ends, trailing LF (what ALB encodes). */
export function certificatePem(cert: X509Certificate): string {
  const pem = cert.toString();
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}

/**
 * The five verify-mode headers for the leaf. Returns an empty object if the leaf cannot be read
 * (never happens after a Success verdict, which needs a parsable leaf).
 */
export function verifyModeHeaders(
  leaf: X509Certificate,
  names: MtlsHeaderNames,
  encoding: HeaderEncoding = 'literal',
): Readonly<Record<string, string>> {
  // The leaf object lives as long as its connection: every request on it gets the same five headers.
  const cached = verifyHeaderCache.get(leaf);
  if (cached !== undefined && cached.names === names && cached.encoding === encoding) return cached.headers;
  const headers = Object.freeze(buildVerifyModeHeaders(leaf, names, encoding));
  verifyHeaderCache.set(leaf, { names, encoding, headers });
  return headers;
}

const verifyHeaderCache = new WeakMap<X509Certificate, { names: MtlsHeaderNames; encoding: HeaderEncoding; headers: Readonly<Record<string, string>> }>();

function buildVerifyModeHeaders(leaf: X509Certificate, names: MtlsHeaderNames, encoding: HeaderEncoding): Record<string, string> {
  const fields = leafFields(leaf);
  if (!fields) return {};
  return {
    [names.serial_number]: fields.serialNumber,
    [names.issuer]: fields.issuer,
    [names.subject]: fields.subject,
    [names.validity]: fields.validity,
    [names.leaf]: urlEncodePem(certificatePem(leaf), encoding),
  };
}

/** Passthrough's single header: every presented certificate, leaf first, URL-encoded; none when nothing was sent. */
export function passthroughHeaders(
  presented: readonly X509Certificate[],
  names: MtlsHeaderNames,
  encoding: HeaderEncoding = 'literal',
): Record<string, string> {
  if (presented.length === 0) return {};
  return { [names.clientcert]: urlEncodePem(presented.map(certificatePem).join(''), encoding) };
}

// The listener's names object lives as long as the listener: its lower-case set is made once, not per request.
const lowerCaseNames = new WeakMap<MtlsHeaderNames, ReadonlySet<string>>();

/**
 * Removes client-sent headers that could pose as the ALB's: every `x-amzn-mtls-*` header and every
 * renamed mTLS header name. Returns the names removed (lowercase). Mutates `headers`.
 */
export function stripClientMtlsHeaders(headers: IncomingHttpHeaders | Record<string, unknown>, names: MtlsHeaderNames): string[] {
  let renamed = lowerCaseNames.get(names);
  if (renamed === undefined) lowerCaseNames.set(names, (renamed = new Set(Object.values(names).map((n) => n.toLowerCase()))));
  const removed: string[] = [];
  for (const name of Object.keys(headers)) {
    if (name.startsWith('x-amzn-mtls-') || renamed.has(name)) {
      delete headers[name];
      removed.push(name);
    }
  }
  return removed;
}
