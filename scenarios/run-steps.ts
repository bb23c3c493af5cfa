import type { TlsVerifyStatus } from '../certs/alb-codes.ts';
import type { Pki } from '../certs/pki/types.ts';
import type { AccessLogEntry, AlbHandle, ConnectionLogEntry } from '../harness/alb/types.ts';
import type { GatewayHandle, UpstreamRecord } from '../harness/gateway/types.ts';
import type { TargetHandle } from '../harness/targets/index.ts';
import { trustStoreFixture } from './fixtures/extra-pki.ts';
import { stepLabel, stepName } from './steps.ts';
import { buildTrace, chainSummary } from './trace.ts';
import type {
  ModifyTrustStoreStep, RedeployGatewayStep, RequestStep, RevocationChoice, RevocationsStep, Scenario, ScenarioRequest, StepResult,
  TlsVersion, TraceStep, TrustStoreChoice,
} from './types.ts';

/** The revocations a verify-mode scenario's trust store starts with when it names none (the set `expectedVerdict`s assume). */
export const DEFAULT_REVOCATIONS: readonly RevocationChoice[] = ['root', 'intermediate'];

/** The CA bundle of a `TrustStoreChoice`. */
export function trustStoreBundle(pki: Pki, choice: TrustStoreChoice): string {
  return { root: pki.trustStoreBundle, 'root+intermediate': pki.trustStoreBundleWithIntermediate, 'intermediate-only': pki.intermediate.certPem }[choice];
}

export interface ClientResponse {
  status: number | null;
  body: string;
  error?: string;
}

/** What one request looked like from the outside, for `compare`. */
export interface Observed {
  mismatches: string[];
  status: number | null;
  tlsVerifyStatus: TlsVerifyStatus | null;
  failureClass: StepResult['failureClass'];
  targetSaw: Record<string, string | string[] | undefined> | null;
}

/** The running parts of one scenario run, and the runner's own operations the steps use. */
export interface StepContext {
  scenario: Scenario;
  pki: Pki;
  tls: TlsVersion;
  alb: AlbHandle;
  target: TargetHandle | undefined;
  /** The gateway now serving (a redeploy replaces it). */
  gateway: GatewayHandle;
  /** Closes the current gateway and starts one with the scenario's gateway settings changed; returns the new one. */
  redeploy(changes: Pick<RedeployGatewayStep, 'environment' | 'mtlsCertificate'>): Promise<{ gateway: GatewayHandle; scenario: Scenario }>;
  send(gatewayUrl: string, request: ScenarioRequest | undefined): Promise<ClientResponse>;
  compare(expected: RequestStep['expected'], observed: Observed, seen: { body: string; error: string | undefined; entry: ConnectionLogEntry | undefined }): void;
  namedChains: Readonly<Record<string, string>>;
  logTimeoutMs: number;
}

export interface StepsOutcome {
  results: StepResult[];
  /** The trace entries of every step, in order, each marked with its step index. */
  trace: TraceStep[];
}

/**
 * Runs a scenario's steps, in order, on the running ALB and gateway. Like the runner, never
 * throws for a step that does not behave: each surprise is a mismatch of that step.
 */
