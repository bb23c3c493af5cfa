import { UserError } from '../errors.ts';
import type { MtlsCertificateRecord } from './types.ts';

/** The certificate store's `metadata.json` and environment-type sets. */

export type DeployedEnvironment = 'development' | 'preview' | 'production';
const ENVIRONMENT_TYPES: readonly DeployedEnvironment[] = ['development', 'preview', 'production'];

/** What `metadata.json` holds next to `tls.crt` and `tls.key`. */
export interface Metadata {
  id: string;
  name: string;
  environments: MtlsCertificateRecord['environments'];
  createdOn: string;
  updatedOn: string;
}

/** The `--environment-type` list as the record's booleans; UserError when empty or unknown. */
export function environmentsFrom(types: readonly string[], verb: string, name: string): MtlsCertificateRecord['environments'] {
  if (!Array.isArray(types) || types.length === 0) {
    const hint = verb === 'update' ? ' To turn every environment type off, use disable.' : '';
    throw new UserError(
      'HARNESS_ERR_INVALID_ARGUMENT',
      `mTLS certificate '${name}': environmentTypes (--environment-type) needs at least one of development, preview, production.${hint}`,
    );
  }
  const bad = types.filter((t) => !ENVIRONMENT_TYPES.includes(t as DeployedEnvironment));
  if (bad.length > 0) {
    throw new UserError(
      'HARNESS_ERR_INVALID_ARGUMENT',
      `mTLS certificate '${name}': environmentTypes (--environment-type) has ${bad.map((b) => `'${b}'`).join(', ')}; ` +
        `use development, preview or production.`,
    );
  }
  return {
    development: types.includes('development'),
    preview: types.includes('preview'),
    production: types.includes('production'),
  };
}

export function metadataJson(record: MtlsCertificateRecord): string {
  const metadata: Metadata = {
    id: record.id,
    name: record.name,
    environments: record.environments,
    createdOn: record.createdOn,
    updatedOn: record.updatedOn,
  };
  return `${JSON.stringify(metadata, null, 2)}\n`;
}

export function parseMetadata(text: string, source: string): Metadata {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UserError('HARNESS_ERR_FILE', `${source} is not valid JSON (${(err as Error).message}). Fix it or delete it.`);
  }
  const m = value as Partial<Metadata>;
  const envs = m?.environments as Partial<Metadata['environments']> | undefined;
  const valid =
    typeof m?.id === 'string' &&
    /^cert_[0-9a-z]+$/.test(m.id) &&
    typeof envs === 'object' &&
    envs !== null &&
    ENVIRONMENT_TYPES.every((t) => typeof envs[t] === 'boolean') &&
    typeof m.createdOn === 'string' &&
    typeof m.updatedOn === 'string';
  if (!valid) {
    throw new UserError(
      'HARNESS_ERR_FILE',
      `${source} must hold {id: "cert_...", environments: {development, preview, production: boolean}, createdOn, updatedOn}. Fix it or delete it.`,
    );
  }
  return m as Metadata;
}
