import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPki, type Pki } from '../../certs/index.ts';
import { ALB_TRUST_STORE_LIMITS, loadTrustStore } from '../../harness/alb/trust-store.ts';
import type { TrustStoreOptions } from '../../harness/alb/types.ts';
import type { Crypto } from '../../certs/pki/crypto-types.ts';
import { NOW, crl, keyPair, make } from './verify-builder.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

let pki: Pki;
let root: string;
let inter: string;

beforeAll(async () => {
  pki = await createPki();
  root = pki.root.certPem;
  inter = pki.intermediate.certPem;
});

/** The error `loadTrustStore` throws, so its code and message can be asserted exactly. */
function loadError(options: TrustStoreOptions): { code: string; message: string } {
  try {
    loadTrustStore(options);
  } catch (err) {
    return { code: (err as { code: string }).code, message: (err as Error).message };
  }
  throw new Error('expected loadTrustStore to throw');
}

function bundleError(bundle: string) {
  return loadError({ caCertificatesBundle: bundle, source: 'ca-bundle.pem' });
}

/** A PEM CRL naming the root as its issuer, signed by the rogue root's key: its signature does not verify. */
async function rootCrlSignedByRogue(): Promise<string> {
  const crl = await x509.X509CrlGenerator.create({
    issuer: new x509.X509Certificate(pki.root.certPem).subjectName,
    thisUpdate: pki.now,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    signingKey: pki.rogueRoot.keys.privateKey,
  });
  return `${x509.PemConverter.encode(crl.rawData, 'X509 CRL')}\n`;
}

const lineCount = (pem: string) => pem.trimEnd().split('\n').length;

