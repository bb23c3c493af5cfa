import * as asn from '@peculiar/asn1-x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { asnName } from '../../certs/pki/issue.ts';
import type { CryptoKeyPair } from '../../certs/pki/crypto-types.ts';
import { derSequence } from '../../certs/x509/der.ts';
import { loadTrustStore } from '../../harness/alb/trust-store.ts';
import { verifyClientChain } from '../../harness/alb/verify.ts';
import { BUILD_BOUNDS } from '../../harness/alb/verify/path-builder.ts';
import type { LoadedTrustStore, VerifyInput } from '../../harness/alb/types.ts';
import {
  CLIENT_AUTH, NOW, SERVER_AUTH, crl, explicitP256Spki, ext, keyPair, make, rawExt, replaceTbsField, store, timeTlv, type Made, type MakeOptions,
} from './verify-builder.ts';

/**
 * One pair per rule of harness/alb/verify.ts's table: the certificate that meets the rule gets
 * `Success`, the one that breaks it gets the rule's code (and the reason names it).
 */
const F = asn.KeyUsageFlags;
const DAY = 86_400_000;
let k: CryptoKeyPair[];
let root: Made;
let inter: Made;
let leaf: Made;
let S: LoadedTrustStore;

beforeAll(async () => {
  k = await Promise.all([0, 1, 2, 3, 4, 5, 6].map(keyPair));
  root = make({ name: 'Rules Root', keys: k[0]!, ca: true });
  inter = make({ name: 'Rules Inter', keys: k[1]!, issuer: root, ca: true });
  leaf = make({ name: 'rules-leaf', keys: k[2]!, issuer: inter });
  S = store([root]);
});

function v(presented: Made[], trustStore = S, extra: Partial<VerifyInput> = {}) {
  return verifyClientChain({ presented: presented.map((m) => m.x509), trustStore, now: NOW, ...extra });
}

/** A leaf under `inter` with the given changes. */
function leafWith(o: Partial<MakeOptions>): Made {
  return make({ name: 'rules-leaf-variant', keys: k[2]!, issuer: inter, ...o });
}

/** An intermediate under `root` with the given changes, and a good leaf under it. */
function interWith(o: Partial<MakeOptions>, leafOptions: Partial<MakeOptions> = {}): [Made, Made] {
  const ca = make({ name: 'Rules Inter', keys: k[1]!, issuer: root, ca: true, ...o });
  return [make({ name: 'rules-leaf-under-variant', keys: k[2]!, issuer: ca, ...leafOptions }), ca];
}

const ku = (flags: number, critical = true) => ext(asn.id_ce_keyUsage, critical, new asn.KeyUsage(flags));
const nc = (permitted: asn.GeneralName[], excluded: asn.GeneralName[] = []) =>
  ext(asn.id_ce_nameConstraints, true, new asn.NameConstraints({
    permittedSubtrees: permitted.length ? new asn.GeneralSubtrees(permitted.map((base) => new asn.GeneralSubtree({ base }))) : undefined,
    excludedSubtrees: excluded.length ? new asn.GeneralSubtrees(excluded.map((base) => new asn.GeneralSubtree({ base }))) : undefined,
  }));
const san = (...names: asn.GeneralName[]) => ext(asn.id_ce_subjectAltName, false, new asn.SubjectAlternativeName(names));

it('the baseline chain passes every rule', () => {
  expect(v([leaf, inter])).toMatchObject({ status: 'Success' });
});

