import type { X509Certificate } from 'node:crypto';
import { subjectRfc2253 } from '../../certs/x509/cert-names.ts';
import type { Finding } from './types.ts';

const DAY_MS = 86_400_000;

export interface ExpiryItem {
  what: string;
  validTo: Date;
  file: string;
  field: string;
  route?: string;
  /** When an expired certificate is already reported by another check, only "expires soon" is added here. */
  expiredReportedElsewhere?: boolean;
  fix: string;
}

/** Certificates that expire within `days` of `at` (warning) or have expired (error). */
export function checkExpiry(items: readonly ExpiryItem[], at: Date, days: number, findings: Finding[]): void {
  for (const item of items) {
    const left = item.validTo.getTime() - at.getTime();
    const where = { file: item.file, field: item.field, ...(item.route ? { route: item.route } : {}) };
    if (left < 0) {
      if (item.expiredReportedElsewhere) continue;
      findings.push({ ...where, severity: 'error', check: 'certificate-expiring', message: `${item.what} expired on ${item.validTo.toISOString()}.`, fix: item.fix });
    } else if (left <= days * DAY_MS) {
      findings.push({
        ...where, severity: 'warning', check: 'certificate-expiring',
        message: `${item.what} expires on ${item.validTo.toISOString()}, in ${Math.floor(left / DAY_MS)} day(s).`, fix: item.fix,
      });
    }
  }
}

export function caExpiryItems(cas: readonly X509Certificate[], file: string, role: string, fix: string): ExpiryItem[] {
  return cas.map((ca, i) => ({ what: `${role} ${subjectRfc2253(ca)}`, validTo: new Date(ca.validTo), file, field: `certificate ${i + 1}`, fix }));
}
