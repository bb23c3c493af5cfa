import type { X509Certificate } from 'node:crypto';
import { issuerRfc2253, subjectRfc2253 } from '../../certs/x509/dn.ts';

/** The leaf facts ALB prints in its headers and connection log, in ALB's formats. */
export interface LeafFields {
  /** Uppercase hex, whole bytes, no sign byte (Node's `serialNumber`), e.g. `03A5B1`. */
  serialNumber: string;
  /** RFC 2253, CN first. */
  subject: string;
  issuer: string;
  /** `NotBefore=2023-09-21T01:50:17Z;NotAfter=2024-09-20T01:50:17Z` (whole seconds). */
  validity: string;
}

/** ISO 8601 UTC in whole seconds: `2023-09-21T01:50:17Z`. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// DN formatting parses the whole certificate with asn1-schema (milliseconds). A client presents the
// same certificate on every connection, so the fields are cached by fingerprint (bounded).
const cache = new Map<string, LeafFields>();
const CACHE_LIMIT = 512;

/** ALB's leaf fields, or null when the certificate cannot be parsed (ALB then logs `-`). */
export function leafFields(cert: X509Certificate | undefined): LeafFields | null {
  if (!cert) return null;
  const key = cert.fingerprint256;
  const hit = cache.get(key);
  if (hit) return hit;
  const fields = computeLeafFields(cert);
  if (fields) {
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(key, fields);
  }
  return fields;
}

function computeLeafFields(cert: X509Certificate): LeafFields | null {
  try {
    return {
      serialNumber: cert.serialNumber.toUpperCase(),
      subject: subjectRfc2253(cert),
      issuer: issuerRfc2253(cert),
      validity: `NotBefore=${isoSeconds(new Date(cert.validFrom))};NotAfter=${isoSeconds(new Date(cert.validTo))}`,
    };
  } catch {
    return null;
  }
}
