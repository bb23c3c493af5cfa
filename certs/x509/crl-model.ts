import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn from '@peculiar/asn1-x509';
import { signatureAlgorithmInfo, type SignatureAlgorithmInfo } from './algorithms.ts';
import { children, readTlv, signedParts } from './der-reader.ts';
import { formatName } from './dn.ts';
import { extensionName } from './extensions.ts';
import { normaliseSerial } from './model.ts';
import { nameKey } from './name-compare.ts';
import { isTimeTag, readStrictTime } from './time.ts';

/**
 * One CRL, parsed once, never throwing. `structureError` when the DER is not a CRL; `problems` for
 * what makes a parsed CRL unusable (a malformed time, an extension that does not decode, a critical
 * extension a strict verifier does not process, on the CRL or on an entry).
 */
export interface CrlModel {
  der: Buffer;
  structureError?: string;
  problems: string[];
  /** RFC 2253 issuer, and its RFC 4518 comparison key. */
  issuer: string;
  issuerKey: string;
  thisUpdate?: Date;
  /** Optional in RFC 5280: a CRL without it is still a CRL. */
  nextUpdate?: Date;
  /** Revoked serials in ALB's form (certs/x509/model.ts `normaliseSerial`). */
  revokedSerials: Set<string>;
  signature: SignatureAlgorithmInfo;
  authorityKeyIdHex?: string;
  /** A delta CRL (deltaCRLIndicator): only meaningful with its base CRL. */
  delta: boolean;
  /** issuingDistributionPoint scope. */
  scope: { onlyUser: boolean; onlyCa: boolean; onlyAttribute: boolean; indirect: boolean };
}

// Critical CRL extensions a strict verifier processes (as OpenSSL): issuingDistributionPoint,
// authorityKeyIdentifier, deltaCRLIndicator. On entries: certificateIssuer.
const HANDLED_CRL_CRITICAL = new Set([asn.id_ce_issuingDistributionPoint, asn.id_ce_authorityKeyIdentifier, asn.id_ce_deltaCRLIndicator]);
const HANDLED_ENTRY_CRITICAL = new Set([asn.id_ce_certificateIssuer]);

// Parsing is pure and every ALB start re-reads the same revocation files: the last few models are kept (read-only).
const recentModels = new Map<string, CrlModel>();
const RECENT_MODELS_MAX = 64;

export function crlModel(der: Uint8Array): CrlModel {
  const key = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  let model = recentModels.get(key);
  if (model === undefined) {
    model = parseCrlModel(der);
    if (recentModels.size >= RECENT_MODELS_MAX) recentModels.delete(recentModels.keys().next().value!);
    recentModels.set(key, model);
  }
  return model;
}

function parseCrlModel(der: Uint8Array): CrlModel {
  const buf = Buffer.from(der);
  const model: CrlModel = {
    der: buf, problems: [], issuer: '', issuerKey: '', revokedSerials: new Set(), signature: { oid: '', name: 'unknown', family: 'other' },
    delta: false, scope: { onlyUser: false, onlyCa: false, onlyAttribute: false, indirect: false },
  };
  try {
    const signed = signedParts(buf);
    const tbs = AsnConvert.parse(buf, asn.CertificateList).tbsCertList;
    model.signature = signatureAlgorithmInfo(signed.algorithmOid, signed.algorithmParams);
    model.issuer = formatName(tbs.issuer);
    model.issuerKey = nameKey(tbs.issuer);
    // The entries and extensions are located by hand: the schema misreads a TBSCertList without
    // nextUpdate (the optional time is followed by a SEQUENCE) and returns no entries at all.
    const { entries, extensions } = readBody(signed.tbs, model);
    for (const entry of entries) {
      model.revokedSerials.add(normaliseSerial(new Uint8Array(entry.userCertificate)));
      for (const ext of entry.crlEntryExtensions ?? []) {
        if (ext.critical && !HANDLED_ENTRY_CRITICAL.has(ext.extnID)) {
          model.problems.push(`an entry has the critical extension ${extensionName(ext.extnID)}, which is not supported`);
        }
      }
    }
    const seen = new Set<string>();
    for (const ext of extensions) {
      if (seen.has(ext.extnID)) model.problems.push(`extension ${extensionName(ext.extnID)} appears more than once`);
      seen.add(ext.extnID);
      if (ext.critical && !HANDLED_CRL_CRITICAL.has(ext.extnID)) model.problems.push(`critical extension ${extensionName(ext.extnID)} is not supported`);
      try {
        readExtension(model, ext);
      } catch (err) {
        model.problems.push(`extension ${extensionName(ext.extnID)} does not decode (${(err as Error).message})`);
      }
    }
  } catch (err) {
    model.structureError = (err as Error).message || 'does not parse';
  }
  return model;
}

function readExtension(model: CrlModel, ext: asn.Extension): void {
  const value = ext.extnValue.buffer;
  if (ext.extnID === asn.id_ce_authorityKeyIdentifier) {
    const aki = AsnConvert.parse(value, asn.AuthorityKeyIdentifier);
    if (aki.keyIdentifier) model.authorityKeyIdHex = Buffer.from(aki.keyIdentifier.buffer).toString('hex');
  } else if (ext.extnID === asn.id_ce_deltaCRLIndicator) {
    model.delta = true;
  } else if (ext.extnID === asn.id_ce_issuingDistributionPoint) {
    const idp = AsnConvert.parse(value, asn.IssuingDistributionPoint);
    model.scope = {
      onlyUser: idp.onlyContainsUserCerts,
      onlyCa: idp.onlyContainsCACerts,
      onlyAttribute: idp.onlyContainsAttributeCerts,
      indirect: idp.indirectCRL,
    };
  }
}

/** thisUpdate, the optional nextUpdate, the entries and the extensions, read from the TBS bytes. */
function readBody(tbsDer: Buffer, model: CrlModel): { entries: asn.RevokedCertificate[]; extensions: asn.Extension[] } {
  const fields = children(tbsDer, readTlv(tbsDer, 0));
  // version (optional INTEGER), signature, issuer, thisUpdate, nextUpdate (optional), revokedCertificates (optional), [0] extensions (optional)
  let i = fields[0]?.tag === 0x02 ? 3 : 2;
  const thisUpdate = fields[i];
  try {
    if (!thisUpdate || !isTimeTag(thisUpdate.tag)) throw new Error('missing');
    model.thisUpdate = readStrictTime(tbsDer, thisUpdate);
  } catch (err) {
    model.problems.push(`thisUpdate: ${(err as Error).message}`);
  }
  i += 1;
  const next = fields[i];
  if (next && isTimeTag(next.tag)) {
    i += 1;
    try {
      model.nextUpdate = readStrictTime(tbsDer, next);
    } catch (err) {
      model.problems.push(`nextUpdate: ${(err as Error).message}`);
    }
  }
  let entries: asn.RevokedCertificate[] = [];
  let extensions: asn.Extension[] = [];
  for (const field of fields.slice(i)) {
    if (field.tag === 0x30) {
      entries = children(tbsDer, field).map((e) => AsnConvert.parse(tbsDer.subarray(e.start, e.end), asn.RevokedCertificate));
    } else if (field.tag === 0xa0) {
      const inner = readTlv(tbsDer, field.contentStart, field.end);
      extensions = [...AsnConvert.parse(tbsDer.subarray(inner.start, inner.end), asn.Extensions)];
    } else {
      throw new Error(`unexpected element (tag 0x${field.tag.toString(16)}) in the CRL`);
    }
  }
  return { entries, extensions };
}
