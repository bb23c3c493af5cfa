import { UserError } from '../errors.ts';

/**
 * `$env(NAME)` (resolved once, at load) and `${...}` templates (evaluated per request), as Zuplo's
 * route compiler treats them.
 */

const ENV_ANY = /\$env\((.*?)\)/g;
const ENV_WHOLE = /^\$env\((.*?)\)$/;
const IMPORT_ANY = /\$import\((.*)\)/;

/** The two options compiled into templates, where `$env()` stays literal (the build only warns). */
export const TEMPLATE_OPTIONS = ['baseUrl', 'rewritePattern'] as const;

export const ENV_NOT_EXPECTED = 'An $env() statement is not expected at this location.';
export const IMPORT_NOT_EXPECTED = 'An $import() statement is not expected at this location.';

/** Warning text for `$env()` inside `baseUrl` / `rewritePattern`. */
export const envInTemplateWarning = (option: string) =>
  `Invalid environment variable access syntax detected. Use \${env.VAR_NAME} instead of $env(VAR_NAME) for handler.options.${option}.`;

export function hasEnvSelector(text: string): boolean {
  ENV_ANY.lastIndex = 0;
  return ENV_ANY.test(text);
}

/**
 * Resolves one string: a whole `$env(X)` becomes `env.X` (a string or `undefined`, no coercion);
 * embedded selectors insert the value, or `""` when unset or empty.
 */
export function resolveEnvString(text: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const whole = ENV_WHOLE.exec(text);
  if (whole !== null && whole[1] !== undefined && !whole[1].includes('$env(')) return env[whole[1]];
  return text.replace(ENV_ANY, (_m, name: string) => env[name] ?? '');
}

export interface EnvWalkContext {
  env: Readonly<Record<string, string | undefined>>;
  /** The file the value came from, for error messages. */
  file: string;
  warn(message: string): void;
}

/**
 * Resolves `$env()` everywhere inside `handler.options` (any depth). `pointer` is the JSON path of
 * `options` (e.g. `paths./x.get.x-zuplo-route.handler.options`). `baseUrl` / `rewritePattern` at
 * the top level are left literal with a warning, as the build does.
 */
export function resolveOptions(options: unknown, pointer: string, ctx: EnvWalkContext): unknown {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return walk(options, pointer, ctx);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if ((TEMPLATE_OPTIONS as readonly string[]).includes(key) && typeof value === 'string') {
      if (hasEnvSelector(value)) ctx.warn(`${ctx.file}: ${pointer}.${key}: ${envInTemplateWarning(key)}`);
      out[key] = value;
    } else {
      out[key] = walk(value, `${pointer}.${key}`, ctx);
    }
  }
  return out;
}

function walk(value: unknown, pointer: string, ctx: EnvWalkContext): unknown {
  if (typeof value === 'string') {
    assertTerminated(value, pointer, ctx.file);
    return resolveEnvString(value, ctx.env);
  }
  if (Array.isArray(value)) return value.map((item, i) => walk(item, `${pointer}.${i}`, ctx));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const resolved = walk(item, `${pointer}.${key}`, ctx);
      // A whole-value $env() of an unset variable gives an own property whose value is undefined.
      out[key] = resolved;
    }
    return out;
  }
  return value;
}

/**
 * Refuses a `$env(` without its closing `)`: the build would leave it as literal text, so a typo
 * would silently become part of a certificate name or URL.
 */
export function assertTerminated(text: string, pointer: string, file: string): void {
  let from = 0;
  for (;;) {
    const start = text.indexOf('$env(', from);
    if (start < 0) return;
    const end = text.indexOf(')', start + 5);
    if (end < 0) {
      throw new UserError(
        'HARNESS_ERR_GATEWAY_CONFIG',
        `${file}: ${pointer}: ${JSON.stringify(text)} has a "$env(" without its closing ")". Write it as "$env(NAME)".`,
      );
    }
    from = end + 1;
  }
}

