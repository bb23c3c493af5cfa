import { createHash } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/**
 * Every path under `root` with its kind, mode and a hash of its content: two equal snapshots mean
 * nothing on disk changed (no file written, removed, truncated or re-moded).
 */
export async function diskSnapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (path: string): Promise<void> => {
    const info = await lstat(path).catch(() => undefined);
    const rel = relative(root, path) || '.';
    if (!info) return;
    const mode = (info.mode & 0o777).toString(8);
    if (info.isDirectory()) {
      out[rel] = `dir ${mode}`;
      for (const name of (await readdir(path)).sort()) await walk(join(path, name));
    } else {
      const hash = info.isFile() ? createHash('sha256').update(await readFile(path)).digest('hex').slice(0, 16) : 'other';
      out[rel] = `file ${mode} ${hash}`;
    }
  };
  await walk(root);
  return out;
}
