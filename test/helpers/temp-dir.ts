import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A temp directory removed by `await using`; `file()` writes into it (making parent folders) and returns the path. */
export type TempDir = { path: string; file(name: string, content: string | Buffer): Promise<string> } & AsyncDisposable;

export async function tempDir(prefix = 'alb-mtls-test-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return {
    path,
    async file(name, content) {
      const p = join(path, name);
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, content);
      return p;
    },
    [Symbol.asyncDispose]: () => rm(path, { recursive: true, force: true }),
  };
}
