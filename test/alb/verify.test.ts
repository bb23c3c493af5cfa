import { X509Certificate, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPki, splitPemBlocks, type CertificateAuthority, type ClientVariantId, type Pki } from '../../certs/index.ts';
import { albSignatureAccepted, signatureAlgorithmInfo } from '../../certs/x509/algorithms.ts';
import { certModel } from '../../certs/x509/model.ts';
import { loadTrustStore } from '../../harness/alb/trust-store.ts';
import { verifyClientChain } from '../../harness/alb/verify.ts';
import type { LoadedTrustStore, VerifyInput } from '../../harness/alb/types.ts';
import type { Algorithm, Crypto, CryptoKey, CryptoKeyPair, SubtleCrypto } from '../../certs/pki/crypto-types.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const subtle = webcrypto.subtle as unknown as SubtleCrypto;
const DAY = 86_400_000;
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

let pki: Pki;
let store: LoadedTrustStore;

beforeAll(async () => {
  pki = await createPki();
  store = defaultStore();
});

function chain(pem: string): X509Certificate[] {
  return splitPemBlocks(pem).map((b) => new X509Certificate(b.pem));
}

/** The default store of the brief: the PKI's bundle (root only) with the root and intermediate CRLs. */
function defaultStore(revocations = [pki.crls.root.pem, pki.crls.intermediate.pem], bundle = pki.trustStoreBundle): LoadedTrustStore {
  return loadTrustStore({ caCertificatesBundle: bundle, revocations });
}

function verify(presented: X509Certificate[], extra: Partial<VerifyInput> = {}) {
  return verifyClientChain({ presented, trustStore: store, now: pki.now, ...extra });
}

function variant(id: ClientVariantId, extra: Partial<VerifyInput> = {}) {
  return verify(chain(pki.clients[id].chainPem), extra);
}

function iso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

type Ca = Pick<CertificateAuthority, 'certPem' | 'keys'>;

/** The CA's name as the @peculiar/x509 generator takes it for `issuer`. */
const subjectOf = (ca: Ca) => new x509.X509Certificate(ca.certPem).subjectName;

function signing(key: CryptoKey): Algorithm & { hash?: string; saltLength?: number } {
  if (key.algorithm.name === 'RSA-PSS') return { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 };
  return key.algorithm.name === 'ECDSA' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: key.algorithm.name, hash: 'SHA-256' };
}

function hexSerial(highBit = false): string {
  const b = webcrypto.getRandomValues(new Uint8Array(12));
  b[0] = highBit ? b[0]! | 0x80 : (b[0]! & 0x7f) | 0x10;
  return Buffer.from(b).toString('hex').toUpperCase();
}

/** DER INTEGER content: a 00 sign byte when the first byte has its high bit set (signBytes: false reproduces the @peculiar trap). */
function derSerial(hex: string, signByte = true): string {
  return signByte && parseInt(hex.slice(0, 2), 16) > 0x7f ? `00${hex}` : hex;
}

interface MintOptions {
  /** In DER order, as @peculiar/x509 takes it (`O=..., CN=...`); RFC 2253 prints it reversed. */
  subject: string;
  issuer: Ca;
  keys?: CryptoKeyPair;
  notBefore?: Date;
  notAfter?: Date;
  eku?: string[];
  ca?: boolean;
  /** Sign with this key instead of the issuer's (a broken signature that still names the issuer). */
  signingKey?: CryptoKey;
  extensions?: x509.Extension[];
}

/** A certificate the PKI factory does not make: double faults, broken signatures, huge CAs. */
async function mint(o: MintOptions): Promise<{ x509: X509Certificate; cert: x509.X509Certificate; certPem: string; keys: CryptoKeyPair }> {
  const keys = o.keys ?? (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']));
  const signingKey = o.signingKey ?? o.issuer.keys.privateKey;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: derSerial(hexSerial()),
    subject: o.subject,
    issuer: subjectOf(o.issuer),
    notBefore: o.notBefore ?? new Date(pki.now.getTime() - DAY),
    notAfter: o.notAfter ?? new Date(pki.now.getTime() + 30 * DAY),
    signingAlgorithm: signing(signingKey),
    publicKey: keys.publicKey,
    signingKey,
    extensions: [
      new x509.BasicConstraintsExtension(!!o.ca, undefined, true),
      new x509.KeyUsagesExtension(o.ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature, true),
      ...(o.ca ? [] : [new x509.ExtendedKeyUsageExtension(o.eku ?? [CLIENT_AUTH])]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(o.issuer.keys.publicKey),
      ...(o.extensions ?? []),
    ],
  });
  return { x509: new X509Certificate(Buffer.from(cert.rawData)), cert, certPem: cert.toString('pem'), keys };
}

