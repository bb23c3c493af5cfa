import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { resolveEnvString } from './env-selectors.ts';
import { HTTP_METHODS } from './routes.ts';
import type { LoadedProject } from './project-loader.ts';

/**
 * Where a project uses an mTLS certificate: routes whose handler option `mtlsCertificate` resolves
 * (through `$env()`) to the name, and function modules that name it in a string literal or read an
 * environment variable set to it. The platform refuses to delete a certificate a deployment still
 * uses; this is the local equivalent of that check. Module references are found by text, which can
 * over-report but not miss a literal.
 */
export async function findCertificateReferences(project: LoadedProject, name: string): Promise<string[]> {
  const found: string[] = [];
  for (const { file, document } of project.routeSources) {
    const paths = (document as { paths?: Record<string, Record<string, unknown>> }).paths ?? {};
    for (const [path, operations] of Object.entries(paths)) {
      for (const [methods, operation] of Object.entries(operations ?? {})) {
        const keys = methods.toLowerCase().split(',').map((m) => m.trim());
        if (!keys.every((k) => (HTTP_METHODS as readonly string[]).includes(k))) continue;
        const value = (operation as { 'x-zuplo-route'?: { handler?: { options?: { mtlsCertificate?: unknown } } } })?.['x-zuplo-route']?.handler?.options?.mtlsCertificate;
        if (typeof value === 'string' && resolveEnvString(value, project.environment) === name) {
          found.push(`route ${keys.join(',').toUpperCase()} ${path} (${file})`);
        }
      }
    }
  }
  const variables = Object.entries(project.environment).filter(([, value]) => value === name).map(([variable]) => variable);
  for (const file of await moduleFiles(join(project.dir, 'modules'))) {
    const text = await readFile(file, 'utf8');
    const literal = text.includes(`'${name}'`) || text.includes(`"${name}"`) || text.includes(`\`${name}\``);
    const viaEnv = variables.some((v) => new RegExp(`environment\\s*(\\.\\s*${v}\\b|\\[\\s*['"\`]${v}['"\`]\\s*\\])`).test(text));
    if (literal || viaEnv) found.push(`module ${relative(project.dir, file)}`);
  }
  return found;
}

async function moduleFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && /\.(m?[jt]s)$/.test(e.name))
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}
