/** The two DER shapes the certificate builder writes by hand, to avoid serializing the TBS twice. */
function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function derSequence(...parts: Uint8Array[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

/** BIT STRING with no unused bits (a signature value). */
export function derBitString(bytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([0x03]), derLength(bytes.length + 1), Buffer.from([0]), bytes]);
}
