import type { TlsVerifyStatus } from '../../certs/alb-codes.ts';
import { CLIENT_VARIANTS } from '../../certs/pki/variants.ts';
import { scenarios } from '../../scenarios/index.ts';
import type { Scenario } from '../../scenarios/types.ts';
import type { MutualAuthenticationMode } from '../alb/types.ts';

export interface VerdictHelp {
  explanation: string;
  fix: string;
  /** The catalogue scenario the words come from (`alb-mtls run <id>` reproduces it), if one does. */
  scenarioId?: string;
}

export interface VerdictContext {
  mode: MutualAuthenticationMode;
  /** How the ALB shows a rejection. Default `handshake`. */
  verifyFailure?: 'handshake' | 'http-403';
}

/** What the verifier means by the codes no scenario reproduces (its rules, harness/alb/verify.ts). */
const UNREPRODUCED: Partial<Record<TlsVerifyStatus, string>> = {
  'Failed:ClientCertMaxSizeExceeded': "The client's Certificate message is over 64 KB, or a CA certificate in the path is over 16 KB.",
  'Failed:ClientCertInvalid': 'A presented certificate cannot be parsed, or an issuer was found by name but its signature does not verify.',
  'Failed:ClientCertCrlProcessingError': "A revocation list of the certificate's issuer cannot be processed (its signature does not verify with the issuer's key).",
};

const GENERIC_FIX =
  "Read the verifier's reason next to the verdict, compare the certificate chain with the trust store " +
  '(openssl verify -CAfile bundle.pem -untrusted chain.pem leaf.pem), and check the ALB connection log for the same status.';

/**
 * What a connection-log verdict means and how to fix it, in the catalogue's own words: the
 * explanation and fix of the scenario that reproduces that verdict under the same mode (and the
 * same way of showing a rejection, where one matches). A verdict no scenario reproduces falls back
 * to the client-certificate variant that provokes it, then to a generic reading.
 */
export function verdictHelp(status: TlsVerifyStatus | '-', context: VerdictContext): VerdictHelp {
  const failure = context.verifyFailure ?? 'handshake';
  const reproducing = scenarios.filter((s) => s.expected.tlsVerifyStatus === status);
  // Same mode first, then the same way of failing, then a scenario whose request got through
  // (a verdict of Success is best explained by a working setup, not by a target that refused).
  const rank = (s: Scenario) =>
    (s.alb.mode === context.mode ? 4 : 0) + ((s.alb.verifyFailure ?? 'handshake') === failure ? 2 : 0) + (s.expected.status < 400 ? 1 : 0);
  const best = [...reproducing].sort((a, b) => rank(b) - rank(a))[0];
  if (best && best.alb.mode === context.mode) return { explanation: best.explanation, fix: best.fix, scenarioId: best.id };
  const variant = Object.values(CLIENT_VARIANTS).find((v) => v.expectedVerdict === status);
  const meaning = UNREPRODUCED[status as TlsVerifyStatus];
  if (meaning) return { explanation: meaning, fix: GENERIC_FIX };
  if (variant) return { explanation: `${variant.verdictReason} (${variant.description})`, fix: GENERIC_FIX };
  if (status === '-') return { explanation: 'The connection ended before the ALB judged a client certificate.', fix: GENERIC_FIX };
  return { explanation: `The ALB logged tls_verify_status=${status}.`, fix: GENERIC_FIX };
}
