import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.ts';

/** Reads a file a flag names; a missing or unreadable file is a UserError naming the flag and the path. */
export async function readUserFile(flag: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : `cannot be read (${code})`;
    throw new UserError('HARNESS_ERR_FILE', `${flag} ${path}: ${why}.`);
  }
}
