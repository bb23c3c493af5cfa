import { resolve } from 'node:path';
import type { WrittenPki } from '../../certs/pki/manifest.ts';
import { startAlb } from '../alb/index.ts';
import { HTTP2_ATTRIBUTE } from '../alb/options.ts';
import { MUTUAL_AUTHENTICATION_MODES, VERIFY_FAILURE_MODES, type AlbHandle, type MutualAuthenticationMode, type TrustStoreOptions } from '../alb/types.ts';
import type { TlsVerifyStatus } from '../../certs/alb-codes.ts';
import { harnessErrorCode, UserError } from '../errors.ts';
import { ensureDirectorySync } from '../file-errors.ts';
import { startLiveUiLazily } from '../report/live-ui-lazy.ts';
import { startTarget, type TargetHandle } from '../targets/index.ts';
import { parsePort, readUserFile } from '../user-input.ts';
import { parseChoice, parseFlags } from './args.ts';
import { paint, type CliIo } from './io.ts';
import { importForServe, SERVE_FROM_FLAGS, serveFromHelp } from './serve-from.ts';
import { serveListeners } from './serve-listeners.ts';
import { openServePki, printedVerdicts, type ServePki } from './serve-inputs.ts';
import { printCommandGroups, streamLogsUntilInterrupted } from './serve-output.ts';
import { serveCommandLines } from './serve-printed-commands.ts';
import { parseTargetFlags, targetOf } from './serve-targets.ts';
import { watchFiles } from './serve-watch.ts';

export const serveHelp = `Usage: alb-mtls serve [--mode verify|passthrough|off] [--pki DIR] [--trust-store FILE] [--crl FILE ...]
                      [--ignore-expiry] [--advertise-ca-names] [--verify-failure handshake|http-403]
                      [--log-dir DIR] [--port N] [--target URL] [--force] [--ui] [--watch]

Starts the ALB emulator (an HTTPS listener with mutual TLS) in front of an echo target, prints its
URL on the first line, then curl and openssl s_client commands that present a good and a bad
client certificate chain and send a request (each line says what its output should show), then
streams every connection-log and access-log line. Ctrl-C stops it.

Options:
  --mode M              verify (default), passthrough or off (MutualAuthentication.Mode)
  --pki DIR             A PKI written by "alb-mtls certs --out DIR" (its manifest.json says where
                        each file is). A missing or empty DIR gets a fresh PKI. Default: a fresh PKI
                        in a temporary directory, removed when serve stops
  --force               With --pki DIR: write a fresh PKI into DIR even if it already holds files
  --trust-store FILE    CA bundle for verify mode (default: the PKI's trust store)
  --crl FILE            A PEM CRL to add as a trust-store revocation; repeat for more. With
                        --trust-store, only these CRLs are used (default: the PKI's CRLs, when the
                        trust store is the PKI's too)
  --ignore-expiry       IgnoreClientCertificateExpiry=true
  --advertise-ca-names  AdvertiseTrustStoreCaNames=on
  --verify-failure F    handshake (default: close before any HTTP byte, as AWS documents) or http-403
                        (complete the handshake and answer 403, the seed's troubleshooting model)
  --log-dir DIR         Also append connection-log and access-log lines to AWS-named files in DIR
  --port N              Listener port (default 0: any free port)
  --target URL          Forward to this http(s) URL instead of a built-in echo target (with --from:
                        every listener whose target group --target GROUP=URL does not bind)
  --ui                  Also serve a local web page (127.0.0.1, its own port, printed on the second
                        line) showing each connection as it happens: verdict, client chain, request,
                        the target's answer, what the verdict means and the fix
  --watch               Reload the trust store when its bundle or CRL files change (new connections
                        use the new store, open ones go on, as after ModifyTrustStore on AWS); a file
                        that breaks ALB's rules is reported and the previous store kept
${serveFromHelp}`;

