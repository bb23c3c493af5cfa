import { KeyUsageFlags } from '@peculiar/asn1-x509';
import { fail, q, type PathContext, type RuleFailure } from './context.ts';

export const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const EKU_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  [CLIENT_AUTH]: 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '2.5.29.37.0': 'anyExtendedKeyUsage',
};
const NS_SSL_CLIENT = 0x80;

function ekuNames(oids: string[]): string {
  return oids.map((o) => EKU_NAMES[o] ?? o).join(', ') || 'none';
}

/**
 * The client-authentication purpose of the leaf (OpenSSL's `sslclient`): an extendedKeyUsage, when
 * present, lists clientAuth (anyExtendedKeyUsage does not count); a keyUsage, when present, has
 * digitalSignature (the client signs the handshake); a Netscape certificate type, when present,
 * allows SSL client use.
 */
export function leafPurpose(ctx: PathContext): RuleFailure | undefined {
  const leaf = ctx.path[0]!;
  const eku = leaf.extensions.extendedKeyUsage;
  if (eku && !eku.includes(CLIENT_AUTH)) {
    return fail('ClientCertPurposeInvalid', 0, `certificate ${q(leaf)} has an extended key usage without clientAuth (${CLIENT_AUTH}): ${ekuNames(eku)}`);
  }
  const ku = leaf.extensions.keyUsage;
  if (ku && (ku.flags & KeyUsageFlags.digitalSignature) === 0) {
    return fail('ClientCertPurposeInvalid', 0,
      `certificate ${q(leaf)} has a keyUsage without digitalSignature (${ku.names.join(', ') || 'none'}); a client certificate's key must sign the TLS handshake`);
  }
  const ns = leaf.extensions.netscapeCertType;
  if (ns !== undefined && (ns & NS_SSL_CLIENT) === 0) {
    return fail('ClientCertPurposeInvalid', 0, `certificate ${q(leaf)} has a Netscape certificate type without SSL client`);
  }
  return undefined;
}

/**
 * The same purpose on the CAs, anchor included (OpenSSL checks the purpose of every certificate of
 * the chain): a CA whose extendedKeyUsage is present without clientAuth cannot vouch for client
 * certificates.
 */
export function caPurpose(ctx: PathContext): RuleFailure | undefined {
  for (let i = 1; i < ctx.path.length; i++) {
    const cert = ctx.path[i]!;
    const eku = cert.extensions.extendedKeyUsage;
    if (eku && !eku.includes(CLIENT_AUTH)) {
      return fail('ClientCertPurposeInvalid', i, `CA certificate ${q(cert)} has an extended key usage without clientAuth (${CLIENT_AUTH}): ${ekuNames(eku)}; it cannot issue client certificates`);
    }
  }
  return undefined;
}
