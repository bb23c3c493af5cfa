import { KeyUsageFlags } from '@peculiar/asn1-x509';
import { extensionName } from '../../../certs/x509/extensions.ts';
import { fail, q, type PathContext, type RuleFailure } from './context.ts';

/**
 * Every certificate that issues another in the path, the anchor included (as OpenSSL does), must be
 * a CA: basicConstraints present with cA TRUE, and keyCertSign when keyUsage is present.
 */
export function issuerNotCa(ctx: PathContext): RuleFailure | undefined {
  for (let i = 1; i < ctx.path.length; i++) {
    const cert = ctx.path[i]!;
    const bc = cert.extensions.basicConstraints;
    const ku = cert.extensions.keyUsage;
    let problem: string | undefined;
    if (!bc) problem = 'has no basicConstraints extension, so it is not a CA';
    else if (!bc.ca) problem = 'is not a CA (basicConstraints CA:FALSE)';
    else if (ku && (ku.flags & KeyUsageFlags.keyCertSign) === 0) problem = `has a keyUsage without keyCertSign (${ku.names.join(', ') || 'none'})`;
    if (problem) return fail('ClientCertUntrusted', i, `certificate ${q(cert)} issues ${q(ctx.path[i - 1]!)} but ${problem}`);
  }
  return undefined;
}

/**
 * pathLenConstraint: a CA with pathLenConstraint n may have at most n non-self-issued intermediates
 * below it (the leaf not counted).
 */
export function pathLengthExceeded(ctx: PathContext): RuleFailure | undefined {
  let below = 0;
  for (let i = 1; i < ctx.path.length; i++) {
    const cert = ctx.path[i]!;
    const limit = cert.extensions.basicConstraints?.pathLen;
    if (limit !== undefined && below > limit) {
      return fail('ClientCertUntrusted', i,
        `certificate ${q(cert)} has pathLenConstraint ${limit} but ${below} intermediate CA certificate${below === 1 ? '' : 's'} follow${below === 1 ? 's' : ''} it in the path`);
    }
    if (!cert.selfIssued) below += 1;
  }
  return undefined;
}

/** A critical extension the verifier does not process makes the certificate unusable (RFC 5280 §4.2). */
export function unknownCriticalExtension(ctx: PathContext): RuleFailure | undefined {
  for (const [i, cert] of ctx.path.entries()) {
    const [oid] = cert.extensions.unknownCritical;
    if (oid) return fail('ClientCertInvalid', i, `certificate ${q(cert)} has the critical extension ${extensionName(oid)}, which a verifier that does not process it must refuse`);
  }
  return undefined;
}
