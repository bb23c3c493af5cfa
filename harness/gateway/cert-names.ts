/**
 * mTLS certificate names. The name becomes the binding key the runtime looks up (`env[name]`), so
 * Zuplo's docs say it must be a valid JavaScript variable name. `zuplo mtls-certificate` itself does
 * not check it (CLI 7.6.4); the only implementation of the rule in the CLI is the `ca-certificate`
 * validator, whose checks and messages are reproduced here verbatim.
 */

/** Compared case-insensitively, as the CLI does. */
export const RESERVED_WORDS: readonly string[] = [
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'export',
  'extends', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'let', 'new', 'return', 'super',
  'switch', 'this', 'throw', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield', 'enum', 'implements',
  'interface', 'package', 'private', 'protected', 'public', 'static', 'await',
];

const MAX_LENGTH = 120;
const IDENTIFIER = /^[a-zA-Z_$][a-zA-Z0-9_$]*$/;

export type NameCheck = { ok: true } | { ok: false; message: string; suggestion?: string };

/** The CLI's `ca-certificate` name rule, with its exact messages, plus a suggested valid name where one exists. */
export function validateCertificateName(name: string): NameCheck {
  if (name.length === 0) return { ok: false, message: 'Name cannot be empty' };
  if (name.length > MAX_LENGTH) {
    return { ok: false, message: `Name must be ${MAX_LENGTH} characters or fewer (got ${name.length})` };
  }
  if (!IDENTIFIER.test(name)) {
    return {
      ok: false,
      message:
        'Name must be a valid JavaScript variable name (start with a letter, _, or $, and contain only letters, digits, _, or $)',
      suggestion: suggestIdentifier(name),
    };
  }
  if (RESERVED_WORDS.includes(name.toLowerCase())) {
    return { ok: false, message: 'Name cannot be a JavaScript reserved keyword', suggestion: `${name}_cert` };
  }
  return { ok: true };
}

/** `aws-alb-cert` → `aws_alb_cert`: invalid characters become `_`, and a leading digit gets a `_` prefix. */
export function suggestIdentifier(name: string): string {
  const replaced = name.replace(/[^a-zA-Z0-9_$]/g, '_');
  return /^[0-9]/.test(replaced) ? `_${replaced}` : replaced;
}

/**
 * The sentence users see for a rule violation: the CLI's message, why it matters here, and the fix.
 * Used both as the warning text (lenient) and the UserError text (strictNames).
 */
export function describeNameViolation(name: string, check: Extract<NameCheck, { ok: false }>): string {
  const fix = check.suggestion ? ` Use '${check.suggestion}' instead.` : '';
  return (
    `mTLS certificate name '${name}': ${check.message}. Zuplo's docs require JavaScript variable naming because the ` +
    `name is the binding key your routes and code pass as mtlsCertificate.${fix}`
  );
}

/**
 * Names that must never reach the file system, whatever `strictNames` says: the name is a directory
 * under the store, so separators and dot-names would escape it.
 */
export function unsafeDirectoryName(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return `'${name}' cannot be used as a directory name`;
  if (/[/\\\0]/.test(name)) return `'${name}' contains a path separator or NUL`;
  return undefined;
}
