import { UserError } from '../errors.ts';
import { asSingleListener } from '../iac/import-config.ts';
import { describeImport, describeLoadBalancerImport, importLoadBalancerConfig, parseS3Mapping } from '../iac/index.ts';
import type { ImportedAlbConfig, ImportedLoadBalancerConfig } from '../iac/types.ts';
import { paint, type CliIo } from './io.ts';

/** `serve --from`: the flags, their help, and the import that replaces --mode and the mTLS flags. */
export const SERVE_FROM_FLAGS = {
  from: { type: 'string' },
  listener: { type: 'string' },
  'load-balancer': { type: 'string' },
  'listener-port': { type: 'string', multiple: true },
  's3-root': { type: 'string' },
  s3: { type: 'string', multiple: true },
  var: { type: 'string', multiple: true },
} as const;

export const serveFromHelp = `
Run your real ALB configuration:
  --from FILE           Import the listener and trust store from a CloudFormation template (JSON or
                        YAML), a cdk.out directory, a Terraform module (.tf file or directory),
                        terraform show -json output, a Kubernetes Ingress, or AWS CLI describe-listeners
                        output (a file, or a directory with the describe-*-attributes outputs). Prints
                        what it imported before the URL. Replaces --mode, --ignore-expiry and
                        --advertise-ca-names; --trust-store and --crl supply the CA bundle and CRLs of a
                        trust store the file names but does not locate (Ingress, describe-* output)
                        Every HTTPS listener of the load balancer starts, each on its own local
                        port (HTTP listeners are noted and skipped)
  --listener ID         Only this listener (its logical ID, address or ARN)
  --load-balancer ID    Which load balancer, when the file has HTTPS listeners on several
  --listener-port P=N   Serve the configuration's port P on local port N (e.g. 443=8443); repeat
                        for more. Default: --port for the first listener, any free port for the rest
  --s3-root DIR         Read s3://BUCKET/KEY from DIR/BUCKET/KEY
  --s3 s3://B/K=PATH    Read one S3 object from PATH; repeat for more
  --var NAME=VALUE      A Terraform variable, CloudFormation parameter or import; repeat for more`;

export interface ServeFromFlags {
  from?: string;
  listener?: string;
  'load-balancer'?: string;
  'listener-port'?: string[];
  's3-root'?: string;
  s3?: string[];
  var?: string[];
  mode?: string;
  'trust-store'?: string;
  crl?: string[];
  'ignore-expiry'?: boolean;
  'advertise-ca-names'?: boolean;
}

const invalid = (message: string) => new UserError('HARNESS_ERR_INVALID_ARGUMENT', message);

function parseVars(list: string[] = []): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const item of list) {
    const i = item.indexOf('=');
    if (i <= 0) throw invalid(`--var "${item}" is not NAME=VALUE. Use e.g. --var trust_store_name=partner-ca.`);
    vars[item.slice(0, i)] = item.slice(i + 1);
  }
  return vars;
}

/**
 * Imports the configuration named by --from and prints what it will enforce; undefined without
 * --from. One listener comes back in `importAlbConfig`'s form (serve runs it as before), several in
 * `importLoadBalancerConfig`'s. The import-only flags without --from, and --mode and friends with it,
 * are user errors.
 */
export async function importForServe(flags: ServeFromFlags, io: CliIo): Promise<ImportedAlbConfig | ImportedLoadBalancerConfig | undefined> {
  if (flags.from === undefined) {
    for (const flag of ['listener', 'load-balancer', 'listener-port', 's3-root', 's3', 'var'] as const) {
      if (flags[flag] !== undefined) throw invalid(`--${flag} applies to --from only. Add --from FILE, or remove it.`);
    }
    return undefined;
  }
  for (const flag of ['mode', 'ignore-expiry', 'advertise-ca-names'] as const) {
    if (flags[flag] !== undefined) throw invalid(`--${flag} cannot be combined with --from: the imported listener sets it. Remove --${flag}, or change the file.`);
  }
  const s3 = Object.fromEntries((flags.s3 ?? []).map((m) => parseS3Mapping(m)));
  const imported = await importLoadBalancerConfig({
    from: flags.from,
    listener: flags.listener,
    loadBalancer: flags['load-balancer'],
    s3Root: flags['s3-root'],
    s3,
    vars: parseVars(flags.var),
    trustStoreBundle: flags['trust-store'],
    revocations: flags.crl,
  });
  const modes = imported.listeners.map((l) => `${l.listener.id} in ${imported.source} is ${l.options.mutualAuthentication?.mode ?? 'off'}`);
  for (const flag of ['trust-store', 'crl'] as const) {
    if (flags[flag] !== undefined && !imported.listeners.some((l) => l.options.mutualAuthentication?.mode === 'verify')) {
      throw invalid(`--${flag} applies to a verify listener; ${modes.join(', ')} (AWS rejects a trust store there). Remove --${flag}.`);
    }
  }
  const single = imported.listeners.length === 1 ? asSingleListener(imported) : undefined;
  if (single && flags['listener-port'] !== undefined) {
    throw invalid(`--listener-port maps the ports of several listeners; ${imported.source} has one (${single.listener.id}). Use --port N instead.`);
  }
  for (const line of single ? describeImport(single) : describeLoadBalancerImport(imported)) io.out(line.startsWith('  note:') ? paint(io, 'yellow', line) : line);
  return single ?? imported;
}
