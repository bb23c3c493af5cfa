import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { TlsVerifyStatus } from '../certs/alb-codes.ts';
import type { ClientVariantId, Pki } from '../certs/pki/types.ts';
import { startAlb } from '../harness/alb/index.ts';
import type { AlbHandle, AlbOptions, ConnectionLogEntry } from '../harness/alb/types.ts';
import { startGateway } from '../harness/gateway/index.ts';
import type { GatewayHandle, GatewayOptions, MtlsCertificateInput, RoutesDocument } from '../harness/gateway/types.ts';
import { startTarget, type TargetHandle } from '../harness/targets/index.ts';
import { CERT_NAME } from './catalogue/common.ts';
import { extraChain, trustStoreFixture, type ExtraChain, type TrustStoreFixture } from './fixtures/extra-pki.ts';
import { DEFAULT_REVOCATIONS, runSteps, trustStoreBundle, type ClientResponse, type Observed, type StepsOutcome } from './run-steps.ts';
import { callOverHttp2, http2CallerMismatches, http2CallerTrace } from './http2-caller.ts';
import { buildTrace } from './trace.ts';
import type {
  ExpectedHeaderValue,
  RedeployGatewayStep,
  RunScenarioOptions,
  Scenario,
  ScenarioCertificate,
  ScenarioExpected,
  ScenarioRequest,
  ScenarioResult,
  TlsVersion,
} from './types.ts';

/** The seed's function-handler project (config/routes.oas.json + modules/alb-forward.ts). */
export const FUNCTION_PROJECT_DIR = fileURLToPath(new URL('./fixtures/function-project', import.meta.url));

const DEFAULT_PATH = '/api/orders';
const ALL_ENVIRONMENT_TYPES = ['development', 'preview', 'production'] as const;
/** Bounds the client's wait for the gateway's answer; only a broken component ever reaches it. */
const RESPONSE_TIMEOUT_MS = 15_000;
const DAY_MS = 86_400_000;

/** Closes what a run started, newest first, even when an assertion or a start-up throws. */
class Resources {
  private readonly closers: Array<() => Promise<void>> = [];
  add<T extends { close(): Promise<void> }>(resource: T): T {
    this.closers.push(() => resource.close());
    return resource;
  }
  async [Symbol.asyncDispose](): Promise<void> {
    for (const close of this.closers.reverse()) await close().catch(() => {});
  }
}

/**
 * Runs one scenario end to end on real sockets: target(s), ALB, gateway (all on port 0), one
 * request through the gateway, then compares what happened with `scenario.expected`. Never throws
 * for a scenario that does not behave: everything unexpected (including a component that fails to
 * start) becomes a line in `mismatches`.
 */
