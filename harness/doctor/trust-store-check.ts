import type { LoadedTrustStore } from '../alb/types.ts';
import { loadTrustStoreInputs } from './verify-chain.ts';
import type { Finding } from './types.ts';

/**
 * Loads the trust store under ALB's bundle rules. A bundle or CRL that breaks a rule is a finding
 * (ALB's CreateTrustStore would refuse it), not an input error; an unreadable file stays an input error.
 */
export async function checkTrustStore(
  bundle: { file: string; label?: string },
  crls: { file: string; label?: string }[],
  findings: Finding[],
): Promise<LoadedTrustStore | undefined> {
  try {
    return await loadTrustStoreInputs(bundle, crls, (message) => {
      const crl = crls.find((c) => message.startsWith(`${named(c)}:`));
      findings.push(crl
        ? { severity: 'warning', check: 'trust-store-crl', file: crl.file, field: 'issuer', message, fix: 'Keep only CRLs issued by the CAs of this trust store or by the intermediates your clients send.' }
        // The loader's own notes on the bundle (a certificate ALB accepts but that anchors nothing you expect).
        : { severity: 'warning', check: 'trust-store-warning', file: bundle.file, field: /certificate \d+/.exec(message)?.[0] ?? '', message, fix: 'Keep only the CA certificates that issue your clients\' certificates in the bundle.' });
    });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code !== 'HARNESS_ERR_TRUST_STORE' && code !== 'HARNESS_ERR_CRL') throw err;
    const isCrl = code === 'HARNESS_ERR_CRL';
    const message = (err as Error).message;
    const crl = crls.find((c) => message.startsWith(named(c)));
    const line = /line (\d+)/.exec(message)?.[1];
    findings.push({
      severity: 'error', check: 'trust-store-invalid', file: isCrl ? (crl?.file ?? '') : bundle.file, field: line ? `line ${line}` : '',
      message: `${message.split('. ')[0]}: ALB refuses this ${isCrl ? 'revocation list' : 'CA bundle'}.`,
      fix: message.slice(message.indexOf('. ') + 2) || 'Fix the file as the message says.',
    });
    return undefined;
  }
}

const named = (input: { file: string; label?: string }) => (input.label ? `${input.label} ${input.file}` : input.file);
