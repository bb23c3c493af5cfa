import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { UserError } from '../../harness/errors.ts';
import { fileError } from '../../harness/file-errors.ts';

/** One file of a set to write, by its path relative to the set's directory. */
export interface PlannedFile {
  rel: string;
  content: string | Buffer;
}

/** Private keys and PKCS#12 files: readable by their owner only. */
export const isSecretFile = (rel: string): boolean => rel.endsWith('.key') || rel.endsWith('.p12');

const exists = (path: string) => lstat(path).then(() => true, () => false);

/**
 * Writes every file under `root` or none. The set is written to a temporary sibling first (a
 * failure there, such as a full disk, leaves `root` untouched); then a new `root` is renamed into
 * place in one step, or, when `root` already exists, each file is renamed over its old copy, and
 * a failure puts every old copy back. The last file in `files` lands last (the manifest).
 */
export async function writeAtomically(root: string, rootExists: boolean, files: PlannedFile[]): Promise<void> {
  if (rootExists) await refuseConflicts(root, files);
  const tag = randomBytes(4).toString('hex');
  const staging = rootExists ? join(root, `.alb-mtls-staging-${tag}`) : join(dirname(root), `.${basename(root)}.tmp-${tag}`);
  try {
    await mkdir(dirname(staging), { recursive: true });
    for (const file of files) {
      const path = join(staging, file.rel);
      await mkdir(dirname(path), { recursive: true });
      const mode = isSecretFile(file.rel) ? 0o600 : 0o644;
      await writeFile(path, file.content, { mode });
      await chmod(path, mode); // whatever the umask
    }
    if (!rootExists) {
      await rename(staging, root);
      return;
    }
    await swapIn(staging, root, files.map((f) => f.rel));
  } catch (err) {
    if ((err as { code?: unknown }).code === 'HARNESS_ERR_FILE') throw err;
    throw fileError('--out', root, err, 'Nothing was changed. Choose a directory you can write, on a disk with space.');
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** A file where the set needs a directory (or a directory where it needs a file) is refused before anything is written. */
async function refuseConflicts(root: string, files: PlannedFile[]): Promise<void> {
  const checked = new Set<string>();
  for (const { rel } of files) {
    const parts = rel.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const sub = parts.slice(0, i).join(sep);
      if (checked.has(sub)) continue;
      checked.add(sub);
      const info = await lstat(join(root, sub)).catch(() => undefined);
      if (!info) continue;
      const wantDir = i < parts.length;
      if (wantDir && !info.isDirectory()) {
        throw new UserError('HARNESS_ERR_FILE', `--out ${root}: ${join(root, sub)} is a file where a directory is needed. Move it away, or choose another --out. Nothing was changed.`);
      }
      if (!wantDir && info.isDirectory()) {
        throw new UserError('HARNESS_ERR_FILE', `--out ${root}: ${join(root, sub)} is a directory where a file is needed. Move it away, or choose another --out. Nothing was changed.`);
      }
    }
  }
}

/** Renames each staged file over its old copy, keeping the old copies until every new one is in place. */
async function swapIn(staging: string, root: string, rels: string[]): Promise<void> {
  const backup = join(staging, '.previous');
  const createdDirs: string[] = [];
  const done: { rel: string; hadOld: boolean }[] = [];
  try {
    for (const rel of rels) {
      const target = join(root, rel);
      const made = await mkdir(dirname(target), { recursive: true });
      if (made) createdDirs.push(made);
      const hadOld = await exists(target);
      if (hadOld) {
        await mkdir(dirname(join(backup, rel)), { recursive: true });
        await rename(target, join(backup, rel));
      }
      done.push({ rel, hadOld });
      await rename(join(staging, rel), target);
    }
  } catch (err) {
    for (const { rel, hadOld } of done.reverse()) {
      const target = join(root, rel);
      await rm(target, { force: true });
      if (hadOld) await rename(join(backup, rel), target).catch(() => undefined);
    }
    for (const dir of createdDirs.reverse()) await rmdir(dir).catch(() => undefined);
    throw err;
  }
}
