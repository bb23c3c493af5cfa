import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { fileError } from '../file-errors.ts';
import { describeNameViolation, unsafeDirectoryName, validateCertificateName } from './cert-names.ts';
import { environmentsFrom, metadataJson, parseMetadata, type DeployedEnvironment, type Metadata } from './cert-metadata.ts';
import { inspectCertificate, type InspectedCertificate } from './cert-validate.ts';
import type { EnvironmentType, MtlsBinding, MtlsCertificateInput, MtlsCertificateRecord } from './types.ts';

export { validateCertificateName } from './cert-names.ts';

/** Where `create` writes an entry before renaming it into place; `open` never loads such a directory. */
const STAGING_PREFIX = '.alb-mtls-staging-';

export interface CertificateStoreOptions {
  /** Refuse names that break the JavaScript-identifier rule. Default false: warn and continue. */
  strictNames?: boolean;
  /** Receives every warning (names, expiry, EKU, skipped directories). Default: none. */
  onWarning?(message: string): void;
  /** The clock for expiry warnings and timestamps. Default: the current time. */
  now?: () => Date;
  /** `open()` only: create the store directory when it does not exist. Default false (a typo should not look like an empty store). */
  create?: boolean;
}

interface Entry {
  record: MtlsCertificateRecord;
  certPem: string;
  keyPem: string;
}

/**
 * The `zuplo mtls-certificate` model: create, list, describe, update, disable, delete, and the
 * bindings a deployment of an environment type sees. In memory, or persisted as
 * `<dir>/<name>/{tls.crt,tls.key,metadata.json}` (the managed-dedicated `zuplo dev` layout plus our metadata).
 */
export class CertificateStore {
  readonly #entries = new Map<string, Entry>(); // by id, in creation order
  readonly #dir: string | undefined;
  readonly #strictNames: boolean;
  readonly #onWarning: ((message: string) => void) | undefined;
  readonly #now: () => Date;

  private constructor(dir: string | undefined, opts: CertificateStoreOptions) {
    this.#dir = dir;
    this.#strictNames = opts.strictNames ?? false;
    this.#onWarning = opts.onWarning;
    this.#now = opts.now ?? (() => new Date());
  }

  /** A store that lives only in this process. */
  static inMemory(opts: CertificateStoreOptions = {}): CertificateStore {
    return new CertificateStore(undefined, opts);
  }

  /**
   * Loads every `<dir>/<name>/` holding `tls.crt` + `tls.key`. A half-filled directory, or one whose
   * files fail to load, is skipped with a warning naming its path (as `zuplo dev` does). A directory
   * without `metadata.json` (laid out by hand for `zuplo dev --mtls-certs`) gets a new id and is enabled
   * for every environment type; its metadata is written on the first update.
   */
  static async open(dir: string, opts: CertificateStoreOptions = {}): Promise<CertificateStore> {
    const exists = await stat(dir).then((s) => s.isDirectory(), () => undefined);
    if (exists === false) {
      throw new UserError('HARNESS_ERR_FILE', `certificate store ${dir} is not a directory. Pass a directory path.`);
    }
    if (exists === undefined) {
      if (!opts.create) {
        throw new UserError(
          'HARNESS_ERR_FILE',
          `certificate store ${dir} does not exist. Create it (mkdir -p ${dir}) or pass the directory that holds <name>/tls.crt and <name>/tls.key.`,
        );
      }
      await mkdir(dir, { recursive: true }).catch((err: unknown) => {
        throw fileError('certificate store', dir, err, 'Choose a store directory whose parent exists and that you can write.');
      });
    }
    const store = new CertificateStore(dir, opts);
    const children = (await readdir(dir, { withFileTypes: true }))
      .filter((d) => d.isDirectory() && !d.name.startsWith(STAGING_PREFIX))
      .map((d) => d.name);
    for (const name of children.sort()) await store.#load(name);
    return store;
  }

