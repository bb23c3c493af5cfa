import type { X509Certificate } from 'node:crypto';
import { certModel } from '../../certs/x509/model.ts';

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

/** ALB's leaf fields (a view of the certificate model), or null when the certificate cannot be read (ALB then logs `-`). */
export function leafFields(cert: X509Certificate | undefined): LeafFields | null {
  if (!cert) return null;
  const m = certModel(cert);
  if (m.structureError) return null;
  const notBefore = m.notBefore ?? safeDate(cert.validFrom);
  const notAfter = m.notAfter ?? safeDate(cert.validTo);
  return {
    serialNumber: m.serialHex,
    subject: m.subject,
    issuer: m.issuer,
    validity: notBefore && notAfter ? `NotBefore=${isoSeconds(notBefore)};NotAfter=${isoSeconds(notAfter)}` : '-',
  };
}

function safeDate(text: string): Date | undefined {
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
