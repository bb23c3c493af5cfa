import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const TEST_DIR = fileURLToPath(new URL('.', import.meta.url));
// Helpers that start a third-party program: only the oracle tier (test/oracles/) may use them.
const PROGRAM_HELPERS = /import [^;]*?from '[./]*(?:helpers\/)?(openssl|openssl-verify|haproxy|nginx|socket-daemon|curl)\.ts'/;

async function* testFiles(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'oracles') yield* testFiles(path);
    else if (entry.name.endsWith('.test.ts')) yield path;
  }
}

test('npm test needs Node alone: no test outside test/oracles/ uses a helper that starts openssl, haproxy, nginx or curl', async () => {
  const offenders: string[] = [];
  for await (const file of testFiles(TEST_DIR)) {
    const match = PROGRAM_HELPERS.exec(await readFile(file, 'utf8'));
    if (match) offenders.push(`${relative(TEST_DIR, file)} imports ${match[1]}.ts: move it to test/oracles/`);
  }
  expect(offenders).toEqual([]);
});