async function crlPem(issuer: Ca, serials: string[], o: { signingKey?: CryptoKey; nextUpdate?: Date; signByte?: boolean } = {}): Promise<string> {
  const signingKey = o.signingKey ?? issuer.keys.privateKey;
  const crl = await x509.X509CrlGenerator.create({
    issuer: subjectOf(issuer),
    thisUpdate: new Date(pki.now.getTime() - DAY),
    nextUpdate: o.nextUpdate ?? new Date(pki.now.getTime() + 7 * DAY),
    signingAlgorithm: signing(signingKey),
    signingKey,
    entries: serials.map((s) => ({ serialNumber: derSerial(s, o.signByte ?? true), revocationDate: pki.now })),
  });
  return `${x509.PemConverter.encode(crl.rawData, 'X509 CRL')}\n`;
}

const inter = () => pki.intermediate.x509;

describe('every PKI variant gets its expected verdict (default store: root bundle + root and intermediate CRLs)', () => {
  const ids: ClientVariantId[] = [
    'good', 'good-alt', 'escaped-subject', 'high-bit-serial', 'expired', 'not-yet-valid', 'untrusted-root', 'self-signed',
    'leaf-only', 'server-auth-only', 'revoked', 'chain-too-deep', 'unsupported-key', 'sha1-signature', 'x509-v1',
    'root-appended', 'expired-intermediate',
  ];
  it.each(ids)('%s', (id) => {
    expect(pki.clients[id].expectedVerdict).not.toBeNull();
    expect(variant(id).status).toBe(pki.clients[id].expectedVerdict);
  });

  it('the list above covers every variant except key-mismatch', () => {
    expect(Object.keys(pki.clients).sort()).toEqual([...ids, 'key-mismatch'].sort());
  });

  it('key-mismatch: never reaches an ALB (verdict null); its certificate alone is the good chain and verifies', () => {
    expect(pki.clients['key-mismatch'].expectedVerdict).toBeNull();
    expect(variant('key-mismatch').status).toBe('Success');
  });

  it('names the certificate and the rule in one sentence', () => {
    const expired = pki.clients.expired;
    expect(variant('expired')).toMatchObject({
      status: 'Failed:ClientCertExpired',
      failingIndex: 0,
      reason: `certificate "CN=client-expired,O=alb-mtls-harness" expired at ${iso(expired.facts.notAfter)} (notAfter)`,
    });
    expect(variant('not-yet-valid').reason).toBe(
      `certificate "CN=client-not-yet-valid,O=alb-mtls-harness" is not valid before ${iso(pki.clients['not-yet-valid'].facts.notBefore)} (notBefore)`,
    );
    expect(variant('untrusted-root').reason).toBe(
      'certificate "CN=client-untrusted,O=alb-mtls-harness" was issued by "CN=Rogue Root CA,O=Somebody Else", which is neither in the trust store nor in the presented chain',
    );
    expect(variant('self-signed').reason).toBe('certificate "CN=client-self-signed,O=alb-mtls-harness" is self-signed and is not in the trust store');
    expect(variant('server-auth-only').reason).toBe(
      'certificate "CN=client-server-auth-only,O=alb-mtls-harness" has an extended key usage without clientAuth (1.3.6.1.5.5.7.3.2): serverAuth',
    );
    expect(variant('chain-too-deep')).toMatchObject({
      failingIndex: 4,
      reason: 'the path from "CN=client-chain-too-deep,O=alb-mtls-harness" to trust anchor "CN=alb-mtls-harness Root CA,O=alb-mtls-harness" has 5 certificates; ALB allows at most 4',
    });
    expect(variant('unsupported-key').reason).toBe(
      'certificate "CN=client-ed25519,O=alb-mtls-harness" has an Ed25519 public key; ALB accepts RSA 2048-8192 bits or EC P-256, P-384, P-521',
    );
    expect(variant('sha1-signature').reason).toContain('is signed with ecdsa-with-SHA1; ALB accepts SHA-256/384/512');
    expect(variant('x509-v1').reason).toBe('certificate "CN=client-x509-v1,O=alb-mtls-harness" is X.509 version 1; ALB accepts only version 3');
  });

  it('returns the built path, leaf first, ending at the anchor', () => {
    const result = variant('good');
    expect(result.path.map((c) => c.fingerprint256)).toEqual([pki.clients.good.x509, inter(), pki.root.x509].map((c) => c.fingerprint256));
    expect(result.failingIndex).toBeUndefined();
    expect(result.reason).toBe(
      'certificate "CN=zuplo-gateway,O=alb-mtls-harness" chains to trust-store CA "CN=alb-mtls-harness Root CA,O=alb-mtls-harness" (3 certificates) and meets every ALB rule',
    );
  });
});

