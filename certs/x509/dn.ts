import { X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, Name } from '@peculiar/asn1-x509';

/**
 * RFC 2253 distinguished names, as ALB puts them in `X-Amzn-Mtls-Clientcert-Subject/-Issuer` and
 * its connection log, and as `openssl x509 -nameopt RFC2253` prints them: RDNs in reverse DER order
 * (CN first), `,` between RDNs, `+` inside a multi-valued RDN, RFC 2253 escaping, bytes >= 0x80
 * escaped as `\XX` (OpenSSL's esc_msb), and unknown types as `OID=#<hex DER>`.
 */

// OpenSSL's short names for the attribute types it knows (RFC 2253 set plus the common extras).
const SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '2.5.4.43': 'initials',
  '2.5.4.46': 'dnQualifier',
  '2.5.4.65': 'pseudonym',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

/** Escapes one attribute value per RFC 2253 §2.4, plus OpenSSL's `\XX` for bytes >= 0x80 and controls. */
export function escapeRfc2253Value(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const ch = String.fromCharCode(b);
    const first = i === 0;
    const last = i === bytes.length - 1;
    if (b >= 0x80 || b < 0x20 || b === 0x7f) out += `\\${b.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (',+"\\<>;'.includes(ch)) out += `\\${ch}`;
    else if ((first && (ch === '#' || ch === ' ')) || (last && ch === ' ')) out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

/** RFC 2253 form of a DER-encoded X.501 Name. */
export function formatNameRfc2253(nameDer: ArrayBuffer | Uint8Array): string {
  const name = AsnConvert.parse(nameDer instanceof Uint8Array ? Buffer.from(nameDer) : nameDer, Name);
  return formatName(name);
}

/** RFC 2253 form of an already-parsed Name (parse once, format many). */
export function formatName(name: Name): string {
  const rdns = name.map((rdn) =>
    rdn
      .map((atv) => {
        const type = SHORT_NAMES[atv.type] ?? atv.type;
        const text = atv.value.toString();
        // A value that is not a string type (or an unknown attribute) is printed as #<hex of its DER>.
        if (!SHORT_NAMES[atv.type] || text === '' && atv.value.anyValue) {
          return `${type}=#${Buffer.from(AsnConvert.serialize(atv.value)).toString('hex').toUpperCase()}`;
        }
        return `${type}=${escapeRfc2253Value(text)}`;
      })
      .join('+'),
  );
  return rdns.reverse().join(',');
}

const parsedCertificates = new WeakMap<X509Certificate, Certificate>();

/** The ASN.1 structure of a certificate; parsed once per Node X509Certificate object (they are immutable). */
export function parseCertificate(cert: X509Certificate | Uint8Array): Certificate {
  if (!(cert instanceof X509Certificate)) return AsnConvert.parse(Buffer.from(cert), Certificate);
  let parsed = parsedCertificates.get(cert);
  if (!parsed) {
    parsed = AsnConvert.parse(cert.raw, Certificate);
    parsedCertificates.set(cert, parsed);
  }
  return parsed;
}
