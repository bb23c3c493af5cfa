import { readFile } from 'node:fs/promises';
import { UserError } from './errors.ts';

/**
 * Reading what a user points us at. `label` is how the user named the input (a CLI flag such as
 * `--crl`, or a field such as `trustStore`), so every message speaks their words.
 */

/** The text of a file the user gave, or a UserError naming `label`, the path and the cause. */
export async function readUserFile(label: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : `cannot be read (${code})`;
    throw new UserError('HARNESS_ERR_FILE', `${label} ${path}: ${why}. Check the path.`);
  }
}

/** A listening port: 0-65535, 0 = any free port. Undefined gives 0. */
export function parsePort(label: string, value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `${label} "${value}" is not a port number. Use 0-65535 (0 = any free port).`);
  }
  return port;
}

/** PEM given inline (with a name for messages) or as a file the harness reads. */
export type PemInput = { pem: string; source: string } | { file: string; label?: string };

/** The text of a PemInput and the name messages use for it ("--cert chain.pem", or the inline source). */
export async function readPemInput(input: PemInput): Promise<{ text: string; source: string }> {
  if ('pem' in input) return { text: input.pem, source: input.source };
  const text = await readUserFile(input.label ?? 'file', input.file);
  return { text, source: input.label ? `${input.label} ${input.file}` : input.file };
}

/** Where a project keeps its local mTLS certificate store, relative to the project root (the `zuplo dev` layout). */
export const DEFAULT_STORE_DIR = '.zuplo-local/mtls';