describe('rule 4: a malformed leaf field -> ClientCertInvalid', () => {
  const validity = (nb: Buffer, na: Buffer) => (tbs: Buffer) => replaceTbsField(tbs, 4, derSequence(nb, na));

  it('UTCTime without seconds is refused; with seconds it passes', () => {
    const bad = leafWith({ rewriteTbs: validity(timeTlv('2601010000Z'), timeTlv('270101000000Z')) });
    expect(v([bad, inter])).toMatchObject({
      status: 'Failed:ClientCertInvalid',
      failingIndex: 0,
      reason: 'certificate "CN=rules-leaf-variant,O=verify-rules" is malformed: notBefore: UTCTime "2601010000Z" is not YYMMDDHHMMSSZ',
    });
    const good = leafWith({ rewriteTbs: validity(timeTlv('260101000000Z'), timeTlv('270101000000Z')) });
    expect(v([good, inter]).status).toBe('Success');
  });

  it('GeneralizedTime with a fraction or an offset is refused; plain GeneralizedTime passes', () => {
    const fraction = leafWith({ rewriteTbs: validity(timeTlv('20260101000000.5Z', true), timeTlv('20270101000000Z', true)) });
    const offset = leafWith({ rewriteTbs: validity(timeTlv('20260101000000+0100', true), timeTlv('20270101000000Z', true)) });
    const plain = leafWith({ rewriteTbs: validity(timeTlv('20260101000000Z', true), timeTlv('20270101000000Z', true)) });
    expect(v([fraction, inter]).status).toBe('Failed:ClientCertInvalid');
    expect(v([offset, inter]).status).toBe('Failed:ClientCertInvalid');
    expect(v([plain, inter]).status).toBe('Success');
  });

  it('a month out of range is refused', () => {
    const bad = leafWith({ rewriteTbs: validity(timeTlv('261301000000Z'), timeTlv('270101000000Z')) });
    expect(v([bad, inter]).reason).toContain('notBefore: time "261301000000Z" has a field out of range');
  });

  it('a duplicate extension is refused', () => {
    const dup = leafWith({ extensions: [san(new asn.GeneralName({ dNSName: 'a.example' })), san(new asn.GeneralName({ dNSName: 'b.example' }))] });
    expect(v([dup, inter])).toMatchObject({ status: 'Failed:ClientCertInvalid', reason: expect.stringContaining('extension subjectAltName (2.5.29.17) appears more than once') });
    expect(v([leafWith({ extensions: [san(new asn.GeneralName({ dNSName: 'a.example' }))] }), inter]).status).toBe('Success');
  });
});

describe('rule 5: explicit EC parameters -> ClientCertTypeUnsupported', () => {
  it('a P-256 key with explicit curve parameters is refused; the same key by name passes', () => {
    const explicit = leafWith({ spki: explicitP256Spki(k[2]!) });
    expect(v([explicit, inter])).toMatchObject({
      status: 'Failed:ClientCertTypeUnsupported',
      reason: expect.stringContaining('explicit curve parameters'),
    });
    expect(v([leafWith({}), inter]).status).toBe('Success');
  });

  it('a CA with explicit curve parameters is refused at its index (rule 10)', () => {
    const [under, ca] = interWith({ spki: explicitP256Spki(k[1]!) });
    expect(v([under, ca])).toMatchObject({ status: 'Failed:ClientCertTypeUnsupported', failingIndex: 1 });
  });
});

describe('rule 6: the leaf is a CA -> ClientCertPurposeInvalid, said in words', () => {
  it('a reversed chain (intermediate first)', () => {
    expect(v([inter, leaf])).toMatchObject({
      status: 'Failed:ClientCertPurposeInvalid',
      failingIndex: 0,
      reason: expect.stringContaining('the first certificate the client sent, "CN=Rules Inter,O=verify-rules", is a CA certificate'),
    });
  });

  it('the trusted root sent alone', () => {
    expect(v([root]).status).toBe('Failed:ClientCertPurposeInvalid');
    expect(v([root], S, { partialChain: true }).status).toBe('Failed:ClientCertPurposeInvalid');
  });
});

describe('rule 9: a malformed CA field -> ClientCertInvalid', () => {
  it('an intermediate with a duplicate extension', () => {
    const dupSan = [san(new asn.GeneralName({ dNSName: 'ca.example' })), san(new asn.GeneralName({ dNSName: 'ca2.example' }))];
    const [under, ca] = interWith({ extensions: dupSan });
    expect(v([under, ca])).toMatchObject({ status: 'Failed:ClientCertInvalid', failingIndex: 1 });
    const [under2, ca2] = interWith({ extensions: [ku(F.keyCertSign | F.cRLSign)] });
    expect(v([under2, ca2]).status).toBe('Success');
  });
});