export async function runSteps(ctx: StepContext): Promise<StepsOutcome> {
  const results: StepResult[] = [];
  const trace: TraceStep[] = [];
  let scenario = ctx.scenario;
  const revocationIds = initialRevocationIds(scenario);
  for (const [index, step] of (ctx.scenario.steps ?? []).entries()) {
    const result: StepResult = {
      index, kind: step.action === undefined ? 'request' : 'action', label: stepLabel(step), passed: false, mismatches: [],
      status: null, tlsVerifyStatus: null, failureClass: null, connection: null, connectionLogLine: null,
    };
    const mark = (s: TraceStep): TraceStep => ({ ...s, step: index });
    try {
      switch (step.action) {
        case 'modify-trust-store':
          trace.push(mark(await modifyTrustStore(ctx, step)));
          break;
        case 'add-revocations':
        case 'remove-revocations':
          trace.push(mark(changeRevocations(ctx, step, revocationIds)));
          break;
        case 'redeploy-gateway': {
          ({ gateway: ctx.gateway, scenario } = await ctx.redeploy({ ...step }));
          trace.push(mark({ from: 'gateway', to: 'gateway', label: `${stepLabel(step)}: a new deployment, with no connection to the ALB yet`, outcome: 'ok' }));
          break;
        }
        case undefined:
          trace.push(...(await request(ctx, scenario, step, result)).map(mark));
          break;
      }
    } catch (err) {
      result.mismatches.push(`error: ${(err as Error).message}`);
      const actor = step.action === 'redeploy-gateway' || step.action === undefined ? 'gateway' : 'alb';
      trace.push(mark({ from: actor, to: actor, label: `${result.label}: ${(err as Error).message}`, outcome: 'failed' }));
    }
    result.mismatches = result.mismatches.map((m) => `${stepName(index)}: ${m}`);
    result.passed = result.mismatches.length === 0;
    results.push(result);
  }
  return { results, trace };
}

/** AWS numbers revocations from 1 in the order they were added: the ids of the scenario's starting CRLs. */
function initialRevocationIds(scenario: Scenario): Map<RevocationChoice, number> {
  if (scenario.alb.mode !== 'verify' || scenario.alb.trustStoreFixture !== undefined) return new Map();
  return new Map((scenario.alb.revocations ?? DEFAULT_REVOCATIONS).map((r, i) => [r, i + 1]));
}

/** The CA common names of a bundle, as the trace names them. */
function caNames(bundle: string): string {
  return chainSummary(bundle)
    .map((c) => /(?:^|,)CN=([^,]+)/.exec(c.subject)?.[1] ?? c.subject)
    .join(' + ');
}

async function modifyTrustStore(ctx: StepContext, step: ModifyTrustStoreStep): Promise<TraceStep> {
  const bundle = step.trustStoreFixture !== undefined ? (await trustStoreFixture(ctx.pki, step.trustStoreFixture)).bundle : trustStoreBundle(ctx.pki, step.trustStore ?? 'root');
  ctx.alb.modifyTrustStore({ caCertificatesBundle: bundle, source: `${stepLabel(step)} of scenario ${ctx.scenario.id}` });
  return {
    from: 'alb', to: 'alb',
    label: `ModifyTrustStore: the CA bundle is now ${caNames(bundle)}; new connections are verified against it, established ones go on`,
    outcome: 'ok',
  };
}

function changeRevocations(ctx: StepContext, step: RevocationsStep, ids: Map<RevocationChoice, number>): TraceStep {
  if (step.action === 'add-revocations') {
    const added = ctx.alb.addTrustStoreRevocations(step.revocations.map((r) => ({ pem: ctx.pki.crls[r].pem, source: `${r} CRL` })));
    step.revocations.forEach((r, i) => ids.set(r, added[i]!.revocationId));
    return { from: 'alb', to: 'alb', label: `AddTrustStoreRevocations: ${added.map((a) => `${a.source} (id ${a.revocationId}, ${a.numberOfRevokedEntries} revoked)`).join(', ')}`, outcome: 'ok' };
  }
  const missing = step.revocations.filter((r) => !ids.has(r));
  if (missing.length > 0) throw new Error(`the trust store has no ${missing.join(', ')} CRL to remove`);
  const removed = step.revocations.map((r) => ids.get(r)!);
  ctx.alb.removeTrustStoreRevocations(removed);
  for (const r of step.revocations) ids.delete(r);
  return { from: 'alb', to: 'alb', label: `RemoveTrustStoreRevocations: ids ${removed.join(', ')} (${step.revocations.join(', ')} CRL)`, outcome: 'ok' };
}

