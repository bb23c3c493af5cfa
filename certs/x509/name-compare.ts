import { AsnConvert } from '@peculiar/asn1-schema';
import type { AttributeTypeAndValue, Name } from '@peculiar/asn1-x509';

/**
 * Distinguished-name comparison as RFC 5280 §7.1 asks (RFC 4518 string preparation): two names are
 * equal when they have the same RDNs in the same order, each RDN the same set of attributes, and
 * each string value equal after Unicode NFKC, case folding and insignificant-space handling
 * (leading/trailing spaces dropped, inner runs of spaces collapsed). The string type does not count
 * (PrintableString "ACME" equals UTF8String "acme"), as OpenSSL's canonical name encoding does.
 * Values that are not strings compare by their DER bytes.
 */
export function nameKey(name: Name): string {
  return name.map((rdn) => rdn.map(attributeKey).sort().join('+')).join(',');
}

/** The canonical keys of the RDNs, in DER order (for directoryName constraints: a prefix match). */
export function rdnKeys(name: Name): string[] {
  return name.map((rdn) => rdn.map(attributeKey).sort().join('+'));
}

function attributeKey(atv: AttributeTypeAndValue): string {
  const text = stringValue(atv);
  const value = text === undefined ? `#${Buffer.from(AsnConvert.serialize(atv.value)).toString('hex')}` : JSON.stringify(prepareString(text));
  return `${atv.type}=${value}`;
}

/** The value as text when it is one of the directory string types, else undefined. */
function stringValue(atv: AttributeTypeAndValue): string | undefined {
  const v = atv.value;
  const text = v.utf8String ?? v.printableString ?? v.teletexString ?? v.universalString ?? v.bmpString ?? v.ia5String;
  return typeof text === 'string' ? text : undefined;
}

/** RFC 4518 preparation for caseIgnoreMatch. */
function prepareString(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\s\u00a0]+/g, ' ').trim();
}

/** Attribute values of one type anywhere in the name (e.g. every emailAddress or commonName). */
export function attributeValues(name: Name, oid: string): string[] {
  const out: string[] = [];
  for (const rdn of name) for (const atv of rdn) if (atv.type === oid) out.push(stringValue(atv) ?? '');
  return out;
}
