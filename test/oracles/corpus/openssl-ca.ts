import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openssl } from '../../helpers/openssl.ts';
import { derOf } from './der.ts';
import type { Rng } from './rng.ts';

/**
 * The corpus's own CA, on the `openssl` CLI with its own config files: keys (`genpkey`, `ecparam`),
 * one CSR per key (`req`), certificates through `openssl ca` (any subject with `-subj`, any dates,
 * any extension section, any digest or signature option) and CRLs through `openssl ca -gencrl`.
 * Nothing here comes from the project's PKI factory. Spawns run at most `limit` at a time.
 */

export const KEY_TYPES = ['rsa2048', 'rsa1024', 'rsa3072', 'ec256', 'ec384', 'ec521', 'ed25519', 'ec256-explicit'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

export interface Key {
  type: KeyType;
  file: string;
  pem: string;
  csr: string;
}

export interface Cert {
  pem: string;
  der: Buffer;
  key: Key;
  file: string;
  /** The subject as given to `-subj` (OpenSSL's slash form). */
  subject: string;
}

export interface IssueOptions {
  subject: string;
  key: Key;
  /** Absent: self-signed. */
  issuer?: Cert;
  /** Extension lines (`name = value`); absent: an X.509 v1 certificate with no extensions. */
  ext?: string[];
  start: Date;
  end: Date;
  /** Digest for the signature; default sha256 (`null` for an Ed25519 signer). */
  md?: string;
  sigopts?: string[];
  /** Name string type: `utf8only` (default), `default` (PrintableString/T61String), `pkix`. */
  stringMask?: string;
  serialHex: string;
}

export interface CrlOptions {
  issuer: Cert;
  revoked: Cert[];
  lastUpdate: Date;
  nextUpdate: Date;
  /** CRL extension lines (in the `-crlexts` section). */
  ext?: string[];
  md?: string;
}

const KEYGEN: Record<KeyType, string[]> = {
  rsa2048: ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  rsa1024: ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024'],
  rsa3072: ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072'],
  ec256: ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  ec384: ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  ec521: ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521'],
  ed25519: ['genpkey', '-algorithm', 'ED25519'],
  // The curve spelled out in the key (RFC 5480 forbids this in certificates).
  'ec256-explicit': ['ecparam', '-name', 'prime256v1', '-param_enc', 'explicit', '-genkey', '-noout'],
};

/** `YYYYMMDDHHMMSSZ`, what `openssl ca -startdate/-enddate` takes. */
export function opensslTime(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

export class CorpusCa {
  private jobs = 0;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly keys = new Map<string, Promise<Key>>();

  constructor(
    readonly dir: string,
    private readonly limit: number,
  ) {}

  /** Runs `fn` when one of the `limit` process slots is free. */
  async throttle<T>(fn: () => Promise<T>): Promise<T> {
    while (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  /** Runs openssl; a non-zero exit throws with OpenSSL's words. RSA key generation may take long on a busy machine. */
  async run(args: string[]): Promise<string> {
    const r = await this.throttle(() => openssl(args, undefined, 120_000));
    if (r.code !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr.trim()}`);
    return r.stdout;
  }

  private async jobDir(): Promise<string> {
    const d = join(this.dir, `job${this.jobs++}`);
    await mkdir(d, { recursive: true });
    return d;
  }

  /** One key per (type, slot), with a CSR whose subject `openssl ca -subj` replaces. */
  key(type: KeyType, slot: string): Promise<Key> {
    const id = `${type}-${slot}`;
    let key = this.keys.get(id);
    if (!key) {
      key = (async () => {
        const file = join(this.dir, `${id}.key`);
        const csr = join(this.dir, `${id}.csr`);
        await this.run([...KEYGEN[type], '-out', file]);
        await this.run(['req', '-new', '-key', file, '-subj', '/CN=csr', '-out', csr]);
        return { type, file, csr, pem: await readFile(file, 'utf8') };
      })();
      this.keys.set(id, key);
    }
    return key;
  }

  async issue(o: IssueOptions): Promise<Cert> {
    const d = await this.jobDir();
    const out = join(d, 'cert.pem');
    await writeFile(join(d, 'index.txt'), '');
    await writeFile(join(d, 'serial'), `${o.serialHex}\n`);
    await writeFile(join(d, 'ca.cnf'), caConfig(d, o.stringMask ?? 'utf8only', o.ext, []));
    const args = ['ca', '-batch', '-notext', '-config', join(d, 'ca.cnf'), '-in', o.key.csr, '-subj', o.subject, '-preserveDN', '-utf8'];
    args.push('-startdate', opensslTime(o.start), '-enddate', opensslTime(o.end), '-md', o.md ?? 'sha256', '-out', out);
    if (o.issuer) args.push('-cert', o.issuer.file, '-keyfile', o.issuer.key.file);
    else args.push('-selfsign', '-keyfile', o.key.file);
    if (o.ext) args.push('-extfile', join(d, 'ca.cnf'), '-extensions', 'x');
    for (const s of o.sigopts ?? []) args.push('-sigopt', s);
    await this.run(args);
    const pem = normalisePem(await readFile(out, 'utf8'));
    return { pem, der: derOf(pem), key: o.key, file: out, subject: o.subject };
  }

  /** A certificate made elsewhere (the DER builder), written where openssl can read it. */
  async adopt(pem: string, key: Key, subject: string): Promise<Cert> {
    const file = join(await this.jobDir(), 'cert.pem');
    await writeFile(file, pem);
    return { pem, der: derOf(pem), key, file, subject };
  }

  async crl(o: CrlOptions): Promise<string> {
    const d = await this.jobDir();
    const out = join(d, 'crl.pem');
    const revokedAt = opensslTime(o.lastUpdate).slice(2);
    const index = await Promise.all(o.revoked.map(async (c) => {
      const serial = (await this.run(['x509', '-in', c.file, '-noout', '-serial'])).trim().replace(/^serial=/, '');
      return `R\t351231000000Z\t${revokedAt}\t${serial}\tunknown\t${c.subject}\n`;
    }));
    await writeFile(join(d, 'index.txt'), index.join(''));
    await writeFile(join(d, 'serial'), '01\n');
    await writeFile(join(d, 'ca.cnf'), caConfig(d, 'utf8only', undefined, o.ext ?? []));
    const args = ['ca', '-gencrl', '-batch', '-config', join(d, 'ca.cnf'), '-cert', o.issuer.file, '-keyfile', o.issuer.key.file, '-md', o.md ?? 'sha256'];
    args.push('-crl_lastupdate', opensslTime(o.lastUpdate), '-crl_nextupdate', opensslTime(o.nextUpdate), '-out', out);
    if (o.ext?.length) args.push('-crlexts', 'crlx');
    await this.run(args);
    return normalisePem(await readFile(out, 'utf8'));
  }
}

function caConfig(d: string, stringMask: string, ext: string[] | undefined, crlExt: string[]): string {
  // The extension section comes last: a name-constraints dirName section may follow its lines.
  return [
    '[ca]', 'default_ca = d',
    '[d]', `database = ${join(d, 'index.txt')}`, `new_certs_dir = ${d}`, `serial = ${join(d, 'serial')}`,
    'policy = p', 'unique_subject = no', 'email_in_dn = yes', 'default_md = sha256', `string_mask = ${stringMask}`,
    '[p]', 'commonName = optional',
    '[crlx]', ...crlExt,
    '[x]', ...(ext ?? []),
    '',
  ].join('\n');
}

/** Only the PEM block (openssl ca can prefix text), newline-terminated. */
function normalisePem(text: string): string {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/.exec(text);
  if (!m) throw new Error(`no PEM block in ${text.slice(0, 80)}`);
  return `${m[0]}\n`;
}

export type { Rng };