/** serve's flags: one table, so a new flag is one line here and one in the help. */
export const SERVE_FLAGS = {
  mode: { type: 'string' },
  pki: { type: 'string' },
  'trust-store': { type: 'string' },
  crl: { type: 'string', multiple: true },
  'ignore-expiry': { type: 'boolean' },
  'advertise-ca-names': { type: 'boolean' },
  port: { type: 'string' },
  target: { type: 'string', multiple: true },
  force: { type: 'boolean' },
  'verify-failure': { type: 'string' },
  'log-dir': { type: 'string' },
  ui: { type: 'boolean' },
  watch: { type: 'boolean' },
} as const;

const VERIFY_ONLY_FLAGS = ['trust-store', 'crl', 'ignore-expiry', 'advertise-ca-names'] as const;

export async function serveCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags('serve', argv, { ...SERVE_FLAGS, ...SERVE_FROM_FLAGS });
  if (values.help) {
    io.out(serveHelp);
    return 0;
  }
  const imported = await importForServe(values, io);
  if (imported && 'listeners' in imported) return serveListeners(imported, values, io);
  const mode: MutualAuthenticationMode = imported?.albOptions.mutualAuthentication?.mode ?? parseChoice('--mode', values.mode ?? 'verify', MUTUAL_AUTHENTICATION_MODES);
  const verifyFailure = parseChoice('--verify-failure', values['verify-failure'] ?? 'handshake', VERIFY_FAILURE_MODES);
  const port = parsePort('--port', values.port);
  const targetGroup = imported?.targetGroup;
  const targetUrl = targetOf(parseTargetFlags(values.target, imported ? (targetGroup ? [targetGroup] : []) : undefined, imported?.source), targetGroup);
  if (values.watch && imported) {
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', '--watch reloads the files of --trust-store, --crl or --pki; with --from, the trust store comes from the configuration. Remove --watch, or serve the bundle with --trust-store.');
  }
  if (values.watch && mode !== 'verify') {
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `--watch reloads the trust store, which only --mode verify has (this is --mode ${mode}). Remove --watch, or use --mode verify.`);
  }
  if (mode !== 'verify' && !imported) {
    for (const flag of VERIFY_ONLY_FLAGS) {
      if (values[flag] !== undefined) {
        throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `--${flag} applies to --mode verify only (AWS rejects it for ${mode}). Remove it, or use --mode verify.`);
      }
    }
  }

  if (values['log-dir'] !== undefined) ensureDirectorySync('--log-dir', resolve(values['log-dir']));

  let servePki: ServePki | undefined;
  let target: TargetHandle | undefined;
  let alb: AlbHandle | undefined;
  try {
    servePki = await openServePki(values.pki, !!values.force);
    const pki = servePki.pki;
    const importedMutual = imported?.albOptions.mutualAuthentication;
    const trustStore = imported ? importedMutual?.trustStore : mode === 'verify' ? await trustStoreFor(pki, values['trust-store'], values.crl, io) : undefined;
    const ignoreExpiry = imported ? !!importedMutual?.ignoreClientCertificateExpiry : !!values['ignore-expiry'];
    const verdicts = trustStore ? await printedVerdicts(pki, trustStore, ignoreExpiry) : new Map<string, TlsVerifyStatus>();
    if (!targetUrl) target = await startTarget({ kind: 'echo' });
    alb = await startAlb({
      ...imported?.albOptions,
      port,
      certificate: { certPem: await readUserFile('--pki server certificate', pki.listener.serverChain), keyPem: await readUserFile('--pki server key', pki.listener.serverKey) },
      mutualAuthentication: imported
        ? imported.albOptions.mutualAuthentication
        : trustStore
        ? { mode, trustStore, ignoreClientCertificateExpiry: !!values['ignore-expiry'], advertiseTrustStoreCaNames: values['advertise-ca-names'] ? 'on' : 'off' }
        : { mode },
      targets: [targetUrl ?? target!.url],
      verifyFailure,
      logDirectory: values['log-dir'],
    }).catch((err: unknown) => {
      // The listener names the port it could not bind; the user typed it as --port.
      if (harnessErrorCode(err) === 'HARNESS_ERR_PORT') throw new UserError('HARNESS_ERR_PORT', `--port ${port}: ${(err as Error).message}`, { cause: err });
      throw err;
    });
    io.out(alb.url);
    await using ui = values.ui ? await startLiveUiLazily({ alb, mode, verifyFailure }) : undefined;
    if (ui) io.out(`Live page: ${ui.url}/`);
    io.out(`ALB emulator (mode ${mode}) with server certificate for ${alb.hostname}, localhost and 127.0.0.1; PKI in ${pki.dir}`);
    if (values['trust-store'] || imported?.trustStore) io.out(paint(io, 'yellow', 'Your own trust store is loaded: the commands below use the PKI\'s client certificates; use yours in their place.'));
    const http2 = imported?.albOptions.attributes?.[HTTP2_ATTRIBUTE] !== 'false';
    printCommandGroups(io, serveCommandLines({ pki, port: alb.port, mode, verifyFailure, http2, verdictOf: (v) => verdicts.get(v) }));
    using watching = values.watch && trustStore ? watchTrustStore(alb, () => trustStoreFor(pki, values['trust-store'], values.crl, io), trustStoreFiles(pki, values['trust-store'], values.crl), io) : undefined;
    if (watching) io.out(paint(io, 'dim', 'Watching the trust-store files: a change reloads the store for new connections.'));
    const forwardingTo = targetUrl ?? `${target!.url} (echo target)`;
    io.out(paint(io, 'dim', `Forwarding to ${targetGroup ? `target group ${targetGroup.id}: ` : ''}${forwardingTo}. Log lines follow; Ctrl-C stops.`));
    await streamLogsUntilInterrupted(io, alb);
    return 0;
  } finally {
    await alb?.close();
    await target?.close();
    await servePki?.close();
  }
}

