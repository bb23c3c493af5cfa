import { CA_VALIDITY, EXT, withExt, type CaseContext, type Kind } from './context.ts';
import type { Cert } from './openssl-ca.ts';

/** A leaf under a CA made by the case, presented as `[leaf, ca]` against the family root. */
async function underCa(x: CaseContext, ca: Cert, leafExt: string[] = [...EXT.leaf]) {
  const leaf = await x.leaf({ issuer: ca, ext: leafExt });
  return { presented: [leaf, ca], bundle: [x.fam.root], crls: [], leafKey: leaf.key };
}

const cn = (x: CaseContext, what: string): string => `Corpus ${what} ${x.rng.hex(2)}`;

/** Path validation: what a CA may be, what a leaf may not be, order, path length, usages, cross-signing. */
export const PATH_KINDS: Kind[] = [
  {
    id: 'root-presented-as-leaf', group: 'ca-as-leaf', expected: 'Failed:ClientCertPurposeInvalid',
    build: async (x) => ({ presented: [x.fam.root], bundle: [x.fam.root], crls: [], leafKey: x.fam.root.key }),
  },
  {
    id: 'intermediate-presented-as-leaf', group: 'ca-as-leaf', expected: 'Failed:ClientCertPurposeInvalid',
    build: async (x) => ({ presented: [x.fam.int], bundle: [x.fam.root], crls: [], leafKey: x.fam.int.key }),
  },
  {
    id: 'reverse-ordered-chain', group: 'ca-as-leaf', expected: 'Failed:ClientCertPurposeInvalid',
    build: async (x) => {
      const leaf = await x.leaf();
      return { presented: [x.fam.int, leaf], bundle: [x.fam.root], crls: [], leafKey: x.fam.int.key };
    },
  },
  {
    id: 'ca-leaf-with-digital-signature', group: 'ca-as-leaf', expected: 'Failed:ClientCertPurposeInvalid', rule: 'leaf-is-ca',
    build: async (x) => {
      const leaf = await x.subCa(0, { cn: cn(x, 'Signing CA'), issuer: x.fam.int, ext: withExt(EXT.ca, 'keyUsage', 'critical,digitalSignature,keyCertSign,cRLSign') });
      return { presented: [leaf, x.fam.int], bundle: [x.fam.root], crls: [], leafKey: leaf.key };
    },
  },
  { id: 'intermediate-ca-false', group: 'basic-constraints', expected: 'Failed:ClientCertUntrusted', build: async (x) => underCa(x, await x.subCa(0, { cn: cn(x, 'Not A CA'), ext: withExt(EXT.ca, 'basicConstraints', 'critical,CA:FALSE') })) },
  { id: 'intermediate-no-basic-constraints', group: 'basic-constraints', expected: 'Failed:ClientCertUntrusted', build: async (x) => underCa(x, await x.subCa(0, { cn: cn(x, 'No BC'), ext: withExt(EXT.ca, 'basicConstraints') })) },
  { id: 'intermediate-x509-v1', group: 'basic-constraints', expected: 'Failed:ClientCertTypeUnsupported', build: async (x) => underCa(x, await x.subCa(0, { cn: cn(x, 'V1 CA'), ext: undefined }), withExt(EXT.leaf, 'authorityKeyIdentifier', 'issuer')) },
  {
    id: 'root-pathlen-0-above-intermediate', group: 'path-length', expected: 'Failed:ClientCertUntrusted',
    build: async (x) => {
      const root = await x.ca.issue({ ...CA_VALIDITY, serialHex: x.serial(), subject: `/O=Corpus/CN=${cn(x, 'Pathlen0 Root')}`, key: await x.caKey(1), ext: withExt(EXT.root, 'basicConstraints', 'critical,CA:TRUE,pathlen:0') });
      const int = await x.subCa(0, { cn: cn(x, 'Under Pathlen0'), issuer: root });
      const leaf = await x.leaf({ issuer: int });
      return { presented: [leaf, int], bundle: [root], crls: [], leafKey: leaf.key };
    },
  },
  {
    id: 'intermediate-pathlen-0-above-sub-ca', group: 'path-length', expected: 'Failed:ClientCertUntrusted',
    build: async (x) => {
      const int = await x.subCa(0, { cn: cn(x, 'Pathlen0 Int'), ext: withExt(EXT.ca, 'basicConstraints', 'critical,CA:TRUE,pathlen:0') });
      const sub = await x.subCa(1, { cn: cn(x, 'Sub CA'), issuer: int });
      const leaf = await x.leaf({ issuer: sub });
      return { presented: [leaf, sub, int], bundle: [x.fam.root], crls: [], leafKey: leaf.key };
    },
  },
  {
    id: 'intermediate-pathlen-1-above-sub-ca', group: 'path-length', expected: 'Success',
    build: async (x) => {
      const int = await x.subCa(0, { cn: cn(x, 'Pathlen1 Int'), ext: withExt(EXT.ca, 'basicConstraints', 'critical,CA:TRUE,pathlen:1') });
      const sub = await x.subCa(1, { cn: cn(x, 'Sub CA'), issuer: int });
      const leaf = await x.leaf({ issuer: sub });
      return { presented: [leaf, sub, int], bundle: [x.fam.root], crls: [], leafKey: leaf.key };
    },
  },
  { id: 'intermediate-pathlen-0-issuing-leaf', group: 'path-length', expected: 'Success', build: async (x) => underCa(x, await x.subCa(0, { cn: cn(x, 'Pathlen0 Issuing'), ext: withExt(EXT.ca, 'basicConstraints', 'critical,CA:TRUE,pathlen:0') })) },
  { id: 'intermediate-key-usage-without-key-cert-sign', group: 'key-usage', expected: 'Failed:ClientCertUntrusted', build: async (x) => underCa(x, await x.subCa(0, { cn: cn(x, 'No CertSign'), ext: withExt(EXT.ca, 'keyUsage', 'critical,digitalSignature,cRLSign') })) },
  { id: 'leaf-ku-key-encipherment-only', group: 'key-usage', expected: 'Failed:ClientCertPurposeInvalid', build: async (x) => x.standard(await x.leaf({ key: await x.leafKey('rsa2048'), ext: withExt(EXT.leaf, 'keyUsage', 'critical,keyEncipherment') })) },
  { id: 'leaf-ku-non-repudiation-only', group: 'key-usage', expected: 'Failed:ClientCertPurposeInvalid', build: async (x) => x.standard(await x.leaf({ ext: withExt(EXT.leaf, 'keyUsage', 'critical,nonRepudiation') })) },
  { id: 'leaf-ku-key-cert-sign-only', group: 'key-usage', expected: 'Failed:ClientCertInvalid', build: async (x) => x.standard(await x.leaf({ ext: withExt(EXT.leaf, 'keyUsage', 'critical,keyCertSign') })) },
  { id: 'leaf-ku-data-encipherment-only', group: 'key-usage', expected: 'Failed:ClientCertPurposeInvalid', build: async (x) => x.standard(await x.leaf({ key: await x.leafKey('rsa2048'), ext: withExt(EXT.leaf, 'keyUsage', 'critical,dataEncipherment') })) },
  { id: 'leaf-ku-crl-sign-only', group: 'key-usage', expected: 'Failed:ClientCertPurposeInvalid', build: async (x) => x.standard(await x.leaf({ ext: withExt(EXT.leaf, 'keyUsage', 'critical,cRLSign') })) },
  {
    id: 'leaf-ku-key-agreement-only', group: 'key-usage', expected: 'Failed:ClientCertPurposeInvalid', rule: 'leaf-key-usage-digital-signature',
    build: async (x) => x.standard(await x.leaf({ ext: withExt(EXT.leaf, 'keyUsage', 'critical,keyAgreement') })),
  },
  { id: 'intermediate-eku-server-auth-only', group: 'intermediate-eku', expected: 'Failed:ClientCertPurposeInvalid', build: async (x) => underCa(x, await x.subCa(0, { cn: cn(x, 'Server EKU CA'), ext: [...EXT.ca, 'extendedKeyUsage = serverAuth'] })) },
  { id: 'intermediate-eku-client-auth', group: 'intermediate-eku', expected: 'Success', build: async (x) => underCa(x, await x.subCa(0, { cn: cn(x, 'Client EKU CA'), ext: [...EXT.ca, 'extendedKeyUsage = clientAuth,serverAuth'] })) },
  { id: 'intermediate-eku-email-only', group: 'intermediate-eku', expected: 'Failed:ClientCertPurposeInvalid', build: async (x) => underCa(x, await x.subCa(0, { cn: cn(x, 'Email EKU CA'), ext: [...EXT.ca, 'extendedKeyUsage = emailProtection'] })) },
  {
    id: 'root-eku-server-auth-only', group: 'intermediate-eku', expected: 'Failed:ClientCertPurposeInvalid',
    build: async (x) => {
      const root = await x.ca.issue({ ...CA_VALIDITY, serialHex: x.serial(), subject: `/O=Corpus/CN=${cn(x, 'Server EKU Root')}`, key: await x.caKey(1), ext: [...EXT.root, 'extendedKeyUsage = serverAuth'] });
      const int = await x.subCa(0, { cn: cn(x, 'Int'), issuer: root });
      const leaf = await x.leaf({ issuer: int });
      return { presented: [leaf, int], bundle: [root], crls: [], leafKey: leaf.key };
    },
  },
  // OpenSSL -x509_strict's RFC 5280 profile checks.
  { id: 'intermediate-basic-constraints-not-critical', group: 'profile', expected: 'Failed:ClientCertInvalid', build: async (x) => underCa(x, await x.subCa(0, { cn: cn(x, 'BC Noncritical'), ext: withExt(EXT.ca, 'basicConstraints', 'CA:TRUE') })) },
  { id: 'intermediate-without-key-usage', group: 'profile', expected: 'Failed:ClientCertInvalid', build: async (x) => underCa(x, await x.subCa(0, { cn: cn(x, 'No KU CA'), ext: withExt(EXT.ca, 'keyUsage') })) },
  { id: 'intermediate-without-ski', group: 'profile', expected: 'Failed:ClientCertInvalid', build: async (x) => underCa(x, await x.subCa(0, { cn: cn(x, 'No SKI CA'), ext: withExt(EXT.ca, 'subjectKeyIdentifier') }), withExt(EXT.leaf, 'authorityKeyIdentifier', 'issuer')) },
  { id: 'leaf-without-aki', group: 'profile', expected: 'Success', build: async (x) => x.standard(await x.leaf({ ext: withExt(EXT.leaf, 'authorityKeyIdentifier') })) },
  { id: 'leaf-aki-without-key-identifier', group: 'profile', expected: 'Failed:ClientCertInvalid', build: async (x) => x.standard(await x.leaf({ ext: withExt(EXT.leaf, 'authorityKeyIdentifier', 'issuer') })) },
  { id: 'leaf-pathlen-without-ca', group: 'profile', expected: 'Failed:ClientCertInvalid', build: async (x) => x.standard(await x.leaf({ ext: withExt(EXT.leaf, 'basicConstraints', 'critical,CA:FALSE,pathlen:0') })) },
  // Cross-signing: the intermediate's key and name certified by the family root and by the other root.
  {
    id: 'cross-signed-intermediate-untrusted-copy-first', group: 'cross-signed', expected: 'Success', rule: 'path-building',
    build: async (x) => {
      const cross = await x.ca.issue({ ...CA_VALIDITY, serialHex: x.serial(), subject: x.fam.int.subject, key: x.fam.int.key, issuer: x.fam.otherRoot, ext: [...EXT.ca] });
      const leaf = await x.leaf();
      return { presented: [leaf, cross, x.fam.int], bundle: [x.fam.root], crls: [], leafKey: leaf.key };
    },
  },
  {
    id: 'cross-signed-intermediate-other-root-trusted', group: 'cross-signed', expected: 'Success', rule: 'path-building',
    build: async (x) => {
      const cross = await x.ca.issue({ ...CA_VALIDITY, serialHex: x.serial(), subject: x.fam.int.subject, key: x.fam.int.key, issuer: x.fam.otherRoot, ext: [...EXT.ca] });
      const leaf = await x.leaf();
      return { presented: [leaf, x.fam.int, cross], bundle: [x.fam.otherRoot], crls: [], leafKey: leaf.key };
    },
  },
  {
    id: 'cross-signed-root-bridge', group: 'cross-signed', expected: 'Success',
    build: async (x) => {
      const cross = await x.ca.issue({ ...CA_VALIDITY, serialHex: x.serial(), subject: x.fam.int.subject, key: x.fam.int.key, issuer: x.fam.otherRoot, ext: [...EXT.ca] });
      const bridge = await x.ca.issue({ ...CA_VALIDITY, serialHex: x.serial(), subject: x.fam.otherRoot.subject, key: x.fam.otherRoot.key, issuer: x.fam.root, ext: [...EXT.ca] });
      const leaf = await x.leaf();
      return { presented: [leaf, cross, bridge], bundle: [x.fam.root], crls: [], leafKey: leaf.key };
    },
  },
  {
    id: 'cross-signed-intermediate-trusted-copy-in-bundle', group: 'cross-signed', expected: 'Success',
    build: async (x) => {
      const cross = await x.ca.issue({ ...CA_VALIDITY, serialHex: x.serial(), subject: x.fam.int.subject, key: x.fam.int.key, issuer: x.fam.otherRoot, ext: [...EXT.ca] });
      const leaf = await x.leaf();
      return { presented: [leaf, cross], bundle: [x.fam.root, x.fam.int], crls: [], leafKey: leaf.key };
    },
  },
  {
    id: 'cross-signed-intermediate-no-trusted-path', group: 'cross-signed', expected: 'Failed:ClientCertUntrusted',
    build: async (x) => {
      const cross = await x.ca.issue({ ...CA_VALIDITY, serialHex: x.serial(), subject: x.fam.int.subject, key: x.fam.int.key, issuer: x.fam.otherRoot, ext: [...EXT.ca] });
      const leaf = await x.leaf();
      return { presented: [leaf, cross], bundle: [x.fam.root], crls: [], leafKey: leaf.key };
    },
  },
];
