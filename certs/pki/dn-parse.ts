import { UserError } from '../../harness/errors.ts';
import { ATTRIBUTE_TYPES, type AttributeType, type RawName } from './issue.ts';

/**
 * Parses an RFC 2253 DN (`CN=client,OU=Team,O=Example`, CN first, `\,` and `\XX` escapes) into
 * RDNs in DER order, for the attribute types the factory writes. Multi-valued RDNs are not supported.
 */
export function parseRfc2253(dn: string, field: string): RawName {
  const rdns: RawName = [];
  let i = 0;
  while (i < dn.length) {
    const eq = dn.indexOf('=', i);
    if (eq < 0) throw bad(field, dn, `"${dn.slice(i)}" has no "="`);
    const type = dn.slice(i, eq).trim();
    if (!(ATTRIBUTE_TYPES as string[]).includes(type)) throw bad(field, dn, `attribute type "${type}" is not one of ${ATTRIBUTE_TYPES.join(', ')}`);
    const bytes: number[] = [];
    i = eq + 1;
    for (; i < dn.length && dn[i] !== ','; i++) {
      if (dn[i] === '+') throw bad(field, dn, 'multi-valued RDNs (+) are not supported');
      if (dn[i] === '\\') {
        const hex = dn.slice(i + 1, i + 3);
        if (/^[0-9A-Fa-f]{2}$/.test(hex)) { bytes.push(parseInt(hex, 16)); i += 2; continue; }
        i++;
        if (i >= dn.length) throw bad(field, dn, 'it ends with a lone backslash');
      }
      bytes.push(...Buffer.from(dn[i]!, 'utf8'));
    }
    rdns.push([type as AttributeType, Buffer.from(bytes).toString('utf8')]);
    i++; // past the comma
  }
  if (rdns.length === 0) throw bad(field, dn, 'it is empty');
  return rdns.reverse();
}

function bad(field: string, dn: string, why: string): UserError {
  return new UserError('HARNESS_ERR_INVALID_ARGUMENT', `${field} "${dn}" is not an RFC 2253 DN: ${why}. Example: CN=my-client,O=Example`);
}
