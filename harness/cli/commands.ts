import type { CliIo } from './io.ts';
import { certsCommand } from './certs-command.ts';
import { runCommand } from './run-command.ts';
import { scenariosCommand } from './scenarios-command.ts';
import { serveCommand } from './serve-command.ts';
import { gatewayCommand } from './gateway-command.ts';
import { mtlsCertificateCommand } from './mtls-certificate-command.ts';
import { verifyCommand } from './verify-command.ts';
import { reportCommand } from './report-command.ts';

export interface Command {
  summary: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

/** The CLI's commands. Each lives in its own file; this table only names them. */
export const commands: Record<string, Command> = {
  run: { summary: 'Play scenarios end to end (gateway -> ALB mTLS -> target) and compare with what they expect', run: runCommand },
  scenarios: { summary: 'List the scenarios, grouped by the section of the Zuplo guide they reproduce', run: scenariosCommand },
  serve: { summary: 'Start the ALB emulator with mutual TLS and print ready-to-paste curl/openssl commands', run: serveCommand },
  gateway: { summary: 'Run your Zuplo project locally with its mTLS certificate bindings', run: gatewayCommand },
  'mtls-certificate': { summary: 'Manage the local mTLS certificate store (the zuplo mtls-certificate commands)', run: mtlsCertificateCommand },
  verify: { summary: 'Would an ALB in verify mode accept this client certificate? The tls_verify_status, offline', run: verifyCommand },
  report: { summary: 'Merge the JSON reports of sharded runs (run --shard i/n --json) into one JSON/JUnit report', run: reportCommand },
  certs: { summary: 'Write a test PKI (CAs, ALB server cert, good and bad client certs, CRLs)', run: certsCommand },
};
