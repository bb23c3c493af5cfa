import { KeyObject, sign as nodeSign, type webcrypto } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';
import { derBitString, derSequence } from '../x509/der.ts';
import { formatName, parseCertificate } from '../x509/dn.ts';
import { derToPem } from '../x509/pem.ts';
import { derSerial, displaySerial } from '../x509/serial.ts';
import { publicKeyInfo, signatureAlgorithm } from './issue.ts';
import type { CertificateAuthority, CrlFile } from './types.ts';

export interface CrlParams {
  name: string;
  description: string;
  ca: CertificateAuthority;
  /** Serials to revoke, as `CertFacts.serialNumber` (no sign byte). */
  revoke: string[];
  thisUpdate: Date;
  nextUpdate: Date;
  /** CRL number extension. Default 1. */
  crlNumber?: number;
}

/**
 * A v2 CRL in the form OpenSSL, Node's `crl` option and ALB accept: PEM labelled `X509 CRL` (not
 * `BEGIN CRL`, which OpenSSL rejects), and serials written with their DER sign byte (without it a
 * serial whose first byte is >= 0x80 would be revoked as a negative number, and never match).
 */
export function createCrl(p: CrlParams): CrlFile {
  const issuer = parseCertificate(p.ca.x509).tbsCertificate.subject;
  const { algorithm, digest } = signatureAlgorithm(p.ca.keys.privateKey);
  const ext = (oid: string, value: object) => new asn.Extension({ extnID: oid, extnValue: new OctetString(AsnConvert.serialize(value)) });
  const tbs = new asn.TBSCertList({
    version: asn.Version.v2,
    signature: algorithm,
    issuer,
    thisUpdate: new asn.Time(p.thisUpdate),
    nextUpdate: new asn.Time(p.nextUpdate),
    revokedCertificates: p.revoke.length
      ? p.revoke.map((serial) => new asn.RevokedCertificate({
          userCertificate: Uint8Array.from(Buffer.from(derSerial(serial), 'hex')).buffer,
          revocationDate: new asn.Time(p.thisUpdate),
          crlEntryExtensions: [ext(asn.id_ce_cRLReasons, new asn.CRLReason(asn.CRLReasons.keyCompromise))],
        }))
      : undefined,
    crlExtensions: [
      ext(asn.id_ce_authorityKeyIdentifier, new asn.AuthorityKeyIdentifier({ keyIdentifier: new asn.KeyIdentifier(publicKeyInfo(p.ca.keys.publicKey).keyId) })),
      ext(asn.id_ce_cRLNumber, new asn.CRLNumber(p.crlNumber ?? 1)),
    ],
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signature = nodeSign(digest, tbsDer, KeyObject.from(p.ca.keys.privateKey as unknown as webcrypto.CryptoKey));
  const der = derSequence(tbsDer, Buffer.from(AsnConvert.serialize(algorithm)), derBitString(signature));
  return {
    name: p.name,
    description: p.description,
    pem: derToPem(der, 'X509 CRL'),
    issuer: formatName(issuer),
    revokedSerials: p.revoke.map(displaySerial),
    thisUpdate: p.thisUpdate,
    nextUpdate: p.nextUpdate,
  };
}