describe('ALB bundle rules', () => {
  it('exports the ALB quotas', () => {
    expect(ALB_TRUST_STORE_LIMITS).toEqual({ maxCaCertificates: 25, maxCaCertificateBytes: 16_384, maxChainDepth: 4, maxCertificateMessageBytes: 65_536 });
  });

  it('loads a good bundle with # comments, in order, newline-terminated', () => {
    const bundle = `# Root CA for the gateway clients\n${root}# Intermediate CA\n${inter}`;
    const store = loadTrustStore({ caCertificatesBundle: bundle });
    expect(store.certificates.map((c) => c.fingerprint256)).toEqual([pki.root.x509.fingerprint256, pki.intermediate.x509.fingerprint256]);
    expect(store.pems).toEqual([root, inter]);
    expect(store.crls).toEqual([]);
  });

  it('accepts a bundle without a final newline and with CRLF line ends', () => {
    expect(loadTrustStore({ caCertificatesBundle: root.trimEnd() }).certificates).toHaveLength(1);
    expect(loadTrustStore({ caCertificatesBundle: (root + inter).replace(/\n/g, '\r\n') }).certificates).toHaveLength(2);
  });

  it("loads the PKI's own bundles", () => {
    expect(loadTrustStore({ caCertificatesBundle: pki.trustStoreBundle }).certificates).toHaveLength(1);
    expect(loadTrustStore({ caCertificatesBundle: pki.trustStoreBundleWithIntermediate }).certificates).toHaveLength(2);
  });

  it('rejects a blank line between certificates, naming its line', () => {
    expect(bundleError(`${root}\n${inter}`)).toEqual({
      code: 'HARNESS_ERR_TRUST_STORE',
      message: `ca-bundle.pem line ${lineCount(root) + 1}: blank line. ALB rejects CA bundles with blank lines anywhere; delete the line`,
    });
  });

  it('rejects a blank line inside a certificate and a trailing blank line', () => {
    const lines = root.split('\n');
    lines.splice(3, 0, '');
    expect(bundleError(lines.join('\n')).message).toMatch(/^ca-bundle\.pem line 4: blank line\./);
    expect(bundleError(`${root}\n`).message).toMatch(new RegExp(`^ca-bundle\\.pem line ${lineCount(root) + 1}: blank line\\.`));
  });

  it('rejects a comment containing "-"', () => {
    expect(bundleError(`# Root CA\n${root}# valid-until 2030\n${inter}`)).toEqual({
      code: 'HARNESS_ERR_TRUST_STORE',
      message: `ca-bundle.pem line ${lineCount(root) + 2}: comment contains "-" ("# valid-until 2030"). ALB comment lines start with # and must not contain "-"; remove the dashes or the comment`,
    });
  });

  it('rejects an openssl x509 -text dump before the PEM block, naming the first line of text', () => {
    const dump = 'Certificate:\n    Data:\n        Version: 3 (0x2)\n';
    const err = bundleError(`# Root\n${dump}${root}`);
    expect(err.code).toBe('HARNESS_ERR_TRUST_STORE');
    expect(err.message).toBe(
      'ca-bundle.pem line 2: text outside a PEM block ("Certificate:"). ALB bundles hold only PEM certificates and # comments (no "openssl x509 -text" dump); delete the text or re-export with: openssl x509 -in cert.pem -outform PEM',
    );
  });

  it('rejects a block that is not a CERTIFICATE (a private key, a CRL)', () => {
    const key = pki.clients.good.keyPem;
    expect(bundleError(root + key)).toEqual({
      code: 'HARNESS_ERR_TRUST_STORE',
      message: `ca-bundle.pem line ${lineCount(root) + 1}: "-----BEGIN PRIVATE KEY-----" block is not a certificate. A CA bundle holds only CERTIFICATE blocks; remove this block`,
    });
    expect(bundleError(root + pki.crls.root.pem).message).toBe(
      `ca-bundle.pem line ${lineCount(root) + 1}: "-----BEGIN X509 CRL-----" block is not a certificate. A CA bundle holds only certificates; give CRLs as trustStore.revocations`,
    );
  });

  it('rejects a certificate without its END line', () => {
    const truncated = root.replace('-----END CERTIFICATE-----\n', '');
    expect(bundleError(truncated).message).toBe(
      'ca-bundle.pem line 1: "-----BEGIN CERTIFICATE-----" has no matching "-----END CERTIFICATE-----" line. The file is truncated; restore the END line',
    );
    expect(bundleError(truncated + inter).message).toMatch(/^ca-bundle\.pem line 1: "-----BEGIN CERTIFICATE-----" has no matching "-----END CERTIFICATE-----" line before line \d+\./);
  });

  it('accepts 25 CAs and rejects the 26th, naming its BEGIN line', () => {
    expect(loadTrustStore({ caCertificatesBundle: root.repeat(25) }).certificates).toHaveLength(25);
    expect(bundleError(root.repeat(26))).toEqual({
      code: 'HARNESS_ERR_TRUST_STORE',
      message: `ca-bundle.pem line ${25 * lineCount(root) + 1}: certificate 26 exceeds ALB's quota of 25 CA certificates per trust store. Keep only the roots and intermediates that issue your client certificates`,
    });
  });

  it('rejects a CA over 16 KB (PEM text of the block)', () => {
    const body = `${'A'.repeat(64)}\n`.repeat(260); // 16,900 bytes of base64: over the limit before any parsing
    const big = `-----BEGIN CERTIFICATE-----\n${body}-----END CERTIFICATE-----\n`;
    expect(Buffer.byteLength(big)).toBeGreaterThan(16_384);
    expect(bundleError(root + big)).toEqual({
      code: 'HARNESS_ERR_TRUST_STORE',
      message: `ca-bundle.pem line ${lineCount(root) + 1}: certificate 2 is ${Buffer.byteLength(big)} bytes of PEM, over ALB's CA certificate size limit of 16 KB (16384 bytes). Use a smaller CA certificate (fewer extensions or names); this quota cannot be raised`,
    });
  });

  it('rejects a block that does not parse', () => {
    const garbage = '-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';
    const err = bundleError(`# CA\n${garbage}`);
    expect(err.code).toBe('HARNESS_ERR_TRUST_STORE');
    expect(err.message).toMatch(/^ca-bundle\.pem line 2: certificate 1 does not parse as an X\.509 certificate \(.+\)\. Re-export it with: openssl x509 -in cert\.pem -outform PEM$/);
  });

  it('rejects an empty bundle and names the default source', () => {
    expect(loadError({ caCertificatesBundle: '# only a comment\n' })).toEqual({
      code: 'HARNESS_ERR_TRUST_STORE',
      message: 'trustStore.caCertificatesBundle line 1: the bundle holds no CA certificate. Add at least one PEM block starting with "-----BEGIN CERTIFICATE-----"',
    });
  });
});

