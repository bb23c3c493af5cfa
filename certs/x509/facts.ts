import { X509Certificate } from 'node:crypto';
import type { TBSCertificate } from '@peculiar/asn1-x509';
import { formatName, parseCertificate } from './dn.ts';
import type { CertFacts, KeyType } from '../pki/types.ts';

/** OpenSSL's names for the signature algorithms we meet. */
const SIGNATURE_NAMES: Record<string, string> = {
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.3.101.112': 'ED25519',
};

/**
 * Facts about a certificate, read from the certificate itself (never from what we meant to issue).
 * `tbs`, when given, must be the TBSCertificate that was serialized into `cert`: the factory passes it
 * to skip an ASN.1 parse, the slowest step of building a PKI.
 */
export function certFacts(cert: X509Certificate, tbs: TBSCertificate = parseCertificate(cert).tbsCertificate): CertFacts {
  const oid = tbs.signature.algorithm;
  const { keyType, keyBits } = keyFacts(cert);
  return {
    serialNumber: cert.serialNumber.toUpperCase(),
    subject: formatName(tbs.subject),
    issuer: formatName(tbs.issuer),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    keyType,
    keyBits,
    signatureAlgorithm: SIGNATURE_NAMES[oid] ?? oid,
    version: tbs.version === 0 ? 1 : 3,
    selfSigned: cert.checkIssued(cert) && cert.verify(cert.publicKey),
    fingerprint256: cert.fingerprint256,
  };
}

export function keyFacts(cert: X509Certificate): { keyType: KeyType; keyBits: number } {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec') {
    const curve = details.namedCurve;
    if (curve === 'prime256v1') return { keyType: 'ec-p256', keyBits: 256 };
    if (curve === 'secp384r1') return { keyType: 'ec-p384', keyBits: 384 };
    if (curve === 'secp521r1') return { keyType: 'ec-p521', keyBits: 521 };
  }
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength ?? 0;
    return { keyType: `rsa-${bits}` as KeyType, keyBits: bits };
  }
  if (key.asymmetricKeyType === 'ed25519') return { keyType: 'ed25519', keyBits: 256 };
  throw new Error(`unsupported key type ${key.asymmetricKeyType}`);
}