/**
 * Refuses `$env()` / `$import()` anywhere outside the places that allow them. `allowed(pointer)`
 * says whether a pointer is inside such a place. Throws a start-up error naming the file and path.
 */
export function assertNoSelectors(
  value: unknown,
  pointer: string,
  file: string,
  allowEnv: (pointer: string) => boolean,
  allowImport: (pointer: string) => boolean,
): void {
  if (typeof value === 'string') {
    if (!allowEnv(pointer) && hasEnvSelector(value)) {
      throw new UserError(
        'HARNESS_ERR_GATEWAY_CONFIG',
        `${file}: ${ENV_NOT_EXPECTED} (${pointer} = ${JSON.stringify(value)}). $env() is only resolved inside ` +
          `handler.options; move the value there, or use the literal text.`,
      );
    }
    if (!allowImport(pointer) && IMPORT_ANY.test(value)) {
      throw new UserError(
        'HARNESS_ERR_GATEWAY_CONFIG',
        `${file}: ${IMPORT_NOT_EXPECTED} (${pointer} = ${JSON.stringify(value)}). $import() belongs in ` +
          `handler.module (or inside handler.options).`,
      );
    }
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      assertNoSelectors(item, `${pointer}.${key}`, file, allowEnv, allowImport);
    }
  }
}

/** The names a `${...}` template sees, in this order (the runtime's template scope). */
export const TEMPLATE_SCOPE = [
  'request',
  'context',
  'params',
  'query',
  'method',
  'headers',
  'url',
  'host',
  'hostname',
  'origin',
  'pathname',
  'port',
  'search',
  'e',
  'env',
] as const;

export type TemplateScope = Record<(typeof TEMPLATE_SCOPE)[number], unknown>;
export type CompiledTemplate = (scope: TemplateScope) => string;

/**
 * Compiles `baseUrl` / `rewritePattern` into a JS template-literal function, as Zuplo does
 * (`buildRewriteFunction`). A syntax error is a start-up error naming `pointer`.
 */
export function compileTemplate(text: string, pointer: string, file: string): CompiledTemplate {
  // Backticks and backslashes outside `${}` are literal text in the user's intent; escape them so
  // the text stays one template literal. Inside `${}` the expression is kept as written.
  let body = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('${', i)) {
      const end = findExpressionEnd(text, i + 2);
      if (end < 0) {
        throw new UserError(
          'HARNESS_ERR_GATEWAY_CONFIG',
          `${file}: ${pointer}: the template ${JSON.stringify(text)} has a "\${" without its closing "}". ` +
            'Close the expression, e.g. "${env.ALB_BACKEND_URL}".',
        );
      }
      body += text.slice(i, end + 1);
      i = end + 1;
    } else {
      const c = text[i]!;
      body += c === '`' || c === '\\' ? `\\${c}` : c;
      i += 1;
    }
  }
  let fn: (...args: unknown[]) => string;
  try {
    fn = new Function(...TEMPLATE_SCOPE, `return \`${body}\`;`) as (...args: unknown[]) => string;
  } catch (err) {
    throw new UserError(
      'HARNESS_ERR_GATEWAY_CONFIG',
      `${file}: ${pointer}: the template ${JSON.stringify(text)} is not valid JavaScript ` +
        `(${(err as Error).message}). Each \${...} must hold one expression, e.g. \${env.NAME} or \${params.id}.`,
      { cause: err },
    );
  }
  return (scope) => fn(...TEMPLATE_SCOPE.map((name) => scope[name]));
}

// Finds the `}` closing an expression that starts at `from`, skipping nested braces and strings.
function findExpressionEnd(text: string, from: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quote !== undefined) {
      if (c === '\\') i += 1;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '{') depth += 1;
    else if (c === '}') {
      if (depth === 0) return i;
      depth -= 1;
    }
  }
  return -1;
}
