import { fail, iso, q, type PathContext, type RuleFailure } from './context.ts';

/**
 * Validity, leaf first, anchor included. `ignoreClientCertificateExpiry` forgives the expiry of the
 * client's leaf only ("expired client certificates"); an expired CA still fails and the reason says
 * so; it never covers not-yet-valid.
 */
export function validity(ctx: PathContext): RuleFailure | undefined {
  const { path, now, input } = ctx;
  for (const [i, cert] of path.entries()) {
    if (cert.notBefore && cert.notBefore.getTime() > now.getTime()) {
      return fail('ClientCertNotYetValid', i, `certificate ${q(cert)} is not valid before ${iso(cert.notBefore)} (notBefore)`);
    }
    if (cert.notAfter && cert.notAfter.getTime() < now.getTime()) {
      if (i === 0 && input.ignoreClientCertificateExpiry) continue;
      const note = i > 0 && input.ignoreClientCertificateExpiry
        ? '; ignoreClientCertificateExpiry covers only the client\'s leaf certificate, not the CAs in its chain'
        : '';
      return fail('ClientCertExpired', i, `certificate ${q(cert)} expired at ${iso(cert.notAfter)} (notAfter)${note}`);
    }
  }
  return undefined;
}
