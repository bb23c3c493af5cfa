import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPki, splitPemBlocks, type ClientVariantId, type Pki } from '../../certs/index.ts';
import { createCrl } from '../../certs/pki/crl.ts';
import { loadTrustStore } from '../../harness/alb/trust-store.ts';
import { verifyClientChain } from '../../harness/alb/verify.ts';
import type { LoadedTrustStore } from '../../harness/alb/types.ts';
import { OPENSSL_SAYS, opensslVerify } from '../helpers/openssl-verify.ts';

/**
 * Where our verdict and `openssl verify` legitimately disagree: ALB rules OpenSSL does not have.
 * Every other variant must agree (OpenSSL says OK exactly when we say Success).
 */
const NO_OPENSSL_VERIFY_RULE: Partial<Record<ClientVariantId, string>> = {
  'chain-too-deep': 'ALB limits the path to 4 certificates; OpenSSL allows 100',
  'unsupported-key': 'ALB accepts RSA 2048-8192 and EC P-256/384/521 only; OpenSSL accepts Ed25519',
  'sha1-signature': 'ALB accepts SHA-2 signatures only; OpenSSL 3.0 at security level 1 still verifies a SHA-1 signed leaf',
  'x509-v1': 'ALB accepts X.509 v3 only; OpenSSL verifies a v1 leaf, even with -x509_strict',
};

let pki: Pki;
let store: LoadedTrustStore;
let crls: string[];

beforeAll(async () => {
  pki = await createPki();
  // `-crl_check_all` needs a CRL for every CA level: empty ones for the CAs the PKI gives none.
  const thisUpdate = new Date(pki.now.getTime() - 3_600_000);
  const nextUpdate = new Date(pki.now.getTime() + 7 * 86_400_000);
  const extra = [pki.rogueRoot, ...pki.deepIntermediates, pki.expiredIntermediate].map(
    (ca) => createCrl({ name: 'empty', description: 'empty', ca, revoke: [], thisUpdate, nextUpdate }).pem,
  );
  crls = [pki.crls.root.pem, pki.crls.intermediate.pem, ...extra];
  // The same trust store for both: the root only, and every CRL OpenSSL gets.
  store = loadTrustStore({ caCertificatesBundle: pki.root.certPem, revocations: crls });
});

describe('agreement with openssl verify -x509_strict -purpose sslclient -crl_check_all', () => {
  const ids = Object.keys(OPENSSL_SAYS) as ClientVariantId[];

  it.each(ids)('%s', async (id) => {
    const client = pki.clients[id];
    const presented = splitPemBlocks(client.chainPem).map((b) => new X509Certificate(b.pem));
    const ours = verifyClientChain({ presented, trustStore: store, now: pki.now });
    const theirs = await opensslVerify({ rootPem: pki.root.certPem, chainPem: client.chainPem, attime: pki.now, crls });

    const albOnly = NO_OPENSSL_VERIFY_RULE[id];
    if (albOnly) {
      // The documented disagreement: OpenSSL passes what ALB's own rule rejects.
      expect({ openssl: theirs.ok, ours: ours.status }).toEqual({ openssl: true, ours: client.expectedVerdict });
      expect(ours.status).not.toBe('Success');
    } else {
      expect(theirs.ok, `ours: ${ours.status}; openssl: ${theirs.output}`).toBe(ours.status === 'Success');
      expect(theirs.output).toContain(OPENSSL_SAYS[id] === 'OK' ? ': OK' : OPENSSL_SAYS[id]);
    }
  });

  it('the documented disagreements are exactly the variants OpenSSL has no rule for', () => {
    expect(Object.keys(NO_OPENSSL_VERIFY_RULE).sort()).toEqual(ids.filter((id) => OPENSSL_SAYS[id] === null).sort());
  });
});
