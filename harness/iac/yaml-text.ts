import { isMap, isSeq, LineCounter, parseAllDocuments, parseDocument, type Tags } from 'yaml';
import { iacError } from './source-text.ts';

/** YAML text (the `yaml` package): documents as plain values, and lines for JSON pointers. */

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

/**
 * For a YAML file: the line of the key (or list item) at a JSON pointer, or of the nearest enclosing
 * one when the pointer goes inside a short-form tag such as `!Ref`.
 */
export function yamlLineFinder(text: string, customTags: Tags = []): (pointer: string) => number | undefined {
  // Parsed again only when a message needs a line (a second parse keeps node positions).
  let parsed: { doc: ReturnType<typeof parseDocument>; lineCounter: LineCounter } | undefined;
  const source = () => {
    if (!parsed) {
      const lineCounter = new LineCounter();
      parsed = { doc: parseDocument(text, { customTags, lineCounter }), lineCounter };
    }
    return parsed;
  };
  const startOf = (parentPath: string[], segment: string): number | undefined => {
    const { doc } = source();
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
      if (offset !== undefined) return source().lineCounter.linePos(offset).line;
    }
    return undefined;
  };
}