/** The files of the trust store: your bundle and exactly your CRLs, or the PKI's bundle and its CRLs. */
function trustStoreFiles(pki: WrittenPki, bundleFlag: string | undefined, crlFlags: string[] | undefined) {
  const bundle = bundleFlag !== undefined ? { path: resolve(bundleFlag), label: `--trust-store ${bundleFlag}` } : { path: pki.listener.trustStore, label: pki.listener.trustStore };
  const crls = crlFlags !== undefined
    ? crlFlags.map((f) => ({ path: resolve(f), label: `--crl ${f}` }))
    : bundleFlag !== undefined ? [] : pki.listener.revocations.map((p) => ({ path: p, label: p }));
  return { bundle, crls };
}

/**
 * The trust store the listener loads. Your own bundle comes with exactly the CRLs you name (the
 * PKI's CRLs belong to the PKI's CAs); the PKI's bundle comes with its CRLs unless you name others.
 */
async function trustStoreFor(pki: WrittenPki, bundleFlag: string | undefined, crlFlags: string[] | undefined, io: CliIo): Promise<TrustStoreOptions> {
  const { bundle, crls } = trustStoreFiles(pki, bundleFlag, crlFlags);
  return {
    caCertificatesBundle: await readUserFile(bundleFlag !== undefined ? '--trust-store' : '--pki trust store', bundle.path),
    source: bundle.label,
    revocations: await Promise.all(crls.map((c) => readUserFile(crlFlags !== undefined ? '--crl' : '--pki CRL', c.path))),
    revocationSources: crls.map((c) => c.label),
    // The PKI's own intermediate CRL belongs to the intermediate its clients present: warn only about CRLs you chose.
    ...(bundleFlag !== undefined || crlFlags !== undefined ? { onWarning: (m: string) => io.err(paint(io, 'yellow', `warning: ${m}`)) } : {}),
  };
}

/** `--watch`: read the files again on every change and swap the store; a bad file keeps the old one. */
function watchTrustStore(alb: AlbHandle, read: () => Promise<TrustStoreOptions>, files: ReturnType<typeof trustStoreFiles>, io: CliIo): Disposable {
  const labels = [files.bundle, ...files.crls].map((f) => f.label).join(', ');
  return watchFiles([files.bundle.path, ...files.crls.map((c) => c.path)], async () => {
    try {
      const loaded = alb.reloadTrustStore(await read());
      io.out(paint(io, 'yellow', `trust store reloaded from ${labels}: ${loaded.certificates.length} CA(s), ${loaded.crls.length} CRL(s); new connections use it`));
    } catch (err) {
      io.err(paint(io, 'red', `trust store not reloaded: ${(err as Error).message} The listener keeps the previous store.`));
    }
  });
}
