/**
 * Every error the harness raises on purpose carries a stable `code`. Tests and the CLI match on
 * `code`, never on `instanceof` or the message text. `UserError`s are problems with input the user
 * gave us (a flag, a file, a config field): the CLI prints their message and exits 2 with no stack.
 */
export type HarnessErrorCode =
  | 'HARNESS_ERR_INVALID_ARGUMENT' // a flag or option value is wrong
  | 'HARNESS_ERR_OUTPUT_EXISTS' // refusing to overwrite without --force
  | 'HARNESS_ERR_FILE' // a file is missing, unreadable, or of the wrong kind
  | 'HARNESS_ERR_PEM' // text that should be PEM is not, or holds the wrong kind of block
  | 'HARNESS_ERR_KEY_MISMATCH' // a private key does not belong to its certificate
  | 'HARNESS_ERR_TRUST_STORE' // a CA bundle breaks one of ALB's bundle rules
  | 'HARNESS_ERR_CRL' // a revocation list is not a PEM CRL
  | 'HARNESS_ERR_ALB_CONFIG' // an ALB option is invalid (policy name, mode, listener limit)
  | 'HARNESS_ERR_IAC' // an infrastructure-as-code file cannot be imported (syntax, reference, listener, S3 object)
  | 'HARNESS_ERR_GATEWAY_CONFIG' // routes.oas.json or a handler option is invalid
  | 'HARNESS_ERR_CERT_STORE' // the gateway's mTLS certificate store refused an operation
  | 'HARNESS_ERR_SCENARIO_INVALID' // a scenario definition is malformed
  | 'HARNESS_ERR_SCENARIO_UNKNOWN' // no scenario has that id
  | 'HARNESS_ERR_TIMEOUT' // a wait (e.g. a log stream's waitFor) ended without its event
  | 'HARNESS_ERR_UPSTREAM'; // the gateway's outbound call failed (the error's failureClass says how)

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
  constructor(code: HarnessErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'UserError';
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}
