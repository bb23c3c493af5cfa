import { KeyUsageFlags } from '@peculiar/asn1-x509';
import type { CertView } from '../../../certs/x509/model.ts';
import { fail, q, type PathContext, type RuleFailure } from './context.ts';

/**
 * The RFC 5280 certificate profile as a strict verifier enforces it (OpenSSL's `-x509_strict`) on
 * every certificate of a path longer than one: a CA's basicConstraints critical, a CA with
 * keyUsage and a subjectKeyIdentifier, every certificate but the last with an
 * authorityKeyIdentifier, key identifiers not critical, pathLenConstraint only on a CA that may
 * sign certificates, keyCertSign only on a CA, non-empty issuer, non-empty subject (or a critical
 * subjectAltName), a non-empty subjectAltName, the same signature algorithm inside and outside the
 * signed part, extensions only in version 3.
 */
export function profileViolation(ctx: PathContext): RuleFailure | undefined {
  const { path } = ctx;
  if (path.length < 2) return undefined;
  for (const [i, cert] of path.entries()) {
    const problem = profileProblem(cert, i < path.length - 1);
    if (problem) return fail('ClientCertInvalid', i, `certificate ${q(cert)} breaks the RFC 5280 profile: ${problem}`);
  }
  return undefined;
}

function profileProblem(cert: CertView, hasIssuerInPath: boolean): string | undefined {
  const ext = cert.extensions;
  const bc = ext.basicConstraints;
  const ku = ext.keyUsage;
  const certSign = ku ? (ku.flags & KeyUsageFlags.keyCertSign) !== 0 : true;
  if (bc?.pathLen !== undefined && !bc.ca) return 'pathLenConstraint on a certificate that is not a CA';
  if (bc?.pathLen !== undefined && !certSign) return 'pathLenConstraint without keyCertSign in keyUsage';
  if (bc?.ca && !bc.critical) return 'basicConstraints of a CA must be critical';
  if (cert.isCa && !ku) return 'a CA certificate must have a keyUsage extension';
  if (!cert.isCa && ku && (ku.flags & KeyUsageFlags.keyCertSign) !== 0) return 'keyCertSign in keyUsage of a certificate that is not a CA';
  if (cert.issuerEmpty) return 'the issuer name is empty';
  const san = ext.subjectAltNames;
  if (cert.subjectEmpty && (cert.isCa || (ku && (ku.flags & KeyUsageFlags.cRLSign) !== 0) || !san)) return 'the subject name is empty';
  if (cert.subjectEmpty && san && !san.critical) return 'the subject is empty and subjectAltName is not critical';
  if (san && san.names.length === 0) return 'subjectAltName is empty';
  if (!cert.signatureAlgorithmsMatch) return 'the signature algorithm inside the signed part differs from the one outside it';
  if (ext.authorityKeyId?.critical) return 'authorityKeyIdentifier must not be critical';
  if (ext.subjectKeyId?.critical) return 'subjectKeyIdentifier must not be critical';
  if (cert.version >= 3) {
    if (hasIssuerInPath && !ext.authorityKeyId?.keyIdHex) return 'no authorityKeyIdentifier key identifier (required on every certificate but the last)';
    if (cert.isCa && !ext.subjectKeyId) return 'a CA certificate without subjectKeyIdentifier';
  } else if (ext.oids.length > 0) {
    return `extensions in an X.509 version ${cert.version} certificate (they require version 3)`;
  }
  return undefined;
}