describe('no certificate and size limits', () => {
  it('no certificate -> Failed:UnmappedConnectionError, or the configured status', () => {
    expect(verify([])).toEqual({ status: 'Failed:UnmappedConnectionError', path: [], reason: 'the client sent no certificate' });
    expect(verify([], { noCertificateStatus: 'Failed:ClientCertUntrusted' }).status).toBe('Failed:ClientCertUntrusted');
  });

  it('a Certificate message over 64 KB -> ClientCertMaxSizeExceeded; exactly 64 KB passes', () => {
    const good = chain(pki.clients.good.chainPem);
    expect(verify(good, { certificateMessageBytes: 65_536 }).status).toBe('Success');
    expect(verify(good, { certificateMessageBytes: 65_537 })).toMatchObject({
      status: 'Failed:ClientCertMaxSizeExceeded',
      reason: "the client's certificate message is 65537 bytes, over ALB's TLS message size limit of 64 KB (65536 bytes)",
    });
  });

  it('a CA certificate over 16 KB in the path -> ClientCertMaxSizeExceeded', async () => {
    const names = Array.from({ length: 700 }, (_, i) => ({ type: 'dns' as const, value: `padding-${i}.ca.example.com` }));
    const big = await mint({ subject: 'O=alb-mtls-harness, CN=Big Intermediate', issuer: pki.root, ca: true, extensions: [new x509.SubjectAlternativeNameExtension(names)] });
    expect(big.x509.raw.length).toBeGreaterThan(16_384);
    const leaf = await mint({ subject: 'CN=under-big,O=alb-mtls-harness', issuer: big });
    expect(verify([leaf.x509, big.x509])).toMatchObject({
      status: 'Failed:ClientCertMaxSizeExceeded',
      failingIndex: 1,
      reason: `CA certificate "CN=Big Intermediate,O=alb-mtls-harness" is ${big.x509.raw.length} bytes (DER), over ALB's CA certificate size limit of 16 KB (16384 bytes)`,
    });
  });
});

describe('key types and signature algorithms', () => {
  it.each([
    ['ec-p384', 'Success'],
    ['ec-p521', 'Success'],
    ['rsa-2048', 'Success'],
    ['rsa-1024', 'Failed:ClientCertTypeUnsupported'],
  ] as const)('%s leaf -> %s', async (keyType, status) => {
    const client = await pki.issueClient({ name: `key-${keyType}`, keyType });
    expect(verify(chain(client.chainPem)).status).toBe(status);
  });

  it('RSASSA-PSS (SHA-256, MGF1-SHA-256) signatures are accepted; PSS with RFC 4055 default parameters (SHA-1) is not', async () => {
    const rootKeys = (await subtle.generateKey(
      { name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    )) as CryptoKeyPair;
    const root = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: derSerial(hexSerial()),
      name: 'CN=PSS Root,O=alb-mtls-harness',
      notBefore: new Date(pki.now.getTime() - DAY),
      notAfter: new Date(pki.now.getTime() + 30 * DAY),
      signingAlgorithm: signing(rootKeys.privateKey),
      keys: rootKeys,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
        await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
      ],
    });
    const ca: Ca = { certPem: root.toString('pem'), keys: rootKeys };
    const leaf = await mint({ subject: 'CN=pss-leaf', issuer: ca });
    expect(certModel(leaf.x509).signature).toMatchObject({ family: 'rsa-pss', hash: 'sha256', pss: { mgf1Hash: 'sha256' } });
    const pssStore = loadTrustStore({ caCertificatesBundle: root.toString('pem') });
    expect(verify([leaf.x509], { trustStore: pssStore }).status).toBe('Success');
    expect(albSignatureAccepted(signatureAlgorithmInfo('1.2.840.113549.1.1.10'))).toBe(false);
  });

  it('an unsupported key is reported before the path is built (Ed25519 leaf under an untrusted CA)', async () => {
    const keys = (await subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const leaf = await mint({ subject: 'CN=ed-untrusted', issuer: pki.rogueRoot, keys });
    expect(verify([leaf.x509]).status).toBe('Failed:ClientCertTypeUnsupported');
  });
});

