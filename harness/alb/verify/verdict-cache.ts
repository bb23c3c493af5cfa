import type { X509Certificate } from 'node:crypto';
import { certModel } from '../../../certs/x509/model.ts';
import type { LoadedTrustStore, VerifyInput, VerifyResult } from '../types.ts';
import { modelOf } from './crl-check.ts';

/**
 * Verdicts per trust store and presented chain (DER fingerprints plus the options), bounded. A
 * verdict depends on the clock only through comparisons with the certificates' and CRLs' dates,
 * so it is reused while `now` stays strictly between the same two of those dates.
 */
interface Entry {
  result: VerifyResult;
  from: number;
  until: number;
}

const MAX_ENTRIES = 1000;
const byStore = new WeakMap<LoadedTrustStore, Map<string, Entry>>();
const storeDates = new WeakMap<LoadedTrustStore, number[]>();

export function cacheKey(input: VerifyInput): string {
  const fps = input.presented.map((c) => c.fingerprint256).join(',');
  return `${fps}|${input.ignoreClientCertificateExpiry ? 1 : 0}|${input.partialChain ? 1 : 0}|${input.certificateMessageBytes ?? ''}|${input.noCertificateStatus ?? ''}`;
}

export function cached(input: VerifyInput, key: string): VerifyResult | undefined {
  const entry = byStore.get(input.trustStore)?.get(key);
  const now = input.now.getTime();
  if (!entry || now <= entry.from || now >= entry.until) return undefined;
  return { ...entry.result, path: rebind(entry.result.path, input) };
}

export function remember(input: VerifyInput, key: string, result: VerifyResult): void {
  const now = input.now.getTime();
  let from = -Infinity;
  let until = Infinity;
  const consider = (t: number | undefined): void => {
    if (t === undefined || Number.isNaN(t)) return;
    if (t <= now && t > from) from = t;
    if (t >= now && t < until) until = t;
  };
  for (const t of datesOf(input.trustStore)) consider(t);
  for (const c of input.presented) {
    const m = certModel(c);
    consider(m.notBefore?.getTime());
    consider(m.notAfter?.getTime());
  }
  if (from === now || until === now) return;
  let entries = byStore.get(input.trustStore);
  if (!entries) byStore.set(input.trustStore, (entries = new Map()));
  if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  entries.set(key, { result, from, until });
}

function datesOf(store: LoadedTrustStore): number[] {
  let dates = storeDates.get(store);
  if (!dates) {
    dates = [];
    for (const c of store.certificates) {
      const m = certModel(c);
      if (m.notBefore) dates.push(m.notBefore.getTime());
      if (m.notAfter) dates.push(m.notAfter.getTime());
    }
    for (const crl of store.crls) {
      const m = modelOf(crl);
      if (m.nextUpdate) dates.push(m.nextUpdate.getTime());
      if (m.thisUpdate) dates.push(m.thisUpdate.getTime());
    }
    storeDates.set(store, dates);
  }
  return dates;
}

/** The cached path with this connection's certificate objects where the client sent the same DER. */
function rebind(path: X509Certificate[], input: VerifyInput): X509Certificate[] {
  return path.map((c) => input.presented.find((p) => p.fingerprint256 === c.fingerprint256) ?? c);
}
