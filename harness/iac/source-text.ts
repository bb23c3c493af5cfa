import { UserError } from '../errors.ts';

/**
 * Reading the text of a configuration file: JSON with errors that name the file, the line and column,
 * and the problem; and one error shape for problems found later, at a JSON pointer (YAML: yaml-text.ts).
 */

/** `<file> <where>: <problem>. <fix>` as a UserError with code HARNESS_ERR_IAC. */
export function iacError(file: string, where: string, problem: string, fix?: string): UserError {
  return new UserError('HARNESS_ERR_IAC', `${file}${where ? ` ${where}` : ''}: ${problem}${fix ? `. ${fix}` : ''}`);
}

/** What the ELB API itself would reject, found in a file: HARNESS_ERR_ALB_CONFIG, as startAlb reports it. */
export function awsRejects(file: string, where: string, problem: string): UserError {
  return new UserError('HARNESS_ERR_ALB_CONFIG', `${file}${where ? ` ${where}` : ''}: ${problem}`);
}

/** A JSON pointer (RFC 6901) for a path of keys and indexes. */
export function jsonPointer(path: readonly (string | number)[]): string {
  return `/${path.map((p) => String(p).replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * Where JSON.parse failed. V8 says "at position N", or for an unexpected token only quotes the text
 * around it: up to 10 characters either side, with "..." where it cut.
 */
function errorOffset(message: string, text: string): number | null {
  const position = /at position (\d+)/.exec(message);
  if (position) return Number(position[1]);
  const quoted = /^Unexpected token '(.+?)', (\.\.\.)?"(.*)"(\.\.\.)? is not valid JSON$/s.exec(message);
  if (!quoted) return null;
  const [, token, cutBefore, context] = quoted;
  const start = text.indexOf(context!);
  if (start < 0) return null;
  return start + (cutBefore ? 10 : context!.indexOf(token!));
}

/** JSON.parse, or an error naming the file, line and column (Node reports only a character position). */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const offset = errorOffset(message, text);
    const where = lineColumn(text, offset ?? text.length);
    const problem = message.replace(/ in JSON at position \d+.*$/s, '').replace(/, (\.\.\.)?".*" is not valid JSON$/s, '');
    throw iacError(file, `line ${where.line} column ${where.column}`, `not valid JSON (${problem})`, 'Fix the syntax there');
  }
}

/** Whether a value is a plain object (a JSON/YAML mapping). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `line N (at /pointer)` when the line is known, else `at /pointer`. */
export function locate(pointer: string, lineOf?: (pointer: string) => number | undefined): string {
  const line = pointer.startsWith('/') ? lineOf?.(pointer) : undefined;
  return line === undefined ? `at ${pointer}` : `line ${line} (at ${pointer})`;
}

/** Re-words an error a reader threw at a JSON pointer of `file` so it also names the line. */
export function withLine(err: unknown, file: string, lineOf: (pointer: string) => number | undefined): unknown {
  if (!(err instanceof UserError)) return err;
  const m = new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} at (/\\S*): `).exec(err.message);
  if (!m) return err;
  const where = locate(m[1]!, lineOf);
  return new UserError(err.code, `${file} ${where}: ${err.message.slice(m[0].length)}`, { cause: err });
}
