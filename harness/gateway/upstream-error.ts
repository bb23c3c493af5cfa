import { HarnessError } from '../errors.ts';
import type { FailureClass } from './types.ts';

/** The runtime's exact message for a name with no binding in this deployment. */
export const BINDING_NOT_FOUND = (name: string): string =>
  `mTLS certificate binding '${name}' not found. Ensure the certificate is uploaded and properly configured.`;

/** The runtime's exact message for a binding that is not an mTLS certificate (for example a string variable). */
export const BINDING_INVALID = (name: string): string =>
  `mTLS certificate binding '${name}' is not a valid mTLS certificate binding. Make sure it's configured as an mTLS certificate, not an environment variable.`;

/**
 * An outbound call that failed in one of the closed {@link FailureClass} ways (code
 * `HARNESS_ERR_UPSTREAM`). Match on `failureClass`, never on the message. The message is what
 * happened in words (for a missing binding: the runtime's exact text); failure-answer.ts turns the
 * error into the status and text the emulated runtime answers.
 */
export class UpstreamError extends HarnessError {
  readonly failureClass: FailureClass;
  /** The low-level code (ECONNREFUSED, ECONNRESET, ERR_SSL_..., CERT_HAS_EXPIRED, ETIMEDOUT). */
  readonly errorCode?: string;
  /** The URL of the attempt that failed. */
  readonly url?: string;
  constructor(
    init: { failureClass: FailureClass; message: string; errorCode?: string | undefined; url?: string | undefined },
    options?: { cause?: unknown },
  ) {
    super('HARNESS_ERR_UPSTREAM', init.message, options);
    this.name = 'UpstreamError';
    this.failureClass = init.failureClass;
    if (init.errorCode !== undefined) this.errorCode = init.errorCode;
    if (init.url !== undefined) this.url = init.url;
  }
}

export function isUpstreamError(err: unknown): err is UpstreamError {
  return err instanceof HarnessError && err.code === 'HARNESS_ERR_UPSTREAM';
}
