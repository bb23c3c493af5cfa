import type { AlbFailureCode } from '../../../certs/alb-codes.ts';
import type { CertView } from '../../../certs/x509/model.ts';
import type { LoadedTrustStore, VerifyInput } from '../types.ts';

/** What one rule found: the ALB code, the failing certificate's index in the path, and the sentence for logs. */
export interface RuleFailure {
  code: AlbFailureCode;
  index: number;
  reason: string;
}

/** One candidate path, leaf first, ending at a trust-store anchor, and what the rules read besides it. */
export interface PathContext {
  path: CertView[];
  now: Date;
  input: VerifyInput;
  store: LoadedTrustStore;
}

/** `"CN=x,O=y"`: how reasons name a certificate. */
export function q(cert: { subject: string }): string {
  return JSON.stringify(cert.subject);
}

export function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function fail(code: AlbFailureCode, index: number, reason: string): RuleFailure {
  return { code, index, reason };
}
