import { UserError } from '../errors.ts';
import { describeImport, importAlbConfig, parseS3Mapping } from '../iac/index.ts';
import type { ImportedAlbConfig } from '../iac/types.ts';
import { paint, type CliIo } from './io.ts';

/** `serve --from`: the flags, their help, and the import that replaces --mode and the mTLS flags. */
export const SERVE_FROM_FLAGS = {
  from: { type: 'string' },
  listener: { type: 'string' },
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
  --listener ID         Which listener, when there are several HTTPS listeners
  --s3-root DIR         Read s3://BUCKET/KEY from DIR/BUCKET/KEY
  --s3 s3://B/K=PATH    Read one S3 object from PATH; repeat for more
  --var NAME=VALUE      A Terraform variable, CloudFormation parameter or import; repeat for more`;

export interface ServeFromFlags {
  from?: string;
  listener?: string;
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
 * --from. The import-only flags without --from, and --mode and friends with it, are user errors.
 */
export async function importForServe(flags: ServeFromFlags, io: CliIo): Promise<ImportedAlbConfig | undefined> {
  if (flags.from === undefined) {
    for (const flag of ['listener', 's3-root', 's3', 'var'] as const) {
      if (flags[flag] !== undefined) throw invalid(`--${flag} applies to --from only. Add --from FILE, or remove it.`);
    }
    return undefined;
  }
  for (const flag of ['mode', 'ignore-expiry', 'advertise-ca-names'] as const) {
    if (flags[flag] !== undefined) throw invalid(`--${flag} cannot be combined with --from: the imported listener sets it. Remove --${flag}, or change the file.`);
  }
  const s3 = Object.fromEntries((flags.s3 ?? []).map((m) => parseS3Mapping(m)));
  const imported = await importAlbConfig({
    from: flags.from,
    listener: flags.listener,
    s3Root: flags['s3-root'],
    s3,
    vars: parseVars(flags.var),
    trustStoreBundle: flags['trust-store'],
    revocations: flags.crl,
  });
  const mode = imported.albOptions.mutualAuthentication?.mode ?? 'off';
  for (const flag of ['trust-store', 'crl'] as const) {
    if (mode !== 'verify' && flags[flag] !== undefined) {
      throw invalid(`--${flag} applies to a verify listener; ${imported.listener.id} in ${imported.source} is ${mode} (AWS rejects a trust store there). Remove --${flag}.`);
    }
  }
  for (const line of describeImport(imported)) io.out(line.startsWith('  note:') ? paint(io, 'yellow', line) : line);
  return imported;
}
