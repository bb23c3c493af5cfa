import { BMP_STRING, CN, name, O, PRINTABLE_STRING, SEQUENCE, tlv, UTF8_STRING } from './der.ts';
import { CA_VALIDITY, EXT, withExt, type CaseContext, type Kind } from './context.ts';
import { caName, GENERALIZED_TIME, rawTime, UTC_TIME, withIssuerName, withSubjectName, withValidity } from './mutate.ts';

/**
 * Name constraints on an intermediate: `constraint` is the nameConstraints value (plus, for dirName,
 * its section), `san` the leaf's subjectAltName (or none), `org` the leaf subject's O.
 */
function nc(id: string, expected: Kind['expected'], constraint: string[], want: { san?: string; org?: string }): Kind {
  return {
    id, group: 'name-constraints', expected,
    build: async (x: CaseContext) => {
      const [value, ...section] = constraint;
      const int = await x.subCa(0, { cn: `Corpus NC ${x.rng.hex(2)}`, ext: [...EXT.ca, `nameConstraints = critical,${value}`, ...section] });
      const leaf = await x.leaf({
        issuer: int, subject: x.clientSubject(want.org),
        ext: want.san ? [...EXT.leaf, `subjectAltName = ${want.san}`] : [...EXT.leaf],
      });
      return { presented: [leaf, int], bundle: [x.fam.root], crls: [], leafKey: leaf.key };
    },
  };
}

const FAIL_NC = 'Failed:ClientCertUntrusted';

/** The family intermediate's name, spelled with other case, spacing or string type. */
function issuerVariant(id: string, expected: Kind['expected'], spell: (org: string, cn: string) => Buffer): Kind {
  return {
    id, group: 'name-comparison', expected,
    build: async (x) => {
      const leaf = await x.leaf();
      const cn = `Corpus ${x.fam.name} Intermediate`;
      return x.standard(await withIssuerName(x.ca, leaf, x.fam.int.key, spell('Corpus', cn)));
    },
  };
}

/** A leaf whose validity is re-encoded by the DER builder. */
function timeKind(id: string, expected: Kind['expected'], v: { notBefore?: Buffer; notAfter?: Buffer }): Kind {
  return { id, group: 'time-encoding', expected, build: async (x) => x.standard(await withValidity(x.ca, await x.leaf(), x.fam.int.key, v)) };
}

