import { X509Certificate } from 'node:crypto';
import * as asn from '@peculiar/asn1-x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPki, type Pki } from '../../certs/index.ts';
import { certFacts } from '../../certs/x509/facts.ts';
import { certModel } from '../../certs/x509/model.ts';
import { derSequence } from '../../certs/x509/der.ts';
import { leafFields } from '../../harness/alb/leaf-fields.ts';
import { explicitP256Spki, ext, keyPair, make, rawExt, replaceTbsField, timeTlv, type Made } from '../alb/verify-builder.ts';

/** The one certificate model: every layer reads the same facts, and nothing in a certificate makes it throw. */
let pki: Pki;
let root: Made;

beforeAll(async () => {
  pki = await createPki();
  root = make({ name: 'Model Root', keys: await keyPair(0), ca: true, pathLength: 2 });
});

describe('one set of facts for every layer', () => {
  it("the PKI manifest, the ALB headers and the model agree, self-signed included", () => {
    for (const [id, client] of Object.entries(pki.clients)) {
      const m = certModel(client.x509);
      expect(client.facts.selfSigned, id).toBe(m.selfSigned);
      expect(client.facts.subject, id).toBe(m.subject);
      expect(client.facts.serialNumber, id).toBe(m.serialHex);
      expect(leafFields(client.x509)?.serialNumber, id).toBe(client.facts.serialNumber);
      expect(leafFields(client.x509)?.subject, id).toBe(client.facts.subject);
    }
    expect(pki.clients['self-signed'].facts.selfSigned).toBe(true);
    expect(pki.clients.good.facts.selfSigned).toBe(false);
    expect(certFacts(pki.root.x509).selfSigned).toBe(true);
  });

  it('is parsed once per certificate: a second object with the same DER gets the same facts', () => {
    const copy = new X509Certificate(pki.clients.good.x509.raw);
    const a = certModel(pki.clients.good.x509);
    const b = certModel(copy);
    expect(b.extensions).toBe(a.extensions);
    expect(b.x509).toBe(copy);
  });
});

describe('decoded extensions', () => {
  it('basicConstraints, keyUsage, EKU, key identifiers, SAN, unknown critical extensions', async () => {
    const m = certModel(root.x509);
    expect(m.extensions.basicConstraints).toEqual({ ca: true, pathLen: 2, critical: true });
    expect(m.extensions.keyUsage?.names).toEqual(['digitalSignature', 'keyCertSign', 'cRLSign']);
    expect(m.extensions.subjectKeyId?.hex).toMatch(/^[0-9a-f]{40}$/);
    expect(m.isCa && m.selfSigned && m.selfIssued).toBe(true);
    const leaf = make({
      name: 'model-leaf', keys: await keyPair(2), issuer: root, san: { dns: ['a.example'], ip: ['10.0.0.1'] },
      extensions: [rawExt('1.3.6.1.4.1.99999.7', true, Buffer.from('0500', 'hex')), ext(asn.id_ce_certificatePolicies, true, new asn.CertificatePolicies([new asn.PolicyInformation({ policyIdentifier: '2.5.29.32.0' })]))],
    });
    const l = certModel(leaf.x509);
    expect(l.extensions.extendedKeyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(l.extensions.authorityKeyId?.keyIdHex).toBe(m.extensions.subjectKeyId?.hex);
    expect(l.subjectAltNames).toEqual([{ type: 'dns', value: 'a.example' }, { type: 'ip', bytes: Buffer.from([10, 0, 0, 1]) }]);
    // certificatePolicies is processed (critical is fine); the private OID is not.
    expect(l.extensions.unknownCritical).toEqual(['1.3.6.1.4.1.99999.7']);
    expect(l.malformed).toEqual([]);
  });

  it('explicit EC curve parameters are detected', async () => {
    const leaf = make({ name: 'explicit', keys: await keyPair(2), issuer: root, spki: explicitP256Spki(await keyPair(2)) });
    expect(certModel(leaf.x509).key).toMatchObject({ kind: 'ec', explicitCurve: true, albAccepted: false });
    expect(certModel(root.x509).key).toMatchObject({ kind: 'ec', curve: 'P-256', bits: 256, explicitCurve: false, albAccepted: true });
  });
});

describe('malformed fields are recorded, never thrown', () => {
  it.each([
    ['UTCTime without seconds', timeTlv('2601010000Z'), 'notBefore: UTCTime "2601010000Z" is not YYMMDDHHMMSSZ'],
    ['UTCTime with an offset', timeTlv('260101000000+0100'), 'notBefore: UTCTime "260101000000+0100" is not YYMMDDHHMMSSZ'],
    ['GeneralizedTime with a fraction', timeTlv('20260101000000.1Z', true), 'notBefore: GeneralizedTime "20260101000000.1Z" is not YYYYMMDDHHMMSSZ'],
    ['February 30th', timeTlv('260230000000Z'), 'notBefore: time "260230000000Z" has a field out of range'],
  ])('%s', async (_label, notBefore, problem) => {
    const leaf = make({ name: 'bad-time', keys: await keyPair(2), issuer: root, rewriteTbs: (t) => replaceTbsField(t, 4, derSequence(notBefore, timeTlv('270101000000Z'))) });
    const m = certModel(leaf.x509);
    expect(m.malformed).toEqual([problem]);
    expect(m.notBefore).toBeUndefined();
    expect(m.notAfter?.toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('UTCTime years 50-99 are 1950-1999, 00-49 are 2000-2049', async () => {
    const leaf = make({ name: 'years', keys: await keyPair(2), issuer: root, rewriteTbs: (t) => replaceTbsField(t, 4, derSequence(timeTlv('500101000000Z'), timeTlv('491231235959Z'))) });
    const m = certModel(leaf.x509);
    expect(m.notBefore?.toISOString()).toBe('1950-01-01T00:00:00.000Z');
    expect(m.notAfter?.toISOString()).toBe('2049-12-31T23:59:59.000Z');
  });

  it('an extension whose value does not decode', async () => {
    const leaf = make({ name: 'bad-bc', keys: await keyPair(2), issuer: root, extensions: [rawExt(asn.id_ce_basicConstraints, true, Buffer.from('0101ff', 'hex'))] });
    expect(certModel(leaf.x509).malformed[0]).toMatch(/^extension basicConstraints \(2\.5\.29\.19\) does not decode/);
  });
});
