import { X509Certificate } from 'node:crypto';
import { issuerRfc2253, subjectRfc2253 } from '../../certs/x509/cert-names.ts';
import { splitPemBlocks } from '../../certs/x509/pem.ts';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EKU = '2.5.29.37.0';
const MAX_PATH = 10;

export type ChainVerdict =
  | { ok: true; subject: string; issuer: string; serialNumber: string }
  | { ok: false; reason: 'absent' | 'malformed' | 'untrusted' | 'expired' | 'not-yet-valid' | 'wrong-purpose'; error: string };

/**
 * What an application behind an ALB in passthrough mode must do itself: take the URL-encoded PEM
 * chain from the header (leaf first), build leaf → presented intermediates → a trusted CA with
 * signature checks, and check every certificate's dates and the leaf's clientAuth EKU.
 */
export function verifyPresentedChain(headerValue: string | undefined, trusted: X509Certificate[], now: Date): ChainVerdict {
  if (headerValue === undefined || headerValue === '') {
    return { ok: false, reason: 'absent', error: 'No client certificate was forwarded.' };
  }
  let chain: X509Certificate[];
  try {
    const blocks = splitPemBlocks(decodeURIComponent(headerValue)).filter((b) => b.label === 'CERTIFICATE');
    if (blocks.length === 0) throw new Error('no PEM certificate in the header');
    chain = blocks.map((b) => new X509Certificate(b.der));
  } catch (err) {
    return { ok: false, reason: 'malformed', error: `The forwarded client certificate does not parse: ${(err as Error).message}.` };
  }
  const leaf = chain[0]!;
  const path: X509Certificate[] = [leaf];
  let current = leaf;
  let anchored = false;
  while (path.length <= MAX_PATH) {
    const anchor = trusted.find((ca) => signedBy(current, ca));
    if (anchor) {
      anchored = true;
      break;
    }
    const next = chain.slice(1).find((c) => !path.includes(c) && c.ca && signedBy(current, c));
    if (!next) break;
    path.push(next);
    current = next;
  }
  if (!anchored) {
    return { ok: false, reason: 'untrusted', error: 'The client certificate does not chain to a trusted CA.' };
  }
  for (const cert of path) {
    if (new Date(cert.validTo).getTime() < now.getTime()) {
      return { ok: false, reason: 'expired', error: `Certificate ${subjectRfc2253(cert)} expired on ${new Date(cert.validTo).toISOString()}.` };
    }
    if (new Date(cert.validFrom).getTime() > now.getTime()) {
      return { ok: false, reason: 'not-yet-valid', error: `Certificate ${subjectRfc2253(cert)} is not valid before ${new Date(cert.validFrom).toISOString()}.` };
    }
  }
  const eku = leaf.keyUsage;
  if (eku !== undefined && !eku.includes(CLIENT_AUTH) && !eku.includes(ANY_EKU)) {
    return { ok: false, reason: 'wrong-purpose', error: 'The client certificate is not issued for client authentication (no clientAuth EKU).' };
  }
  return { ok: true, subject: subjectRfc2253(leaf), issuer: issuerRfc2253(leaf), serialNumber: leaf.serialNumber };
}

function signedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false; // e.g. a key type the signature check cannot use: not this issuer
  }
}