describe('rule 14: the RFC 5280 profile -> ClientCertInvalid', () => {
  it('a CA whose basicConstraints is not critical', () => {
    const [under, ca] = interWith({ extensions: [ext(asn.id_ce_basicConstraints, false, new asn.BasicConstraints({ cA: true }))] });
    expect(v([under, ca])).toMatchObject({ status: 'Failed:ClientCertInvalid', failingIndex: 1, reason: expect.stringContaining('basicConstraints of a CA must be critical') });
  });

  it('a CA without subjectKeyIdentifier; a leaf without authorityKeyIdentifier; a CA without keyUsage', () => {
    const [u1, noSki] = interWith({ omit: [asn.id_ce_subjectKeyIdentifier] });
    expect(v([u1, noSki]).reason).toContain('a CA certificate without subjectKeyIdentifier');
    const noAki = leafWith({ omit: [asn.id_ce_authorityKeyIdentifier] });
    expect(v([noAki, inter]).reason).toContain('no authorityKeyIdentifier');
    const [u2, noKu] = interWith({ omit: [asn.id_ce_keyUsage] });
    expect(v([u2, noKu]).reason).toContain('a CA certificate must have a keyUsage extension');
  });

  it('a signature algorithm inside the signed part different from the one outside it', () => {
    const sha384 = Buffer.from('300a06082a8648ce3d040303', 'hex'); // ecdsa-with-SHA384; the outer one stays SHA-256
    const mismatch = leafWith({ rewriteTbs: (tbs) => replaceTbsField(tbs, 2, sha384) });
    // OpenSSL (under Node's verify) already refuses such a signature, so rule 8 reports it before rule 14 would.
    expect(v([mismatch, inter])).toMatchObject({ status: 'Failed:ClientCertInvalid', failingIndex: 0 });
  });

  it('keyCertSign on a leaf', () => {
    expect(v([leafWith({ extensions: [ku(F.digitalSignature | F.keyCertSign)] }), inter]).reason).toContain('keyCertSign in keyUsage of a certificate that is not a CA');
  });
});

