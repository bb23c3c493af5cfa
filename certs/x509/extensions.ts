import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';
import { rdnKeys } from './name-compare.ts';

/** A GeneralName as the verifier compares it (SANs, name-constraint bases). */
export type GeneralNameInfo =
  | { type: 'dns' | 'email' | 'uri'; value: string }
  | { type: 'ip'; bytes: Buffer }
  | { type: 'dirName'; rdns: string[]; text: string }
  | { type: 'other'; kind: string };

export interface Subtree {
  base: GeneralNameInfo;
  /** RFC 5280 requires minimum 0 and no maximum; OpenSSL refuses anything else. */
  minimum: number;
  maximum?: number;
}

export interface DecodedExtensions {
  /** Every extension OID, in order. */
  oids: string[];
  basicConstraints?: { ca: boolean; pathLen?: number; critical: boolean };
  /** KeyUsage bits as @peculiar's `KeyUsageFlags` (digitalSignature = 1, keyCertSign = 32, cRLSign = 64). */
  keyUsage?: { flags: number; names: string[] };
  extendedKeyUsage?: string[];
  nameConstraints?: { permitted: Subtree[]; excluded: Subtree[] };
  subjectKeyId?: { hex: string; critical: boolean };
  authorityKeyId?: { keyIdHex?: string; issuer?: GeneralNameInfo[]; serialHex?: string; critical: boolean };
  subjectAltNames?: { names: GeneralNameInfo[]; critical: boolean };
  /** First byte of the Netscape certificate type bits (0x80 SSL client, 0x04 SSL CA, 0x07 any CA). */
  netscapeCertType?: number;
  /** Critical extensions a strict verifier does not process (OpenSSL's supported list), by OID. */
  unknownCritical: string[];
  /** Encoding problems: `extension <name> (<oid>): <what>`. */
  problems: string[];
}

const EXTENSION_NAMES: Record<string, string> = {
  [asn.id_ce_basicConstraints]: 'basicConstraints',
  [asn.id_ce_keyUsage]: 'keyUsage',
  [asn.id_ce_extKeyUsage]: 'extendedKeyUsage',
  [asn.id_ce_nameConstraints]: 'nameConstraints',
  [asn.id_ce_subjectKeyIdentifier]: 'subjectKeyIdentifier',
  [asn.id_ce_authorityKeyIdentifier]: 'authorityKeyIdentifier',
  [asn.id_ce_subjectAltName]: 'subjectAltName',
  [asn.id_ce_issuerAltName]: 'issuerAltName',
  [asn.id_ce_certificatePolicies]: 'certificatePolicies',
  [asn.id_ce_cRLDistributionPoints]: 'cRLDistributionPoints',
  [asn.id_pe_authorityInfoAccess]: 'authorityInfoAccess',
  '2.16.840.1.113730.1.1': 'nsCertType',
  '1.3.6.1.5.5.7.1.14': 'proxyCertInfo',
};

/**
 * The critical extensions a strict verifier processes: OpenSSL's supported list (nsCertType,
 * keyUsage, subjectAltName, basicConstraints, certificatePolicies, cRLDistributionPoints,
 * extendedKeyUsage, RFC 3779 address and AS blocks, OCSP no-check, policyConstraints,
 * nameConstraints, policyMappings, inhibitAnyPolicy). Anything else marked critical - including a
 * critical key identifier or proxyCertInfo - makes the certificate unusable.
 */
const HANDLED_CRITICAL = new Set([
  '2.16.840.1.113730.1.1', '2.5.29.15', '2.5.29.17', '2.5.29.19', '2.5.29.32', '2.5.29.31', '2.5.29.37',
  '1.3.6.1.5.5.7.1.7', '1.3.6.1.5.5.7.1.8', '1.3.6.1.5.5.7.48.1.5', '2.5.29.36', '2.5.29.30', '2.5.29.33', '2.5.29.54',
]);

const PROXY_CERT_INFO = '1.3.6.1.5.5.7.1.14';

export function extensionName(oid: string): string {
  return EXTENSION_NAMES[oid] ? `${EXTENSION_NAMES[oid]} (${oid})` : oid;
}

const KU_NAMES: [number, string][] = [
  [asn.KeyUsageFlags.digitalSignature, 'digitalSignature'],
  [asn.KeyUsageFlags.nonRepudiation, 'nonRepudiation'],
  [asn.KeyUsageFlags.keyEncipherment, 'keyEncipherment'],
  [asn.KeyUsageFlags.dataEncipherment, 'dataEncipherment'],
  [asn.KeyUsageFlags.keyAgreement, 'keyAgreement'],
  [asn.KeyUsageFlags.keyCertSign, 'keyCertSign'],
  [asn.KeyUsageFlags.cRLSign, 'cRLSign'],
  [asn.KeyUsageFlags.encipherOnly, 'encipherOnly'],
  [asn.KeyUsageFlags.decipherOnly, 'decipherOnly'],
];

