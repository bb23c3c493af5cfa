import { randomBytes } from 'node:crypto';

/**
 * Serial numbers as DER INTEGER content, hex. @peculiar/x509 writes the hex bytes as given, so a
 * first byte >= 0x80 would encode a *negative* serial (and a CRL entry that silently never
 * matches): a `00` sign byte is prepended in that case.
 */
export function derSerial(hex: string): string {
  const even = hex.length % 2 ? `0${hex}` : hex;
  return parseInt(even.slice(0, 2), 16) > 0x7f ? `00${even}` : even;
}

/** A random 16-byte serial; `highBit` forces the first byte's high bit (the sign-byte case). */
export function randomSerial(highBit = false): string {
  const bytes = randomBytes(16);
  bytes[0] = highBit ? bytes[0]! | 0x80 : (bytes[0]! & 0x7f) | 0x10;
  return bytes.toString('hex').toUpperCase();
}

/** The form ALB and our facts use: uppercase hex, whole bytes, no sign byte. */
export function displaySerial(hex: string): string {
  let h = hex.toUpperCase();
  if (h.length % 2) h = `0${h}`;
  while (h.length > 2 && h.startsWith('00') && parseInt(h.slice(2, 4), 16) > 0x7f) h = h.slice(2);
  return h;
}