describe('rule 13: every issuer is a CA with keyCertSign -> ClientCertUntrusted', () => {
  it('an intermediate with CA:FALSE', () => {
    const [under, notCa] = interWith({ ca: false, eku: [CLIENT_AUTH], extensions: [ku(F.digitalSignature)] });
    expect(v([under, notCa])).toMatchObject({
      status: 'Failed:ClientCertUntrusted',
      failingIndex: 1,
      reason: 'certificate "CN=Rules Inter,O=verify-rules" issues "CN=rules-leaf-under-variant,O=verify-rules" but is not a CA (basicConstraints CA:FALSE)',
    });
  });

  it('an intermediate without basicConstraints', () => {
    // keyCertSign without basicConstraints: not a CA (rule 13) comes before the profile's "keyCertSign on a non-CA" (rule 14).
    const [under, none] = interWith({ omit: [asn.id_ce_basicConstraints] });
    expect(v([under, none]).reason).toContain('has no basicConstraints extension, so it is not a CA');
  });

  it('an intermediate whose keyUsage lacks keyCertSign', () => {
    const [under, ca] = interWith({ extensions: [ku(F.cRLSign | F.digitalSignature)] });
    expect(v([under, ca])).toMatchObject({ status: 'Failed:ClientCertUntrusted', reason: expect.stringContaining('keyUsage without keyCertSign') });
  });

  it('an anchor with CA:FALSE is warned about at load and anchors nothing', () => {
    const notCaRoot = make({ name: 'Not A CA Root', keys: k[3]!, eku: [CLIENT_AUTH], extensions: [ku(F.digitalSignature)] });
    const under = make({ name: 'under-not-ca-root', keys: k[2]!, issuer: notCaRoot });
    const warnings: string[] = [];
    const st = loadTrustStore({ caCertificatesBundle: notCaRoot.pem, onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([
      'trustStore.caCertificatesBundle: certificate 1 ("CN=Not A CA Root,O=verify-rules") is not a CA (basicConstraints CA:FALSE); it cannot issue client certificates, so only a client presenting this very certificate could match it',
    ]);
    const none: string[] = [];
    loadTrustStore({ caCertificatesBundle: root.pem, onWarning: (m) => none.push(m) });
    expect(none).toEqual([]);
    expect(v([under], st)).toMatchObject({ status: 'Failed:ClientCertUntrusted', failingIndex: 1 });
  });
});

describe('rule 15: pathLenConstraint -> ClientCertUntrusted', () => {
  it('a root with pathLen 0 above an intermediate fails; pathLen 1 passes', () => {
    for (const [pathLength, status] of [[0, 'Failed:ClientCertUntrusted'], [1, 'Success']] as const) {
      const r = make({ name: `PathLen ${pathLength} Root`, keys: k[3]!, ca: true, pathLength });
      const i = make({ name: 'PathLen Inter', keys: k[4]!, issuer: r, ca: true });
      const l = make({ name: 'pathlen-leaf', keys: k[2]!, issuer: i });
      const result = v([l, i], store([r]));
      expect(result.status).toBe(status);
      if (pathLength === 0) expect(result.reason).toBe('certificate "CN=PathLen 0 Root,O=verify-rules" has pathLenConstraint 0 but 1 intermediate CA certificate follows it in the path');
    }
  });
});

describe('rule 16: an unknown critical extension -> ClientCertInvalid', () => {
  it('on the leaf or on the intermediate; the same extension non-critical passes', () => {
    const unknown = (critical: boolean) => rawExt('1.3.6.1.4.1.99999.1', critical, Buffer.from('0500', 'hex'));
    expect(v([leafWith({ extensions: [unknown(true)] }), inter])).toMatchObject({
      status: 'Failed:ClientCertInvalid',
      failingIndex: 0,
      reason: 'certificate "CN=rules-leaf-variant,O=verify-rules" has the critical extension 1.3.6.1.4.1.99999.1, which a verifier that does not process it must refuse',
    });
    const [under, ca] = interWith({ extensions: [unknown(true)] });
    expect(v([under, ca])).toMatchObject({ status: 'Failed:ClientCertInvalid', failingIndex: 1 });
    expect(v([leafWith({ extensions: [unknown(false)] }), inter]).status).toBe('Success');
  });
});

describe('rule 17: name constraints -> ClientCertUntrusted', () => {
  const G = (o: Partial<asn.GeneralName>) => new asn.GeneralName(o);
  const cases: [string, asn.Extension, Partial<MakeOptions>, 'Success' | 'Failed:ClientCertUntrusted'][] = [
    ['DNS permitted, inside', nc([G({ dNSName: 'example.com' })]), { san: { dns: ['api.example.com'] } }, 'Success'],
    ['DNS permitted, the base itself', nc([G({ dNSName: 'example.com' })]), { san: { dns: ['example.com'] } }, 'Success'],
    ['DNS permitted, outside', nc([G({ dNSName: 'example.com' })]), { san: { dns: ['example.org'] } }, 'Failed:ClientCertUntrusted'],
    ['DNS permitted, suffix without a dot', nc([G({ dNSName: 'example.com' })]), { san: { dns: ['badexample.com'] } }, 'Failed:ClientCertUntrusted'],
    ['DNS permitted with a leading dot, the base itself', nc([G({ dNSName: '.example.com' })]), { san: { dns: ['example.com'] } }, 'Failed:ClientCertUntrusted'],
    ['DNS excluded, inside', nc([], [G({ dNSName: 'bad.example' })]), { san: { dns: ['x.bad.example'] } }, 'Failed:ClientCertUntrusted'],
    ['DNS excluded, outside', nc([], [G({ dNSName: 'bad.example' })]), { san: { dns: ['good.example'] } }, 'Success'],
    ['commonName as host name, outside', nc([G({ dNSName: 'example.com' })]), { name: 'host.other.org' }, 'Failed:ClientCertUntrusted'],
    ['commonName as host name, inside', nc([G({ dNSName: 'example.com' })]), { name: 'host.example.com' }, 'Success'],
    ['commonName that is not a host name', nc([G({ dNSName: 'example.com' })]), { name: 'client one' }, 'Success'],
    ['email permitted host, inside', nc([G({ rfc822Name: 'example.com' })]), { extensions: [san(G({ rfc822Name: 'me@example.com' }))] }, 'Success'],
    ['email permitted host, outside', nc([G({ rfc822Name: 'example.com' })]), { extensions: [san(G({ rfc822Name: 'me@other.com' }))] }, 'Failed:ClientCertUntrusted'],
    ['email excluded mailbox', nc([], [G({ rfc822Name: 'boss@example.com' })]), { extensions: [san(G({ rfc822Name: 'boss@example.com' }))] }, 'Failed:ClientCertUntrusted'],
    ['IP permitted, inside', nc([G({ iPAddress: '10.0.0.0/8' })]), { san: { ip: ['10.1.2.3'] } }, 'Success'],
    ['IP permitted, outside', nc([G({ iPAddress: '10.0.0.0/8' })]), { san: { ip: ['192.168.1.1'] } }, 'Failed:ClientCertUntrusted'],
    ['IP excluded, inside', nc([], [G({ iPAddress: '192.168.0.0/16' })]), { san: { ip: ['192.168.1.1'] } }, 'Failed:ClientCertUntrusted'],
    ['URI excluded subdomain', nc([], [G({ uniformResourceIdentifier: '.evil.com' })]), { extensions: [san(G({ uniformResourceIdentifier: 'https://x.evil.com/p' }))] }, 'Failed:ClientCertUntrusted'],
    ['URI excluded, other host', nc([], [G({ uniformResourceIdentifier: '.evil.com' })]), { extensions: [san(G({ uniformResourceIdentifier: 'https://good.com/p' }))] }, 'Success'],
    ['URI with userinfo: the host is read as OpenSSL does (user@host)', nc([G({ uniformResourceIdentifier: 'good.com' })]), { extensions: [san(G({ uniformResourceIdentifier: 'https://u@good.com/p' }))] }, 'Failed:ClientCertUntrusted'],
    ['URI permitted, with a port', nc([G({ uniformResourceIdentifier: 'good.com' })]), { extensions: [san(G({ uniformResourceIdentifier: 'https://good.com:8443/p' }))] }, 'Success'],
    ['directoryName permitted, inside', nc([G({ directoryName: asnName([['O', 'verify-rules']]) })]), {}, 'Success'],
    ['directoryName permitted, outside', nc([G({ directoryName: asnName([['O', 'someone-else']]) })]), {}, 'Failed:ClientCertUntrusted'],
    ['directoryName excluded, inside', nc([], [G({ directoryName: asnName([['O', 'VERIFY-RULES']]) })]), {}, 'Failed:ClientCertUntrusted'],
  ];
  it.each(cases)('%s', (_label, constraint, leafOptions, status) => {
    const [under, ca] = interWith({ extensions: [constraint] }, leafOptions);
    const result = v([under, ca]);
    expect(result.status).toBe(status);
    if (status !== 'Success') expect(result.reason).toMatch(/has the name .* (is outside the permitted|is inside the excluded)/);
  });

  it("the anchor's own name constraints apply", () => {
    const r = make({ name: 'Constrained Root', keys: k[3]!, ca: true, extensions: [nc([], [G({ dNSName: 'example.com' })])] });
    const l = make({ name: 'under-constrained-root', keys: k[2]!, issuer: r, san: { dns: ['a.example.com'] } });
    expect(v([l], store([r]))).toMatchObject({ status: 'Failed:ClientCertUntrusted', reason: expect.stringContaining('is inside the excluded subtree DNS:example.com of CA "CN=Constrained Root,O=verify-rules"') });
  });
});

describe('rule 19: the leaf purpose -> ClientCertPurposeInvalid', () => {
  it('keyUsage without digitalSignature fails (keyEncipherment only, nonRepudiation only, keyAgreement only); with it passes', () => {
    for (const flags of [F.keyEncipherment, F.nonRepudiation, F.keyAgreement]) {
      expect(v([leafWith({ extensions: [ku(flags)] }), inter])).toMatchObject({
        status: 'Failed:ClientCertPurposeInvalid',
        reason: expect.stringContaining('has a keyUsage without digitalSignature'),
      });
    }
    expect(v([leafWith({ extensions: [ku(F.digitalSignature)] }), inter]).status).toBe('Success');
  });

  it('EKU with anyExtendedKeyUsage but without clientAuth fails, as OpenSSL', () => {
    expect(v([leafWith({ eku: ['2.5.29.37.0'] }), inter]).status).toBe('Failed:ClientCertPurposeInvalid');
  });
});

describe('rule 20: a CA EKU without clientAuth -> ClientCertPurposeInvalid', () => {
  it('serverAuth-only intermediate fails; clientAuth intermediate passes; an intermediate without EKU passes', () => {
    const [u1, serverOnly] = interWith({ eku: [SERVER_AUTH] });
    expect(v([u1, serverOnly])).toMatchObject({
      status: 'Failed:ClientCertPurposeInvalid',
      failingIndex: 1,
      reason: 'CA certificate "CN=Rules Inter,O=verify-rules" has an extended key usage without clientAuth (1.3.6.1.5.5.7.3.2): serverAuth; it cannot issue client certificates',
    });
    const [u2, clientToo] = interWith({ eku: [SERVER_AUTH, CLIENT_AUTH] });
    expect(v([u2, clientToo]).status).toBe('Success');
  });

  it("the anchor's EKU counts too", () => {
    const r = make({ name: 'Server Root', keys: k[3]!, ca: true, eku: [SERVER_AUTH] });
    const l = make({ name: 'under-server-root', keys: k[2]!, issuer: r });
    expect(v([l], store([r]))).toMatchObject({ status: 'Failed:ClientCertPurposeInvalid', failingIndex: 1 });
  });
});

describe('rule 21: CRLs', () => {
  it('a CRL without nextUpdate still revokes', () => {
    const st = store([root], [crl({ issuer: inter, revoke: [leaf.serial], nextUpdate: null })]);
    expect(st.crls[0]!.nextUpdate).toBeUndefined();
    expect(v([leaf, inter], st)).toMatchObject({ status: 'Failed:ClientCertCrlHit', failingIndex: 0 });
  });

  it('a CRL whose issuer differs only in case and spacing applies (RFC 4518 comparison)', () => {
    const st = store([root], [crl({ issuer: inter, revoke: [leaf.serial], issuerName: [['O', 'VERIFY-RULES'], ['CN', '  rules   INTER ']] })]);
    expect(v([leaf, inter], st).status).toBe('Failed:ClientCertCrlHit');
  });

  it('a CRL signed by a CA without cRLSign cannot be processed; with cRLSign it is used', () => {
    const [under, noCrlSign] = interWith({ extensions: [ku(F.keyCertSign)] });
    const st = store([root], [crl({ issuer: noCrlSign, revoke: [] })]);
    expect(v([under, noCrlSign], st)).toMatchObject({ status: 'Failed:ClientCertCrlProcessingError', reason: expect.stringContaining('has a keyUsage without cRLSign (keyCertSign)') });
    expect(v([leaf, inter], store([root], [crl({ issuer: inter, revoke: [] })])).status).toBe('Success');
  });

  it('an unknown critical CRL extension, or entry extension, makes the CRL unprocessable; non-critical is fine', () => {
    const unknown = (critical: boolean) => rawExt('1.3.6.1.4.1.99999.2', critical, Buffer.from('0500', 'hex'));
    expect(v([leaf, inter], store([root], [crl({ issuer: inter, extensions: [unknown(true)] })]))).toMatchObject({
      status: 'Failed:ClientCertCrlProcessingError',
      reason: expect.stringContaining('critical extension 1.3.6.1.4.1.99999.2 is not supported'),
    });
    expect(v([leaf, inter], store([root], [crl({ issuer: inter, revoke: ['0A'], entryExtensions: [unknown(true)] })])).status).toBe('Failed:ClientCertCrlProcessingError');
    expect(v([leaf, inter], store([root], [crl({ issuer: inter, extensions: [unknown(false)] })])).status).toBe('Success');
  });

  it('a revoked intermediate fails at index 1', () => {
    expect(v([leaf, inter], store([root], [crl({ issuer: root, revoke: [inter.serial] })]))).toMatchObject({ status: 'Failed:ClientCertCrlHit', failingIndex: 1 });
  });
});

describe('names compare by RFC 4518 rules when chaining', () => {
  it('an issuer name that differs only in case and spacing chains; a different name does not', () => {
    const caseLeaf = leafWith({ issuerName: [['O', 'Verify-Rules'], ['CN', ' rules  inter']] });
    expect(v([caseLeaf, inter]).status).toBe('Success');
    const other = leafWith({ issuerName: [['O', 'verify-rules'], ['CN', 'Rules Inter 2']] });
    expect(v([other, inter]).status).toBe('Failed:ClientCertUntrusted');
  });
});

describe('the path builder tries every candidate', () => {
  it('an expired copy of the root first in the bundle and its renewal second: the renewal is used', () => {
    const oldRoot = make({ name: 'Rules Root', keys: k[0]!, ca: true, notBefore: new Date(NOW.getTime() - 400 * DAY), notAfter: new Date(NOW.getTime() - DAY) });
    expect(v([leaf, inter], store([oldRoot, root])).status).toBe('Success');
    expect(v([leaf, inter], store([oldRoot]))).toMatchObject({ status: 'Failed:ClientCertExpired', failingIndex: 2 });
  });

  it('a cross-signed intermediate: the copy that leads to the trust store is used, whatever the order', () => {
    const otherRoot = make({ name: 'Other Root', keys: k[5]!, ca: true });
    const crossed = make({ name: 'Rules Inter', keys: k[1]!, issuer: otherRoot, ca: true });
    expect(v([leaf, crossed, inter]).status).toBe('Success');
    expect(v([leaf, inter, crossed]).status).toBe('Success');
    expect(v([leaf, crossed])).toMatchObject({
      status: 'Failed:ClientCertUntrusted',
      reason: 'certificate "CN=Rules Inter,O=verify-rules" was issued by "CN=Other Root,O=verify-rules", which is neither in the trust store nor in the presented chain',
    });
  });

  it('extras in any order after the leaf', () => {
    expect(v([leaf, root, inter]).status).toBe('Success');
  });

  it('when no path is valid, the most promising failure is reported (the one that failed at the latest rule)', () => {
    const expiredCopy = make({ name: 'Rules Inter', keys: k[1]!, issuer: root, ca: true, notAfter: new Date(NOW.getTime() - DAY) });
    const [, notCaCopy] = interWith({ ca: false, eku: [CLIENT_AUTH], extensions: [ku(F.digitalSignature)] });
    // CA:FALSE (rule 13) fails earlier than expiry (rule 18): the expired copy is the most promising.
    expect(v([leaf, notCaCopy, expiredCopy])).toMatchObject({ status: 'Failed:ClientCertExpired', failingIndex: 1 });
    expect(v([leaf, expiredCopy, notCaCopy]).status).toBe('Failed:ClientCertExpired');
  });

  it('a pathological bundle of 25 cross-certified CAs without a root ends within the bound', async () => {
    const [kx, ky] = [k[3]!, k[4]!];
    const xs: Made[] = [];
    const ys: Made[] = [];
    const seedX = make({ name: 'Loop X', keys: kx, ca: true });
    const seedY = make({ name: 'Loop Y', keys: ky, issuer: seedX, ca: true });
    for (let i = 0; i < 13; i++) xs.push(make({ name: 'Loop X', keys: kx, issuer: seedY, ca: true, notBefore: new Date(NOW.getTime() - (i + 2) * DAY) }));
    for (let i = 0; i < 12; i++) ys.push(make({ name: 'Loop Y', keys: ky, issuer: xs[0]!, ca: true, notBefore: new Date(NOW.getTime() - (i + 2) * DAY) }));
    const bundle = store([...xs, ...ys]);
    expect(bundle.certificates).toHaveLength(25);
    const under = make({ name: 'loop-leaf', keys: k[2]!, issuer: xs[0]! });
    const result = v([under], bundle);
    expect(result.status).toBe('Failed:ClientCertUntrusted');
    expect(result.reason).toContain(`${BUILD_BOUNDS.maxIssuerTrials} issuer trials`);
    // With partialChain every bundle CA is an anchor, and the first candidate already ends the search.
    expect(v([under], bundle, { partialChain: true }).status).toBe('Success');
  });
});

describe('partialChain (default off)', () => {
  it('a store holding only the intermediate anchors only with partialChain on', () => {
    const interOnly = store([inter]);
    expect(v([leaf, inter], interOnly).status).toBe('Failed:ClientCertUntrusted');
    expect(v([leaf, inter], interOnly, { partialChain: true }).status).toBe('Success');
  });
});

describe('verdict cache', () => {
  it('a cached verdict follows the clock across a validity boundary', () => {
    const soon = leafWith({ notAfter: new Date(NOW.getTime() + DAY) });
    expect(v([soon, inter]).status).toBe('Success');
    expect(v([soon, inter]).status).toBe('Success');
    expect(v([soon, inter], S, { now: new Date(NOW.getTime() + 2 * DAY) }).status).toBe('Failed:ClientCertExpired');
    expect(v([soon, inter]).status).toBe('Success');
  });
});

describe('precedence of the path rules (a certificate breaking two rules: the lower number decides)', () => {
  const past = { notBefore: new Date(NOW.getTime() - 60 * DAY), notAfter: new Date(NOW.getTime() - DAY) };

  it('6 > 7: an untrusted CA sent alone is named as a CA, not as untrusted', () => {
    const stranger = make({ name: 'Stranger Root', keys: k[6]!, ca: true });
    expect(v([stranger]).status).toBe('Failed:ClientCertPurposeInvalid');
  });

  it('13 > 18: an expired intermediate with CA:FALSE', () => {
    const [under, notCa] = interWith({ ca: false, eku: [CLIENT_AUTH], extensions: [ku(F.digitalSignature)], ...past });
    expect(v([under, notCa])).toMatchObject({ status: 'Failed:ClientCertUntrusted', failingIndex: 1 });
  });

  it('17 > 18: an expired leaf outside the name constraints', () => {
    const [under, ca] = interWith({ extensions: [nc([new asn.GeneralName({ dNSName: 'example.com' })])] }, { san: { dns: ['example.org'] }, ...past });
    expect(v([under, ca]).status).toBe('Failed:ClientCertUntrusted');
  });

  it('18 > 20: an expired intermediate whose EKU lacks clientAuth', () => {
    const [under, ca] = interWith({ eku: [SERVER_AUTH], ...past });
    expect(v([under, ca])).toMatchObject({ status: 'Failed:ClientCertExpired', failingIndex: 1 });
  });

  it('19 > 21: a revoked leaf whose keyUsage lacks digitalSignature', () => {
    const bad = leafWith({ extensions: [ku(F.keyEncipherment)] });
    const st = store([root], [crl({ issuer: inter, revoke: [bad.serial] })]);
    expect(v([bad, inter], st).status).toBe('Failed:ClientCertPurposeInvalid');
  });
});