export async function runScenario(scenario: Scenario, options: RunScenarioOptions): Promise<ScenarioResult> {
  const { pki, tls } = options;
  const started = performance.now();
  const mismatches: string[] = [];
  await using resources = new Resources();
  let target: TargetHandle | undefined;
  let alb: AlbHandle | undefined;
  let gateway: GatewayHandle | undefined;
  let response: ClientResponse = { status: null, body: '' };
  let entry: ConnectionLogEntry | undefined;
  let chain: ExtraChain | undefined;
  let namedChains: Record<string, ExtraChain> = {};
  /** What the first request left behind, taken before any step adds to it. */
  let first: { gateway: GatewayHandle; upstream: GatewayHandle['upstream']; albEntries: ConnectionLogEntry[]; targetStatus: number | null } | undefined;
  let steps: StepsOutcome | undefined;
  try {
    const targetKind = scenario.alb.target ?? 'echo';
    if (targetKind !== 'none') {
      target = resources.add(
        await startTarget({
          kind: targetKind,
          ...(targetKind === 'verifying' ? { trustedCa: pki.root.certPem } : {}),
          ...(targetKind === 'slow' ? { delayMs: scenario.alb.targetDelayMs ?? 2_000 } : {}),
        }),
      );
    }
    chain = scenario.chain !== undefined ? await extraChain(pki, scenario.chain) : undefined;
    namedChains = await uploadedChains(scenario, pki);
    const store = scenario.alb.trustStoreFixture !== undefined ? await trustStoreFixture(pki, scenario.alb.trustStoreFixture) : undefined;
    const refuses = scenario.expected.albRefuses;
    if (refuses) {
      const refusal = await startAlb(albOptions(scenario, pki, target, store, false)).then(
        async (started) => {
          await started.close();
          return 'the ALB loaded the trust store';
        },
        (err: unknown) => err as Error & { code?: string },
      );
      if (typeof refusal === 'string') mismatches.push(`albRefuses: expected ${refuses.code}, but ${refusal}`);
      else if (refusal.code !== refuses.code || !refusal.message.includes(refuses.includes)) {
        mismatches.push(`albRefuses: expected ${refuses.code} with ${JSON.stringify(refuses.includes)}, got ${refusal.code ?? 'no code'}: ${clip(refusal.message, 300)}`);
      }
    }
    alb = resources.add(await startAlb(albOptions(scenario, pki, target, store, refuses !== undefined)));
    if (scenario.alb.down) await alb.close(); // keep its URL: nothing listens there any more
    if (scenario.caller === 'h2-client') {
      response = await callOverHttp2(alb.port, scenario, pki, tls);
    } else {
      gateway = resources.add(await startGateway(gatewayOptions(scenario, pki, alb.url, tls, chain, namedChains)));
      response = await send(gateway.url, scenario.request);
    }
    // Node's TLS client checks the server certificate only once its own handshake is done, so
    // under TLS 1.2 the ALB has already judged (and accepted) the gateway's certificate when the
    // gateway hangs up on an untrusted ALB. A real gateway aborts before sending its certificate:
    // no verdict belongs to this request, so none is counted (the entry stays in the trace).
    const abandoned = gateway?.upstream.at(-1)?.failureClass === 'origin-untrusted';
    if (!abandoned) entry = await judgedConnection(alb, scenario.expected.tlsVerifyStatus !== null, options.logTimeoutMs ?? 2_000);
    if (scenario.steps && gateway) {
      first = { gateway, upstream: [...gateway.upstream], albEntries: [...alb.connectionLog.entries], targetStatus: alb.accessLog.entries.at(-1)?.targetStatusCode ?? null };
      steps = await runScenarioSteps({ scenario, pki, tls, alb, target, gateway, chain, namedChains, resources, logTimeoutMs: options.logTimeoutMs ?? 2_000 });
    }
  } catch (err) {
    mismatches.push(`error: ${(err as Error).message}`);
  }

  const last = (first?.upstream ?? gateway?.upstream)?.at(-1);
  const firstGateway = first?.gateway ?? gateway;
  const result: ScenarioResult = {
    id: scenario.id,
    tls,
    passed: false,
    mismatches,
    status: response.status,
    tlsVerifyStatus: entry ? (entry.tlsVerifyStatus as TlsVerifyStatus) : null,
    failureClass: last?.failureClass ?? null,
    targetSaw: target?.requests[0]?.headers ?? null,
    connectionLogLine: entry?.raw ?? null,
    durationMs: 0,
    trace: buildTrace({
      scenario,
      pki,
      tls,
      response,
      entry,
      albEntries: first?.albEntries ?? (alb ? [...alb.connectionLog.entries] : []),
      accessLog: alb ? alb.accessLog.entries.map((e) => e.raw) : [],
      targetStatus: first ? first.targetStatus : (alb?.accessLog.entries.at(-1)?.targetStatusCode ?? null),
      upstream: first ? [...first.upstream] : gateway ? [...gateway.upstream] : [],
      targetSaw: target?.requests[0]?.headers ?? null,
      warnings: firstGateway ? [...firstGateway.warnings] : [],
      namedChains: pemsOf(namedChains),
      ...(chain ? { builtChainPem: chain.chainPem } : {}),
    }),
  };
  if (scenario.caller === 'h2-client') {
    result.trace = http2CallerTrace(result.trace, scenario, pki, tls, entry !== undefined, response);
    if (mismatches.length === 0) mismatches.push(...http2CallerMismatches(alb?.accessLog.entries ?? [], response));
  }
  if (mismatches.length === 0 || (scenario.expected.albRefuses && !mismatches.some((m) => m.startsWith('error:')))) {
    compare(scenario.expected, pki, result, { body: response.body, warnings: firstGateway?.warnings ?? [], error: response.error, entry, tls });
  }
  if (steps) {
    result.steps = steps.results;
    result.trace.steps.push(...steps.trace);
    mismatches.push(...steps.results.flatMap((r) => r.mismatches));
  } else if (scenario.steps) {
    mismatches.push('steps: not run (the scenario failed before its first request was answered)');
  }
  result.passed = mismatches.length === 0;
  result.durationMs = Math.round(performance.now() - started);
  return result;
}