  async #load(name: string): Promise<void> {
    const path = join(this.#dir!, name);
    const read = (file: string) => readFile(join(path, file), 'utf8').then((t) => t, () => undefined);
    const [certPem, keyPem, metadataText] = await Promise.all([read('tls.crt'), read('tls.key'), read('metadata.json')]);
    if (certPem === undefined || keyPem === undefined) {
      const missing = [certPem === undefined && 'tls.crt', keyPem === undefined && 'tls.key'].filter(Boolean).join(' and ');
      this.#warn(`Skipping mTLS certificate directory ${path}: missing ${missing}. Put tls.crt and tls.key in it, or remove it.`);
      return;
    }
    this.#checkName(name);
    let inspected: InspectedCertificate;
    let metadata: Metadata | undefined;
    try {
      inspected = inspectCertificate(certPem, keyPem, { certSource: join(path, 'tls.crt'), keySource: join(path, 'tls.key') }, this.#now());
      metadata = metadataText === undefined ? undefined : parseMetadata(metadataText, join(path, 'metadata.json'));
    } catch (err) {
      this.#warn(`Skipping mTLS certificate directory ${path}: ${(err as Error).message}`);
      return;
    }
    for (const w of inspected.warnings) this.#warn(`${path}: ${w}`);
    const now = this.#now().toISOString();
    const record: MtlsCertificateRecord = {
      id: metadata?.id ?? newId(),
      name,
      certificateInfo: inspected.info,
      environments: metadata?.environments ?? { development: true, preview: true, production: true },
      createdOn: metadata?.createdOn ?? now,
      updatedOn: metadata?.updatedOn ?? now,
    };
    this.#entries.set(record.id, { record, certPem, keyPem });
  }

  /**
   * `zuplo mtls-certificate create`. Refuses an existing name and never overwrites a file. Throws a
   * UserError for a non-PEM certificate or key (HARNESS_ERR_PEM), a key that does not belong to the
   * leaf (HARNESS_ERR_KEY_MISMATCH), a bad name under strictNames, or no environment types. Warns
   * (returned and sent to onWarning) for a name that breaks the rule, an expired or not-yet-valid
   * certificate, and a leaf whose extendedKeyUsage lacks clientAuth.
   */
  async create(input: MtlsCertificateInput): Promise<{ record: MtlsCertificateRecord; warnings: string[] }> {
    const { name } = input;
    // An empty name can never be a binding key: refused with the CLI's message even when names are lenient.
    const empty = validateCertificateName(name);
    if (name === '' && !empty.ok) throw new UserError('HARNESS_ERR_CERT_STORE', describeNameViolation(name, empty));
    const unsafe = unsafeDirectoryName(name);
    if (unsafe) throw new UserError('HARNESS_ERR_CERT_STORE', `mTLS certificate name ${unsafe}. Use letters, digits, _ or $.`);
    const warnings: string[] = [];
    const nameWarning = this.#checkName(name);
    if (nameWarning) warnings.push(nameWarning);
    const environments = environmentsFrom(input.environmentTypes, 'create', name);
    const existing = this.#byName(name);
    if (existing) throw alreadyExists(name, existing.record.id);
    const inspected = inspectCertificate(input.cert, input.key, { certSource: 'cert', keySource: 'key' }, this.#now());
    for (const w of inspected.warnings) warnings.push(`mTLS certificate '${name}': ${w}`);
    const now = this.#now().toISOString();
    const record: MtlsCertificateRecord = {
      id: newId(),
      name,
      certificateInfo: inspected.info,
      environments,
      createdOn: now,
      updatedOn: now,
    };
    if (this.#dir !== undefined) await this.#writeNew(record, input.cert, input.key);
    this.#entries.set(record.id, { record, certPem: input.cert, keyPem: input.key });
    for (const w of inspected.warnings) this.#onWarning?.(`mTLS certificate '${name}': ${w}`);
    return { record: structuredClone(record), warnings };
  }

  /** Every certificate, in creation (or directory) order. */
  list(): MtlsCertificateRecord[] {
    return [...this.#entries.values()].map((e) => structuredClone(e.record));
  }

  /** One certificate by id; UserError (HARNESS_ERR_CERT_STORE) for an unknown id. */
  describe(id: string): MtlsCertificateRecord {
    return structuredClone(this.#get(id).record);
  }

  /** `update --environment-type ...`: replaces the set of enabled environment types (at least one; use disable for none). */
  async update(id: string, environmentTypes: DeployedEnvironment[]): Promise<MtlsCertificateRecord> {
    const entry = this.#get(id);
    const environments = environmentsFrom(environmentTypes, 'update', entry.record.name);
    return this.#setEnvironments(entry, environments);
  }

  /** `disable`: no environment type gets the binding any more (the certificate stays stored). */
  async disable(id: string): Promise<MtlsCertificateRecord> {
    return this.#setEnvironments(this.#get(id), { development: false, preview: false, production: false });
  }

  /**
   * `delete`: refused while any deployment references the certificate (`referencedBy`, e.g. route
   * or module names), as the platform refuses it: the message names those users, whatever the
   * certificate's enabled environment types.
   */
  async delete(id: string, opts: { referencedBy?: string[] } = {}): Promise<void> {
    const entry = this.#get(id);
    const refs = opts.referencedBy ?? [];
    if (refs.length > 0) {
      throw new UserError(
        'HARNESS_ERR_CERT_STORE',
        // What blocks the delete is the code naming the certificate; disabling it does not unblock it.
        `mTLS certificate '${entry.record.name}' (${id}) is still used by ${refs.join(', ')}. ` +
          `Stop naming it there (remove mtlsCertificate or name another certificate), redeploy, then delete it.`,
      );
    }
    if (this.#dir !== undefined) await rm(join(this.#dir, entry.record.name), { recursive: true, force: true });
    this.#entries.delete(id);
  }

  /** The bindings a deployment of `envType` sees, by name. `local` has none: the platform's local development has no mTLS bindings. */
  bindingsFor(envType: EnvironmentType): Map<string, MtlsBinding> {
    const bindings = new Map<string, MtlsBinding>();
    if (envType === 'local') return bindings;
    for (const { record, certPem, keyPem } of this.#entries.values()) {
      if (record.environments[envType]) bindings.set(record.name, { name: record.name, certPem, keyPem });
    }
    return bindings;
  }

  /** Every certificate as a binding, whatever its environment types: `zuplo dev --mtls-certs` on a managed-dedicated project. */
  allBindings(): Map<string, MtlsBinding> {
    const bindings = new Map<string, MtlsBinding>();
    for (const { record, certPem, keyPem } of this.#entries.values()) bindings.set(record.name, { name: record.name, certPem, keyPem });
    return bindings;
  }

  async #setEnvironments(entry: Entry, environments: MtlsCertificateRecord['environments']): Promise<MtlsCertificateRecord> {
    const updated = { ...entry.record, environments, updatedOn: this.#now().toISOString() };
    if (this.#dir !== undefined) await this.#writeMetadata(updated);
    entry.record = updated;
    return structuredClone(updated);
  }

  /**
   * Writes the entry's three files into a temporary sibling directory and renames it into place, so
   * a failure part way (a full disk, a permission) leaves no half-written entry that would block
   * creating the same name again. The key is mode 0600.
   */
  async #writeNew(record: MtlsCertificateRecord, certPem: string, keyPem: string): Promise<void> {
    const path = join(this.#dir!, record.name);
    // An existing directory (even a skipped, half-filled one) is refused: create never overwrites.
    if (await lstat(path).then(() => true, () => false)) {
      throw new UserError(
        'HARNESS_ERR_CERT_STORE',
        `mTLS certificate '${record.name}' cannot be created: ${path} already exists. Remove that directory, or choose another --name.`,
      );
    }
    const staging = join(this.#dir!, `${STAGING_PREFIX}${record.name}-${randomBytes(4).toString('hex')}`);
    try {
      await mkdir(staging);
      await writeFile(join(staging, 'tls.crt'), certPem, { flag: 'wx', mode: 0o644 });
      await writeFile(join(staging, 'tls.key'), keyPem, { flag: 'wx', mode: 0o600 });
      await chmod(join(staging, 'tls.key'), 0o600); // whatever the umask
      await writeFile(join(staging, 'metadata.json'), metadataJson(record), { flag: 'wx', mode: 0o644 });
      await rename(staging, path);
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      throw fileError(`mTLS certificate '${record.name}': store entry`, path, err, 'Nothing was written. Check that the store directory is writable and the disk has space.');
    }
  }

  async #writeMetadata(record: MtlsCertificateRecord): Promise<void> {
    const file = join(this.#dir!, record.name, 'metadata.json');
    // Write then rename, so a crash never leaves a half-written metadata.json behind.
    await writeFile(`${file}.tmp`, metadataJson(record));
    await rename(`${file}.tmp`, file);
  }

  /** Returns the warning text (lenient) or throws (strict); undefined when the name is fine. */
  #checkName(name: string): string | undefined {
    const check = validateCertificateName(name);
    if (check.ok) return undefined;
    const message = describeNameViolation(name, check);
    if (this.#strictNames) throw new UserError('HARNESS_ERR_CERT_STORE', `${message} (strictNames is on).`);
    this.#warn(message);
    return message;
  }

  #warn(message: string): void {
    this.#onWarning?.(message);
  }

  #byName(name: string): Entry | undefined {
    for (const entry of this.#entries.values()) if (entry.record.name === name) return entry;
    return undefined;
  }

  #get(id: string): Entry {
    const entry = this.#entries.get(id);
    if (!entry) {
      const known = [...this.#entries.values()].map((e) => `${e.record.id} (${e.record.name})`).join(', ') || 'none';
      throw new UserError('HARNESS_ERR_CERT_STORE', `No mTLS certificate with id '${id}'. Known ids: ${known}. Run list to see them.`);
    }
    return entry;
  }
}

function newId(): string {
  return `cert_${randomBytes(6).toString('hex')}`;
}

function alreadyExists(name: string, id: string): UserError {
  return new UserError(
    'HARNESS_ERR_CERT_STORE',
    `mTLS certificate '${name}' already exists (${id}). To change its environment types use update --cert-id ${id}; ` +
      `to replace the certificate, delete it first.`,
  );
}
