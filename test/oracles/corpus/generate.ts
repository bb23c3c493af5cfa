import { CA_VALIDITY, CaseContext, EXT, type CorpusCase, type Family, type Kind } from './context.ts';
import { CRL_KINDS } from './kinds-crl.ts';
import { NAME_KINDS } from './kinds-names.ts';
import { ORDINARY_KINDS } from './kinds-ordinary.ts';
import { PATH_KINDS } from './kinds-path.ts';
import { CorpusCa, type Cert, type KeyType } from './openssl-ca.ts';
import { seededRng } from './rng.ts';

export const KINDS: Kind[] = [...ORDINARY_KINDS, ...PATH_KINDS, ...NAME_KINDS, ...CRL_KINDS];

/** The seed of the committed corpus; `CORPUS_SEED=n` regenerates another one. */
export const DEFAULT_SEED = 8;
export const DEFAULT_INSTANCES = 3;

export interface Corpus {
  seed: number;
  cases: (CorpusCase & { expected: Kind['expected']; rule: Kind['rule'] })[];
  families: Family[];
  ca: CorpusCa;
  /** A server certificate for a live listener, under the RSA family (valid at the real clock too). */
  server: { certPem: string; keyPem: string; rootPem: string };
}

/** FNV-1a: a per-case seed from the corpus seed and the case id, so cases do not depend on build order. */
export function caseSeed(seed: number, id: string): number {
  let h = 0x811c9dc5 ^ seed;
  for (const ch of id) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

async function family(ca: CorpusCa, name: Family['name'], keyType: KeyType): Promise<Family> {
  const serial = seededRng(caseSeed(0, name));
  const s = (): string => `10${serial.hex(9)}`;
  const self = async (slot: string, subject: string): Promise<Cert> =>
    ca.issue({ ...CA_VALIDITY, serialHex: s(), subject, key: await ca.key(keyType, slot), ext: [...EXT.root] });
  const under = async (issuer: Cert, slot: string, subject: string): Promise<Cert> =>
    ca.issue({ ...CA_VALIDITY, serialHex: s(), subject, key: await ca.key(keyType, slot), issuer, ext: [...EXT.ca] });
  const [root, otherRoot] = await Promise.all([self('root', `/O=Corpus/CN=Corpus ${name} Root`), self('xroot', `/O=Corpus Other/CN=Corpus ${name} Other Root`)]);
  const [int, otherInt] = await Promise.all([
    under(root, 'int', `/O=Corpus/CN=Corpus ${name} Intermediate`),
    under(otherRoot, 'xint', `/O=Corpus Other/CN=Corpus ${name} Other Intermediate`),
  ]);
  const int2 = await under(int, 'int2', `/O=Corpus/CN=Corpus ${name} Second Intermediate`);
  return { name, keyType, root, int, int2, otherRoot, otherInt };
}

/**
 * Builds every case of every kind into `dir` with at most `parallel` openssl processes at a time.
 * Instances alternate the RSA and EC families; each case draws from its own seeded RNG.
 */
export async function generateCorpus(o: { dir: string; seed?: number; parallel?: number; instances?: number }): Promise<Corpus> {
  const seed = o.seed ?? DEFAULT_SEED;
  const ca = new CorpusCa(o.dir, o.parallel ?? 4);
  const families = await Promise.all([family(ca, 'RSA', 'rsa2048'), family(ca, 'EC', 'ec256')]);
  const emptyCrls = new Map<Cert, Promise<string>>();
  const jobs = KINDS.flatMap((kind) => {
    const count = kind.instances ?? o.instances ?? DEFAULT_INSTANCES;
    const fams = kind.family ? families.filter((f) => f.name === kind.family) : families;
    return Array.from({ length: count }, async (_, i) => {
      const id = `${kind.id}#${i}`;
      const x = new CaseContext(ca, fams[i % fams.length]!, seededRng(caseSeed(seed, id)), emptyCrls);
      try {
        return { id, kind: kind.id, expected: kind.expected, rule: kind.rule, ...(await kind.build(x)) };
      } catch (err) {
        throw new Error(`corpus case ${id}: ${(err as Error).message}`, { cause: err });
      }
    });
  });
  const rsa = families[0]!;
  const serverKey = await ca.key('rsa2048', 'server');
  const server = await ca.issue({
    ...CA_VALIDITY, serialHex: '2a', subject: '/CN=corpus-alb.localhost', key: serverKey, issuer: rsa.int,
    ext: ['basicConstraints = critical,CA:FALSE', 'keyUsage = critical,digitalSignature,keyEncipherment', 'extendedKeyUsage = serverAuth', 'subjectAltName = DNS:corpus-alb.localhost', 'authorityKeyIdentifier = keyid'],
  });
  return {
    seed, families, ca, cases: await Promise.all(jobs),
    server: { certPem: server.pem + rsa.int.pem, keyPem: serverKey.pem, rootPem: rsa.root.pem },
  };
}
