import type { X509Certificate } from 'node:crypto';
import type { TBSCertificate } from '@peculiar/asn1-x509';
import { certModel } from './model.ts';
import type { CertFacts, KeyType } from '../pki/types.ts';

/**
 * The PKI manifest's facts about a certificate: a view of the certificate model (certs/x509/model.ts),
 * read from the certificate itself, never from what we meant to issue. `tbs`, when given, must be
 * the TBSCertificate serialized into `cert` (saves the factory one ASN.1 parse).
 */
export function certFacts(cert: X509Certificate, tbs?: TBSCertificate): CertFacts {
  const m = certModel(cert, tbs);
  return {
    serialNumber: m.serialHex,
    subject: m.subject,
    issuer: m.issuer,
    notBefore: m.notBefore ?? new Date(cert.validFrom),
    notAfter: m.notAfter ?? new Date(cert.validTo),
    keyType: keyType(m.key.kind, m.key.bits),
    keyBits: m.key.bits,
    signatureAlgorithm: m.signature.name.replace(/^rsassaPss\(.*\)$/, 'rsassaPss'),
    version: m.version === 1 ? 1 : 3,
    selfSigned: m.selfSigned,
    fingerprint256: m.fingerprint256,
  };
}

function keyType(kind: string, bits: number): KeyType {
  if (kind === 'ec') return `ec-p${bits}` as KeyType;
  if (kind === 'rsa' || kind === 'rsa-pss') return `rsa-${bits}` as KeyType;
  if (kind === 'ed25519') return 'ed25519';
  throw new Error(`unsupported key type ${kind}`);
}