export const NAME_KINDS: Kind[] = [
  nc('nc-dns-permitted-match', 'Success', ['permitted;DNS:corpus.test'], { san: 'DNS:app.corpus.test' }),
  nc('nc-dns-permitted-violation', FAIL_NC, ['permitted;DNS:corpus.test'], { san: 'DNS:app.elsewhere.test' }),
  nc('nc-dns-excluded-match', FAIL_NC, ['excluded;DNS:banned.test'], { san: 'DNS:x.banned.test' }),
  nc('nc-dns-excluded-other-name', 'Success', ['excluded;DNS:banned.test'], { san: 'DNS:x.corpus.test' }),
  nc('nc-dns-permitted-leaf-without-san', 'Success', ['permitted;DNS:corpus.test'], {}),
  nc('nc-email-permitted-match', 'Success', ['permitted;email:corpus.test'], { san: 'email:alice@corpus.test' }),
  nc('nc-email-permitted-violation', FAIL_NC, ['permitted;email:corpus.test'], { san: 'email:alice@elsewhere.test' }),
  nc('nc-email-excluded-match', FAIL_NC, ['excluded;email:banned.test'], { san: 'email:mallory@banned.test' }),
  nc('nc-ip-permitted-match', 'Success', ['permitted;IP:10.0.0.0/255.0.0.0'], { san: 'IP:10.1.2.3' }),
  nc('nc-ip-permitted-violation', FAIL_NC, ['permitted;IP:10.0.0.0/255.0.0.0'], { san: 'IP:192.168.1.1' }),
  nc('nc-ip-excluded-match', FAIL_NC, ['excluded;IP:192.168.0.0/255.255.0.0'], { san: 'IP:192.168.1.1' }),
  nc('nc-uri-permitted-match', 'Success', ['permitted;URI:.corpus.test'], { san: 'URI:https://app.corpus.test/client' }),
  nc('nc-uri-permitted-violation', FAIL_NC, ['permitted;URI:.corpus.test'], { san: 'URI:https://app.elsewhere.test/client' }),
  nc('nc-uri-excluded-match', FAIL_NC, ['excluded;URI:.banned.test'], { san: 'URI:https://x.banned.test/' }),
  nc('nc-dirname-permitted-match', 'Success', ['permitted;dirName:nc_dir', '[nc_dir]', 'O = Corpus Permitted'], { org: 'Corpus Permitted' }),
  nc('nc-dirname-permitted-violation', FAIL_NC, ['permitted;dirName:nc_dir', '[nc_dir]', 'O = Corpus Permitted'], { org: 'Corpus Elsewhere' }),
  nc('nc-dirname-excluded-match', FAIL_NC, ['excluded;dirName:nc_dir', '[nc_dir]', 'O = Corpus Banned'], { org: 'Corpus Banned' }),
  {
    id: 'nc-on-trusted-root-violation', group: 'name-constraints', expected: FAIL_NC,
    build: async (x) => {
      const root = await x.ca.issue({ ...CA_VALIDITY, serialHex: x.serial(), subject: `/O=Corpus/CN=Corpus NC Root ${x.rng.hex(2)}`, key: await x.caKey(1), ext: [...EXT.root, 'nameConstraints = critical,permitted;DNS:corpus.test'] });
      const int = await x.subCa(0, { cn: 'Corpus Under NC Root', issuer: root });
      const leaf = await x.leaf({ issuer: int, ext: [...EXT.leaf, 'subjectAltName = DNS:app.elsewhere.test'] });
      return { presented: [leaf, int], bundle: [root], crls: [], leafKey: leaf.key };
    },
  },
  issuerVariant('issuer-name-differs-in-case', 'Success', (o, cn) => caName(o.toUpperCase(), cn.toLowerCase())),
  issuerVariant('issuer-name-differs-in-spacing', 'Success', (o, cn) => caName(` ${o} `, cn.replace(/ /g, '   '))),
  issuerVariant('issuer-name-printable-vs-utf8', 'Success', (o, cn) => caName(o, cn, PRINTABLE_STRING)),
  issuerVariant('issuer-name-really-different', 'Failed:ClientCertUntrusted', (o, cn) => caName(o, `${cn}e`)),
  {
    id: 'leaf-subject-bmp-string', group: 'name-encoding', expected: 'Success',
    build: async (x) => x.standard(await withSubjectName(x.ca, await x.leaf(), x.fam.int.key, name([[O, UTF8_STRING, 'Corpus Clients'], [CN, BMP_STRING, `client ${x.rng.hex(2)} \u00e9`]]))),
  },
  {
    id: 'leaf-empty-subject-critical-san', group: 'name-encoding', expected: 'Success',
    build: async (x) => {
      const leaf = await x.leaf({ ext: [...EXT.leaf, 'subjectAltName = critical,email:alice@corpus.test'] });
      return x.standard(await withSubjectName(x.ca, leaf, x.fam.int.key, tlv(SEQUENCE)));
    },
  },
  {
    id: 'leaf-empty-subject-noncritical-san', group: 'name-encoding', expected: 'Failed:ClientCertInvalid',
    build: async (x) => {
      const leaf = await x.leaf({ ext: [...EXT.leaf, 'subjectAltName = email:alice@corpus.test'] });
      return x.standard(await withSubjectName(x.ca, leaf, x.fam.int.key, tlv(SEQUENCE)));
    },
  },
  timeKind('utctime-not-after-without-seconds', 'Failed:ClientCertInvalid', { notAfter: rawTime(UTC_TIME, '2701010000Z') }),
  timeKind('utctime-not-before-without-seconds', 'Failed:ClientCertInvalid', { notBefore: rawTime(UTC_TIME, '2601010000Z') }),
  timeKind('utctime-with-offset', 'Failed:ClientCertInvalid', { notAfter: rawTime(UTC_TIME, '270101000000+0000') }),
  timeKind('generalized-time-with-fraction', 'Failed:ClientCertInvalid', { notAfter: rawTime(GENERALIZED_TIME, '20270101000000.5Z') }),
  timeKind('generalized-time-before-2050', 'Success', { notAfter: rawTime(GENERALIZED_TIME, '20270101000000Z') }),
  timeKind('generalized-time-after-2050', 'Success', { notAfter: rawTime(GENERALIZED_TIME, '20600101000000Z') }),
  { id: 'leaf-ec-explicit-parameters', group: 'key-encoding', expected: 'Failed:ClientCertTypeUnsupported', build: async (x) => x.standard(await x.leaf({ key: await x.leafKey('ec256-explicit') })) },
  {
    id: 'intermediate-ec-explicit-parameters', group: 'key-encoding', expected: 'Failed:ClientCertTypeUnsupported',
    build: async (x) => {
      const int = await x.subCa(0, { cn: `Corpus Explicit EC ${x.rng.hex(2)}`, key: await x.caKey(0, 'ec256-explicit') });
      const leaf = await x.leaf({ issuer: int });
      return { presented: [leaf, int], bundle: [x.fam.root], crls: [], leafKey: leaf.key };
    },
  },
  { id: 'leaf-unknown-critical-extension', group: 'critical-extension', expected: 'Failed:ClientCertInvalid', build: async (x) => x.standard(await x.leaf({ ext: [...EXT.leaf, '1.3.6.1.4.1.55555.3 = critical,DER:0500'] })) },
  {
    id: 'intermediate-unknown-critical-extension', group: 'critical-extension', expected: 'Failed:ClientCertInvalid',
    build: async (x) => {
      const int = await x.subCa(0, { cn: `Corpus Critical Ext ${x.rng.hex(2)}`, ext: [...EXT.ca, '1.3.6.1.4.1.55555.4 = critical,DER:0500'] });
      const leaf = await x.leaf({ issuer: int });
      return { presented: [leaf, int], bundle: [x.fam.root], crls: [], leafKey: leaf.key };
    },
  },
  { id: 'leaf-ku-digital-signature-noncritical', group: 'key-usage', expected: 'Success', build: async (x) => x.standard(await x.leaf({ ext: withExt(EXT.leaf, 'keyUsage', 'digitalSignature') })) },
];
