import { createRequire } from 'node:module';
import type * as Schema from '@peculiar/asn1-schema';
import type * as X509 from '@peculiar/asn1-x509';

// The ASN.1 schema packages are CommonJS. Imported from an ES module, Node scans each of their
// re-exported files for export names before running them, which cost `alb-mtls verify` a third of
// its start-up; require() loads the same modules (one instance for both ways in) without the scan.
const require = createRequire(import.meta.url);
const schema = require('@peculiar/asn1-schema') as typeof Schema;
const x509 = require('@peculiar/asn1-x509') as typeof X509;

export const { AsnConvert } = schema;
export const { Certificate, CertificateList, ExtendedKeyUsage, Name, id_ce_extKeyUsage } = x509;
export type Certificate = X509.Certificate;
export type CertificateList = X509.CertificateList;
export type ExtendedKeyUsage = X509.ExtendedKeyUsage;
export type Name = X509.Name;
export type TBSCertificate = X509.TBSCertificate;
