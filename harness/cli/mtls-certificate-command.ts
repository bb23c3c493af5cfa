import { basename, dirname, join, resolve } from 'node:path';
import { CertificateStore } from '../gateway/cert-store.ts';
import { findCertificateReferences } from '../gateway/certificate-references.ts';
import { loadProject } from '../gateway/project-loader.ts';
import type { MtlsCertificateRecord } from '../gateway/types.ts';
import { UserError } from '../errors.ts';
import type { CertificateEnvironmentType } from '../gateway/types.ts';
import { DEFAULT_STORE_DIR, readUserFile } from '../user-input.ts';
import { parseFlags } from './args.ts';
import { paint, type CliIo } from './io.ts';

export { DEFAULT_STORE_DIR, readUserFile } from '../user-input.ts';

export const mtlsCertificateHelp = `Usage: alb-mtls mtls-certificate <create|list|describe|update|disable|delete> [options]

The "zuplo mtls-certificate" commands, against a local certificate store the gateway reads
(<dir>/<name>/tls.crt + tls.key + metadata.json; the managed-dedicated "zuplo dev" layout).

  create   --name NAME --cert FILE --key FILE --environment-type T [--environment-type T ...] [--strict-names]
  list
  describe --cert-id ID
  update   --cert-id ID --environment-type T [...]     (replaces the set)
  disable  --cert-id ID                              (no environment type gets the binding)
  delete   --cert-id ID [--project DIR]               (refused while the project's routes or modules use it)

Options:
  --dir DIR   The store (default ${DEFAULT_STORE_DIR}; created by create)
  Environment types: development, preview, production.`;

export async function mtlsCertificateCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags('mtls-certificate', argv, MTLS_FLAGS, true);
  const verb = positionals[0];
  if (values.help || !verb) {
    io.out(mtlsCertificateHelp);
    return values.help ? 0 : 2;
  }
  const dir = values.dir ?? DEFAULT_STORE_DIR;
  // Warnings are held back, then printed once each and only for the certificates this command touches.
  const warnings: string[] = [];
  const store = await CertificateStore.open(dir, { create: verb === 'create', strictNames: values['strict-names'], onWarning: (m) => warnings.push(m) });
  let touched: string | 'all' | undefined = verb === 'list' ? 'all' : verb === 'create' ? values.name : undefined;
  if (values['cert-id'] !== undefined) touched = store.list().find((r) => r.id === values['cert-id'])?.name;
  try {
    return await runVerb(verb, values, store, dir, io);
  } finally {
    for (const w of new Set(warnings)) if (touched === 'all' || (touched !== undefined && concerns(w, touched, dir))) io.err(paint(io, 'yellow', `warning: ${w}`));
  }
}

/** Whether a store warning is about certificate `name`: it names its directory or quotes the name. */
function concerns(warning: string, name: string, dir: string): boolean {
  return warning.includes(`${join(dir, name)}:`) || warning.includes(`'${name}'`);
}

const MTLS_FLAGS = {
  dir: { type: 'string' },
  name: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  'environment-type': { type: 'string', multiple: true },
  'cert-id': { type: 'string' },
  'strict-names': { type: 'boolean' },
  project: { type: 'string' },
} as const;
type Values = ReturnType<typeof parseFlags<typeof MTLS_FLAGS>>['values'];

async function runVerb(verb: string, values: Values, store: CertificateStore, dir: string, io: CliIo): Promise<number> {
  const types = (values['environment-type'] ?? []) as CertificateEnvironmentType[];
  const certId = () => values['cert-id'] ?? missing('--cert-id ID', verb);
  switch (verb) {
    case 'create': {
      const name = values.name ?? missing('--name NAME', verb);
      const cert = await readUserFile('--cert', values.cert ?? missing('--cert FILE', verb));
      const key = await readUserFile('--key', values.key ?? missing('--key FILE', verb));
      const { record } = await store.create({ name, cert, key, environmentTypes: types });
      io.out(`mTLS certificate '${record.name}' (${record.id}) created successfully`);
      return 0;
    }
    case 'list': {
      const records = store.list();
      if (records.length === 0) io.out('No mTLS certificates found');
      else {
        io.out(`Found ${records.length} mTLS certificate(s):`);
        for (const r of records) io.out(describeRecord(r));
      }
      return 0;
    }
    case 'describe':
      io.out(describeRecord(store.describe(certId())));
      return 0;
    case 'update': {
      const r = await store.update(certId(), types);
      io.out(`mTLS certificate '${r.name}' (${r.id}) updated: ${enabled(r)}`);
      return 0;
    }
    case 'disable': {
      const r = await store.disable(certId());
      io.out(`mTLS certificate '${r.name}' (${r.id}) disabled`);
      return 0;
    }
    case 'delete': {
      const id = certId();
      const { name } = store.describe(id);
      // An explicit --project must load; the project a default-placed store sits in is checked when it can be read.
      const project = values.project
        ? await loadProject(values.project)
        : await loadProject(projectOwning(dir) ?? '').catch(() => undefined);
      const referencedBy = project ? await findCertificateReferences(project, name) : [];
      await store.delete(id, { referencedBy });
      io.out(`mTLS certificate '${name}' (${id}) deleted`);
      return 0;
    }
    default:
      throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `unknown action "${verb}". Use one of: create, list, describe, update, disable, delete.`);
  }
}

function describeRecord(r: MtlsCertificateRecord): string {
  const i = r.certificateInfo;
  return [
    `  ID:          ${r.id}`,
    `  Name:        ${r.name}`,
    `  Subject:     ${i.subject}`,
    `  Valid from:  ${i.validFrom}`,
    `  Valid to:    ${i.validTo}`,
    `  Environments: ${enabled(r) || '(none: disabled)'}`,
  ].join('\n');
}

function enabled(r: MtlsCertificateRecord): string {
  return (Object.entries(r.environments) as [string, boolean][]).filter(([, on]) => on).map(([t]) => t).join(', ');
}

function missing(flag: string, verb: string): never {
  throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `${verb} needs ${flag}. Run "alb-mtls mtls-certificate --help".`);
}

/** The Zuplo project a store belongs to, when it sits at its default place (<project>/.zuplo-local/mtls). */
function projectOwning(storeDir: string): string | undefined {
  const abs = resolve(storeDir);
  if (basename(abs) !== 'mtls' || basename(dirname(abs)) !== '.zuplo-local') return undefined;
  return dirname(dirname(abs));
}
