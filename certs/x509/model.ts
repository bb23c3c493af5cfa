import { X509Certificate, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, Name, type TBSCertificate } from '@peculiar/asn1-x509';
import { albSignatureAccepted, keyFacts, signatureAlgorithmInfo, type KeyFacts, type SignatureAlgorithmInfo } from './algorithms.ts';
import { children, readTlv, signedParts } from './der-reader.ts';
import { formatName } from './dn.ts';
import { decodeExtensions, type DecodedExtensions, type GeneralNameInfo } from './extensions.ts';
import { attributeValues, nameKey, rdnKeys } from './name-compare.ts';
import { readStrictTime } from './time.ts';

/**
 * One certificate, parsed once: every fact the verifier, the ALB headers, the PKI manifest and the
 * targets read. Built from the DER with the @peculiar/asn1 schemas; never throws. What cannot be
 * read is recorded: `structureError` when the DER is not a certificate at all, `malformed` for a
 * field that is present but wrongly encoded (a time without seconds, an extension that does not
 * decode, a duplicate extension).
 */
export interface CertModel {
  der: Buffer;
  /** SHA-256 of the DER, uppercase hex with colons (Node's `fingerprint256`). */
  fingerprint256: string;
  derBytes: number;
  /** Set when the DER does not parse as an X.509 certificate; the other facts are then placeholders. */
  structureError?: string;
  /** Fields present but wrongly encoded, each `<field>: <what>`. */
  malformed: string[];
  /** 1, 2 or 3. */
  version: number;
  /** ALB's serial form: uppercase hex, whole bytes, no sign byte; a negative serial (first byte >= 0x80) gets a `-` prefix. */
  serial: string;
  /** The serial as headers print it (hex of the value bytes, no sign byte, no `-`). */
  serialHex: string;
  /** RFC 2253 subject / issuer (CN first), for reasons and headers. */
  subject: string;
  issuer: string;
  /** RFC 4518 comparison keys (certs/x509/name-compare.ts): equal keys = equal names. */
  subjectKey: string;
  issuerKey: string;
  /** Subject RDN keys in DER order (directoryName constraints). */
  subjectRdns: string[];
  subjectEmpty: boolean;
  issuerEmpty: boolean;
  /** emailAddress and commonName values of the subject (name constraints). */
  subjectEmails: string[];
  subjectCommonNames: string[];
  /** Undefined when the field is malformed (see `malformed`). */
  notBefore?: Date;
  notAfter?: Date;
  signature: SignatureAlgorithmInfo;
  /** The TBS signature AlgorithmIdentifier equals the outer one (RFC 5280 §4.1.1.2). */
  signatureAlgorithmsMatch: boolean;
  albSignatureAccepted: boolean;
  key: KeyFacts;
  extensions: DecodedExtensions;
  /** basicConstraints cA is TRUE. */
  isCa: boolean;
  /** Subject and issuer names are equal (RFC 4518). */
  selfIssued: boolean;
  /** Self-issued and its signature verifies with its own key. */
  selfSigned: boolean;
  /** A GeneralName list of the SAN extension (empty when absent). */
  subjectAltNames: GeneralNameInfo[];
}

/** A model bound to the Node object it was read from (for signatures and the public key). */
export interface CertView extends CertModel {
  x509: X509Certificate;
  publicKey?: KeyObject;
}

/** Facts by DER fingerprint: every TLS connection brings new objects for the same few certificates. Bounded, oldest out. */
const byFingerprint = new Map<string, { model: CertModel; publicKey?: KeyObject }>();
const MAX_CACHED = 2000;
const views = new WeakMap<X509Certificate, CertView>();

/**
 * The model of a certificate. `tbs`, when given, must be the TBSCertificate serialized into `cert`
 * (the PKI factory passes it to skip one ASN.1 parse).
 */
export function certModel(cert: X509Certificate, tbs?: TBSCertificate): CertView {
  const known = views.get(cert);
  if (known) return known;
  const fingerprint256 = cert.fingerprint256;
  let entry = byFingerprint.get(fingerprint256);
  if (!entry) {
    const publicKey = safePublicKey(cert);
    entry = { model: readModel(cert, fingerprint256, publicKey, tbs), publicKey };
    if (byFingerprint.size >= MAX_CACHED) byFingerprint.delete(byFingerprint.keys().next().value!);
    byFingerprint.set(fingerprint256, entry);
  }
  const view: CertView = { ...entry.model, x509: cert, publicKey: entry.publicKey };
  views.set(cert, view);
  return view;
}

function safePublicKey(cert: X509Certificate): KeyObject | undefined {
  try {
    return cert.publicKey;
  } catch {
    return undefined;
  }
}

function readModel(cert: X509Certificate, fingerprint256: string, publicKey: KeyObject | undefined, knownTbs?: TBSCertificate): CertModel {
  const der = Buffer.from(cert.raw);
  const base = placeholder(der, fingerprint256);
  let tbs: TBSCertificate;
  let outerParams: Buffer | undefined;
  let signed;
  try {
    signed = signedParts(der);
    outerParams = signed.algorithmParams;
    tbs = knownTbs ?? AsnConvert.parse(der, Certificate).tbsCertificate;
  } catch (err) {
    return { ...base, structureError: (err as Error).message || 'does not parse' };
  }
  try {
    return readFields(cert, base, signed, outerParams, tbs, publicKey);
  } catch (err) {
    return { ...base, structureError: (err as Error).message || 'does not parse' };
  }
}

