import { X509Certificate } from 'node:crypto';
import type { ClientCertificate, Pki } from '../certs/pki/types.ts';
import { certFacts } from '../certs/x509/facts.ts';
import { splitPemBlocks } from '../certs/x509/pem.ts';
import type { ConnectionLogEntry } from '../harness/alb/types.ts';
import type { UpstreamRecord } from '../harness/gateway/types.ts';
import { CERT_NAME } from './catalogue/common.ts';
import { stepName } from './steps.ts';
import type { CertificateSummary, Scenario, ScenarioCertificate, ScenarioResult, ScenarioTrace, StepResult, TlsVersion, TraceStep } from './types.ts';

export interface TraceInput {
  scenario: Scenario;
  pki: Pki;
  tls: TlsVersion;
  response: { status: number | null; body: string; error?: string };
  /** The connection on which the ALB judged the certificate, if any. */
  entry: ConnectionLogEntry | undefined;
  albEntries: ConnectionLogEntry[];
  accessLog: string[];
  /** The target's status from the ALB's access log, or null when no request reached a target. */
  targetStatus: number | null;
  upstream: UpstreamRecord[];
  targetSaw: Record<string, string | string[] | undefined> | null;
  warnings: string[];
  /** The PEM chain of a built chain (`scenario.chain`), which is not one of the PKI's clients. */
  builtChainPem?: string;
  /** Certificate name -> PEM chain, for uploaded certificates that are built chains (`gateway.certificates[].chain`). */
  namedChains?: Readonly<Record<string, string>>;
  /** The request rode an established keep-alive connection: no handshake, no new verdict (`entry` is the connection's). */
  reused?: boolean;
}

const BODY_LIMIT = 600;

