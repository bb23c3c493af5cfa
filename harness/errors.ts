/**
 * Every error the harness raises on purpose carries a stable `code`. Tests and the CLI match on
 * `code`, never on `instanceof` or the message text (two copies of this module, e.g. a bundled one
 * and a linked one, would make `instanceof` lie). `UserError`s are problems with input the user gave
 * us (a flag, a file, a config field): the CLI prints their message and exits 2 with no stack.
 */

/** Codes of errors in what the user gave us. The CLI answers these with exit 2 and no stack trace. */
export const USER_ERROR_CODES = [
  'HARNESS_ERR_INVALID_ARGUMENT', // a flag or option value is wrong
  'HARNESS_ERR_OUTPUT_EXISTS', // refusing to overwrite without --force
  'HARNESS_ERR_FILE', // a file is missing, unreadable, unwritable, or of the wrong kind
  'HARNESS_ERR_PORT', // a listener port is in use or needs privileges
  'HARNESS_ERR_PEM', // text that should be PEM is not, or holds the wrong kind of block
  'HARNESS_ERR_KEY_MISMATCH', // a private key does not belong to its certificate
  'HARNESS_ERR_TRUST_STORE', // a CA bundle breaks one of ALB's bundle rules
  'HARNESS_ERR_CRL', // a revocation list is not a PEM CRL
  'HARNESS_ERR_ALB_CONFIG', // an ALB option is invalid (policy name, mode, listener limit)
  'HARNESS_ERR_IAC', // an infrastructure-as-code file cannot be imported (syntax, reference, listener, S3 object)
  'HARNESS_ERR_GATEWAY_CONFIG', // routes.oas.json or a handler option is invalid
  'HARNESS_ERR_CERT_STORE', // the gateway's mTLS certificate store refused an operation
  'HARNESS_ERR_SCENARIO_INVALID', // a scenario definition is malformed
  'HARNESS_ERR_SCENARIO_UNKNOWN', // no scenario has that id
  'HARNESS_ERR_LOG_LINE', // a line given to a log parser is not an ALB log line
] as const;

/** Codes of errors that are not the user's input: something the harness ran did not go as it should. */
export const FAILURE_ERROR_CODES = [
  'HARNESS_ERR_TIMEOUT', // a wait (e.g. a log stream's waitFor) ended without its event
  'HARNESS_ERR_UPSTREAM', // the gateway's call to its upstream failed (see the gateway's failure classes)
] as const;

export const HARNESS_ERROR_CODES = [...USER_ERROR_CODES, ...FAILURE_ERROR_CODES] as const;

export type UserErrorCode = (typeof USER_ERROR_CODES)[number];
export type HarnessErrorCode = (typeof HARNESS_ERROR_CODES)[number];

export class HarnessError extends Error {
  readonly code: HarnessErrorCode;
  constructor(code: HarnessErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HarnessError';
    this.code = code;
  }
}

/** An error in what the user gave us. The message must name the file/field/flag and the fix. */
export class UserError extends HarnessError {
  declare readonly code: UserErrorCode;
  constructor(code: UserErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'UserError';
  }
}

/** The harness code an error carries, read from its `code` property; undefined for any other error. */
export function harnessErrorCode(err: unknown): HarnessErrorCode | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return (HARNESS_ERROR_CODES as readonly unknown[]).includes(code) ? (code as HarnessErrorCode) : undefined;
}

export function isUserErrorCode(code: string | undefined): code is UserErrorCode {
  return (USER_ERROR_CODES as readonly (string | undefined)[]).includes(code);
}

/** True for an error whose code says the user's input was wrong (decided by code, not by class). */
export function isUserError(err: unknown): err is UserError {
  return isUserErrorCode(harnessErrorCode(err));
}