describe('path building', () => {
  it('leaf-only verifies when the bundle holds the intermediate', () => {
    store = defaultStore(undefined, pki.trustStoreBundleWithIntermediate);
    try {
      const result = variant('leaf-only');
      expect(result.status).toBe('Success');
      // partialChain off (default): the path goes on from the intermediate in the store to the self-signed root.
      expect(result.path.map((c) => c.fingerprint256)).toEqual([pki.clients['leaf-only'].x509.fingerprint256, inter().fingerprint256, pki.root.x509.fingerprint256]);
      // With partialChain the intermediate in the store is already an anchor.
      expect(variant('leaf-only', { partialChain: true }).path).toHaveLength(2);
    } finally {
      store = defaultStore();
    }
  });

  it('partialChain: a store holding only the intermediate anchors with it on, not with it off (default)', () => {
    const interOnly = loadTrustStore({ caCertificatesBundle: pki.intermediate.certPem });
    const good = chain(pki.clients.good.chainPem);
    expect(verify(good, { trustStore: interOnly, partialChain: true }).status).toBe('Success');
    expect(verify(good, { trustStore: interOnly })).toMatchObject({
      status: 'Failed:ClientCertUntrusted',
      failingIndex: 1,
      reason:
        'certificate "CN=alb-mtls-harness Intermediate CA,O=alb-mtls-harness" is in the trust store but is not self-signed, partialChain is false, and its issuer "CN=alb-mtls-harness Root CA,O=alb-mtls-harness" is neither in the trust store nor in the presented chain',
    });
    // partialChain false still succeeds when the path reaches the self-signed root.
    expect(verify(good, { partialChain: false }).status).toBe('Success');
  });

  it('root-appended: a trusted root in the presented chain does not make an unrelated leaf trusted', () => {
    const presented = chain(pki.clients['root-appended'].chainPem);
    expect(presented.at(-1)!.fingerprint256).toBe(pki.root.x509.fingerprint256);
    expect(verify(presented)).toMatchObject({ status: 'Failed:ClientCertUntrusted', failingIndex: 0 });
    expect(verify(presented).path).toHaveLength(1);
  });

  it('a presented chain with the root appended after the intermediate verifies, and extra unrelated certificates are ignored', () => {
    const good = chain(pki.clients.good.chainPem);
    expect(verify([...good, pki.root.x509]).status).toBe('Success');
    expect(verify([good[0]!, pki.rogueRoot.x509, good[1]!]).status).toBe('Success');
  });

  it('an issuer named correctly whose signature does not verify -> ClientCertInvalid', async () => {
    const other = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const forged = await mint({ subject: 'O=alb-mtls-harness, CN=forged', issuer: pki.intermediate, signingKey: other.privateKey });
    expect(verify([forged.x509, inter()])).toMatchObject({
      status: 'Failed:ClientCertInvalid',
      failingIndex: 0,
      reason:
        'the signature of certificate "CN=forged,O=alb-mtls-harness" does not verify with the public key of its issuer "CN=alb-mtls-harness Intermediate CA,O=alb-mtls-harness"',
    });
  });
});

describe('ignoreClientCertificateExpiry', () => {
  it('passes an expired leaf', () => {
    expect(variant('expired', { ignoreClientCertificateExpiry: true }).status).toBe('Success');
  });

  it('still fails an expired intermediate, and says why', () => {
    expect(variant('expired-intermediate', { ignoreClientCertificateExpiry: true })).toMatchObject({
      status: 'Failed:ClientCertExpired',
      failingIndex: 1,
      reason: `certificate "CN=Expired Intermediate CA,O=alb-mtls-harness" expired at ${iso(pki.expiredIntermediate.facts.notAfter)} (notAfter); ignoreClientCertificateExpiry covers only the client's leaf certificate, not the CAs in its chain`,
    });
  });

  it('does not cover not-yet-valid', () => {
    expect(variant('not-yet-valid', { ignoreClientCertificateExpiry: true }).status).toBe('Failed:ClientCertNotYetValid');
  });
});