export function decodeExtensions(list: asn.Extensions | undefined): DecodedExtensions {
  const out: DecodedExtensions = { oids: [], unknownCritical: [], problems: [] };
  for (const ext of list ?? []) {
    const oid = ext.extnID;
    if (out.oids.includes(oid)) out.problems.push(`extension ${extensionName(oid)} appears more than once`);
    out.oids.push(oid);
    // A proxy certificate (RFC 3820) is refused even when its extension is not marked critical, as OpenSSL does.
    if ((ext.critical && !HANDLED_CRITICAL.has(oid)) || oid === PROXY_CERT_INFO) out.unknownCritical.push(oid);
    try {
      decodeOne(out, oid, ext.critical, ext.extnValue.buffer);
    } catch (err) {
      out.problems.push(`extension ${extensionName(oid)} does not decode (${(err as Error).message})`);
    }
  }
  return out;
}

function decodeOne(out: DecodedExtensions, oid: string, critical: boolean, value: ArrayBuffer): void {
  switch (oid) {
    case asn.id_ce_basicConstraints: {
      const bc = AsnConvert.parse(value, asn.BasicConstraints);
      out.basicConstraints = { ca: bc.cA, pathLen: bc.pathLenConstraint, critical };
      return;
    }
    case asn.id_ce_keyUsage: {
      const flags = AsnConvert.parse(value, asn.KeyUsage).toNumber();
      out.keyUsage = { flags, names: KU_NAMES.filter(([bit]) => flags & bit).map(([, name]) => name) };
      return;
    }
    case asn.id_ce_extKeyUsage:
      out.extendedKeyUsage = [...AsnConvert.parse(value, asn.ExtendedKeyUsage)];
      return;
    case asn.id_ce_nameConstraints: {
      const nc = AsnConvert.parse(value, asn.NameConstraints);
      const subtrees = (s?: asn.GeneralSubtrees): Subtree[] =>
        [...(s ?? [])].map((t) => ({ base: generalName(t.base), minimum: t.minimum ?? 0, maximum: t.maximum }));
      out.nameConstraints = { permitted: subtrees(nc.permittedSubtrees), excluded: subtrees(nc.excludedSubtrees) };
      return;
    }
    case asn.id_ce_subjectKeyIdentifier:
      out.subjectKeyId = { hex: Buffer.from(AsnConvert.parse(value, asn.SubjectKeyIdentifier).buffer).toString('hex'), critical };
      return;
    case asn.id_ce_authorityKeyIdentifier: {
      const aki = AsnConvert.parse(value, asn.AuthorityKeyIdentifier);
      out.authorityKeyId = {
        keyIdHex: aki.keyIdentifier ? Buffer.from(aki.keyIdentifier.buffer).toString('hex') : undefined,
        issuer: aki.authorityCertIssuer ? [...aki.authorityCertIssuer].map(generalName) : undefined,
        serialHex: aki.authorityCertSerialNumber ? Buffer.from(aki.authorityCertSerialNumber).toString('hex') : undefined,
        critical,
      };
      return;
    }
    case asn.id_ce_subjectAltName:
      out.subjectAltNames = { names: [...AsnConvert.parse(value, asn.SubjectAlternativeName)].map(generalName), critical };
      return;
    case '2.16.840.1.113730.1.1': {
      // BIT STRING: 03 len unused-bits first-byte ...
      const bytes = new Uint8Array(value);
      if (bytes[0] !== 0x03 || bytes.length < 3) throw new Error('not a BIT STRING');
      out.netscapeCertType = bytes[3] ?? 0;
      return;
    }
    default:
  }
}

/** A GeneralName in the comparable form; IP addresses keep their raw bytes (4/16, or 8/32 with a mask). */
export function generalName(name: asn.GeneralName): GeneralNameInfo {
  if (name.dNSName !== undefined) return { type: 'dns', value: name.dNSName };
  if (name.rfc822Name !== undefined) return { type: 'email', value: name.rfc822Name };
  if (name.uniformResourceIdentifier !== undefined) return { type: 'uri', value: name.uniformResourceIdentifier };
  if (name.iPAddress !== undefined) {
    const der = new Uint8Array(AsnConvert.serialize(name));
    // [7] IMPLICIT OCTET STRING, short form length (at most 32 bytes).
    return { type: 'ip', bytes: Buffer.from(der.subarray(2, 2 + der[1]!)) };
  }
  if (name.directoryName) return { type: 'dirName', rdns: rdnKeys(name.directoryName), text: name.directoryName.map((r) => r.map((a) => `${a.type}=${a.value.toString()}`).join('+')).join(',') };
  const kind = name.otherName ? 'otherName' : name.registeredID ? 'registeredID' : name.ediPartyName ? 'ediPartyName' : 'x400Address';
  return { type: 'other', kind };
}
