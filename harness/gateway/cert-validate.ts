import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { issuerRfc2253, subjectRfc2253 } from '../../certs/x509/cert-names.ts';
import { splitPemBlocks } from '../../certs/x509/pem.ts';
import { UserError } from '../errors.ts';
import type { MtlsCertificateRecord } from './types.ts';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EKU = '2.5.29.37.0';

export interface InspectedCertificate {
  info: MtlsCertificateRecord['certificateInfo'];
  /** Sentences, without the certificate name (callers prefix it). */
  warnings: string[];
}

/**
 * Parses an mTLS certificate upload the way the platform must (it returns `certificateInfo`), and
 * checks what a TLS client would otherwise only report at connect time: the key belongs to the
 * leaf. `sources` name the field or file in messages.
 */
export function inspectCertificate(
  certPem: string,
  keyPem: string,
  sources: { certSource: string; keySource: string },
  now: Date,
): InspectedCertificate {
  const cacheKey = `${certPem}\0${keyPem}`;
  let checked = recentlyChecked.get(cacheKey);
  if (checked === undefined) {
    checked = checkCertificateAndKey(certPem, keyPem, sources);
    if (recentlyChecked.size >= RECENTLY_CHECKED_MAX) recentlyChecked.delete(recentlyChecked.keys().next().value!);
    recentlyChecked.set(cacheKey, checked);
  }
  const { leaf, info } = checked;
  const validFrom = new Date(info.validFrom);
  const validTo = new Date(info.validTo);
  const warnings: string[] = [];
  if (validTo.getTime() < now.getTime()) {
    warnings.push(`the certificate expired on ${validTo.toISOString()}; an ALB in verify mode rejects it in the TLS handshake (522).`);
  }
  if (validFrom.getTime() > now.getTime()) {
    warnings.push(`the certificate is not valid until ${validFrom.toISOString()}; an ALB in verify mode rejects it until then (522).`);
  }
  const eku = leaf.keyUsage; // Node: the extendedKeyUsage OIDs, or undefined when the extension is absent
  if (eku !== undefined && !eku.includes(CLIENT_AUTH) && !eku.includes(ANY_EKU)) {
    warnings.push(
      `the leaf's extendedKeyUsage lacks clientAuth (${CLIENT_AUTH}); an ALB in verify mode rejects it (ClientCertPurposeInvalid). Issue it with clientAuth.`,
    );
  }
  return { info: { ...info }, warnings };
}

// Every gateway start re-reads the same uploads: a certificate and key that parsed and matched once are not parsed again.
const recentlyChecked = new Map<string, { leaf: X509Certificate; info: InspectedCertificate['info'] }>();
const RECENTLY_CHECKED_MAX = 64;

/** The leaf and its facts, or the UserError naming what is wrong with the upload. */
function checkCertificateAndKey(
  certPem: string,
  keyPem: string,
  sources: { certSource: string; keySource: string },
): { leaf: X509Certificate; info: InspectedCertificate['info'] } {
  const { certSource, keySource } = sources;
  const blocks = splitPemBlocks(certPem).filter((b) => b.label === 'CERTIFICATE');
  if (blocks.length === 0) {
    throw new UserError(
      'HARNESS_ERR_PEM',
      `${certSource} is not a PEM certificate: expected a "-----BEGIN CERTIFICATE-----" block (leaf first, then intermediates). ` +
        `Convert DER with: openssl x509 -inform der -in FILE -out FILE.pem`,
    );
  }
  const chain = blocks.map((block, i) => {
    try {
      return new X509Certificate(block.der);
    } catch (err) {
      throw new UserError(
        'HARNESS_ERR_PEM',
        `${certSource}: certificate ${i + 1} (line ${block.line}) does not parse as X.509 (${(err as Error).message}). Re-export it as PEM.`,
      );
    }
  });
  const leaf = chain[0]!;

  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw new UserError(
      'HARNESS_ERR_PEM',
      `${keySource} is not a PEM private key (${(err as Error).message}). Pass the unencrypted PKCS#8 ("BEGIN PRIVATE KEY") or traditional PEM key.`,
    );
  }
  if (!leaf.checkPrivateKey(key)) {
    throw new UserError(
      'HARNESS_ERR_KEY_MISMATCH',
      `${keySource} does not belong to the certificate in ${certSource} (subject ${subjectRfc2253(leaf)}): its public key differs. ` +
        `Pass the key the leaf certificate was issued for.`,
    );
  }

  return {
    leaf,
    info: {
      subject: subjectRfc2253(leaf),
      issuer: issuerRfc2253(leaf),
      validFrom: new Date(leaf.validFrom).toISOString(),
      validTo: new Date(leaf.validTo).toISOString(),
      serialNumber: leaf.serialNumber,
    },
  };
}
