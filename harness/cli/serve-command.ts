import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createPki } from '../../certs/index.ts';
import { startAlb } from '../alb/index.ts';
import type { AlbHandle, MutualAuthenticationMode } from '../alb/types.ts';
import { UserError } from '../errors.ts';
import { startTarget, type TargetHandle } from '../targets/index.ts';
import { parseChoice, parseFlags } from './args.ts';
import { paint, type CliIo } from './io.ts';
import { importForServe, SERVE_FROM_FLAGS, serveFromHelp } from './serve-from.ts';

export const serveHelp = `Usage: alb-mtls serve [--mode verify|passthrough|off] [--pki DIR] [--trust-store FILE] [--crl FILE ...]
                      [--ignore-expiry] [--advertise-ca-names] [--verify-failure handshake|http-403]
                      [--log-dir DIR] [--port N] [--target URL] [--force]

Starts the ALB emulator (an HTTPS listener with mutual TLS) in front of an echo target, prints its
URL on the first line, then ready-to-paste curl and openssl s_client commands with a good and a bad
client certificate, then streams every connection-log and access-log line. Ctrl-C stops it.

Options:
  --mode M              verify (default), passthrough or off (MutualAuthentication.Mode)
  --pki DIR             A PKI written by "alb-mtls certs --out DIR". A missing or empty DIR gets a
                        fresh PKI. Default: a fresh PKI in a temporary directory
  --force               With --pki DIR: write a fresh PKI into DIR even if it already holds files
  --trust-store FILE    CA bundle for verify mode (default: DIR/trust-store/bundle.pem)
  --crl FILE            A PEM CRL to add as a trust-store revocation; repeat for more
                        (default: DIR/crl/crl-root.pem and DIR/crl/crl-intermediate.pem)
  --ignore-expiry       IgnoreClientCertificateExpiry=true
  --advertise-ca-names  AdvertiseTrustStoreCaNames=on
  --verify-failure F    handshake (default: close before any HTTP byte, as AWS documents) or http-403
                        (complete the handshake and answer 403, the seed's troubleshooting model)
  --log-dir DIR         Also append connection-log and access-log lines to AWS-named files in DIR
  --port N              Listener port (default 0: any free port)
  --target URL          Forward to this http(s) URL instead of a built-in echo target
${serveFromHelp}`;

interface PkiFiles {
  dir: string;
  /** True when serve made the directory (a temp dir): removed again on exit. */
  temporary: boolean;
  serverChain: string;
  serverKey: string;
  rootCa: string;
  bundle: string;
  crls: string[];
}

export async function serveCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags('serve', argv, {
    mode: { type: 'string' },
    pki: { type: 'string' },
    'trust-store': { type: 'string' },
    crl: { type: 'string', multiple: true },
    'ignore-expiry': { type: 'boolean' },
    'advertise-ca-names': { type: 'boolean' },
    port: { type: 'string' },
    target: { type: 'string' },
    force: { type: 'boolean' },
    'verify-failure': { type: 'string' },
    'log-dir': { type: 'string' },
    ...SERVE_FROM_FLAGS,
  });
  if (values.help) {
    io.out(serveHelp);
    return 0;
  }
  const imported = await importForServe(values, io);
  const mode = (imported?.albOptions.mutualAuthentication?.mode ??
    parseChoice('--mode', values.mode ?? 'verify', ['verify', 'passthrough', 'off'] as const)) as MutualAuthenticationMode;
  const verifyFailure = parseChoice('--verify-failure', values['verify-failure'] ?? 'handshake', ['handshake', 'http-403'] as const);
  const port = parsePort(values.port);
  const targetUrl = values.target === undefined ? undefined : parseTarget(values.target);
  if (mode !== 'verify' && !imported) {
    for (const flag of ['trust-store', 'crl', 'ignore-expiry', 'advertise-ca-names'] as const) {
      if (values[flag] !== undefined) {
        throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `--${flag} applies to --mode verify only (AWS rejects it for ${mode}). Remove it, or use --mode verify.`);
      }
    }
  }
  const files = await pkiFiles(values.pki, !!values.force);
  const bundlePath = values['trust-store'] ? resolve(values['trust-store']) : files.bundle;
  const crlPaths = values.crl ? values.crl.map((f) => resolve(f)) : files.crls;

  let target: TargetHandle | undefined;
  let alb: AlbHandle | undefined;
  try {
    if (!targetUrl) target = await startTarget({ kind: 'echo' });
    alb = await startAlb({
      ...imported?.albOptions,
      port,
      certificate: { certPem: await readText(files.serverChain, 'server certificate chain'), keyPem: await readText(files.serverKey, 'server key') },
      mutualAuthentication: imported
        ? imported.albOptions.mutualAuthentication
        : mode === 'verify'
          ? {
              mode,
              trustStore: {
                caCertificatesBundle: await readText(bundlePath, '--trust-store'),
                revocations: await Promise.all(crlPaths.map((p) => readText(p, '--crl'))),
                source: bundlePath,
              },
              ignoreClientCertificateExpiry: !!values['ignore-expiry'],
              advertiseTrustStoreCaNames: values['advertise-ca-names'] ? 'on' : 'off',
            }
          : { mode },
      targets: [targetUrl ?? target!.url],
      verifyFailure,
      logDirectory: values['log-dir'],
    });
    io.out(alb.url);
    printCommands(io, alb, files, mode, !!values['trust-store'] || !!imported?.trustStore);
    io.out(paint(io, 'dim', `Forwarding to ${targetUrl ?? `${target!.url} (echo target)`}. Log lines follow; Ctrl-C stops.`));
    const stopConn = alb.connectionLog.subscribe((e) => io.out(`${paint(io, e.tlsVerifyStatus === 'Success' ? 'green' : 'red', 'connection-log')} ${e.raw}`));
    const stopAccess = alb.accessLog.subscribe((e) => io.out(`${paint(io, 'dim', 'access-log')} ${e.raw}`));
    await io.untilInterrupted();
    stopConn();
    stopAccess();
    io.out('Stopping.');
    return 0;
  } finally {
    await alb?.close();
    await target?.close();
    if (files.temporary) await rm(files.dir, { recursive: true, force: true });
  }
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `--port "${value}" is not a port number. Use 0-65535 (0 = any free port).`);
  }
  return port;
}

