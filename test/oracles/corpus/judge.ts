import { X509Certificate } from 'node:crypto';
import { loadTrustStore } from '../../../harness/alb/trust-store.ts';
import { verifyClientChain } from '../../../harness/alb/verify.ts';
import type { LoadedTrustStore } from '../../../harness/alb/types.ts';
import { ALB_ONLY_RULES } from '../../helpers/alb-only-rules.ts';
import { opensslVerify } from '../../helpers/openssl-verify.ts';
import { NOW, type CorpusCase, type Kind } from './context.ts';
import type { CorpusCa } from './openssl-ca.ts';

/** ALB's chain depth (leaf through anchor) as OpenSSL counts it: intermediates only. */
export const OPENSSL_VERIFY_DEPTH = 2;

export interface Judged {
  c: CorpusCase & { expected: Kind['expected']; rule: Kind['rule'] };
  /** Our verdict: a `tls_verify_status`, or `error:<code>` where `alb-mtls verify` stops on bad input. */
  ours: string;
  reason: string;
  /** OpenSSL's words for the chain (its first error line, or OK). */
  openssl: string;
  opensslOk: boolean;
  verdict: 'agree' | 'documented' | 'undocumented';
}

/**
 * Loads the trust store and the presented chain the way `alb-mtls verify` does (loadTrustStore on the
 * bundle text and the CRL texts; one X509Certificate per PEM block) and runs verifyClientChain.
 */
export function judgeOffline(c: Pick<CorpusCase, 'id' | 'presented' | 'bundle' | 'crls'>, store?: LoadedTrustStore): { ours: string; reason: string; store?: LoadedTrustStore } {
  try {
    store ??= loadTrustStore({ caCertificatesBundle: c.bundle.map((b) => b.pem).join(''), revocations: c.crls, source: `${c.id} bundle` });
  } catch (err) {
    return { ours: `error:${(err as { code?: string }).code ?? 'throw'}`, reason: (err as Error).message };
  }
  let presented: X509Certificate[];
  try {
    presented = c.presented.map((p) => new X509Certificate(p.pem));
  } catch (err) {
    return { ours: 'error:HARNESS_ERR_PEM', reason: (err as Error).message, store };
  }
  return judgePresented(presented, store);
}

export function judgePresented(presented: X509Certificate[], store: LoadedTrustStore): { ours: string; reason: string; store: LoadedTrustStore } {
  try {
    const r = verifyClientChain({ presented, trustStore: store, now: NOW });
    return { ours: r.status, reason: r.reason, store };
  } catch (err) {
    return { ours: 'threw', reason: (err as Error).stack ?? String(err), store };
  }
}

function firstError(output: string): string {
  return /error \d+ at \d+ depth lookup: (.*)/.exec(output)?.[1] ?? (/: OK\n/.test(output) ? 'OK' : output.trim().split('\n').at(-1) ?? '');
}

/** Both verdicts for every case, and whether a disagreement is one the ALB-only rules table names. */
export async function judgeCorpus(ca: CorpusCa, cases: Judged['c'][]): Promise<Judged[]> {
  return Promise.all(cases.map(async (c) => {
    const { ours, reason } = judgeOffline(c);
    const theirs = await ca.throttle(() => opensslVerify({
      rootPem: c.bundle.map((b) => b.pem).join(''),
      chainPem: c.presented.map((p) => p.pem).join(''),
      attime: NOW,
      crls: c.crls.length > 0 ? c.crls : undefined,
      verifyDepth: OPENSSL_VERIFY_DEPTH,
    }));
    const oursOk = ours === 'Success';
    let verdict: Judged['verdict'] = 'agree';
    if (oursOk !== theirs.ok) {
      const row = c.rule ? ALB_ONLY_RULES[c.rule] : undefined;
      verdict = row && row.direction === (oursOk ? 'openssl-rejects' : 'alb-rejects') ? 'documented' : 'undocumented';
    }
    return { c, ours, reason, openssl: firstError(theirs.output), opensslOk: theirs.ok, verdict };
  }));
}

/** Kinds that name an ALB-only rule but never show its disagreement: the table would be hiding nothing. */
export function staleRuleClaims(judged: Judged[]): string[] {
  const kinds = new Map<string, boolean>();
  for (const j of judged) {
    if (!j.c.rule) continue;
    kinds.set(j.c.kind, (kinds.get(j.c.kind) ?? false) || j.verdict === 'documented');
  }
  return [...kinds].filter(([, shown]) => !shown).map(([kind]) => kind);
}
