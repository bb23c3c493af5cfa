import { at, CA_VALIDITY, EXT, withExt, type CaseContext, type Kind } from './context.ts';
import { caName, crlWithIssuerName, crlWithoutNextUpdate } from './mutate.ts';
import type { Cert } from './openssl-ca.ts';

/** `[leaf, int]` with the root's empty CRL and `intCrl` for the intermediate (so every level has one). */
async function withCrls(x: CaseContext, leaf: Cert, intCrl: string, int = x.fam.int) {
  return { presented: [leaf, int], bundle: [x.fam.root], crls: [intCrl, await x.emptyCrl(x.fam.root)], leafKey: leaf.key };
}

const fresh = { lastUpdate: at(-1), nextUpdate: at(30) };

/** The intermediate's CRL, revoking the leaf (or not), before an edit. */
async function intCrl(x: CaseContext, revoked: Cert[], o: Partial<Parameters<CaseContext['ca']['crl']>[0]> = {}): Promise<string> {
  return x.ca.crl({ issuer: x.fam.int, revoked, ...fresh, ...o });
}

function spelledIssuer(x: CaseContext, spell: (org: string, cn: string) => [string, string]): Buffer {
  const [o, cn] = spell('Corpus', `Corpus ${x.fam.name} Intermediate`);
  return caName(o, cn);
}

export const CRL_KINDS: Kind[] = [
  { id: 'good-with-crls', group: 'crl', expected: 'Success', build: async (x) => withCrls(x, await x.leaf(), await x.emptyCrl(x.fam.int)) },
  {
    id: 'revoked-leaf', group: 'crl', expected: 'Failed:ClientCertCrlHit',
    build: async (x) => {
      const leaf = await x.leaf();
      return withCrls(x, leaf, await intCrl(x, [leaf]));
    },
  },
  {
    id: 'revoked-intermediate', group: 'crl', expected: 'Failed:ClientCertCrlHit',
    build: async (x) => {
      const int = await x.subCa(0, { cn: `Corpus Revoked Int ${x.rng.hex(2)}` });
      const leaf = await x.leaf({ issuer: int });
      const rootCrl = await x.ca.crl({ issuer: x.fam.root, revoked: [int], ...fresh });
      return { presented: [leaf, int], bundle: [x.fam.root], crls: [rootCrl, await x.emptyCrl(int)], leafKey: leaf.key };
    },
  },
  {
    id: 'crl-without-next-update-revoking-leaf', group: 'crl', expected: 'Failed:ClientCertCrlHit',
    build: async (x) => {
      const leaf = await x.leaf();
      return withCrls(x, leaf, crlWithoutNextUpdate(await intCrl(x, [leaf]), x.fam.int.key));
    },
  },
  {
    id: 'crl-v2-without-next-update-revoking-leaf', group: 'crl', expected: 'Failed:ClientCertCrlHit',
    build: async (x) => {
      const leaf = await x.leaf();
      return withCrls(x, leaf, crlWithoutNextUpdate(await intCrl(x, [leaf], { ext: ['authorityKeyIdentifier = keyid'] }), x.fam.int.key));
    },
  },
  { id: 'crl-without-next-update-empty', group: 'crl', expected: 'Success', build: async (x) => withCrls(x, await x.leaf(), crlWithoutNextUpdate(await intCrl(x, []), x.fam.int.key)) },
  {
    id: 'crl-issuer-differs-in-case-revoking-leaf', group: 'crl', expected: 'Failed:ClientCertCrlHit',
    build: async (x) => {
      const leaf = await x.leaf();
      return withCrls(x, leaf, crlWithIssuerName(await intCrl(x, [leaf]), x.fam.int.key, spelledIssuer(x, (o, cn) => [o.toLowerCase(), cn.toUpperCase()])));
    },
  },
  {
    id: 'crl-issuer-differs-in-spacing-revoking-leaf', group: 'crl', expected: 'Failed:ClientCertCrlHit',
    build: async (x) => {
      const leaf = await x.leaf();
      return withCrls(x, leaf, crlWithIssuerName(await intCrl(x, [leaf]), x.fam.int.key, spelledIssuer(x, (o, cn) => [`${o}  `, ` ${cn.replace(/ /g, '  ')}`])));
    },
  },
  {
    id: 'crl-issuer-differs-in-case-empty', group: 'crl', expected: 'Success',
    build: async (x) => withCrls(x, await x.leaf(), crlWithIssuerName(await intCrl(x, []), x.fam.int.key, spelledIssuer(x, (o, cn) => [o.toUpperCase(), cn.toLowerCase()]))),
  },
  {
    id: 'crl-signed-by-ca-without-crl-sign', group: 'crl', expected: 'Failed:ClientCertCrlProcessingError',
    build: async (x) => {
      const int = await x.subCa(0, { cn: `Corpus No CRLSign ${x.rng.hex(2)}`, ext: withExt(EXT.ca, 'keyUsage', 'critical,keyCertSign') });
      const leaf = await x.leaf({ issuer: int });
      return withCrls(x, leaf, await x.ca.crl({ issuer: int, revoked: [], ...fresh }), int);
    },
  },
  {
    id: 'crl-bad-signature', group: 'crl', expected: 'Failed:ClientCertCrlProcessingError',
    build: async (x) => {
      // Same issuer name, another key.
      const impostor = await x.ca.issue({ ...CA_VALIDITY, serialHex: x.serial(), subject: x.fam.int.subject, key: await x.caKey(0), ext: [...EXT.root] });
      return withCrls(x, await x.leaf(), await x.ca.crl({ issuer: impostor, revoked: [], ...fresh }));
    },
  },
  { id: 'crl-unknown-critical-extension', group: 'crl', expected: 'Failed:ClientCertCrlProcessingError', build: async (x) => withCrls(x, await x.leaf(), await intCrl(x, [], { ext: ['1.3.6.1.4.1.55555.5 = critical,DER:0500'] })) },
  { id: 'crl-stale', group: 'crl', expected: 'Success', rule: 'crl-stale', build: async (x) => withCrls(x, await x.leaf(), await intCrl(x, [], { lastUpdate: at(-60), nextUpdate: at(-30) })) },
  { id: 'crl-not-yet-valid', group: 'crl', expected: 'Success', rule: 'crl-not-yet-valid', build: async (x) => withCrls(x, await x.leaf(), await intCrl(x, [], { lastUpdate: at(2), nextUpdate: at(30) })) },
  {
    id: 'crl-stale-revoking-leaf', group: 'crl', expected: 'Failed:ClientCertCrlHit',
    build: async (x) => {
      const leaf = await x.leaf();
      return withCrls(x, leaf, await intCrl(x, [leaf], { lastUpdate: at(-60), nextUpdate: at(-30) }));
    },
  },
  {
    id: 'crl-only-for-root-level', group: 'crl', expected: 'Success', rule: 'crl-per-level',
    build: async (x) => ({ ...(await x.standard(await x.leaf())), crls: [await x.emptyCrl(x.fam.root)] }),
  },
  {
    id: 'crl-only-intermediate-level-revoking-leaf', group: 'crl', expected: 'Failed:ClientCertCrlHit',
    build: async (x) => {
      const leaf = await x.leaf();
      return { ...(await x.standard(leaf)), crls: [await intCrl(x, [leaf])] };
    },
  },
];