/** The runner's side of a multi-step run: how a step sends, compares, and redeploys the gateway (each redeploy builds on the last). */
function runScenarioSteps(run: {
  scenario: Scenario; pki: Pki; tls: TlsVersion; alb: AlbHandle; target: TargetHandle | undefined; gateway: GatewayHandle;
  chain: ExtraChain | undefined; namedChains: Record<string, ExtraChain>; resources: Resources; logTimeoutMs: number;
}): Promise<StepsOutcome> {
  const { pki, tls, alb, chain, namedChains, resources } = run;
  let deployed = { scenario: run.scenario, gateway: run.gateway };
  return runSteps({
    ...run,
    namedChains: pemsOf(namedChains),
    send,
    compare: (expected, observed, seen) => compare(expected, pki, observed, { ...seen, warnings: [], tls }),
    redeploy: async (changes) => {
      const scenario = redeployed(deployed.scenario, changes);
      await deployed.gateway.close();
      deployed = { scenario, gateway: resources.add(await startGateway(gatewayOptions(scenario, pki, alb.url, tls, chain, namedChains))) };
      return deployed;
    },
  });
}

/** The built chains uploaded under a name (`gateway.certificates[].chain`), by name. */
async function uploadedChains(scenario: Scenario, pki: Pki): Promise<Record<string, ExtraChain>> {
  const entries = await Promise.all(
    (scenario.gateway.certificates ?? []).flatMap((c) => (c.chain !== undefined ? [extraChain(pki, c.chain).then((built) => [c.name, built] as const)] : [])),
  );
  return Object.fromEntries(entries);
}

const pemsOf = (chains: Record<string, ExtraChain>) => Object.fromEntries(Object.entries(chains).map(([name, c]) => [name, c.chainPem]));

/** The scenario as the redeployed gateway runs it: variables merged, the route's certificate name replaced. */
function redeployed(scenario: Scenario, changes: Pick<RedeployGatewayStep, 'environment' | 'mtlsCertificate'>): Scenario {
  return {
    ...scenario,
    gateway: {
      ...scenario.gateway,
      ...(changes.environment ? { environment: { ...scenario.gateway.environment, ...changes.environment } } : {}),
      ...(changes.mtlsCertificate !== undefined ? { mtlsCertificate: changes.mtlsCertificate } : {}),
    },
  };
}

function variantsOf(scenario: Scenario): ScenarioCertificate[] {
  if (scenario.variant !== undefined) {
    return [{ name: CERT_NAME, variant: scenario.variant, environmentTypes: [...ALL_ENVIRONMENT_TYPES] }];
  }
  return scenario.gateway.certificates ?? [];
}

function albOptions(scenario: Scenario, pki: Pki, target: TargetHandle | undefined, fixture: TrustStoreFixture | undefined, fixed: boolean): AlbOptions {
  const a = scenario.alb;
  const server = pki[a.serverCertificate ?? 'server'];
  let bundle = trustStoreBundle(pki, a.trustStore ?? 'root');
  let revocations = (a.revocations ?? DEFAULT_REVOCATIONS).map((r) => pki.crls[r].pem);
  if (fixture) {
    const store = fixed && fixture.fixed ? fixture.fixed : fixture;
    ({ bundle, revocations } = store);
  }
  const expiry = scenario.variant ? pki.clients[scenario.variant].facts.notAfter.getTime() : Date.now();
  const at = a.clock === 'day-before-expiry' ? expiry - DAY_MS : a.clock === 'day-after-expiry' ? expiry + DAY_MS : undefined;
  return {
    certificate: { certPem: server.chainPem, keyPem: server.keyPem },
    mutualAuthentication:
      a.mode === 'verify'
        ? {
            mode: 'verify',
            trustStore: {
              caCertificatesBundle: bundle,
              revocations,
              source: `trust store "${a.trustStoreFixture ?? a.trustStore ?? 'root'}" of scenario ${scenario.id}`,
            },
            ignoreClientCertificateExpiry: a.ignoreClientCertificateExpiry ?? false,
          }
        : { mode: a.mode },
    ...(a.verifyFailure ? { verifyFailure: a.verifyFailure } : {}),
    ...(a.partialChain !== undefined ? { partialChain: a.partialChain } : {}),
    ...(a.attributes ? { attributes: { ...a.attributes } } : {}),
    ...(at !== undefined ? { clock: () => new Date(at) } : {}),
    targets: target ? [target.url] : [],
  };
}

