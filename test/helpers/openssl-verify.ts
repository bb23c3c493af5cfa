import type { ClientVariantId } from '../../certs/index.ts';
import { chainAfterLeaf, openssl } from './openssl.ts';
import { tempDir } from './temp-dir.ts';

/**
 * What `openssl verify -x509_strict -purpose sslclient` says for each PKI variant: `OK`, the error
 * text, or null where OpenSSL has no such rule (ALB-only rules: depth 4, key type, SHA-1, v1).
 */
export const OPENSSL_SAYS: Record<ClientVariantId, string | null> = {
  good: 'OK',
  'good-alt': 'OK',
  'escaped-subject': 'OK',
  'high-bit-serial': 'OK',
  expired: 'certificate has expired',
  'not-yet-valid': 'certificate is not yet valid',
  'untrusted-root': 'unable to get local issuer certificate',
  'self-signed': 'self-signed certificate',
  'leaf-only': 'unable to get local issuer certificate',
  'server-auth-only': 'unsuitable certificate purpose',
  revoked: 'certificate revoked',
  'root-appended': 'unable to get local issuer certificate',
  'expired-intermediate': 'certificate has expired',
  'key-mismatch': 'OK', // the certificate itself is the good one; the defect is its key
  'chain-too-deep': null,
  'unsupported-key': null,
  'sha1-signature': null,
  'x509-v1': null,
};

/**
 * `openssl verify -x509_strict -purpose sslclient -attime T [-verify_depth N] -CAfile root [-untrusted rest]
 * [-crl_check_all -CRLfile ...] leaf` on a presented chain. `ok` is OpenSSL's "OK".
 */
export async function opensslVerify(o: { rootPem: string; chainPem: string; attime: Date; crls?: string[]; verifyDepth?: number }): Promise<{ ok: boolean; output: string }> {
  await using dir = await tempDir();
  const leaf = await dir.file('leaf.pem', o.chainPem.slice(0, o.chainPem.indexOf('-----END CERTIFICATE-----') + 26));
  const rest = chainAfterLeaf(o.chainPem);
  const args = ['verify', '-x509_strict', '-purpose', 'sslclient', '-attime', String(Math.floor(o.attime.getTime() / 1000))];
  if (o.verifyDepth !== undefined) args.push('-verify_depth', String(o.verifyDepth));
  args.push('-CAfile', await dir.file('root.pem', o.rootPem));
  if (rest) args.push('-untrusted', await dir.file('untrusted.pem', rest));
  if (o.crls) {
    args.push('-crl_check_all');
    for (const [i, crl] of o.crls.entries()) args.push('-CRLfile', await dir.file(`crl${i}.pem`, crl));
  }
  args.push(leaf);
  const r = await openssl(args);
  const output = `${r.stdout}${r.stderr}`;
  return { ok: r.code === 0 && /: OK\n/.test(output), output };
}
