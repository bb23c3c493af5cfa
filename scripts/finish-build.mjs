// Completes `tsc -p tsconfig.build.json`: tsc rewrites relative `.ts` imports to `.js` in the
// JavaScript it emits but leaves them as `.ts` in declarations, and it copies no non-TypeScript
// files. Plain .mjs so `npm install` (prepare) runs it with Node alone.
import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const DIST = 'dist';

// Runtime files tsc does not emit: the loader hooks (they run on Node's loader thread) and the
// function project the scenarios load (user-style TypeScript, compiled at run time like a user's).
const ASSETS = ['harness/gateway/runtime/loader-hooks.mjs', 'scenarios/fixtures/function-project'];

async function* declarationFiles(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* declarationFiles(path);
    else if (entry.name.endsWith('.d.ts')) yield path;
  }
}

// `from './x.ts'`, `import('./x.ts')`, `export * from '../y.ts'`: relative specifiers only.
const RELATIVE_TS = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.ts(['"])/g;

for await (const file of declarationFiles(DIST)) {
  const text = await readFile(file, 'utf8');
  const rewritten = text.replace(RELATIVE_TS, '$1$2.js$3');
  if (rewritten !== text) await writeFile(file, rewritten);
}
for (const asset of ASSETS) await cp(asset, join(DIST, asset), { recursive: true });