function gatewayOptions(
  scenario: Scenario, pki: Pki, albUrl: string, tls: '1.2' | '1.3', chain: ExtraChain | undefined, namedChains: Record<string, ExtraChain>,
): GatewayOptions {
  const g = scenario.gateway;
  const certificates: MtlsCertificateInput[] = variantsOf(scenario).map((c) => {
    const material = c.variant !== undefined ? { chainPem: pki.clients[c.variant].chainPem, keyPem: pki.clients[c.variant].keyPem } : namedChains[c.name]!;
    return { name: c.name, cert: material.chainPem, key: material.keyPem, environmentTypes: [...c.environmentTypes] };
  });
  if (chain) certificates.push({ name: CERT_NAME, cert: chain.chainPem, key: chain.keyPem, environmentTypes: [...ALL_ENVIRONMENT_TYPES] });
  const environment: Record<string, string> = { ...g.environment };
  if (g.handler !== 'url-forward') environment.ALB_BACKEND_URL ??= albUrl;
  const common: GatewayOptions = {
    certificates,
    environment,
    environmentType: g.environmentType ?? 'preview',
    originCa: pki.root.certPem,
    tlsVersion: tls,
    // A step that reuses the connection must find it however long the step before took (recycleConnections makes new ones).
    ...(scenario.steps ? { originKeepAliveMs: 60_000 } : {}),
    ...(g.failureMode !== undefined ? { failureMode: g.failureMode } : {}),
    ...(g.projectType !== undefined ? { projectType: g.projectType } : {}),
  };
  if (g.handler === 'function') return { ...common, projectDir: FUNCTION_PROJECT_DIR };
  return { ...common, routes: routesFor(scenario, albUrl) };
}

/** The routes.oas.json of a url-forward / env-selected scenario: one route for the request's path and method. */
export function routesFor(scenario: Scenario, albUrl: string): RoutesDocument {
  const g = scenario.gateway;
  const options: Record<string, unknown> =
    g.handler === 'env-selected'
      ? { baseUrl: '${env.ALB_BACKEND_URL}', mtlsCertificate: '$env(ALB_MTLS_CERT)' }
      : { baseUrl: albUrl, ...(g.mtlsCertificate !== undefined ? { mtlsCertificate: g.mtlsCertificate } : {}) };
  if (g.requestTimeoutSeconds !== undefined) options.requestTimeoutSeconds = g.requestTimeoutSeconds;
  const path = new URL(scenario.request?.path ?? DEFAULT_PATH, 'http://x').pathname;
  const method = (scenario.request?.method ?? 'GET').toLowerCase();
  return {
    openapi: '3.1.0',
    info: { title: scenario.id, version: '1.0.0' },
    paths: {
      [path]: {
        [method]: {
          operationId: scenario.id,
          'x-zuplo-route': {
            corsPolicy: 'none',
            handler: { export: 'urlForwardHandler', module: '$import(@zuplo/runtime)', options },
            policies: { inbound: [] },
          },
        },
      },
    },
  };
}

function send(gatewayUrl: string, request: ScenarioRequest | undefined): Promise<ClientResponse> {
  const url = new URL(request?.path ?? DEFAULT_PATH, gatewayUrl);
  return new Promise((resolve) => {
    const req = httpRequest(url, { method: request?.method ?? 'GET', headers: request?.headers ?? {}, agent: false });
    req.setTimeout(RESPONSE_TIMEOUT_MS, () => req.destroy(new Error(`no answer from the gateway within ${RESPONSE_TIMEOUT_MS} ms`)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? null, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => resolve({ status: res.statusCode ?? null, body: Buffer.concat(chunks).toString('utf8'), error: err.message }));
    });
    req.on('error', (err) => resolve({ status: null, body: '', error: `${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}`.trim() }));
    req.end();
  });
}

/**
 * The connection-log entry of the connection on which the ALB judged a client certificate: one
 * whose TLS handshake got far enough to have a protocol. Entries of handshakes the gateway itself
 * aborted (protocol `-`) are not verdicts. When one is expected, wait for it (logging can trail
 * the response); otherwise read what is there.
 */