function parseTarget(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `--target "${value}" is not a URL. Use e.g. --target http://127.0.0.1:8080.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `--target "${value}" must be an http:// or https:// URL.`);
  }
  return url.href.replace(/\/$/, '');
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new UserError('HARNESS_ERR_FILE', `${what} ${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Check the path.`);
  }
}

/** The files serve needs, in the layout certs/pki/write.ts writes; writes a fresh PKI where there is none. */
async function pkiFiles(dirFlag: string | undefined, force: boolean): Promise<PkiFiles> {
  let dir: string;
  if (dirFlag === undefined) {
    dir = await mkdtemp(join(tmpdir(), 'alb-mtls-serve-'));
    await (await createPki()).writeTo(dir, { force: true });
  } else {
    dir = resolve(dirFlag);
    const entries = await readdir(dir).catch(() => [] as string[]);
    if (entries.length === 0 || force) {
      await (await createPki()).writeTo(dir, { force });
    } else if (!entries.includes('manifest.json')) {
      throw new UserError('HARNESS_ERR_FILE', `--pki ${dir}: not a PKI written by "alb-mtls certs" (no manifest.json). Point --pki at such a directory, at an empty one, or add --force to write a fresh PKI into it.`);
    }
  }
  const files: PkiFiles = {
    dir,
    temporary: dirFlag === undefined,
    serverChain: join(dir, 'server/server-alb.chain.pem'),
    serverKey: join(dir, 'server/server-alb.key'),
    rootCa: join(dir, 'ca/ca-root.crt'),
    bundle: join(dir, 'trust-store/bundle.pem'),
    crls: [join(dir, 'crl/crl-root.pem'), join(dir, 'crl/crl-intermediate.pem')],
  };
  for (const path of [files.serverChain, files.serverKey]) {
    if (!(await stat(path).then((s) => s.isFile(), () => false))) {
      throw new UserError('HARNESS_ERR_FILE', `--pki ${dir}: ${path} is missing. Regenerate the directory with "alb-mtls certs --out ${dir} --force".`);
    }
  }
  return files;
}

function printCommands(io: CliIo, alb: AlbHandle, f: PkiFiles, mode: MutualAuthenticationMode, ownTrustStore: boolean): void {
  const client = (name: string) => ({ cert: join(f.dir, `clients/client-${name}.chain.pem`), key: join(f.dir, `clients/client-${name}.key`) });
  const good = client('good');
  const bad = client(mode === 'verify' ? 'expired' : 'untrusted-root');
  const hostPort = `127.0.0.1:${alb.port}`;
  const curl = (c: { cert: string; key: string }) => `curl --cacert ${f.rootCa} --cert ${c.cert} --key ${c.key} ${alb.url}/hello`;
  const sClient = (c: { cert: string; key: string }) => `openssl s_client -connect ${hostPort} -CAfile ${f.rootCa} -cert ${c.cert} -key ${c.key} </dev/null`;
  io.out(`ALB emulator (mode ${mode}) with server certificate for ${alb.hostname}, localhost and 127.0.0.1; PKI in ${f.dir}`);
  if (ownTrustStore) io.out(paint(io, 'yellow', 'Your own trust store is loaded: the commands below use the PKI\'s client certificates; use yours in their place.'));
  io.out('Good client certificate (expect 200):');
  io.out(`  ${curl(good)}`);
  io.out(`  ${sClient(good)}`);
  io.out(mode === 'verify' ? 'Expired client certificate (expect the connection to close; Failed:ClientCertExpired in the log):' : 'Untrusted client certificate (forwarded unverified):');
  io.out(`  ${curl(bad)}`);
  io.out(`  ${sClient(bad)}`);
}
