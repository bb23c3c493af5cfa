import { at, EXT, LEAF_VALIDITY, withExt, type Kind } from './context.ts';

/** The ordinary cases: good chains of every supported shape, validity, trust, key and signature types. */
export const ORDINARY_KINDS: Kind[] = [
  { id: 'good', group: 'ordinary', expected: 'Success', instances: 8, build: async (x) => x.standard(await x.leaf()) },
  {
    id: 'good-direct-from-root', group: 'ordinary', expected: 'Success',
    build: async (x) => {
      const leaf = await x.leaf({ issuer: x.fam.root });
      return { presented: [leaf], bundle: [x.fam.root], crls: [], leafKey: leaf.key };
    },
  },
  { id: 'good-no-eku', group: 'ordinary', expected: 'Success', build: async (x) => x.standard(await x.leaf({ ext: withExt(EXT.leaf, 'extendedKeyUsage') })) },
  { id: 'good-no-key-usage', group: 'ordinary', expected: 'Success', build: async (x) => x.standard(await x.leaf({ ext: withExt(EXT.leaf, 'keyUsage') })) },
  { id: 'good-eku-client-and-server', group: 'ordinary', expected: 'Success', build: async (x) => x.standard(await x.leaf({ ext: withExt(EXT.leaf, 'extendedKeyUsage', 'clientAuth,serverAuth') })) },
  { id: 'good-ku-noncritical-with-key-encipherment', group: 'ordinary', expected: 'Success', build: async (x) => x.standard(await x.leaf({ ext: withExt(EXT.leaf, 'keyUsage', 'digitalSignature,keyEncipherment') })) },
  { id: 'good-p384-leaf-sha384', group: 'ordinary', expected: 'Success', build: async (x) => x.standard(await x.leaf({ key: await x.leafKey('ec384'), md: 'sha384' })) },
  { id: 'good-p521-leaf-sha512', group: 'ordinary', expected: 'Success', build: async (x) => x.standard(await x.leaf({ key: await x.leafKey('ec521'), md: 'sha512' })) },
  { id: 'good-rsa3072-leaf', group: 'ordinary', expected: 'Success', instances: 2, build: async (x) => x.standard(await x.leaf({ key: await x.ca.key('rsa3072', 'leaf0') })) },
  { id: 'good-ec-leaf-under-rsa-ca', group: 'ordinary', expected: 'Success', family: 'RSA', build: async (x) => x.standard(await x.leaf({ key: await x.leafKey('ec256') })) },
  {
    id: 'good-rsa-pss-signature', group: 'ordinary', expected: 'Success', family: 'RSA',
    build: async (x) => x.standard(await x.leaf({ sigopts: ['rsa_padding_mode:pss', 'rsa_pss_saltlen:32'] })),
  },
  { id: 'good-sha512-signature', group: 'ordinary', expected: 'Success', build: async (x) => x.standard(await x.leaf({ md: 'sha512' })) },
  {
    id: 'good-depth-4', group: 'ordinary', expected: 'Success',
    build: async (x) => {
      const leaf = await x.leaf({ issuer: x.fam.int2 });
      return { presented: [leaf, x.fam.int2, x.fam.int], bundle: [x.fam.root], crls: [], leafKey: leaf.key };
    },
  },
  {
    id: 'depth-5', group: 'ordinary', expected: 'Failed:ClientCertMaxChainDepthExceeded',
    build: async (x) => {
      const int3 = await x.subCa(0, { cn: 'Corpus Third Intermediate', issuer: x.fam.int2 });
      const leaf = await x.leaf({ issuer: int3 });
      return { presented: [leaf, int3, x.fam.int2, x.fam.int], bundle: [x.fam.root], crls: [], leafKey: leaf.key };
    },
  },
  {
    id: 'good-san-email-uri-ip', group: 'ordinary', expected: 'Success',
    build: async (x) => x.standard(await x.leaf({ ext: [...EXT.leaf, 'subjectAltName = email:alice@corpus.test,URI:spiffe://corpus.test/client,IP:10.1.2.3'] })),
  },
  { id: 'good-unknown-noncritical-extension', group: 'ordinary', expected: 'Success', build: async (x) => x.standard(await x.leaf({ ext: [...EXT.leaf, '1.3.6.1.4.1.55555.1 = DER:0500'] })) },
  { id: 'good-known-critical-policies', group: 'ordinary', expected: 'Success', build: async (x) => x.standard(await x.leaf({ ext: [...EXT.leaf, 'certificatePolicies = critical,1.3.6.1.4.1.55555.2'] })) },
  { id: 'good-printable-string-subject', group: 'ordinary', expected: 'Success', build: async (x) => x.standard(await x.leaf({ stringMask: 'default' })) },
  {
    id: 'good-root-and-intermediate-in-bundle', group: 'ordinary', expected: 'Success',
    build: async (x) => {
      const leaf = await x.leaf();
      return { presented: [leaf], bundle: [x.fam.root, x.fam.int], crls: [], leafKey: leaf.key };
    },
  },
  {
    id: 'intermediate-only-in-bundle', group: 'trust', expected: 'Failed:ClientCertUntrusted',
    build: async (x) => {
      // Anchored only with partialChain, which is off by default.
      const leaf = await x.leaf();
      return { presented: [leaf], bundle: [x.fam.int], crls: [], leafKey: leaf.key };
    },
  },
  {
    id: 'good-two-roots-in-bundle', group: 'ordinary', expected: 'Success',
    build: async (x) => ({ ...(await x.standard(await x.leaf())), bundle: [x.fam.otherRoot, x.fam.root] }),
  },
  {
    id: 'good-trusted-root-appended', group: 'ordinary', expected: 'Success',
    build: async (x) => {
      const leaf = await x.leaf();
      return { presented: [leaf, x.fam.int, x.fam.root], bundle: [x.fam.root], crls: [], leafKey: leaf.key };
    },
  },
  {
    id: 'good-duplicate-intermediate', group: 'ordinary', expected: 'Success',
    build: async (x) => {
      const leaf = await x.leaf();
      return { presented: [leaf, x.fam.int, x.fam.int], bundle: [x.fam.root], crls: [], leafKey: leaf.key };
    },
  },
  {
    id: 'good-unrelated-extra-certificate', group: 'ordinary', expected: 'Success',
    build: async (x) => {
      const leaf = await x.leaf();
      return { presented: [leaf, x.fam.int, x.fam.otherInt], bundle: [x.fam.root], crls: [], leafKey: leaf.key };
    },
  },
  { id: 'not-after-equals-now', group: 'validity', expected: 'Success', rule: 'validity-end-inclusive', build: async (x) => x.standard(await x.leaf({ end: at(0) })) },
  { id: 'expired-leaf', group: 'validity', expected: 'Failed:ClientCertExpired', build: async (x) => x.standard(await x.leaf({ start: at(-400), end: at(-30) })) },
  { id: 'expired-leaf-by-one-second', group: 'validity', expected: 'Failed:ClientCertExpired', build: async (x) => x.standard(await x.leaf({ end: new Date(at(0).getTime() - 1000) })) },
  { id: 'not-yet-valid-leaf', group: 'validity', expected: 'Failed:ClientCertNotYetValid', build: async (x) => x.standard(await x.leaf({ start: at(10), end: at(400) })) },
  {
    id: 'expired-intermediate', group: 'validity', expected: 'Failed:ClientCertExpired',
    build: async (x) => {
      const int = await x.subCa(0, { cn: `Corpus Expired Intermediate ${x.rng.hex(2)}`, start: at(-800), end: at(-1) });
      const leaf = await x.leaf({ issuer: int, start: at(-300), end: at(100) });
      return { presented: [leaf, int], bundle: [x.fam.root], crls: [], leafKey: leaf.key };
    },
  },
  {
    id: 'not-yet-valid-intermediate', group: 'validity', expected: 'Failed:ClientCertNotYetValid',
    build: async (x) => {
      const int = await x.subCa(0, { cn: `Corpus Future Intermediate ${x.rng.hex(2)}`, start: at(5), end: at(800) });
      const leaf = await x.leaf({ issuer: int });
      return { presented: [leaf, int], bundle: [x.fam.root], crls: [], leafKey: leaf.key };
    },
  },
  {
    id: 'expired-root', group: 'validity', expected: 'Failed:ClientCertExpired',
    build: async (x) => {
      const old = await x.ca.issue({ ...LEAF_VALIDITY, start: at(-900), end: at(-2), serialHex: x.serial(), subject: x.fam.root.subject, key: x.fam.root.key, ext: [...EXT.root] });
      return { ...(await x.standard(await x.leaf())), bundle: [old] };
    },
  },
  {
    id: 'expired-root-copy-first-renewed-second', group: 'validity', expected: 'Success',
    build: async (x) => {
      const old = await x.ca.issue({ ...LEAF_VALIDITY, start: at(-900), end: at(-2), serialHex: x.serial(), subject: x.fam.root.subject, key: x.fam.root.key, ext: [...EXT.root] });
      return { ...(await x.standard(await x.leaf())), bundle: [old, x.fam.root] };
    },
  },
  {
    id: 'renewed-root-first-expired-copy-second', group: 'validity', expected: 'Success',
    build: async (x) => {
      const old = await x.ca.issue({ ...LEAF_VALIDITY, start: at(-900), end: at(-2), serialHex: x.serial(), subject: x.fam.root.subject, key: x.fam.root.key, ext: [...EXT.root] });
      return { ...(await x.standard(await x.leaf())), bundle: [x.fam.root, old] };
    },
  },
  {
    id: 'untrusted-root', group: 'trust', expected: 'Failed:ClientCertUntrusted',
    build: async (x) => {
      const leaf = await x.leaf({ issuer: x.fam.otherInt });
      return { presented: [leaf, x.fam.otherInt], bundle: [x.fam.root], crls: [], leafKey: leaf.key };
    },
  },
  {
    id: 'untrusted-root-appended', group: 'trust', expected: 'Failed:ClientCertUntrusted',
    build: async (x) => {
      const leaf = await x.leaf({ issuer: x.fam.otherInt });
      return { presented: [leaf, x.fam.otherInt, x.fam.otherRoot], bundle: [x.fam.root], crls: [], leafKey: leaf.key };
    },
  },
  {
    id: 'self-signed-leaf', group: 'trust', expected: 'Failed:ClientCertUntrusted',
    build: async (x) => {
      const key = await x.leafKey();
      const leaf = await x.issue({ subject: x.clientSubject(), key, ext: withExt(EXT.leaf, 'authorityKeyIdentifier') });
      return { presented: [leaf], bundle: [x.fam.root], crls: [], leafKey: key };
    },
  },
  {
    id: 'intermediate-missing', group: 'trust', expected: 'Failed:ClientCertUntrusted',
    build: async (x) => {
      const leaf = await x.leaf();
      return { presented: [leaf], bundle: [x.fam.root], crls: [], leafKey: leaf.key };
    },
  },
  {
    id: 'wrong-intermediate-presented', group: 'trust', expected: 'Failed:ClientCertUntrusted',
    build: async (x) => {
      const leaf = await x.leaf();
      return { presented: [leaf, x.fam.otherInt], bundle: [x.fam.root], crls: [], leafKey: leaf.key };
    },
  },
  {
    id: 'issuer-name-right-key-wrong', group: 'trust', expected: 'Failed:ClientCertUntrusted',
    build: async (x) => {
      // Same issuer name and AKI as the intermediate, signed with another key.
      const impostor = await x.ca.issue({ ...LEAF_VALIDITY, serialHex: x.serial(), subject: x.fam.int.subject, key: await x.caKey(0), ext: [...EXT.root] });
      const leaf = await x.leaf({ issuer: impostor, ext: withExt(EXT.leaf, 'authorityKeyIdentifier') });
      return { presented: [leaf, x.fam.int], bundle: [x.fam.root], crls: [], leafKey: leaf.key };
    },
  },
  { id: 'wrong-eku-server-auth-only', group: 'purpose', expected: 'Failed:ClientCertPurposeInvalid', build: async (x) => x.standard(await x.leaf({ ext: withExt(EXT.leaf, 'extendedKeyUsage', 'serverAuth') })) },
  { id: 'wrong-eku-email-protection', group: 'purpose', expected: 'Failed:ClientCertPurposeInvalid', build: async (x) => x.standard(await x.leaf({ ext: withExt(EXT.leaf, 'extendedKeyUsage', 'emailProtection') })) },
  { id: 'eku-any-only', group: 'purpose', expected: 'Failed:ClientCertPurposeInvalid', build: async (x) => x.standard(await x.leaf({ ext: withExt(EXT.leaf, 'extendedKeyUsage', 'anyExtendedKeyUsage') })) },
  { id: 'sha1-signed-leaf', group: 'type', expected: 'Failed:ClientCertTypeUnsupported', rule: 'sha1-signature', build: async (x) => x.standard(await x.leaf({ md: 'sha1' })) },
  {
    id: 'sha1-signed-intermediate', group: 'type', expected: 'Failed:ClientCertTypeUnsupported', rule: 'sha1-signature',
    build: async (x) => {
      const int = await x.subCa(0, { cn: `Corpus SHA1 Intermediate ${x.rng.hex(2)}`, md: 'sha1' });
      const leaf = await x.leaf({ issuer: int });
      return { presented: [leaf, int], bundle: [x.fam.root], crls: [], leafKey: leaf.key };
    },
  },
  { id: 'rsa1024-leaf', group: 'type', expected: 'Failed:ClientCertTypeUnsupported', rule: 'key-type', build: async (x) => x.standard(await x.leaf({ key: await x.leafKey('rsa1024') })) },
  { id: 'ed25519-leaf', group: 'type', expected: 'Failed:ClientCertTypeUnsupported', rule: 'key-type', build: async (x) => x.standard(await x.leaf({ key: await x.leafKey('ed25519') })) },
  { id: 'x509-v1-leaf', group: 'type', expected: 'Failed:ClientCertTypeUnsupported', rule: 'x509-v1', build: async (x) => x.standard(await x.leaf({ ext: undefined })) },
];
