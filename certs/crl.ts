import * as x509 from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { signingAlgorithmFor } from './keys.ts';
import { derSerial, displaySerial } from './serial.ts';
import { formatName } from './dn.ts';
import { parseCertificate } from './dn.ts';
import type { CertificateAuthority, CrlFile } from './types.ts';

export interface CrlParams {
  name: string;
  description: string;
  ca: CertificateAuthority;
  /** Serials to revoke, as `CertFacts.serialNumber` (no sign byte). */
  revoke: string[];
  thisUpdate: Date;
  nextUpdate: Date;
}

/**
 * A CRL in the form OpenSSL, Node's `crl` option and ALB accept: PEM labelled `X509 CRL` (the
 * library's own `toString('pem')` writes `BEGIN CRL`, which OpenSSL rejects) and serials written
 * with their sign byte (without it, half of all serials would be revoked as negative numbers).
 */
export async function createCrl(p: CrlParams): Promise<CrlFile> {
  const issuer = parseCertificate(p.ca.x509).tbsCertificate.subject;
  const crl = await x509.X509CrlGenerator.create({
    issuer: new x509.Name(AsnConvert.serialize(issuer)),
    thisUpdate: p.thisUpdate,
    nextUpdate: p.nextUpdate,
    signingAlgorithm: signingAlgorithmFor(p.ca.keys.privateKey),
    signingKey: p.ca.keys.privateKey,
    entries: p.revoke.map((serial) => ({
      serialNumber: derSerial(serial),
      revocationDate: p.thisUpdate,
      reason: x509.X509CrlReason.keyCompromise,
    })),
  });
  return {
    name: p.name,
    description: p.description,
    pem: `${x509.PemConverter.encode(crl.rawData, 'X509 CRL')}\n`.replace(/\n\n$/, '\n'),
    issuer: formatName(issuer),
    revokedSerials: p.revoke.map(displaySerial),
    thisUpdate: p.thisUpdate,
    nextUpdate: p.nextUpdate,
  };
}
