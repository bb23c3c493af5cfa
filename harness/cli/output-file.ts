import { stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UserError } from '../errors.ts';
import { fileError } from '../file-errors.ts';

/**
 * Checks, before any work starts, that `flag FILE` can be written: its folder exists, and the file
 * does not (unless `force`). A long run that could not save its result at the end would lose it.
 */
export async function checkOutputFile(flag: string, file: string, force: boolean): Promise<string> {
  const path = resolve(file);
  const parent = await stat(dirname(path)).catch(() => null);
  if (!parent?.isDirectory()) {
    throw new UserError('HARNESS_ERR_FILE', `${flag} ${file}: the folder ${dirname(path)} does not exist. Create it first, or choose another path.`);
  }
  const existing = await stat(path).catch(() => null);
  if (existing?.isDirectory()) throw new UserError('HARNESS_ERR_FILE', `${flag} ${file}: is a folder. Name a file.`);
  if (existing && !force) {
    throw new UserError('HARNESS_ERR_OUTPUT_EXISTS', `${flag} ${file}: file exists. Choose another path, or add --force to overwrite it.`);
  }
  return path;
}

/** Writes a checked output file; a failure (disk full, permissions changed) names the flag. */
export async function writeOutputFile(flag: string, path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (err) {
    throw fileError(flag, path, err, 'Check that the folder is writable and has space, or choose another path.');
  }
}
