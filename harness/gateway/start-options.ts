import { isIP } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { certificateBlocks } from '../../certs/x509/pem.ts';
import { UserError } from '../errors.ts';
import { recentResults } from '../recent-results.ts';
import { ENVIRONMENT_TYPES, FAILURE_MODES, PROJECT_TYPES, type GatewayOptions } from './types.ts';

/**
 * Checks the library options a user can get wrong before anything starts, each error naming the
 * option and the values it takes. `flag` maps an option to the CLI flag that sets it, so the CLI's
 * messages speak the user's words.
 */
export function validateGatewayOptions(options: GatewayOptions, flag: (option: string) => string = (o) => o): void {
  choice(flag('environmentType'), options.environmentType, ENVIRONMENT_TYPES);
  choice(flag('failureMode'), options.failureMode, FAILURE_MODES);
  choice(flag('projectType'), options.projectType, PROJECT_TYPES);
  if (options.originCa !== undefined) checkOriginCa(options.originCa, flag('originCa'));
  for (const [hostPort, address] of Object.entries(options.resolve ?? {})) checkResolve(hostPort, address, flag('resolve'));
}

function choice(name: string, value: unknown, allowed: readonly string[]): void {
  if (value === undefined || allowed.includes(value as string)) return;
  throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `${name}: ${JSON.stringify(value)} is not one of ${allowed.join(', ')}.`);
}

/** Every origin CA must hold at least one PEM certificate that parses. */
export function checkOriginCa(originCa: string | string[], name: string): void {
  const texts = Array.isArray(originCa) ? originCa : [originCa];
  texts.forEach((text, i) => {
    const source = texts.length > 1 ? `${name}[${i}]` : name;
    if (typeof text !== 'string') throw new UserError('HARNESS_ERR_PEM', `${source}: expected PEM text, got ${typeof text}.`);
    checkedOriginCas(text, () => {
      for (const block of certificateBlocks(text, source)) {
        try {
          new X509Certificate(block.der);
        } catch (err) {
          throw new UserError('HARNESS_ERR_PEM', `${source}: the certificate at line ${block.line} does not parse (${(err as Error).message}). Give the CA certificate in PEM.`, {
            cause: err,
          });
        }
      }
      return true;
    });
  });
}

// Every gateway of a scenario run trusts the same origin CA: a text that parsed once is not parsed again.
const checkedOriginCas = recentResults<true>(16);

/** Parses curl's `HOST:PORT:ADDRESS` into the `resolve` option's entry. */
export function parseResolve(text: string, name = '--resolve'): [string, string] {
  const match = /^([^:]+):(\d+):(.+)$/.exec(text);
  if (match === null) {
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `${name} "${text}" is not HOST:PORT:ADDRESS, e.g. my-alb-1234567890.us-east-1.elb.amazonaws.com:443:127.0.0.1.`);
  }
  const [, host, port, rawAddress] = match as unknown as [string, string, string, string];
  const address = rawAddress.replace(/^\[|\]$/g, '');
  checkResolve(`${host}:${port}`, address, name);
  return [`${host}:${port}`, address];
}

function checkResolve(hostPort: string, address: string, name: string): void {
  const port = Number(/:(\d+)$/.exec(hostPort)?.[1]);
  if (!/^[^:]+:\d+$/.test(hostPort) || !(port > 0 && port <= 65535)) {
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `${name}: "${hostPort}" is not HOST:PORT with a port 1-65535.`);
  }
  if (isIP(address) === 0) {
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `${name}: "${address}" (for ${hostPort}) is not an IP address. Give the address to connect to, e.g. 127.0.0.1.`);
  }
}