function readFields(
  cert: X509Certificate,
  base: CertModel,
  signed: ReturnType<typeof signedParts>,
  outerParams: Buffer | undefined,
  tbs: TBSCertificate,
  publicKey: KeyObject | undefined,
): CertModel {
  const malformed: string[] = [];
  const [notBefore, notAfter] = readValidity(signed.tbs, malformed);
  const extensions = decodeExtensions(tbs.extensions);
  malformed.push(...extensions.problems);
  const subject = safeFormat(tbs.subject);
  const issuer = safeFormat(tbs.issuer);
  const signature = signatureAlgorithmInfo(signed.algorithmOid, outerParams);
  const tbsAlgorithm = tbsSignatureAlgorithm(signed.tbs);
  const subjectKey = nameKey(tbs.subject);
  const issuerKey = nameKey(tbs.issuer);
  const selfIssued = subjectKey === issuerKey;
  const serialBytes = new Uint8Array(tbs.serialNumber);
  return {
    ...base,
    malformed,
    version: tbs.version + 1,
    serial: normaliseSerial(serialBytes),
    serialHex: normaliseSerial(serialBytes).replace(/^-/, ''),
    subject,
    issuer,
    subjectKey,
    issuerKey,
    subjectRdns: rdnKeys(tbs.subject),
    subjectEmpty: tbs.subject.length === 0,
    issuerEmpty: tbs.issuer.length === 0,
    subjectEmails: attributeValues(tbs.subject, '1.2.840.113549.1.9.1'),
    subjectCommonNames: attributeValues(tbs.subject, '2.5.4.3'),
    notBefore,
    notAfter,
    signature,
    signatureAlgorithmsMatch: tbsAlgorithm.equals(signed.algorithm),
    albSignatureAccepted: albSignatureAccepted(signature),
    key: keyFacts(tbs.subjectPublicKeyInfo, publicKey),
    extensions,
    isCa: extensions.basicConstraints?.ca === true,
    selfIssued,
    selfSigned: selfIssued && publicKey !== undefined && safeVerify(cert, publicKey),
    subjectAltNames: extensions.subjectAltNames?.names ?? [],
  };
}

function placeholder(der: Buffer, fingerprint256: string): CertModel {
  return {
    der, fingerprint256, derBytes: der.length, malformed: [], version: 0, serial: '', serialHex: '', subject: '', issuer: '',
    subjectKey: '', issuerKey: '', subjectRdns: [], subjectEmpty: true, issuerEmpty: true, subjectEmails: [], subjectCommonNames: [],
    signature: { oid: '', name: 'unknown', family: 'other' }, signatureAlgorithmsMatch: false, albSignatureAccepted: false,
    key: { kind: 'other', bits: 0, explicitCurve: false, albAccepted: false, description: 'an unreadable public key' },
    extensions: { oids: [], unknownCritical: [], problems: [] }, isCa: false, selfIssued: false, selfSigned: false, subjectAltNames: [],
  };
}

/** The TBS's own signature AlgorithmIdentifier, as encoded (the schema would re-encode defaults differently). */
function tbsSignatureAlgorithm(tbsDer: Buffer): Buffer {
  const fields = children(tbsDer, readTlv(tbsDer, 0));
  const alg = fields[fields[0]?.tag === 0xa0 ? 2 : 1];
  return alg ? tbsDer.subarray(alg.start, alg.end) : Buffer.alloc(0);
}

/** notBefore / notAfter read strictly from the TBS bytes (the schema would accept malformed times). */
function readValidity(tbsDer: Buffer, malformed: string[]): [Date | undefined, Date | undefined] {
  try {
    const fields = children(tbsDer, readTlv(tbsDer, 0));
    // [0] version (optional), serialNumber, signature, issuer, validity, ...
    const validity = fields[fields[0]?.tag === 0xa0 ? 4 : 3];
    if (!validity || validity.tag !== 0x30) throw new Error('no validity SEQUENCE');
    const [nb, na] = children(tbsDer, validity);
    const out: [Date | undefined, Date | undefined] = [undefined, undefined];
    for (const [i, tlv, field] of [[0, nb, 'notBefore'], [1, na, 'notAfter']] as const) {
      try {
        if (!tlv) throw new Error('missing');
        out[i] = readStrictTime(tbsDer, tlv);
      } catch (err) {
        malformed.push(`${field}: ${(err as Error).message}`);
      }
    }
    return out;
  } catch (err) {
    malformed.push(`validity: ${(err as Error).message}`);
    return [undefined, undefined];
  }
}

function safeFormat(name: Name): string {
  try {
    return formatName(name);
  } catch {
    return `#${Buffer.from(AsnConvert.serialize(name)).toString('hex')}`;
  }
}

function safeVerify(cert: X509Certificate, key: KeyObject): boolean {
  try {
    return cert.verify(key);
  } catch {
    return false;
  }
}

/**
 * Serial as ALB writes it (uppercase hex, whole bytes, no `00` sign byte). A DER INTEGER whose first
 * byte has the high bit set is negative: ALB "cannot revoke certificates with a negative serial
 * number", so such values get a `-` prefix and never equal a positive serial.
 */
export function normaliseSerial(bytes: Uint8Array): string {
  let b = bytes;
  if (b.length > 0 && b[0]! >= 0x80) return `-${Buffer.from(b).toString('hex').toUpperCase()}`;
  while (b.length > 1 && b[0] === 0 && b[1]! >= 0x80) b = b.subarray(1);
  return Buffer.from(b).toString('hex').toUpperCase();
}