describe('CRLs', () => {
  it('parses PEM CRLs: issuer in RFC 2253, serials without sign byte, dates', () => {
    const store = loadTrustStore({ caCertificatesBundle: root, revocations: [pki.crls.root.pem, pki.crls.intermediate.pem] });
    expect(store.crls.map((c) => ({ ...c, pem: undefined, revokedSerials: [...c.revokedSerials] }))).toEqual([
      { issuer: pki.crls.root.issuer, pem: undefined, revokedSerials: [], thisUpdate: pki.crls.root.thisUpdate, nextUpdate: pki.crls.root.nextUpdate },
      {
        issuer: 'CN=alb-mtls-harness Intermediate CA,O=alb-mtls-harness',
        pem: undefined,
        revokedSerials: [pki.clients.revoked.facts.serialNumber],
        thisUpdate: pki.crls.intermediate.thisUpdate,
        nextUpdate: pki.crls.intermediate.nextUpdate,
      },
    ]);
    // The intermediate is not in this bundle: its CRL is checked later, against the issuer in the built path.
    expect(store.crls.every((c) => c.processingError === undefined)).toBe(true);
  });

  it('rejects the "BEGIN CRL" label, naming the revocation and the re-encoding command', () => {
    const badLabel = pki.crls.intermediate.pem.replace(/X509 CRL/g, 'CRL');
    expect(loadError({ caCertificatesBundle: root, revocations: [pki.crls.root.pem, badLabel] })).toEqual({
      code: 'HARNESS_ERR_CRL',
      message:
        'trustStore.revocations[1]: uses the "-----BEGIN CRL-----" label; ALB and OpenSSL accept only "-----BEGIN X509 CRL-----". ALB takes CRLs in PEM only; re-encode with: openssl crl -in FILE -outform PEM (add -inform DER for a DER file)',
    });
  });

  it('rejects a DER CRL', () => {
    const der = Buffer.from(pki.crls.root.pem.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64').toString('latin1');
    const err = loadError({ caCertificatesBundle: root, revocations: [der] });
    expect(err.code).toBe('HARNESS_ERR_CRL');
    expect(err.message).toMatch(/^trustStore\.revocations\[0\]: looks like a DER-encoded CRL, not PEM\. .*openssl crl -in FILE -outform PEM/);
  });

  it('rejects a revocation without a CRL block, or with another block, or that does not parse', () => {
    expect(loadError({ caCertificatesBundle: root, revocations: ['nothing here'] }).code).toBe('HARNESS_ERR_CRL');
    expect(loadError({ caCertificatesBundle: root, revocations: [root] }).message).toMatch(/^trustStore\.revocations\[0\]: holds a "CERTIFICATE" block, not a CRL\./);
    const broken = '-----BEGIN X509 CRL-----\nTm90IGEgQ1JM\n-----END X509 CRL-----\n';
    expect(loadError({ caCertificatesBundle: root, revocations: [broken] }).message).toMatch(/^trustStore\.revocations\[0\]: does not parse as a CRL/);
  });

  it('keeps a CRL whose signature does not verify with its issuer in the bundle, with processingError', async () => {
    const pem = await rootCrlSignedByRogue();
    const store = loadTrustStore({ caCertificatesBundle: root, revocations: [pki.crls.root.pem, pem] });
    expect(store.crls[0]!.processingError).toBeUndefined();
    expect(store.crls[1]!.processingError).toBe(
      'the signature of trustStore.revocations[1] does not verify with the public key of trust-store CA "CN=alb-mtls-harness Root CA,O=alb-mtls-harness"',
    );
  });
});

describe('CRLs read by the certificate model', () => {
  it('a CRL without nextUpdate keeps its entries; a CRL issuer differing in case and spacing is signature-checked against its bundle CA', async () => {
    const ca = make({ name: 'Store Root', keys: await keyPair(0), ca: true });
    const other = await keyPair(1);
    const store = loadTrustStore({
      caCertificatesBundle: ca.pem,
      revocations: [
        crl({ issuer: ca, revoke: ['0ABC', '80FF'], nextUpdate: null }),
        crl({ issuer: ca, issuerName: [['O', 'VERIFY-RULES'], ['CN', ' store  ROOT']], signWith: other }),
      ],
    });
    expect(store.crls[0]).toMatchObject({ issuer: 'CN=Store Root,O=verify-rules', nextUpdate: undefined, revokedSerials: new Set(['0ABC', '-80FF']) });
    expect(store.crls[0]!.thisUpdate.getTime()).toBe(NOW.getTime() - 86_400_000);
    expect(store.crls[0]!.processingError).toBeUndefined();
    expect(store.crls[1]!.processingError).toBe(
      String.raw`the signature of trustStore.revocations[1] does not verify with the public key of trust-store CA "CN=\\ store  ROOT,O=VERIFY-RULES"`,
    );
  });
});

describe('the same bundle and CRLs loaded again (parsed forms are kept by content)', () => {
  it('names the sources of the second load in its warnings and CRL processing errors, not the first', async () => {
    const rogueCrl = await rootCrlSignedByRogue();
    const bundle = `${root}${pki.clients.good.certPem}`; // the client certificate is no CA: a warning
    const load = (source: string, crlSource: string) => {
      const warnings: string[] = [];
      const store = loadTrustStore({
        caCertificatesBundle: bundle,
        source,
        revocations: [pki.crls.intermediate.pem, rogueCrl],
        revocationSources: [`${crlSource}-intermediate.pem`, `${crlSource}-rogue.pem`],
        onWarning: (w) => warnings.push(w),
      });
      return { warnings, errors: store.crls.map((c) => c.processingError) };
    };
    const first = load('first.pem', 'first');
    const second = load('second.pem', 'second');
    expect(second.warnings).toHaveLength(2);
    expect(second.warnings[0]).toMatch(/^second-intermediate\.pem: the CRL's issuer "[^"]+" is not a CA in second\.pem;/);
    expect(second.warnings[1]).toMatch(/^second\.pem: certificate 2 \(/);
    expect(second.errors).toEqual([undefined, expect.stringMatching(/^the signature of second-rogue\.pem does not verify/)]);
    expect(first.warnings.map((w) => w.replaceAll('first', 'second'))).toEqual(second.warnings);
  });

  it('still refuses a bundle that differs from a loaded one, naming its own source', () => {
    loadTrustStore({ caCertificatesBundle: root, source: 'good.pem' });
    expect(loadError({ caCertificatesBundle: `${root}\n`, source: 'blank.pem' }).message).toMatch(/^blank\.pem line \d+: blank line\./);
  });
});
