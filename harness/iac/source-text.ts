import { isMap, isSeq, LineCounter, parseAllDocuments, parseDocument, type Tags } from 'yaml';
import { UserError } from '../errors.ts';

/**
 * Reading the text of a configuration file: JSON and YAML with errors that name the file, the line and
 * column, and the problem; and one error shape for problems found later, at a JSON pointer.
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

/** Every document of a YAML stream as plain values; an error or an unknown `!Tag` names file, line and column. */
export function parseYamlText(text: string, file: string, customTags: Tags = []): unknown[] {
  const lineCounter = new LineCounter();
  const list = [...parseAllDocuments(text, { customTags, lineCounter, prettyErrors: false })];
  for (const doc of list) {
    const problem = doc.errors[0] ?? doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
    if (problem) {
      const pos = lineCounter.linePos(problem.pos[0]);
      const text = problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      throw iacError(file, `line ${pos.line} column ${pos.col}`, `not valid YAML (${text})`, 'Fix the syntax there');
    }
  }
  return list.map((doc) => doc.toJS({ maxAliasCount: 100 }) as unknown);
}

/** Whether a value is a plain object (a JSON/YAML mapping). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * For a YAML file: the line of the key (or list item) at a JSON pointer, or of the nearest enclosing
 * one when the pointer goes inside a short-form tag such as `!Ref`.
 */
export function yamlLineFinder(text: string, customTags: Tags = []): (pointer: string) => number | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { customTags, lineCounter });
  const startOf = (parentPath: string[], segment: string): number | undefined => {
    const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
    if (isMap(parent)) {
      const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === segment);
      return (pair?.key as { range?: [number, number, number] } | null)?.range?.[0];
    }
    if (isSeq(parent)) return (parent.items[Number(segment)] as { range?: [number, number, number] } | undefined)?.range?.[0];
    return undefined;
  };
  return (pointer) => {
    const path = pointer.split('/').slice(1).map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
    for (let n = path.length; n > 0; n--) {
      const offset = startOf(path.slice(0, n - 1), path[n - 1]!);
      if (offset !== undefined) return lineCounter.linePos(offset).line;
    }
    return undefined;
  };
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