describe('CRLs', () => {
  const withCrls = (revocations: string[], fn: () => void) => {
    store = defaultStore(revocations);
    try {
      fn();
    } finally {
      store = defaultStore();
    }
  };

  it('revoked carries a high-bit serial and is hit through the sign byte', () => {
    expect(parseInt(pki.clients.revoked.facts.serialNumber.slice(0, 2), 16)).toBeGreaterThan(0x7f);
    expect(variant('revoked')).toMatchObject({
      status: 'Failed:ClientCertCrlHit',
      failingIndex: 0,
      reason: `certificate "CN=client-revoked,O=alb-mtls-harness" (serial ${pki.clients.revoked.facts.serialNumber}) is revoked by the CRL of "CN=alb-mtls-harness Intermediate CA,O=alb-mtls-harness"`,
    });
  });

  it('a CRL entry written without the sign byte is a negative serial and revokes nothing (as OpenSSL)', async () => {
    const serial = pki.clients['high-bit-serial'].facts.serialNumber;
    const good = await crlPem(pki.intermediate, [serial]);
    const negative = await crlPem(pki.intermediate, [serial], { signByte: false });
    withCrls([good], () => expect(variant('high-bit-serial').status).toBe('Failed:ClientCertCrlHit'));
    withCrls([negative], () => expect(variant('high-bit-serial').status).toBe('Success'));
  });

  it("a level without a CRL is not checked; the intermediate's empty CRL passes revoked", () => {
    withCrls([], () => expect(variant('revoked').status).toBe('Success'));
    withCrls([pki.crls.intermediateEmpty.pem], () => expect(variant('revoked').status).toBe('Success'));
  });

  it("one level's CRL never fails another level: the root's CRL listing the leaf's serial does not fail the leaf", async () => {
    const rootListsLeaf = await crlPem(pki.root, [pki.clients.good.facts.serialNumber, pki.clients.revoked.facts.serialNumber]);
    withCrls([rootListsLeaf], () => {
      expect(variant('good').status).toBe('Success');
      expect(variant('revoked').status).toBe('Success');
    });
  });

  it("the root's CRL listing the intermediate fails every leaf under it, at index 1", async () => {
    const rootRevokesInter = await crlPem(pki.root, [pki.intermediate.facts.serialNumber]);
    withCrls([rootRevokesInter, pki.crls.intermediate.pem], () => {
      expect(variant('good')).toMatchObject({ status: 'Failed:ClientCertCrlHit', failingIndex: 1 });
      // Leaf first: the revoked leaf is reported before its revoked intermediate.
      expect(variant('revoked')).toMatchObject({ status: 'Failed:ClientCertCrlHit', failingIndex: 0 });
    });
  });

  it('a stale CRL (nextUpdate passed) still applies, and the reason says it is stale', () => {
    withCrls([pki.crls.intermediateStale.pem], () => {
      expect(variant('good').status).toBe('Success');
      const result = variant('revoked');
      expect(result.status).toBe('Failed:ClientCertCrlHit');
      expect(result.reason).toContain(`(the CRL is stale since ${iso(pki.crls.intermediateStale.nextUpdate)}; it still applies)`);
    });
  });

  it("a CRL for a CA in the bundle with a bad signature -> ClientCertCrlProcessingError for that CA's certificates", async () => {
    const forged = await crlPem(pki.root, [], { signingKey: pki.rogueRoot.keys.privateKey });
    withCrls([forged, pki.crls.intermediate.pem], () => {
      expect(store.crls[0]!.processingError).toBe(
        'the signature of trustStore.revocations[0] does not verify with the public key of trust-store CA "CN=alb-mtls-harness Root CA,O=alb-mtls-harness"',
      );
      expect(variant('good')).toMatchObject({ status: 'Failed:ClientCertCrlProcessingError', failingIndex: 1 });
    });
  });

  it('a CRL for a presented intermediate with a bad signature is caught against the issuer in the path', async () => {
    const forged = await crlPem(pki.intermediate, [], { signingKey: pki.rogueRoot.keys.privateKey });
    withCrls([forged], () => {
      expect(store.crls[0]!.processingError).toBeUndefined();
      expect(variant('good')).toMatchObject({
        status: 'Failed:ClientCertCrlProcessingError',
        failingIndex: 0,
        reason:
          'the CRL of "CN=alb-mtls-harness Intermediate CA,O=alb-mtls-harness" that covers certificate "CN=zuplo-gateway,O=alb-mtls-harness" could not be processed: its signature does not verify with the public key of "CN=alb-mtls-harness Intermediate CA,O=alb-mtls-harness"',
      });
    });
  });
});

