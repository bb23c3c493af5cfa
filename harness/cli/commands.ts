import type { CliIo } from './io.ts';

/** What a command module provides: `run(argv, io)` resolving with the exit code. */
export type CommandRun = (argv: string[], io: CliIo) => Promise<number>;

export interface Command {
  summary: string;
  /** Imports the command's module. Only the command that runs is loaded, so `--help` stays fast. */
  load(): Promise<CommandRun>;
}

/**
 * The CLI's commands. Each lives in its own file; this table only names them, summarises them for
 * `alb-mtls --help` and says where to load them from. A new command is one entry here.
 */
export const commands: Record<string, Command> = {
  run: {
    summary: 'Play scenarios end to end (gateway -> ALB mTLS -> target) and compare with what they expect',
    load: async () => (await import('./run-command.ts')).runCommand,
  },
  scenarios: {
    summary: 'List the scenarios, grouped by the section of the Zuplo guide they reproduce',
    load: async () => (await import('./scenarios-command.ts')).scenariosCommand,
  },
  serve: {
    summary: 'Start the ALB emulator with mutual TLS and print ready-to-paste curl/openssl commands',
    load: async () => (await import('./serve-command.ts')).serveCommand,
  },
  gateway: {
    summary: 'Run your Zuplo project locally with its mTLS certificate bindings',
    load: async () => (await import('./gateway-command.ts')).gatewayCommand,
  },
  'mtls-certificate': {
    summary: 'Manage the local mTLS certificate store (the zuplo mtls-certificate commands)',
    load: async () => (await import('./mtls-certificate-command.ts')).mtlsCertificateCommand,
  },
  verify: {
    summary: 'Would an ALB in verify mode accept this client certificate? The tls_verify_status, offline',
    load: async () => (await import('./verify-command.ts')).verifyCommand,
  },
  doctor: {
    summary: 'Check your project, certificate store, trust store and ALB certificate: what would fail, where, and the fix',
    load: async () => (await import('./doctor-command.ts')).doctorCommand,
  },
  report: {
    summary: 'Merge the JSON reports of sharded runs (run --shard i/n --json) into one JSON/JUnit report',
    load: async () => (await import('./report-command.ts')).reportCommand,
  },
  certs: {
    summary: 'Write a test PKI (CAs, ALB server cert, good and bad client certs, CRLs)',
    load: async () => (await import('./certs-command.ts')).certsCommand,
  },
};
