import { resolve } from 'node:path';
import { startAlb } from '../alb/index.ts';
import { HTTP2_ATTRIBUTE } from '../alb/options.ts';
import { VERIFY_FAILURE_MODES, type LoadBalancerHandle } from '../alb/types.ts';
import { harnessErrorCode, UserError } from '../errors.ts';
import { ensureDirectorySync } from '../file-errors.ts';
import type { ImportedLoadBalancerConfig } from '../iac/types.ts';
import { startTarget, type TargetHandle } from '../targets/index.ts';
import { parsePort, readUserFile } from '../user-input.ts';
import { parseChoice } from './args.ts';
import { paint, type CliIo } from './io.ts';
import { openServePki, printedVerdicts, type ServePki } from './serve-inputs.ts';
import { printCommandGroups, streamLogsUntilInterrupted } from './serve-output.ts';
import { serveCommandLines } from './serve-printed-commands.ts';
import { parseTargetFlags, targetOf } from './serve-targets.ts';

/**
 * `serve --from` a load balancer with several HTTPS listeners: all of them start, each on its own
 * local port (the configuration's 443 is rarely bindable), and each gets its URL, mode, trust store
 * and the commands that show its verdicts.
 */

const invalid = (message: string) => new UserError('HARNESS_ERR_INVALID_ARGUMENT', message);

export interface ServeListenersFlags {
  port?: string;
  'listener-port'?: string[];
  pki?: string;
  force?: boolean;
  target?: string[];
  'verify-failure'?: string;
  'log-dir'?: string;
  ui?: boolean;
  watch?: boolean;
}

/**
 * The local port of each listener: `--listener-port P=N` for the listener whose configured port is
 * P, else `--port N` for the first listener, else 0 (any free port).
 */
export function localPorts(imported: ImportedLoadBalancerConfig, flags: Pick<ServeListenersFlags, 'port' | 'listener-port'>): number[] {
  const configured = imported.listeners.map((l) => l.listener.port);
  const mapped = new Map<number, number>();
  for (const item of flags['listener-port'] ?? []) {
    const m = /^(\d+)=(\d+)$/.exec(item);
    if (!m) throw invalid(`--listener-port "${item}" is not PORT=LOCALPORT. Use e.g. --listener-port 443=8443.`);
    const from = Number(m[1]);
    if (!configured.includes(from)) throw invalid(`--listener-port ${item}: no imported listener has port ${from} (their ports: ${configured.map((p) => p ?? '?').join(', ')}).`);
    mapped.set(from, parsePort('--listener-port', m[2]));
  }
  const first = parsePort('--port', flags.port);
  return configured.map((port, i) => (port !== undefined && mapped.has(port) ? mapped.get(port)! : i === 0 ? first : 0));
}

export async function serveListeners(imported: ImportedLoadBalancerConfig, flags: ServeListenersFlags, io: CliIo): Promise<number> {
  for (const flag of ['ui', 'watch'] as const) {
    if (flags[flag]) throw invalid(`--${flag} follows one listener; ${imported.source} has ${imported.listeners.length}. Remove --${flag}, or serve one with --listener ID.`);
  }
  const verifyFailure = parseChoice('--verify-failure', flags['verify-failure'] ?? 'handshake', VERIFY_FAILURE_MODES);
  const ports = localPorts(imported, flags);
  // Each listener's target group goes to its --target GROUP=URL, else --target URL, else the echo target.
  const bindings = parseTargetFlags(flags.target, imported.targetGroups, imported.source);
  const targetUrls = imported.listeners.map((l) => targetOf(bindings, l.targetGroup));
  if (flags['log-dir'] !== undefined) ensureDirectorySync('--log-dir', resolve(flags['log-dir']));

  let servePki: ServePki | undefined;
  let target: TargetHandle | undefined;
  let alb: LoadBalancerHandle | undefined;
  try {
    servePki = await openServePki(flags.pki, !!flags.force);
    const pki = servePki.pki;
    if (targetUrls.includes(undefined)) target = await startTarget({ kind: 'echo' });
    const shown = targetUrls.map((url) => url ?? `${target!.url} (echo target)`);
    alb = await startAlb({
      ...imported.loadBalancerOptions,
      listeners: imported.loadBalancerOptions.listeners.map((options, i) => ({ ...options, port: ports[i]!, targets: [targetUrls[i] ?? target!.url] })),
      certificate: { certPem: await readUserFile('--pki server certificate', pki.listener.serverChain), keyPem: await readUserFile('--pki server key', pki.listener.serverKey) },
      verifyFailure,
      logDirectory: flags['log-dir'],
    }).catch((err: unknown) => {
      if (harnessErrorCode(err) === 'HARNESS_ERR_PORT') throw new UserError('HARNESS_ERR_PORT', `--port / --listener-port: ${(err as Error).message}`, { cause: err });
      throw err;
    });
    const handles = alb.listeners;
    imported.listeners.forEach(({ listener, options, trustStore, targetGroup }, i) => {
      const mode = options.mutualAuthentication?.mode ?? 'off';
      const forwards = targetGroup ? `; forwards to target group ${targetGroup.id}: ${shown[i]!}` : '';
      io.out(`${handles[i]!.url} listener ${listener.id} (port ${listener.port ?? '?'} in the configuration): mode ${mode}${trustStore ? `, trust store ${trustStore.name ?? trustStore.id}` : ''}${forwards}`);
    });
    io.out(`ALB emulator (${handles.length} listeners) with server certificate for ${alb.hostname}, localhost and 127.0.0.1; PKI in ${pki.dir}`);
    if (imported.listeners.some((l) => l.trustStore)) io.out(paint(io, 'yellow', "Your own trust store is loaded: the commands below use the PKI's client certificates; use yours in their place."));
    // A load-balancer attribute: every listener offers h2, or none does.
    const http2 = imported.loadBalancerOptions.attributes?.[HTTP2_ATTRIBUTE] !== 'false';
    for (const [i, { listener, options }] of imported.listeners.entries()) {
      const mutual = options.mutualAuthentication;
      const mode = mutual?.mode ?? 'off';
      const verdicts = mutual?.trustStore ? await printedVerdicts(pki, mutual.trustStore, !!mutual.ignoreClientCertificateExpiry) : new Map();
      io.out(`Listener ${listener.id} at ${handles[i]!.url} (mode ${mode}):`);
      printCommandGroups(io, serveCommandLines({ pki, port: handles[i]!.port, mode, verifyFailure, http2, verdictOf: (v) => verdicts.get(v) }));
    }
    const forwardingTo = new Set(shown).size === 1 ? shown[0]! : "each listener's target group, as listed above";
    io.out(paint(io, 'dim', `Forwarding to ${forwardingTo}. Log lines follow (each names its listener's port); Ctrl-C stops.`));
    await streamLogsUntilInterrupted(io, alb);
    return 0;
  } finally {
    await alb?.close();
    await target?.close();
    await servePki?.close();
  }
}
