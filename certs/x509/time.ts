import { DerError, type Tlv } from './der-reader.ts';

const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;

/**
 * A certificate or CRL time, read strictly as RFC 5280 demands: UTCTime `YYMMDDHHMMSSZ` (years
 * 1950-2049) or GeneralizedTime `YYYYMMDDHHMMSSZ`, seconds always present, no fraction, no offset,
 * every field in range. Anything else is malformed (the schema library would read a UTCTime
 * without seconds as a date in 1899). Throws `DerError` naming what is wrong.
 */
export function readStrictTime(buf: Uint8Array, tlv: Tlv): Date {
  const text = Buffer.from(buf.subarray(tlv.contentStart, tlv.end)).toString('latin1');
  let year: number;
  let rest: string;
  if (tlv.tag === UTC_TIME) {
    if (!/^\d{12}Z$/.test(text)) throw new DerError(`UTCTime "${printable(text)}" is not YYMMDDHHMMSSZ`);
    const yy = Number(text.slice(0, 2));
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    rest = text.slice(2);
  } else if (tlv.tag === GENERALIZED_TIME) {
    if (!/^\d{14}Z$/.test(text)) throw new DerError(`GeneralizedTime "${printable(text)}" is not YYYYMMDDHHMMSSZ`);
    year = Number(text.slice(0, 4));
    rest = text.slice(4);
  } else {
    throw new DerError(`tag 0x${tlv.tag.toString(16)} is not a UTCTime or GeneralizedTime`);
  }
  const [month, day, hour, minute, second] = [0, 2, 4, 6, 8].map((i) => Number(rest.slice(i, i + 2))) as [number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(ms);
  if (year < 1 || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 || date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) {
    throw new DerError(`time "${printable(text)}" has a field out of range`);
  }
  // Dates.UTC maps years 0-99 to 1900-1999; set the year explicitly for GeneralizedTime.
  date.setUTCFullYear(year);
  return date;
}

export function isTimeTag(tag: number | undefined): boolean {
  return tag === UTC_TIME || tag === GENERALIZED_TIME;
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 40);
}
