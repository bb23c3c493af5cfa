import { execFile, execFileSync } from 'node:child_process';
import { X509Certificate, webcrypto } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki, splitPemBlocks, type CertificateAuthority, type ClientVariantId, type Pki } from '../../certs/index.ts';
import { loadTrustStore } from '../../harness/alb/trust-store.ts';
import { verifyClientChain } from '../../harness/alb/verify.ts';
import type { LoadedTrustStore } from '../../harness/alb/types.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/**
 * Where our verdict and `openssl verify` legitimately disagree: ALB rules OpenSSL does not have.
 * Every other variant must agree (OpenSSL says OK exactly when we say Success).
 */
const ALB_ONLY_RULES: Partial<Record<ClientVariantId, string>> = {
  'chain-too-deep': 'ALB limits the path to 4 certificates; OpenSSL allows 100',
  'unsupported-key': 'ALB accepts RSA 2048-8192 and EC P-256/384/521 only; OpenSSL accepts Ed25519',
  'sha1-signature': 'ALB accepts SHA-2 signatures only; OpenSSL 3.0 at security level 1 still verifies a SHA-1 signed leaf',
  'x509-v1': 'ALB accepts X.509 v3 only; OpenSSL verifies a v1 leaf, even with -x509_strict',
};

/** The OpenSSL error each failing variant must give: the same fault, seen by the other verifier. */
const OPENSSL_ERRORS: Partial<Record<ClientVariantId, string>> = {
  expired: 'certificate has expired',
  'not-yet-valid': 'certificate is not yet valid',
  'untrusted-root': 'unable to get local issuer certificate',
  'self-signed': 'self-signed certificate',
  'leaf-only': 'unable to get local issuer certificate',
  'server-auth-only': 'unsuitable certificate purpose',
  revoked: 'certificate revoked',
  'root-appended': 'unable to get local issuer certificate',
  'expired-intermediate': 'certificate has expired',
};

let pki: Pki;
let dir: string;
let store: LoadedTrustStore;
let crlFiles: string[];

/** An empty CRL for a CA that has none in the PKI: `-crl_check_all` needs one per level. */
async function emptyCrl(ca: CertificateAuthority): Promise<string> {
  const crl = await x509.X509CrlGenerator.create({
    issuer: ca.cert.subjectName,
    thisUpdate: new Date(pki.now.getTime() - 3_600_000),
    nextUpdate: new Date(pki.now.getTime() + 7 * 86_400_000),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    signingKey: ca.keys.privateKey,
  });
  return `${x509.PemConverter.encode(crl.rawData, 'X509 CRL')}\n`;
}

function openssl(args: string[]): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile('openssl', args, (err, stdout, stderr) => resolve({ ok: !err, output: `${stdout}${stderr}` }));
  });
}

beforeAll(async () => {
  if (!hasOpenssl) return;
  pki = await createPki();
  dir = await mkdtemp(join(tmpdir(), 'alb-verify-openssl-'));
  const extra = await Promise.all([pki.rogueRoot, ...pki.deepIntermediates, pki.expiredIntermediate].map(emptyCrl));
  const crls = [pki.crls.root.pem, pki.crls.intermediate.pem, ...extra];
  crlFiles = await Promise.all(
    crls.map(async (pem, i) => {
      const file = join(dir, `crl-${i}.pem`);
      await writeFile(file, pem);
      return file;
    }),
  );
  await writeFile(join(dir, 'root.pem'), pki.root.certPem);
  // The same trust store for both: the root only, and every CRL OpenSSL gets.
  store = loadTrustStore({ caCertificatesBundle: pki.root.certPem, revocations: crls });
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!hasOpenssl)('agreement with openssl verify -x509_strict -purpose sslclient -crl_check_all', () => {
  const ids = Object.keys(
    {
      good: 1, 'good-alt': 1, 'escaped-subject': 1, 'high-bit-serial': 1, expired: 1, 'not-yet-valid': 1, 'untrusted-root': 1,
      'self-signed': 1, 'leaf-only': 1, 'server-auth-only': 1, revoked: 1, 'chain-too-deep': 1, 'unsupported-key': 1,
      'sha1-signature': 1, 'x509-v1': 1, 'root-appended': 1, 'key-mismatch': 1, 'expired-intermediate': 1,
    } satisfies Record<ClientVariantId, 1>,
  ) as ClientVariantId[];

  it.each(ids)('%s', async (id) => {
    const client = pki.clients[id];
    const blocks = splitPemBlocks(client.chainPem);
    const leafFile = join(dir, `${id}-leaf.pem`);
    await writeFile(leafFile, blocks[0]!.pem);
    const args = ['verify', '-x509_strict', '-purpose', 'sslclient', '-attime', String(Math.floor(pki.now.getTime() / 1000))];
    args.push('-CAfile', join(dir, 'root.pem'));
    if (blocks.length > 1) {
      const untrusted = join(dir, `${id}-untrusted.pem`);
      await writeFile(untrusted, blocks.slice(1).map((b) => b.pem).join(''));
      args.push('-untrusted', untrusted);
    }
    args.push('-crl_check_all', ...crlFiles.flatMap((f) => ['-CRLfile', f]), leafFile);
    const ours = verifyClientChain({ presented: blocks.map((b) => new X509Certificate(b.pem)), trustStore: store, now: pki.now });
    const theirs = await openssl(args);

    const albOnly = ALB_ONLY_RULES[id];
    if (albOnly) {
      // The documented disagreement: OpenSSL passes what ALB's own rule rejects.
      expect({ openssl: theirs.ok, ours: ours.status }).toEqual({ openssl: true, ours: client.expectedVerdict });
      expect(ours.status).not.toBe('Success');
    } else {
      expect(theirs.ok, `ours: ${ours.status}; openssl: ${theirs.output}`).toBe(ours.status === 'Success');
    }
    const expectedError = OPENSSL_ERRORS[id];
    if (expectedError) expect(theirs.output).toContain(expectedError);
    if (theirs.ok) expect(theirs.output).toContain(`${leafFile}: OK`);
  });
});
