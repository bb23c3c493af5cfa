// Completes `tsc -p tsconfig.build.json`: tsc rewrites relative `.ts` imports to `.js` in the
// JavaScript it emits but leaves them as `.ts` in declarations (and in some dynamic imports), and
// it copies no non-TypeScript files. Plain .mjs so `npm install` (prepare) runs it with Node alone.
import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const DIST = 'dist';

// Runtime files tsc does not emit: the loader hooks (they run on Node's loader thread) and the
// function project the scenarios load (user-style TypeScript, compiled at run time like a user's).
const ASSETS = ['harness/gateway/runtime/loader-hooks.mjs', 'scenarios/fixtures/function-project'];

async function* filesEndingIn(dir, suffix) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesEndingIn(path, suffix);
    else if (entry.name.endsWith(suffix)) yield path;
  }
}

// `from './x.ts'`, `import('./x.ts')`, `export * from '../y.ts'`: relative specifiers only.
const RELATIVE_TS = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.ts(['"])/g;

// CommonJS packages on the CLI's start-up path. An ES module that imports a CommonJS package makes
// Node scan the package's files for export names (for the ASN.1 packages, every re-exported file),
// which cost `alb-mtls verify` a third of its start-up; require() loads the same module without the
// scan. So in the build, and only there, their imports become require() calls.
const REQUIRED_NOT_IMPORTED = ['@peculiar/asn1-schema', '@peculiar/asn1-x509', '@peculiar/asn1-rsa'];
const IMPORT_STATEMENT = /^import (.+?) from (['"])([^'"]+)\2;$/gm;

function requireInstead(text) {
  let changed = false;
  const out = text.replace(IMPORT_STATEMENT, (statement, clause, _quote, pkg) => {
    if (!REQUIRED_NOT_IMPORTED.includes(pkg)) return statement;
    const loaded = `__requireCjs(${JSON.stringify(pkg)})`;
    const namespace = /^\* as (\w+)$/.exec(clause);
    const named = /^\{([^}]*)\}$/.exec(clause);
    if (!namespace && !named) throw new Error(`finish-build: cannot rewrite "${statement}"`);
    changed = true;
    if (namespace) return `const ${namespace[1]} = ${loaded};`;
    return `const { ${named[1].split(',').map((n) => n.trim().replace(/\s+as\s+/, ': ')).filter(Boolean).join(', ')} } = ${loaded};`;
  });
  return changed ? `import { createRequire as __createRequire } from 'node:module';\nconst __requireCjs = __createRequire(import.meta.url);\n${out}` : text;
}

for await (const file of filesEndingIn(DIST, '.d.ts')) {
  const text = await readFile(file, 'utf8');
  const rewritten = text.replace(RELATIVE_TS, '$1$2.js$3');
  if (rewritten !== text) await writeFile(file, rewritten);
}
for await (const file of filesEndingIn(DIST, '.js')) {
  const text = await readFile(file, 'utf8');
  // tsc leaves a relative `.ts` in an import() inside a function that uses `await using`: fix those too.
  const rewritten = requireInstead(text.replace(RELATIVE_TS, '$1$2.js$3'));
  if (rewritten !== text) await writeFile(file, rewritten);
}
for (const asset of ASSETS) await cp(asset, join(DIST, asset), { recursive: true });
