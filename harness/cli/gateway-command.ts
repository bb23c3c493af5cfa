import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { checkOriginCa, parseResolve, startGateway } from '../gateway/index.ts';
import { ENVIRONMENT_TYPES, FAILURE_MODES, PROJECT_TYPES } from '../gateway/types.ts';
import { UserError } from '../errors.ts';
import { parseChoice, parseEnvFlags, parseFlags } from './args.ts';
import { paint, type CliIo } from './io.ts';
import { DEFAULT_STORE_DIR, parsePort, readUserFile } from '../user-input.ts';

export const gatewayHelp = `Usage: alb-mtls gateway --project DIR [options]

Runs your Zuplo project (config/routes.oas.json, modules/, .env) locally and answers as the real
runtime does: a deployed environment type (development, preview, production) WITH its mTLS
certificate bindings, or "local" for zuplo dev. Point its backend variables at "alb-mtls serve" to
reproduce the deployed path on your machine. The first line says which runtime it emulates.

Options:
  --project DIR           The Zuplo project directory (required)
  --env-type T            ${ENVIRONMENT_TYPES.join(', ')} (default development). local = zuplo dev:
                          no bindings and only public CAs on a managed-edge project; the
                          certificates in DIR/${DEFAULT_STORE_DIR} on a managed-dedicated one
  --project-type P        ${PROJECT_TYPES.join(' or ')} (default: zuplo.jsonc's projectType, else managed-edge)
  --certs DIR             Certificate store (default: DIR/${DEFAULT_STORE_DIR} if it exists)
  --origin-ca FILE        CA that issued the ALB's server certificate (e.g. PKI/ca/ca-root.crt);
                          no effect for local on a managed-edge project
  --resolve H:P:ADDR      Connect H:P to ADDR, as curl does; SNI and the certificate check keep H
                          (repeatable), e.g. my-alb-1234567890.us-east-1.elb.amazonaws.com:443:127.0.0.1
  --env NAME=VALUE        An environment variable (repeatable; overrides .env)
  --compatibility-date D  Zuplo compatibility date (default: zuplo.jsonc's, else 2025-02-06)
  --failure-mode M        Override the failure answer: edge (522) or runtime (500 with Node's
                          message). Default: as the emulated runtime answers
  --strict-names          Refuse certificate names that are not JavaScript identifiers
  --port N                Listen on this port (default: an ephemeral one)

While it runs it prints one line per upstream attempt: route, URL, certificate sent, TLS version,
failure class, the status the client got, and milliseconds.`;

export async function gatewayCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags('gateway', argv, {
    project: { type: 'string' },
    'env-type': { type: 'string' },
    'project-type': { type: 'string' },
    certs: { type: 'string' },
    'origin-ca': { type: 'string' },
    resolve: { type: 'string', multiple: true },
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
  if (!(await stat(projectDir).then((s) => s.isDirectory(), () => false))) fail(`--project ${projectDir}: no such directory. Pass the folder that holds config/routes.oas.json.`);
  const environmentType = parseChoice('--env-type', values['env-type'] ?? 'development', ENVIRONMENT_TYPES);
  const projectType = values['project-type'] === undefined ? undefined : parseChoice('--project-type', values['project-type'], PROJECT_TYPES);
  const failureMode = values['failure-mode'] === undefined ? undefined : parseChoice('--failure-mode', values['failure-mode'], FAILURE_MODES);
  const port = parsePort('--port', values.port);
  const environment = parseEnvFlags(values.env);
  const resolve = Object.fromEntries((values.resolve ?? []).map((r) => parseResolve(r, '--resolve')));
  const defaultStore = join(projectDir, DEFAULT_STORE_DIR);
  const certificates = values.certs ?? ((await stat(defaultStore).then((s) => s.isDirectory(), () => false)) ? defaultStore : undefined);
  let originCa: string | undefined;
  if (values['origin-ca']) {
    originCa = await readUserFile('--origin-ca', values['origin-ca']);
    checkOriginCa(originCa, `--origin-ca ${values['origin-ca']}`);
  }

  await using gateway = await startGateway({
    projectDir, environmentType, port, environment, certificates, originCa, resolve,
    ...(projectType !== undefined ? { projectType } : {}),
    ...(failureMode !== undefined ? { failureMode } : {}),
    compatibilityDate: values['compatibility-date'], strictNames: values['strict-names'],
    onLog: (line) => io.out(line),
  });
  io.out(gateway.banner);
  io.out(gateway.url);
  for (const w of gateway.warnings) io.err(paint(io, 'yellow', `warning: ${w}`));
  io.out(paint(io, 'dim', `gateway for ${projectDir} (${environmentType}, certificates: ${certificates ?? 'none'}); Ctrl-C to stop`));
  await io.untilInterrupted();
  return 0;
}

function fail(message: string): never {
  throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', message);
}