/**
 * The precedence table of harness/alb/verify.ts, one double fault per row: the higher rule wins.
 */
describe('rule precedence with certificates that break two rules', () => {
  const past = () => ({ notBefore: new Date(pki.now.getTime() - 60 * DAY), notAfter: new Date(pki.now.getTime() - DAY) });
  const future = () => ({ notBefore: new Date(pki.now.getTime() + DAY), notAfter: new Date(pki.now.getTime() + 60 * DAY) });

  it('message size > untrusted', async () => {
    const leaf = await mint({ subject: 'CN=big-untrusted', issuer: pki.rogueRoot });
    expect(verify([leaf.x509], { certificateMessageBytes: 70_000 }).status).toBe('Failed:ClientCertMaxSizeExceeded');
  });

  it('type unsupported (Ed25519) > expired', async () => {
    const keys = (await subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const leaf = await mint({ subject: 'CN=ed-expired', issuer: pki.intermediate, keys, ...past() });
    expect(verify([leaf.x509, inter()]).status).toBe('Failed:ClientCertTypeUnsupported');
  });

  it('untrusted > expired', async () => {
    const leaf = await mint({ subject: 'CN=untrusted-expired', issuer: pki.rogueRoot, ...past() });
    expect(verify([leaf.x509, pki.rogueRoot.x509]).status).toBe('Failed:ClientCertUntrusted');
  });

  it('chain depth > expired', async () => {
    const deep = pki.deepIntermediates;
    const leaf = await mint({ subject: 'CN=deep-expired', issuer: deep[2]!, ...past() });
    expect(verify([leaf.x509, deep[2]!.x509, deep[1]!.x509, deep[0]!.x509]).status).toBe('Failed:ClientCertMaxChainDepthExceeded');
  });

  it('not-yet-valid leaf > expired intermediate (leaf first within validity)', async () => {
    const leaf = await mint({ subject: 'CN=future-under-expired', issuer: pki.expiredIntermediate, ...future() });
    expect(verify([leaf.x509, pki.expiredIntermediate.x509])).toMatchObject({ status: 'Failed:ClientCertNotYetValid', failingIndex: 0 });
  });

  it('expired > wrong purpose', async () => {
    const leaf = await mint({ subject: 'CN=expired-server-auth', issuer: pki.intermediate, eku: [SERVER_AUTH], ...past() });
    expect(verify([leaf.x509, inter()]).status).toBe('Failed:ClientCertExpired');
    // With expiry ignored, the next rule shows.
    expect(verify([leaf.x509, inter()], { ignoreClientCertificateExpiry: true }).status).toBe('Failed:ClientCertPurposeInvalid');
  });

  it('wrong purpose > revoked; expired > revoked', async () => {
    const serverAuth = await mint({ subject: 'CN=server-auth-revoked', issuer: pki.intermediate, eku: [SERVER_AUTH] });
    const expired = await mint({ subject: 'CN=expired-revoked', issuer: pki.intermediate, ...past() });
    const serials = [serverAuth, expired].map((m) => m.cert.serialNumber.toUpperCase());
    store = defaultStore([await crlPem(pki.intermediate, serials)]);
    try {
      expect(verify([serverAuth.x509, inter()]).status).toBe('Failed:ClientCertPurposeInvalid');
      expect(verify([expired.x509, inter()]).status).toBe('Failed:ClientCertExpired');
      expect(verify([expired.x509, inter()], { ignoreClientCertificateExpiry: true }).status).toBe('Failed:ClientCertCrlHit');
    } finally {
      store = defaultStore();
    }
  });

  it('CRL processing error > CRL hit for the same certificate', async () => {
    const forged = await crlPem(pki.intermediate, [], { signingKey: pki.rogueRoot.keys.privateKey });
    store = defaultStore([pki.crls.intermediate.pem, forged]);
    try {
      expect(variant('revoked').status).toBe('Failed:ClientCertCrlProcessingError');
    } finally {
      store = defaultStore();
    }
  });
});
