import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { startGateway } from '../gateway/index.ts';
import { UserError } from '../errors.ts';
import { parseChoice, parseFlags } from './args.ts';
import { paint, type CliIo } from './io.ts';
import { DEFAULT_STORE_DIR } from './mtls-certificate-command.ts';
import { readUserFile } from './user-file.ts';

export const gatewayHelp = `Usage: alb-mtls gateway --project DIR [options]

Runs your Zuplo project (config/routes.oas.json, modules/, .env) locally WITH its mTLS
certificate bindings, which the platform's own local development does not have. Point its
backend variables at "alb-mtls serve" to reproduce the deployed path on your machine.

Options:
  --project DIR           The Zuplo project directory (required)
  --env-type T            development (default), preview, production, or local (no bindings, as zuplo dev)
  --certs DIR             Certificate store (default: DIR/${DEFAULT_STORE_DIR} if it exists)
  --origin-ca FILE        CA that issued the ALB's server certificate (e.g. PKI/ca/ca-root.crt)
  --env NAME=VALUE        An environment variable (repeatable; overrides .env)
  --compatibility-date D  Zuplo compatibility date (default: zuplo.jsonc's, else 2025-02-06)
  --failure-mode M        edge (default: connection failures answer 522) or runtime (500)
  --strict-names          Refuse certificate names that are not JavaScript identifiers
  --port N                Listen on this port (default: an ephemeral one)`;

export async function gatewayCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags('gateway', argv, {
    project: { type: 'string' },
    'env-type': { type: 'string' },
    certs: { type: 'string' },
    'origin-ca': { type: 'string' },
    env: { type: 'string', multiple: true },
    'compatibility-date': { type: 'string' },
    'failure-mode': { type: 'string' },
    'strict-names': { type: 'boolean' },
    port: { type: 'string' },
  });
  if (values.help) {
    io.out(gatewayHelp);
    return 0;
  }
  const projectDir = values.project ?? fail('--project DIR is required (the Zuplo project to run).');
  const environmentType = parseChoice('--env-type', values['env-type'] ?? 'development', ['development', 'preview', 'production', 'local'] as const);
  const failureMode = parseChoice('--failure-mode', values['failure-mode'] ?? 'edge', ['edge', 'runtime'] as const);
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port "${values.port}" is not a port number (0-65535).`);
  const environment: Record<string, string> = {};
  for (const pair of values.env ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) fail(`--env "${pair}" is not NAME=VALUE.`);
    environment[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const defaultStore = join(projectDir, DEFAULT_STORE_DIR);
  const certificates = values.certs ?? ((await stat(defaultStore).then((s) => s.isDirectory(), () => false)) ? defaultStore : undefined);
  const originCa = values['origin-ca'] ? await readUserFile('--origin-ca', values['origin-ca']) : undefined;

  await using gateway = await startGateway({
    projectDir, environmentType, failureMode, port, environment, certificates, originCa,
    compatibilityDate: values['compatibility-date'], strictNames: values['strict-names'],
  });
  io.out(gateway.url);
  for (const w of gateway.warnings) io.err(paint(io, 'yellow', `warning: ${w}`));
  io.out(paint(io, 'dim', `gateway for ${projectDir} (${environmentType}, certificates: ${certificates ?? 'none'}); Ctrl-C to stop`));
  await io.untilInterrupted();
  return 0;
}

function fail(message: string): never {
  throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', message);
}
