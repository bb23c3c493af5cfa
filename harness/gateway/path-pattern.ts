import { URLPattern } from 'urlpattern-polyfill';
import type { CompatFlags } from './compat.ts';

export type PathMode = 'open-api' | 'url-pattern';

/** A compiled route path. */
export interface PathMatcher {
  /** The URLPattern pathname source actually used (handy in errors and tests). */
  readonly source: string;
  /** The path parameters when `pathname` matches, else `undefined`. */
  match(pathname: string): Record<string, string> | undefined;
}

// Characters the 2025-02-06 compiler escapes before turning `{x}` into `:x`.
const SPECIAL = /[*+?()[\].|^$\\:]/g;

/**
 * Converts a routes.oas.json path to a URLPattern pathname, the way Zuplo's route compiler does:
 * open-api mode escapes (from compat 2025-02-06) then maps `{name}` → `:name` and appends `{/}?`
 * when the path does not end in `/`; url-pattern mode uses the path as written.
 */
export function pathPatternSource(path: string, mode: PathMode, flags: CompatFlags): string {
  if (mode === 'url-pattern') return path;
  let source = flags.escapePathSpecialChars ? path.replace(SPECIAL, (c) => `\\${c}`) : path;
  source = source.replace(/{(\S+?)}/g, ':$1');
  if (!source.endsWith('/')) source += '{/}?';
  return source;
}

/** Compiles a path; throws the URLPattern TypeError when the source is not a valid pattern. */
export function compilePath(path: string, mode: PathMode, flags: CompatFlags): PathMatcher {
  const source = pathPatternSource(path, mode, flags);
  const pattern = new URLPattern({ pathname: source });
  // The URLPattern polyfill's exec is the costliest step of routing; a pathname always matches alike.
  const seen = new Map<string, Readonly<Record<string, string>> | null>();
  return {
    source,
    match(pathname) {
      let params = seen.get(pathname);
      if (params === undefined) {
        params = execute(pattern, pathname);
        if (seen.size >= MATCH_CACHE_SIZE) seen.clear();
        seen.set(pathname, params);
      }
      return params === null ? undefined : { ...params }; // each request gets its own params object
    },
  };
}

/** Pathnames whose match result each route remembers (forgotten all at once when full). */
const MATCH_CACHE_SIZE = 1_000;

function execute(pattern: URLPattern, pathname: string): Record<string, string> | null {
  const result = pattern.exec({ pathname });
  if (result === null) return null;
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.pathname.groups)) {
    if (value !== undefined) params[name] = value;
  }
  return params;
}