async function judgedConnection(alb: AlbHandle, expected: boolean, timeoutMs: number): Promise<ConnectionLogEntry | undefined> {
  const judged = (e: ConnectionLogEntry) => e.tlsProtocol !== '-' && e.tlsVerifyStatus !== '-';
  if (!expected) return alb.connectionLog.entries.find(judged);
  return alb.connectionLog.waitFor(judged, timeoutMs).catch(() => undefined);
}

/** The header value the ALB must produce for a certificate fact (an independent oracle: not the emulator's code). */
export function expectedHeaderValue(value: ExpectedHeaderValue, pki: Pki): string | RegExp {
  if (typeof value === 'string' || value instanceof RegExp) return value;
  const client = pki.clients[value.variant as ClientVariantId];
  const seconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  switch (value.fact) {
    case 'subject':
      return client.facts.subject;
    case 'issuer':
      return client.facts.issuer;
    case 'serialNumber':
      return client.facts.serialNumber;
    case 'validity':
      return `NotBefore=${seconds(client.facts.notBefore)};NotAfter=${seconds(client.facts.notAfter)}`;
    case 'leaf':
      return albUrlEncode(client.certPem);
    case 'chain':
      return albUrlEncode(client.chainPem);
  }
}

/** AWS: "URL-encoded PEM ... with +=/ as safe characters". */
function albUrlEncode(pem: string): string {
  return encodeURIComponent(pem).replace(/%2B/g, '+').replace(/%3D/g, '=').replace(/%2F/g, '/');
}

const show = (v: unknown) => (v === null || v === undefined ? 'null' : typeof v === 'string' ? v : JSON.stringify(v));
const clip = (s: string, n = 120) => (s.length > n ? `${s.slice(0, n)}...` : s);

function compare(
  e: Omit<ScenarioExpected, 'albRefuses'>,
  pki: Pki,
  result: Observed,
  seen: { body: string; warnings: readonly string[]; error: string | undefined; entry: ConnectionLogEntry | undefined; tls: '1.2' | '1.3' },
): void {
  const m = result.mismatches;
  if (result.status !== e.status) m.push(`status: expected ${e.status}, got ${show(result.status)}${seen.error ? ` (${seen.error})` : ''}`);
  if (result.tlsVerifyStatus !== e.tlsVerifyStatus) m.push(`tlsVerifyStatus: expected ${show(e.tlsVerifyStatus)}, got ${show(result.tlsVerifyStatus)}`);
  if (result.failureClass !== e.failureClass) m.push(`failureClass: expected ${show(e.failureClass)}, got ${show(result.failureClass)}`);
  if (seen.entry && seen.entry.tlsProtocol !== `TLSv${seen.tls}`) {
    m.push(`tls: the gateway was pinned to TLS ${seen.tls} but the ALB logged ${seen.entry.tlsProtocol}`);
  }
  const reached = result.targetSaw !== null;
  const mustReach = e.reachesTarget ?? (e.targetHeaders?.present ? true : undefined);
  if (mustReach !== undefined && mustReach !== reached) {
    m.push(mustReach ? 'target: expected the request to reach a target, but none did' : 'target: expected no request at any target, but one arrived');
  }
  const saw = result.targetSaw ?? {};
  for (const [name, want] of Object.entries(e.targetHeaders?.present ?? {})) {
    const got = saw[name];
    const value = Array.isArray(got) ? got.join(', ') : got;
    const expected = expectedHeaderValue(want, pki);
    const ok = value !== undefined && (expected instanceof RegExp ? expected.test(value) : value === expected);
    if (!ok) m.push(`target header ${name}: expected ${clip(String(expected))}, got ${value === undefined ? '(absent)' : clip(value)}`);
  }
  if (result.targetSaw) {
    for (const name of e.targetHeaders?.absent ?? []) {
      if (saw[name] !== undefined) m.push(`target header ${name}: expected absent, got ${clip(show(saw[name]))}`);
    }
  }
  for (const text of e.bodyIncludes ?? []) {
    if (!seen.body.includes(text)) m.push(`body: expected to include ${JSON.stringify(text)}, got ${JSON.stringify(clip(seen.body, 300))}`);
  }
  for (const pattern of e.gatewayWarnings ?? []) {
    if (!seen.warnings.some((w) => pattern.test(w))) m.push(`gateway warnings: none matches ${pattern} (got ${seen.warnings.length ? seen.warnings.map((w) => JSON.stringify(w)).join('; ') : 'none'})`);
  }
}

