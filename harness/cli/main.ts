import { harnessErrorCode, isUserErrorCode } from '../errors.ts';
import { commands } from './commands.ts';
import type { CliIo } from './io.ts';
import { processIo } from './io.ts';

const USAGE = `alb-mtls: a local AWS ALB with mutual TLS, a Zuplo-like gateway, and the scenarios between them.

Usage: alb-mtls <command> [options]

Commands:
${'__COMMANDS__'}

Run "alb-mtls <command> --help" for a command's options.`;

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  return USAGE.replace('__COMMANDS__', Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`).join('\n'));
}

/**
 * Runs the CLI and resolves with the exit code: 0 ok, 1 a scenario mismatch (or a failure the command
 * reports), 2 a user error (bad flag, bad file) printed without a stack trace.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name) {
    io.err(usage());
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return 0;
  }
  const command = commands[name];
  if (!command) {
    io.err(`alb-mtls: unknown command "${name}".\n\n${usage()}`);
    return 2;
  }
  try {
    const run = await command.load();
    return await run(rest, io);
  } catch (err) {
    const exit = exitCodeFor(err);
    if (exit === undefined) throw err; // not ours on purpose: a bug, whose stack is worth seeing
    io.err(`alb-mtls ${name}: ${(err as Error).message}`);
    return exit;
  }
}

/**
 * The exit status for an error the harness raised on purpose, decided by its `code` alone:
 * 2 for the user's input (a flag, a file, a field), 1 for a check or run that failed.
 * Undefined for any other error.
 */
export function exitCodeFor(err: unknown): 1 | 2 | undefined {
  const code = harnessErrorCode(err);
  if (code === undefined) return undefined;
  return isUserErrorCode(code) ? 2 : 1;
}
