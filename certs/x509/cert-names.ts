import { X509Certificate } from 'node:crypto';
import { formatName, parseCertificate } from './dn.ts';
import { certModel } from './model.ts';

/** Subject DN of a certificate (Node X509Certificate: from the certificate model; or DER), RFC 2253. */
export function subjectRfc2253(cert: X509Certificate | Uint8Array): string {
  if (cert instanceof X509Certificate) {
    const m = certModel(cert);
    if (!m.structureError) return m.subject;
  }
  return formatName(parseCertificate(cert).tbsCertificate.subject);
}

/** Issuer DN of a certificate (Node X509Certificate: from the certificate model; or DER), RFC 2253. */
export function issuerRfc2253(cert: X509Certificate | Uint8Array): string {
  if (cert instanceof X509Certificate) {
    const m = certModel(cert);
    if (!m.structureError) return m.issuer;
  }
  return formatName(parseCertificate(cert).tbsCertificate.issuer);
}