/**
 * The connection-log entry of the connection a request rode. An answered request names it in its
 * access-log line (conn_trace_id); a request whose handshake failed left a new judged entry (waited
 * for when a verdict is expected, since logging can trail the response; otherwise read as it is).
 */
async function connectionOf(
  alb: AlbHandle, call: UpstreamRecord | undefined, before: { connections: Set<ConnectionLogEntry>; access: Set<AccessLogEntry> }, verdictExpected: boolean, timeoutMs: number,
): Promise<ConnectionLogEntry | undefined> {
  if (call?.status !== undefined) {
    const access = await alb.accessLog.waitFor((e) => !before.access.has(e), timeoutMs).catch(() => undefined);
    return access ? alb.connectionLog.waitFor((e) => e.connTraceId === access.connTraceId, timeoutMs).catch(() => undefined) : undefined;
  }
  if (!call || call.failureClass === 'origin-untrusted') return undefined;
  const judged = (e: ConnectionLogEntry) => !before.connections.has(e) && e.tlsProtocol !== '-' && e.tlsVerifyStatus !== '-';
  if (!verdictExpected) return alb.connectionLog.entries.find(judged);
  return alb.connectionLog.waitFor(judged, timeoutMs).catch(() => undefined);
}

/**
 * Sends one request and works out which connection it rode from the ALB's own logs: the access-log
 * line's conn_trace_id names the connection; if its connection-log line was written before this
 * request, the request reused it.
 */
async function request(ctx: StepContext, scenario: Scenario, step: RequestStep, result: StepResult): Promise<TraceStep[]> {
  const { alb, target, gateway } = ctx;
  if (step.connection === 'new') await gateway.recycleConnections();
  const oldConnections = new Set(alb.connectionLog.entries);
  const oldAccess = new Set(alb.accessLog.entries);
  const targetBefore = target?.requests.length ?? 0;
  const upstreamBefore = gateway.upstream.length;
  const response = await ctx.send(gateway.url, step.request ?? scenario.request);
  const call = gateway.upstream.length > upstreamBefore ? gateway.upstream.at(-1) : undefined;

  const entry = await connectionOf(alb, call, { connections: oldConnections, access: oldAccess }, step.expected.tlsVerifyStatus !== null, ctx.logTimeoutMs);
  const reused = entry !== undefined && oldConnections.has(entry);
  const targetSaw = target && target.requests.length > targetBefore ? target.requests[targetBefore]!.headers : null;
  result.status = response.status;
  result.tlsVerifyStatus = entry ? (entry.tlsVerifyStatus as TlsVerifyStatus) : null;
  result.failureClass = call?.failureClass ?? null;
  result.connection = entry ? (reused ? 'reused' : 'new') : null;
  result.connectionLogLine = entry?.raw ?? null;
  ctx.compare(step.expected, { ...result, targetSaw }, { body: response.body, error: response.error, entry });
  if (step.connection === 'reuse' && result.connection !== 'reused') {
    result.mismatches.push(`connection: expected the request to reuse the gateway's established connection, but ${result.connection === 'new' ? 'the ALB logged a new TLS handshake' : 'no ALB connection carried it'}`);
  } else if (step.connection === 'new' && result.connection === 'reused') {
    result.mismatches.push('connection: expected a new connection, but the request rode an established one (no new TLS handshake)');
  }

  const requestScenario = { ...scenario, ...(step.request ? { request: step.request } : {}) };
  const accessLine = alb.accessLog.entries.find((e) => !oldAccess.has(e));
  return buildTrace({
    scenario: requestScenario,
    pki: ctx.pki,
    tls: ctx.tls,
    response,
    entry,
    reused,
    albEntries: [],
    accessLog: [],
    targetStatus: accessLine?.targetStatusCode ?? null,
    upstream: call ? [call] : [],
    targetSaw,
    warnings: [],
    namedChains: ctx.namedChains,
  }).steps;
}
