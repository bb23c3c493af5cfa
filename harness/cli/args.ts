import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../errors.ts';

/** What parseFlags returns, named so the declaration build can refer to it. */
export type ParsedFlags<T extends NonNullable<ParseArgsConfig['options']>> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T & { help: { type: 'boolean'; short: 'h' } }; allowPositionals: boolean; strict: true }>
>;

/**
 * node:util parseArgs with errors a user can act on: an unknown flag or a missing value becomes a
 * UserError (exit 2) naming the flag and pointing at --help.
 */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  argv: string[],
  options: T,
  allowPositionals = false,
): ParsedFlags<T> {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (err) {
    const message = err instanceof Error ? err.message.replace(/\. To specify a positional argument.*$/s, '') : String(err);
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `${message}. Run "alb-mtls ${command} --help" for the options.`);
  }
}

/** An ISO 8601 date flag, or a UserError naming the flag. */
export function parseDateFlag(flag: string, value: string): Date {
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `${flag} "${value}" is not an ISO 8601 date. Use e.g. ${flag} 2026-01-31 or ${flag} 2026-01-31T12:00:00Z.`);
  }
  return date;
}

/** One of a fixed set of values, or a UserError listing them. */
export function parseChoice<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) {
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `${flag} "${value}" is not valid. Use one of: ${choices.join(', ')}.`);
  }
  return value as T;
}

/** Repeated `--env NAME=VALUE` flags as variables, or a UserError naming the bad one. */
export function parseEnvFlags(pairs: readonly string[] | undefined): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `--env "${pair}" is not NAME=VALUE.`);
    environment[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return environment;
}
