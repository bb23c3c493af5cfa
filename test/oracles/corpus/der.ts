import { createPrivateKey, sign } from 'node:crypto';

/**
 * A minimal DER reader and writer, for the encodings the `openssl` CLI will not write (a UTCTime
 * without seconds, a CRL without nextUpdate, an issuer name in another string type). It edits a
 * certificate or CRL that OpenSSL made and signs the edited TBS again with the issuer's key.
 */

export interface Tlv {
  tag: number;
  /** The whole element: tag, length and content. */
  raw: Buffer;
  content: Buffer;
}

/** The elements of a constructed value's content, in order. */
export function children(content: Buffer): Tlv[] {
  const out: Tlv[] = [];
  let at = 0;
  while (at < content.length) {
    const tag = content[at]!;
    let len = content[at + 1]!;
    let head = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + content[at + 2 + i]!;
      head = 2 + n;
    }
    const end = at + head + len;
    if (end > content.length) throw new Error(`DER element at ${at} runs past its container`);
    out.push({ tag, raw: content.subarray(at, end), content: content.subarray(at + head, end) });
    at = end;
  }
  return out;
}

export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

export const SEQUENCE = 0x30;
export const SET = 0x31;
export const UTC_TIME = 0x17;
export const GENERALIZED_TIME = 0x18;
export const UTF8_STRING = 0x0c;
export const PRINTABLE_STRING = 0x13;
export const T61_STRING = 0x14;
export const BMP_STRING = 0x1e;

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const enc = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) enc.unshift(0x80 | (v & 0x7f));
    bytes.push(...enc);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** A string of the given ASN.1 type (BMPString as UTF-16BE). */
export function asn1String(tag: number, value: string): Buffer {
  return tlv(tag, tag === BMP_STRING ? Buffer.from(value, 'utf16le').swap16() : Buffer.from(value, tag === UTF8_STRING ? 'utf8' : 'latin1'));
}

/** A Name from RDNs of one attribute each: [oid, string tag, value]. */
export function name(rdns: [string, number, string][]): Buffer {
  return tlv(SEQUENCE, ...rdns.map(([type, tag, value]) => tlv(SET, tlv(SEQUENCE, oid(type), asn1String(tag, value)))));
}

export const CN = '2.5.4.3';
export const O = '2.5.4.10';

/** A time value written exactly as given (e.g. `2601010000Z`, malformed on purpose). */
export function rawTime(tag: number, text: string): Buffer {
  return tlv(tag, Buffer.from(text, 'latin1'));
}

const HASH_OF_SIGNATURE: Record<string, string> = {
  '2a864886f70d01010b': 'sha256', // sha256WithRSAEncryption
  '2a864886f70d01010c': 'sha384',
  '2a8648ce3d040302': 'sha256', // ecdsa-with-SHA256
  '2a8648ce3d040303': 'sha384',
};

/**
 * Replaces the TBS of a signed object (certificate or CRL) by `edit(tbs elements)` and signs it
 * again with `signerKeyPem`, keeping the signature algorithm.
 */
export function resign(signedDer: Buffer, signerKeyPem: string, edit: (tbs: Tlv[]) => Buffer[]): Buffer {
  const [outer] = children(signedDer);
  const [tbs, alg] = children(outer!.content);
  const algOid = children(alg!.content)[0]!.content.toString('hex');
  const hash = HASH_OF_SIGNATURE[algOid];
  if (!hash) throw new Error(`resign: unsupported signature algorithm ${algOid}`);
  const newTbs = tlv(SEQUENCE, ...edit(children(tbs!.content)));
  const signature = sign(hash, newTbs, createPrivateKey(signerKeyPem));
  return tlv(SEQUENCE, newTbs, alg!.raw, tlv(0x03, Buffer.from([0]), signature));
}

/** Index of a certificate TBS element, counting the explicit version. */
export const TBS = { serial: 1, signature: 2, issuer: 3, validity: 4, subject: 5 } as const;

export function pemOf(label: 'CERTIFICATE' | 'X509 CRL', der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

export function derOf(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}
