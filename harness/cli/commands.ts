import type { CliIo } from './io.ts';
import { certsCommand } from './certs-command.ts';

export interface Command {
  summary: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

/** The CLI's commands. Each lives in its own file; this table only names them. */
export const commands: Record<string, Command> = {
  certs: { summary: 'Write a test PKI (CAs, ALB server cert, good and bad client certs, CRLs)', run: certsCommand },
};
