import { X509Certificate as NodeX509, sign as nodeSign } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, AttributeTypeAndValue, Certificate, DirectoryString, Name as AsnName, RelativeDistinguishedName, Version } from '@peculiar/asn1-x509';
import { ensureTrailingNewline, derToPem } from './pem.ts';
import { derSerial } from './serial.ts';
import { nodePrivateKey, signingAlgorithmFor } from './keys.ts';

/** Who signs: a CA's certificate and keys, or `self` for a self-signed certificate. */
export type Signer = { cert: x509.X509Certificate; keys: CryptoKeyPair } | 'self';

export interface IssueParams {
  /** RFC 4514-style string (`CN=x, O=y`), or RDNs as [type, value] pairs in DER order (for values that need escaping). */
  subject: string | RawName;
  keys: CryptoKeyPair;
  signer: Signer;
  /** Hex serial, no sign byte (one is added when needed). */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** CA certificate (basicConstraints cA, keyCertSign + cRLSign). */
  ca?: boolean;
  pathLength?: number;
  /** EKU OIDs; omitted = no EKU extension. */
  extendedKeyUsages?: string[];
  /** DNS names and IP addresses. */
  subjectAltNames?: { dns?: string[]; ip?: string[] };
  /** Override the signature hash (e.g. `SHA-1` for the weak-signature variant). */
  hash?: 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';
  /** X.509 version 1 (no extensions at all). Default 3. */
  version?: 1 | 3;
}

export interface Issued {
  cert: x509.X509Certificate;
  pem: string;
  node: NodeX509;
}

const SHA1_SIGNATURE_OIDS: Record<string, string> = {
  ECDSA: '1.2.840.10045.4.1', // ecdsa-with-SHA1
  'RSASSA-PKCS1-v1_5': '1.2.840.113549.1.1.5', // sha1WithRSAEncryption
};

/** Issues one certificate. Pure apart from the randomness of signatures. */
export async function issueCertificate(p: IssueParams): Promise<Issued> {
  const signingKeys = p.signer === 'self' ? p.keys : p.signer.keys;
  const extensions: x509.Extension[] = [];
  if (p.version !== 1) {
    extensions.push(new x509.BasicConstraintsExtension(!!p.ca, p.ca ? p.pathLength : undefined, true));
    extensions.push(
      new x509.KeyUsagesExtension(
        p.ca
          ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature
          : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
    );
    if (p.extendedKeyUsages) extensions.push(new x509.ExtendedKeyUsageExtension(p.extendedKeyUsages, false));
    if (p.subjectAltNames) {
      const names = [
        ...(p.subjectAltNames.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
        ...(p.subjectAltNames.ip ?? []).map((value) => ({ type: 'ip' as const, value })),
      ];
      extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
    }
    extensions.push(await x509.SubjectKeyIdentifierExtension.create(p.keys.publicKey));
    if (p.signer !== 'self') extensions.push(await x509.AuthorityKeyIdentifierExtension.create(p.signer.keys.publicKey));
  }
  const name = typeof p.subject === 'string' ? new x509.Name(p.subject) : rawName(p.subject);
  const signingAlgorithm = signingAlgorithmFor(signingKeys.privateKey, p.hash === 'SHA-1' ? 'SHA-256' : p.hash);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: derSerial(p.serial),
    subject: name,
    issuer: p.signer === 'self' ? name : p.signer.cert.subjectName,
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    signingAlgorithm,
    publicKey: p.keys.publicKey,
    signingKey: signingKeys.privateKey,
    extensions,
  });
  // Shapes WebCrypto's generator cannot produce (v1, SHA-1) are made by editing the TBS and re-signing with node:crypto.
  if (p.version === 1 || p.hash === 'SHA-1') {
    return fromDer(resign(cert, signingKeys.privateKey, { v1: p.version === 1, sha1: p.hash === 'SHA-1' }));
  }
  const pem = derToPem(new Uint8Array(cert.rawData), 'CERTIFICATE');
  return { cert, pem, node: new NodeX509(pem) };
}

function resign(cert: x509.X509Certificate, key: CryptoKey, how: { v1: boolean; sha1: boolean }): Uint8Array {
  const asn = AsnConvert.parse(cert.rawData, Certificate);
  const tbs = asn.tbsCertificate;
  if (how.v1) {
    tbs.version = Version.v1;
    delete (tbs as { extensions?: unknown }).extensions;
  }
  let digest: string | null = { 'P-256': 'sha256', 'P-384': 'sha384', 'P-521': 'sha512' }[(key.algorithm as EcKeyAlgorithm).namedCurve] ?? 'sha256';
  if (key.algorithm.name === 'Ed25519') digest = null;
  if (how.sha1) {
    const oid = SHA1_SIGNATURE_OIDS[key.algorithm.name];
    if (!oid) throw new Error(`no SHA-1 signature algorithm for ${key.algorithm.name} keys`);
    const algId = new AlgorithmIdentifier({ algorithm: oid });
    if (key.algorithm.name !== 'ECDSA') algId.parameters = null; // RSA algorithm ids carry an explicit NULL
    tbs.signature = algId;
    asn.signatureAlgorithm = algId;
    digest = 'sha1';
  }
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  asn.signatureValue = new Uint8Array(nodeSign(digest, tbsDer, nodePrivateKey(key))).buffer;
  return new Uint8Array(AsnConvert.serialize(asn));
}

function fromDer(der: Uint8Array): Issued {
  const pem = derToPem(der, 'CERTIFICATE');
  return { cert: new x509.X509Certificate(der as Uint8Array<ArrayBuffer>), pem: ensureTrailingNewline(pem), node: new NodeX509(pem) };
}

export const EKU = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

const ATTRIBUTE_OIDS = { CN: '2.5.4.3', OU: '2.5.4.11', O: '2.5.4.10', L: '2.5.4.7', ST: '2.5.4.8', C: '2.5.4.6' } as const;

/** RDNs in DER order, each value a UTF8String: no string parsing, so any character survives as given. */
export type RawName = Array<[keyof typeof ATTRIBUTE_OIDS, string]>;

function rawName(rdns: RawName): x509.Name {
  const asn = new AsnName(
    rdns.map(([type, value]) => new RelativeDistinguishedName([
      new AttributeTypeAndValue({ type: ATTRIBUTE_OIDS[type], value: new DirectoryString({ utf8String: value }) }),
    ])),
  );
  return new x509.Name(AsnConvert.serialize(asn));
}