/** Reconstructs the hops of one run (client, gateway, ALB, target) from what each component recorded. */
export function buildTrace(input: TraceInput): ScenarioTrace {
  const { scenario, entry, targetSaw } = input;
  const steps: TraceStep[] = [];
  const method = scenario.request?.method ?? 'GET';
  const path = scenario.request?.path ?? (scenario.gateway.handler === 'function' ? '/v1/orders' : '/api/orders');
  steps.push({ from: 'client', to: 'gateway', label: `${method} ${path}`, outcome: 'ok' });

  const call = input.upstream.at(-1);
  const mode = scenario.alb.mode;
  if (!call) {
    steps.push({ from: 'gateway', to: 'gateway', label: 'made no outbound call', outcome: 'failed' });
  } else if (call.failureClass === 'binding-missing') {
    steps.push({ from: 'gateway', to: 'gateway', label: `certificate lookup: no binding named '${call.mtlsCertificate ?? '?'}' in this ${scenario.gateway.environmentType ?? 'preview'} deployment; no connection made`, outcome: 'failed' });
  } else if (call.failureClass === 'connect-refused' || call.failureClass === 'connect-timeout') {
    steps.push({ from: 'gateway', to: 'alb', label: `TCP connect to ${hostOf(call.url)}: ${call.failureClass} (${call.errorCode ?? 'no code'})`, outcome: 'failed' });
  } else if (call.failureClass === 'origin-untrusted') {
    steps.push({ from: 'gateway', to: 'alb', label: `TLSv${input.tls} handshake: the gateway rejected the ALB's server certificate (${call.errorCode ?? 'no code'}) and aborted`, outcome: 'failed' });
  } else if (input.reused) {
    const verdict = entry ? `; the ALB verified it when it was established: tls_verify_status=${entry.tlsVerifyStatus}` : '';
    steps.push({ from: 'gateway', to: 'alb', label: `reuses its established keep-alive connection (no new handshake${verdict})`, outcome: 'ok' });
  } else {
    const presented = call.presentedCertificate ? `client certificate ${subjectFor(input, call.mtlsCertificate)}` : 'no client certificate';
    const requested = mode === 'off' ? ' (the ALB did not ask for one: mTLS off)' : '';
    steps.push({ from: 'gateway', to: 'alb', label: `${entry?.tlsProtocol ?? `TLSv${input.tls}`} handshake, ${presented}${requested}`, outcome: entry ? 'ok' : 'failed' });
  }

  if (entry && !input.reused) {
    const status = entry.tlsVerifyStatus;
    const rejected = status !== 'Success';
    const how = !rejected ? '' : scenario.alb.verifyFailure === 'http-403' ? '; answered 403 itself (http-403 model)' : '; closed the connection before any HTTP byte';
    const reason = entry.reason ? ` (${entry.reason})` : '';
    steps.push({ from: 'alb', to: 'alb', label: `${mode} mode: tls_verify_status=${status}${reason}${how}`, outcome: rejected ? 'failed' : 'ok' });
  }
  if (targetSaw) {
    const mtls = Object.keys(targetSaw).filter((h) => h.startsWith('x-amzn-mtls-'));
    steps.push({ from: 'alb', to: 'target', label: `${method} ... with ${mtls.length ? mtls.join(', ') : 'no X-Amzn-Mtls-* headers'}`, outcome: 'ok' });
  } else if (entry && entry.tlsVerifyStatus === 'Success') {
    steps.push({ from: 'alb', to: 'target', label: (scenario.alb.target ?? 'echo') === 'none' ? 'no registered target' : 'nothing reached a target', outcome: 'failed' });
  }
  if (call?.status !== undefined) steps.push({ from: 'alb', to: 'gateway', label: `HTTP ${call.status}`, outcome: 'ok' });
  const answer = input.response.status === null ? `no response (${input.response.error ?? 'unknown error'})` : `HTTP ${input.response.status}`;
  const klass = call?.failureClass ? ` (failure class ${call.failureClass})` : '';
  steps.push({ from: 'gateway', to: 'client', label: `${answer}${klass}`, outcome: input.response.status === null ? 'failed' : 'ok' });

  const presented = call?.presentedCertificate ? (chainPemFor(input, call.mtlsCertificate) ?? input.builtChainPem) : undefined;
  return {
    steps,
    presentedChain: presented ? chainSummary(presented) : [],
    certificateName: call?.mtlsCertificate ?? null,
    connectionLogLine: entry?.raw ?? input.albEntries.at(-1)?.raw ?? null,
    albReason: entry?.reason ?? null,
    accessLogLines: input.accessLog,
    gatewayWarnings: input.warnings,
    responseBody: input.response.body.length > BODY_LIMIT ? `${input.response.body.slice(0, BODY_LIMIT)}...` : input.response.body,
    targetStatus: targetSaw ? input.targetStatus : null,
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function certificateFor(input: TraceInput, name: string | undefined): ClientCertificate | undefined {
  const certs: Array<Pick<ScenarioCertificate, 'name' | 'variant'>> =
    input.scenario.variant !== undefined ? [{ name: CERT_NAME, variant: input.scenario.variant }] : input.scenario.gateway.certificates ?? [];
  const variant = certs.find((c) => c.name === name)?.variant;
  return variant ? input.pki.clients[variant] : undefined;
}

/** The PEM chain uploaded under `name`: one of the PKI's clients or a built chain. */
function chainPemFor(input: TraceInput, name: string | undefined): string | undefined {
  return certificateFor(input, name)?.chainPem ?? (name !== undefined ? input.namedChains?.[name] : undefined);
}

function subjectFor(input: TraceInput, name: string | undefined): string {
  const pem = chainPemFor(input, name);
  const subject = certificateFor(input, name)?.facts.subject ?? (pem ? chainSummary(pem)[0]?.subject : undefined);
  return subject ? `${subject} ('${name}')` : `'${name ?? '?'}'`;
}

/** Decoded once per chain: every run of a catalogue shares one PKI (a few dozen distinct chains). */
const summaries = new Map<string, CertificateSummary[]>();

/** The presented chain, leaf first, read from the PEM the gateway sends (not from what the factory meant to issue). */
export function chainSummary(chainPem: string): CertificateSummary[] {
  let summary = summaries.get(chainPem);
  if (!summary) {
    summary = splitPemBlocks(chainPem).map((block) => summarizeCertificate(new X509Certificate(block.der)));
    summaries.set(chainPem, summary);
  }
  return summary;
}

/**
 * Subject, issuer, serial and validity of one certificate, as the report and the live page show
 * them. A certificate the model cannot read (a key type it does not know) falls back to Node's own
 * reading, so recording a trace never fails a run.
 */
export function summarizeCertificate(x509: X509Certificate): CertificateSummary {
  let facts: ReturnType<typeof certFacts>;
  try {
    facts = certFacts(x509);
  } catch {
    return {
      subject: x509.subject.split('\n').reverse().join(','),
      issuer: x509.issuer.split('\n').reverse().join(','),
      serialNumber: x509.serialNumber.toUpperCase(),
      notBefore: new Date(x509.validFrom).toISOString(),
      notAfter: new Date(x509.validTo).toISOString(),
      selfSigned: x509.checkIssued(x509),
    };
  }
  return {
    subject: facts.subject,
    issuer: facts.issuer,
    serialNumber: facts.serialNumber,
    notBefore: facts.notBefore.toISOString(),
    notAfter: facts.notAfter.toISOString(),
    selfSigned: facts.selfSigned,
  };
}

/** What a request step got, in one phrase: status, verdict, failure class and the connection it rode. */
export function stepOutcomeWords(step: StepResult): string {
  return [
    step.status === null ? 'no response' : String(step.status),
    step.tlsVerifyStatus ?? 'no ALB verdict',
    ...(step.failureClass ? [step.failureClass] : []),
    ...(step.connection ? [`${step.connection} connection`] : []),
  ].join(', ');
}

/** The four parties of a trace, in the order they stand in a sequence picture, with their display names. */
export const TRACE_ACTORS = { client: 'client', gateway: 'gateway', alb: 'ALB', target: 'target' } as const;
const NAMES = TRACE_ACTORS;

/**
 * The sequence picture: one line per hop, `from ──▶ to` (or `from ✗` where it stopped), then the
 * connection-log line and the headers the target saw.
 */
export function renderTrace(result: ScenarioResult, paint: (color: 'red' | 'green' | 'dim', text: string) => string = (_c, t) => t): string[] {
  const lines: string[] = [];
  let current: number | undefined;
  for (const step of result.trace.steps) {
    if (step.step !== undefined && step.step !== current) {
      current = step.step;
      lines.push(paint('dim', `  ── ${stepName(current)}: ${result.steps?.[current]?.label ?? ''} ──`));
    }
    const from = NAMES[step.from].padEnd(7);
    const arrow = step.from === step.to ? ' ●'.padEnd(13) : ` ──▶ ${NAMES[step.to].padEnd(8)}`;
    const mark = step.outcome === 'ok' ? paint('green', '✓') : paint('red', '✗ stopped here');
    lines.push(`  ${from}${arrow} ${step.label}  ${mark}`);
  }
  lines.push(`  connection log: ${result.trace.connectionLogLine ?? '(no entry: no TLS handshake reached the ALB)'}`);
  for (const line of result.trace.accessLogLines) lines.push(`  access log:     ${line}`);
  if (result.targetSaw) {
    lines.push('  target saw:');
    for (const [name, value] of Object.entries(result.targetSaw)) {
      if (!/^x-amzn-|^x-forwarded-/.test(name)) continue;
      const text = Array.isArray(value) ? value.join(', ') : String(value);
      lines.push(`    ${name}: ${text.length > 100 ? `${text.slice(0, 100)}...` : text}`);
    }
  } else {
    lines.push('  target saw:     nothing (no request reached a target)');
  }
  for (const warning of result.trace.gatewayWarnings) lines.push(`  gateway warning: ${warning}`);
  if (result.steps) {
    lines.push('  steps:');
    for (const step of result.steps) {
      const seen = step.kind === 'request' ? `: ${stepOutcomeWords(step)}` : '';
      lines.push(`    ${stepName(step.index)} ${step.label}${seen}  ${step.passed ? paint('green', '✓') : paint('red', '✗')}`);
    }
  }
  if (result.trace.responseBody && (result.status ?? 0) >= 400) {
    lines.push(`  response body:  ${result.trace.responseBody.replace(/\s*\n\s*/g, ' ')}`);
  }
  return lines;
}
