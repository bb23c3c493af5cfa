import type { CertView } from '../../../certs/x509/model.ts';
import { fail, q, type RuleFailure } from './context.ts';

/**
 * Rules about one certificate on its own, used before the path is built (the leaf) and for every
 * CA of a candidate path: it can be read, and it is of a type ALB accepts.
 */

/** A presented certificate that does not parse as X.509 at all. */
export function unparsable(cert: CertView, position: number): RuleFailure | undefined {
  if (!cert.structureError) return undefined;
  return fail('ClientCertInvalid', position, `presented certificate ${position + 1} does not parse as an X.509 certificate (${cert.structureError})`);
}

/** A field present but wrongly encoded: a time without seconds, an extension that does not decode, a duplicate extension. */
export function malformed(cert: CertView, index: number): RuleFailure | undefined {
  if (cert.malformed.length === 0) return undefined;
  return fail('ClientCertInvalid', index, `certificate ${q(cert)} is malformed: ${cert.malformed.join('; ')}`);
}

/**
 * ALB's type rules: X.509 v3, an RSA 2048-8192 or EC P-256/384/521 key with a named curve, a SHA-2
 * RSA, ECDSA or RSASSA-PSS signature. `judgeSignature` is false for the anchor (its self-signature
 * is not relied on).
 */
export function typeProblem(cert: CertView, index: number, judgeSignature: boolean): RuleFailure | undefined {
  const reason = typeReason(cert, judgeSignature);
  return reason ? fail('ClientCertTypeUnsupported', index, reason) : undefined;
}

function typeReason(cert: CertView, judgeSignature: boolean): string | undefined {
  if (cert.version !== 3) return `certificate ${q(cert)} is X.509 version ${cert.version}; ALB accepts only version 3`;
  const key = cert.key;
  if (key.explicitCurve) return `certificate ${q(cert)} has ${key.description}; ALB accepts EC keys on P-256, P-384, P-521 by name only`;
  if (!key.albAccepted) return `certificate ${q(cert)} has ${key.description}; ALB accepts RSA 2048-8192 bits or EC P-256, P-384, P-521`;
  if (judgeSignature && !cert.albSignatureAccepted) {
    return `certificate ${q(cert)} is signed with ${cert.signature.name}; ALB accepts SHA-256/384/512 with RSA, ECDSA or RSASSA-PSS`;
  }
  return undefined;
}

/** The client's certificate must not be a CA: the first certificate of the Certificate message is the client's own. */
export function leafIsCa(leaf: CertView): RuleFailure | undefined {
  if (!leaf.isCa) return undefined;
  return fail('ClientCertPurposeInvalid', 0,
    `the first certificate the client sent, ${q(leaf)}, is a CA certificate (basicConstraints CA:TRUE), not a client certificate; ` +
    'the client must send its own certificate first, then its intermediates (a reversed chain, or a CA sent alone, looks like this)');
}
