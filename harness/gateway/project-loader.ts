import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { UserError } from '../errors.ts';
import { fileError } from '../file-errors.ts';
import type { RouteSource } from './routes.ts';
import { PROJECT_TYPES, type ProjectType } from './types.ts';

/** What a Zuplo-style project directory provides. */
export interface LoadedProject {
  dir: string;
  /** Every `config/*.oas.json`, alphabetically (routes match in that order). */
  routeSources: RouteSource[];
  /** `.env.zuplo`, then `.env` over it. */
  environment: Record<string, string>;
  /** `compatibilityDate` from `zuplo.jsonc` / `zuplo.json`, if set. */
  compatibilityDate?: string;
  /** `projectType` from `zuplo.jsonc` / `zuplo.json`, if set. */
  projectType?: ProjectType;
  /** Whether `config/policies.json` exists (the real CLI refuses to build without it). */
  hasPolicies: boolean;
}

/**
 * Reads `<dir>/config/*.oas.json`, `.env.zuplo`, `.env` and `zuplo.jsonc` (modules are imported later, per route).
 * `label` names the directory in messages as the user gave it (e.g. `--project`).
 */
export async function loadProject(dir: string, label = 'project directory'): Promise<LoadedProject> {
  const configDir = join(dir, 'config');
  const entries = await readdir(configDir).catch(async (err: NodeJS.ErrnoException) => {
    const exists = await stat(dir).then((s) => s.isDirectory(), () => false);
    throw new UserError(
      'HARNESS_ERR_GATEWAY_CONFIG',
      exists
        ? `${label} ${dir}: cannot read its config directory (${err.code ?? err.message}). A Zuplo project holds config/routes.oas.json; give the folder that holds config/.`
        : `${label} ${dir}: no such directory. Give your Zuplo project's folder (the one that holds config/routes.oas.json).`,
      { cause: err },
    );
  });
  const files = entries.filter((name) => name.endsWith('.oas.json')).sort();
  if (files.length === 0) {
    throw new UserError(
      'HARNESS_ERR_GATEWAY_CONFIG',
      `${configDir}: no routes file. Create config/routes.oas.json with {"openapi": "3.1.0", "paths": {...}}.`,
    );
  }
  const routeSources: RouteSource[] = [];
  for (const name of files) {
    const file = `config/${name}`;
    const text = await readFile(join(configDir, name), 'utf8').catch((err: unknown) => {
      throw fileError('routes file', join(configDir, name), err, 'A routes file must be a readable JSON file.');
    });
    routeSources.push({ file, document: parseJsonText(text, file) });
  }

  const environment: Record<string, string> = {};
  for (const name of ['.env.zuplo', '.env']) {
    const text = await readOptional(join(dir, name));
    if (text !== undefined) Object.assign(environment, parseEnv(text));
  }
  const hasPolicies = entries.includes('policies.json');
  return { dir, routeSources, environment, hasPolicies, ...(await readZuploConfig(dir)) };
}

/** JSON.parse whose error names the file, line and column, and what to fix. */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const position = /position (\d+)/.exec(message);
    const offset = position ? Number(position[1]) : text.length;
    const { line, column } = lineColumn(text, offset);
    throw new UserError(
      'HARNESS_ERR_GATEWAY_CONFIG',
      `${file}:${line}:${column}: invalid JSON (${message}). Fix the syntax at line ${line}, column ${column} ` +
        '(a missing comma or quote, or a trailing comma, is the usual cause).',
      { cause: err },
    );
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column };
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileError('environment file', path, err, 'It must be a readable NAME=VALUE file, or absent.');
  }
}

async function readZuploConfig(dir: string): Promise<{ compatibilityDate?: string; projectType?: ProjectType }> {
  for (const name of ['zuplo.jsonc', 'zuplo.json']) {
    const path = join(dir, name);
    if (!(await stat(path).then((s) => s.isFile(), () => false))) continue;
    const config = parseJsonText(stripJsonComments(await readFile(path, 'utf8')), name) as { compatibilityDate?: unknown; projectType?: unknown } | null;
    const out: { compatibilityDate?: string; projectType?: ProjectType } = {};
    if (typeof config?.compatibilityDate === 'string') out.compatibilityDate = config.compatibilityDate;
    const projectType = config?.projectType;
    if (projectType !== undefined) {
      if (!(PROJECT_TYPES as readonly unknown[]).includes(projectType)) {
        throw new UserError(
          'HARNESS_ERR_GATEWAY_CONFIG',
          `${name}: projectType ${JSON.stringify(projectType)} is not a Zuplo project type. Use ${PROJECT_TYPES.map((t) => `"${t}"`).join(' or ')}.`,
        );
      }
      out.projectType = projectType as ProjectType;
    }
    return out;
  }
  return {};
}

/** Removes `//` and `/* *\/` comments and trailing commas outside strings (enough for zuplo.jsonc). */
export function stripJsonComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const comment = text.slice(i, end < 0 ? text.length : end + 2);
      out += comment.replace(/[^\n]/g, ' '); // keep line numbers for error messages
      i = end < 0 ? text.length : end + 1;
    } else {
      out += c;
    }
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}
