/**
 * A bounds-checked DER reader for the few places where the schema library loses what we need: the
 * exact bytes of a signed structure (to verify its signature) and the text of a time value (the
 * schema turns a malformed UTCTime into a date instead of refusing it). Every reader throws
 * `DerError`; callers turn it into a recorded problem.
 */
export class DerError extends Error {}

export interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  contentStart: number;
  end: number;
}

export function readTlv(buf: Uint8Array, offset: number, limit = buf.length): Tlv {
  const tag = buf[offset];
  let len = buf[offset + 1];
  if (tag === undefined || len === undefined || offset + 2 > limit) throw new DerError('truncated');
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not used in certificates');
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DerError('unsupported length encoding');
    len = 0;
    for (let i = 0; i < n; i++) {
      const b = buf[pos + i];
      if (b === undefined) throw new DerError('truncated length');
      len = len * 256 + b;
    }
    pos += n;
  }
  const end = pos + len;
  if (end > limit) throw new DerError('length beyond the end of the enclosing element');
  return { tag, start: offset, contentStart: pos, end };
}

export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = parent.contentStart; pos < parent.end; ) {
    const child = readTlv(buf, pos, parent.end);
    out.push(child);
    pos = child.end;
  }
  return out;
}

export function decodeOid(bytes: Uint8Array): string {
  const parts: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  const first = parts.shift() ?? 0;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...parts].join('.');
}

/** The three parts of `SEQUENCE { tbs, AlgorithmIdentifier, BIT STRING }` (a certificate or a CRL). */
export interface SignedParts {
  /** The whole to-be-signed element, tag included: the bytes the signature covers. */
  tbs: Buffer;
  tbsTlv: Tlv;
  /** The outer AlgorithmIdentifier, tag included (compared with the one inside the TBS). */
  algorithm: Buffer;
  algorithmOid: string;
  /** The AlgorithmIdentifier's parameters, tag included, or undefined when absent. */
  algorithmParams?: Buffer;
  signature: Buffer;
}

export function signedParts(der: Uint8Array): SignedParts {
  const outer = readTlv(der, 0);
  if (outer.tag !== 0x30) throw new DerError('not a SEQUENCE');
  if (outer.end !== der.length) throw new DerError('trailing bytes after the structure');
  const [tbs, alg, sig, extra] = children(der, outer);
  if (!tbs || !alg || !sig || extra || tbs.tag !== 0x30 || alg.tag !== 0x30 || sig.tag !== 0x03) throw new DerError('not a signed structure');
  const { oid, params } = readAlgorithmIdentifier(der, alg);
  if (der[sig.contentStart] !== 0) throw new DerError('signature BIT STRING has unused bits');
  return {
    tbs: Buffer.from(der.subarray(tbs.start, tbs.end)),
    tbsTlv: tbs,
    algorithm: Buffer.from(der.subarray(alg.start, alg.end)),
    algorithmOid: oid,
    algorithmParams: params,
    signature: Buffer.from(der.subarray(sig.contentStart + 1, sig.end)),
  };
}

export function readAlgorithmIdentifier(buf: Uint8Array, tlv: Tlv): { oid: string; params?: Buffer } {
  const [oidTlv, paramsTlv] = children(buf, tlv);
  if (!oidTlv || oidTlv.tag !== 0x06) throw new DerError('AlgorithmIdentifier without an OID');
  return {
    oid: decodeOid(buf.subarray(oidTlv.contentStart, oidTlv.end)),
    params: paramsTlv ? Buffer.from(buf.subarray(paramsTlv.start, paramsTlv.end)) : undefined,
  };
}
