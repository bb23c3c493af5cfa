import type { AlbOnlyRule } from '../../helpers/alb-only-rules.ts';
import type { Cert, CorpusCa, IssueOptions, Key, KeyType } from './openssl-ca.ts';
import type { Rng } from './rng.ts';

/** The instant every chain is judged at (`openssl verify -attime`, the verifier's `now`, the listener's clock). */
export const NOW = new Date('2026-06-01T00:00:00Z');
export const DAY = 86_400_000;
export const at = (days: number): Date => new Date(NOW.getTime() + days * DAY);
export const CA_VALIDITY = { start: at(-500), end: at(3000) };
export const LEAF_VALIDITY = { start: at(-150), end: at(215) };

/** Extension sections, as `openssl ca -extfile` reads them. */
export const EXT = {
  root: ['basicConstraints = critical,CA:TRUE', 'keyUsage = critical,keyCertSign,cRLSign', 'subjectKeyIdentifier = hash'],
  ca: ['basicConstraints = critical,CA:TRUE', 'keyUsage = critical,keyCertSign,cRLSign', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid'],
  leaf: ['basicConstraints = critical,CA:FALSE', 'keyUsage = critical,digitalSignature', 'extendedKeyUsage = clientAuth', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid'],
} as const;

/** Replaces (or with `undefined`, removes) the line of one extension in a section. */
export function withExt(base: readonly string[], name: string, value?: string): string[] {
  const out = base.filter((l) => !l.startsWith(`${name} =`));
  if (value !== undefined) out.push(`${name} = ${value}`);
  return out;
}

/** One hierarchy of CAs every case of a family may use; `other*` is a second, untrusted hierarchy. */
export interface Family {
  name: 'RSA' | 'EC';
  keyType: KeyType;
  root: Cert;
  int: Cert;
  /** Under `int`: for depth and cross cases. */
  int2: Cert;
  otherRoot: Cert;
  otherInt: Cert;
}

/** One chain of the corpus, as a client presents it to an ALB with this trust store. */
export interface CorpusCase {
  id: string;
  kind: string;
  /** Leaf first, exactly as sent. */
  presented: Cert[];
  /** The trust store's CA bundle, in bundle order. */
  bundle: Cert[];
  /** PEM CRLs (the trust store's revocations); with any, OpenSSL runs with -crl_check_all. */
  crls: string[];
  leafKey: Key;
}

export interface Kind {
  id: string;
  group: string;
  /** The verdict an ALB gives (our reading of RFC 5280 and AWS's documentation). */
  expected: 'Success' | `Failed:${string}`;
  /** Set when OpenSSL's verdict differs on purpose: the row of the ALB-only rules table that says why. */
  rule?: AlbOnlyRule;
  /** How many chains of this kind; default 4 (families alternate RSA, EC). */
  instances?: number;
  /** Kinds that only make sense in one family. */
  family?: Family['name'];
  build(x: CaseContext): Promise<Omit<CorpusCase, 'id' | 'kind'>>;
}

/** What one case's builder gets: its family, its own seeded RNG, and issuing with the defaults filled in. */
export class CaseContext {
  constructor(
    readonly ca: CorpusCa,
    readonly fam: Family,
    readonly rng: Rng,
    private readonly emptyCrls: Map<Cert, Promise<string>>,
  ) {}

  serial(): string {
    return `${(16 + this.rng.int(112)).toString(16)}${this.rng.hex(9)}`;
  }

  /** A random client subject whose CN is not a host name (so DNS name constraints look at the SAN only). */
  clientSubject(org = 'Corpus Clients'): string {
    return `/O=${org}/CN=client ${this.rng.hex(3)}`;
  }

  /** A leaf key of the family from a small pool (never a CA's key). */
  leafKey(type: KeyType = this.fam.keyType): Promise<Key> {
    return this.ca.key(type, `leaf${this.rng.int(3)}`);
  }

  /** A key for a CA made by one case; `slot` keeps the CAs of one case apart. */
  caKey(slot: number, type: KeyType = this.fam.keyType): Promise<Key> {
    return this.ca.key(type, `ca${slot}`);
  }

  issue(o: Partial<IssueOptions> & Pick<IssueOptions, 'subject' | 'key'>): Promise<Cert> {
    return this.ca.issue({ ...LEAF_VALIDITY, serialHex: this.serial(), ...o });
  }

  /** A CA under `issuer` (default: the family root), with its own key slot. */
  async subCa(slot: number, o: Partial<IssueOptions> & { cn: string }): Promise<Cert> {
    return this.ca.issue({
      ...CA_VALIDITY, serialHex: this.serial(), subject: `/O=Corpus/CN=${o.cn}`, key: await this.caKey(slot),
      issuer: this.fam.root, ext: [...EXT.ca], ...o,
    });
  }

  /** An ordinary client leaf under `issuer` (default: the family intermediate). */
  async leaf(o: Partial<IssueOptions> = {}): Promise<Cert> {
    return this.issue({ subject: this.clientSubject(), key: await this.leafKey(), issuer: this.fam.int, ext: [...EXT.leaf], ...o });
  }

  /** An empty, current CRL of `ca` (so `-crl_check_all` finds one for every level). */
  emptyCrl(ca: Cert): Promise<string> {
    let crl = this.emptyCrls.get(ca);
    if (!crl) {
      crl = this.ca.crl({ issuer: ca, revoked: [], lastUpdate: at(-1), nextUpdate: at(30) });
      this.emptyCrls.set(ca, crl);
    }
    return crl;
  }

  /** The ordinary case: `[leaf, family intermediate]` against the family root. */
  async standard(leaf: Cert): Promise<Omit<CorpusCase, 'id' | 'kind'>> {
    return { presented: [leaf, this.fam.int], bundle: [this.fam.root], crls: [], leafKey: leaf.key };
  }
}
