import { mkdirSync, statSync, type Stats } from 'node:fs';
import { UserError } from './errors.ts';

/** What a file-system error code means, in words a user can act on. */
const WHY: Record<string, string> = {
  ENOENT: 'does not exist (or a folder on its path does not)',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'has a file where a directory is needed on its path',
  EEXIST: 'already exists',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'is on a read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'has too many symbolic links on its path',
  EMFILE: 'too many open files in this process',
};

/** `permission denied (EACCES)`; the bare message for an error without a known code. */
export function describeFileError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code && WHY[code]) return `${WHY[code]} (${code})`;
  return code ?? (err instanceof Error ? err.message : String(err));
}

/**
 * A UserError (HARNESS_ERR_FILE) for a file operation that failed on the user's path:
 * `<what> <path>: <why>. <fix>`. `what` is the flag or option field the path came from.
 */
export function fileError(what: string, path: string, err: unknown, fix: string): UserError {
  return new UserError('HARNESS_ERR_FILE', `${what} ${path}: ${describeFileError(err)}. ${fix}`, { cause: err });
}

/**
 * Creates `path` as a directory (and its parents) unless it already is one. A file in the way, or a
 * parent that cannot be written, is a UserError naming `what` (the flag or field) and the path.
 */
export function ensureDirectorySync(what: string, path: string): void {
  let info: Stats | undefined;
  try {
    info = statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError(what, path, err, 'Choose a directory path you can write.');
  }
  if (info && !info.isDirectory()) {
    throw new UserError('HARNESS_ERR_FILE', `${what} ${path}: is a file, not a directory. Choose a directory path (it is created if missing).`);
  }
  if (info) return;
  try {
    mkdirSync(path, { recursive: true });
  } catch (err) {
    throw fileError(what, path, err, 'Choose a directory whose parent exists and that you can write.');
  }
}
