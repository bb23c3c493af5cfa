import type { ClientVariantId, Pki } from '../certs/pki/types.ts';
import type { TlsVerifyStatus } from '../certs/alb-codes.ts';
import type { ConnectionLogEntry, MutualAuthenticationMode } from '../harness/alb/types.ts';
import type { EnvironmentType, FailureClass, FailureMode, ProjectType } from '../harness/gateway/types.ts';
import { TARGET_KINDS } from '../harness/targets/target-options.ts';
import type { ExtraChainId, TrustStoreFixtureId } from './fixtures/extra-pki.ts';

/**
 * The seed page's headings a scenario reproduces (shared/seed: "Connect to an AWS ALB with mTLS"),
 * plus groups for ALB behaviour the AWS docs describe, trust stores the ALB refuses at load, and
 * real-world setups around the ALB (each of those scenarios names its source).
 */
export const SEED_SECTIONS = {
  walkthrough: 'Connect to an AWS ALB with mTLS (steps 2-4)',
  'fails-522': 'Requests fail with a 522 or connection error',
  'rejects-403': 'The ALB rejects the certificate',
  'no-certificate': 'No certificate appears to be sent',
  'alb-behaviour': 'ALB mutual TLS behaviour (AWS docs)',
  'trust-store-load': 'The ALB refuses the trust store when it loads it (AWS bundle rules)',
  'real-world': 'Real-world setups around the ALB (AWS docs, public issues)',
} as const;

export type ScenarioGroup = keyof typeof SEED_SECTIONS;
export type SeedSection = (typeof SEED_SECTIONS)[ScenarioGroup];

/** Which CA bundle the ALB's trust store holds. */
export const TRUST_STORE_CHOICES = ['root', 'root+intermediate', 'intermediate-only'] as const;
export type TrustStoreChoice = (typeof TRUST_STORE_CHOICES)[number];
/** Which of the PKI's CRLs are added as trust-store revocations (`AddTrustStoreRevocations`). */
export const REVOCATION_CHOICES = ['root', 'intermediate', 'intermediateEmpty', 'intermediateStale'] as const;
export type RevocationChoice = (typeof REVOCATION_CHOICES)[number];
/** Which server certificate the ALB listener presents. */
export const SERVER_CERTIFICATE_CHOICES = ['server', 'serverUntrusted', 'serverWrongHost'] as const;
export type ServerCertificateChoice = (typeof SERVER_CERTIFICATE_CHOICES)[number];
/** What sits behind the ALB: a target kind, or `none` (an empty target group: 503). */
export const TARGET_CHOICES = [...TARGET_KINDS, 'none'] as const;
export type TargetChoice = (typeof TARGET_CHOICES)[number];

/** The emulated ALB listener of one scenario. */
export interface ScenarioAlb {
  /** `MutualAuthentication.Mode`. */
  mode: MutualAuthenticationMode;
  /** Verify mode only. Default `root` (pki.trustStoreBundle). */
  trustStore?: TrustStoreChoice;
  /** Verify mode only. Default `['root', 'intermediate']` (the set `expectedVerdict`s assume). */
  revocations?: RevocationChoice[];
  /** Default false. */
  ignoreClientCertificateExpiry?: boolean;
  /** Default `handshake`. */
  verifyFailure?: 'handshake' | 'http-403';
  /** Default: the emulator's (true). */
  partialChain?: boolean;
  /** Default `server`. */
  serverCertificate?: ServerCertificateChoice;
  /** What the ALB forwards to. Default `echo`. */
  target?: TargetChoice;
  /** `slow` target only: ms before it answers. Default 2_000. */
  targetDelayMs?: number;
  /** True = the ALB is started, its URL noted, then stopped: the gateway's connection is refused. */
  down?: boolean;
  /** Verify mode only: a built trust store (scenarios/fixtures/extra-pki.ts) instead of `trustStore` + `revocations`. */
  trustStoreFixture?: TrustStoreFixtureId;
  /** Load-balancer attributes (`AlbOptions.attributes`), e.g. `routing.http.drop_invalid_header_fields.enabled`. */
  attributes?: Record<string, string>;
  /** The ALB's clock, set one day before or after the presented leaf's notAfter (what `--at` does). Default: now. */
  clock?: ScenarioClock;
}

export const SCENARIO_CLOCKS = ['day-before-expiry', 'day-after-expiry'] as const;
export type ScenarioClock = (typeof SCENARIO_CLOCKS)[number];

/**
 * A `zuplo mtls-certificate create`: a name bound to one of the PKI's client certificates
 * (`variant`) or to one of the built chains (`chain`, scenarios/fixtures/extra-pki.ts); exactly one of them.
 */
export type ScenarioCertificate = {
  name: string;
  environmentTypes: Array<'development' | 'preview' | 'production'>;
} & ({ variant: ClientVariantId; chain?: undefined } | { chain: ExtraChainId; variant?: undefined });

/**
 * How the route reaches the ALB:
 * - `url-forward`: `urlForwardHandler` with `baseUrl` = the ALB's URL and `mtlsCertificate` = `gateway.mtlsCertificate`;
 * - `env-selected`: the seed's step 4, `"baseUrl": "${env.ALB_BACKEND_URL}"`, `"mtlsCertificate": "$env(ALB_MTLS_CERT)"`;
 * - `function`: the seed's function handler (scenarios/fixtures/function-project), reading both variables.
 * For `env-selected` and `function` the runner sets `ALB_BACKEND_URL` to the ALB's URL.
 */
export const HANDLER_KINDS = ['url-forward', 'env-selected', 'function'] as const;
export type HandlerKind = (typeof HANDLER_KINDS)[number];

/** The gateway (Zuplo-like) of one scenario. */
export interface ScenarioGateway {
  handler: HandlerKind;
  /** `url-forward` only: the certificate name on the route; absent = no `mtlsCertificate` option. */
  mtlsCertificate?: string;
  /** The uploaded certificates. Default none. */
  certificates?: ScenarioCertificate[];
  /** Environment variables (`ALB_BACKEND_URL` is added by the runner for env-selected/function handlers). */
  environment?: Record<string, string>;
  /** Default `preview` (the seed: "test in a preview environment"). */
  environmentType?: EnvironmentType;
  /** `url-forward` / `env-selected`: the handler's `requestTimeoutSeconds`. Default none. */
  requestTimeoutSeconds?: number;
  /** Default: as the emulated runtime answers (522 deployed, 500 in local development). */
  failureMode?: FailureMode;
  /** `local` only: which engine zuplo dev runs. Default `managed-edge`. */
  projectType?: ProjectType;
}

/** The request the client sends to the gateway. */
export interface ScenarioRequest {
  /** Default `GET`. */
  method?: string;
  /** Default `/api/orders`. The route is declared for this path (without its query). */
  path?: string;
  headers?: Record<string, string>;
}

/** A value the target must see: literal, pattern, or a fact of one of the PKI's client certificates. */
/** The certificate facts an expected header value can name. */
export const HEADER_FACTS = ['subject', 'issuer', 'serialNumber', 'validity', 'leaf', 'chain'] as const;
export type HeaderFact = (typeof HEADER_FACTS)[number];

export type ExpectedHeaderValue =
  | string
  | RegExp
  | {
      /** `leaf` = the leaf PEM URL-encoded as the ALB does; `chain` = the presented chain, URL-encoded. */
      fact: HeaderFact;
      variant: ClientVariantId;
    };

export interface ScenarioExpected {
  /** The gateway's answer to the client. */
  status: number;
  /** From the ALB's connection log, or null when no TLS handshake reaches the point where the ALB judges the certificate. */
  tlsVerifyStatus: TlsVerifyStatus | null;
  /** The gateway's classification of its outbound failure, or null when it got an HTTP response (or made no call). */
  failureClass: FailureClass | null;
  /** Headers (lower-case names) the target must / must not have received. `present` implies the request reached a target. */
  targetHeaders?: { present?: Record<string, ExpectedHeaderValue>; absent?: string[] };
  /** Substrings the response body must contain (e.g. the runtime's exact error message). */
  bodyIncludes?: string[];
  /** Whether a request reached a target at all. Default: not checked (implied true by `targetHeaders.present`). */
  reachesTarget?: boolean;
  /** Patterns each of which some gateway start-up warning must match. */
  gatewayWarnings?: RegExp[];
  /**
   * The ALB refuses its trust store when it loads it (as CreateTrustStore / ModifyTrustStore do):
   * the error's code and a substring of its message. The run then applies the fix (the fixture's
   * `fixed` store) and sends the request; `status` etc. describe that second start.
   */
  albRefuses?: { code: 'HARNESS_ERR_TRUST_STORE' | 'HARNESS_ERR_CRL'; includes: string };
}

/**
 * Who calls the ALB: `gateway` (the default), the scenario's Zuplo-like gateway, which speaks
 * HTTP/1.1; or `h2-client`, an HTTP/2 client (as `curl --http2`) presenting the scenario's `variant`
 * directly to the ALB in place of the gateway. No gateway is started then: `expected.status` is the
 * ALB's answer to that client, `failureClass` is null, and the run also checks that the ALB logged the
 * request as HTTP/2 (access-log type `h2`).
 */
export const SCENARIO_CALLERS = ['gateway', 'h2-client'] as const;
export type ScenarioCaller = (typeof SCENARIO_CALLERS)[number];

/** One reproducible situation from the seed's walkthrough or troubleshooting, as data. */
export interface Scenario {
  /** Stable kebab-case id (CLI: `alb-mtls run <id>`). */
  id: string;
  title: string;
  group: ScenarioGroup;
  /** The seed's heading this reproduces. */
  seedSection: SeedSection;
  /**
   * The client certificate the gateway presents: a shorthand for one certificate named `alb_cert`
   * bound in every environment type, used with `gateway.mtlsCertificate: 'alb_cert'`. Use
   * `gateway.certificates` instead for several named certificates.
   */
  variant?: ClientVariantId;
  /** Instead of `variant`: one of the built chains (scenarios/fixtures/extra-pki.ts), presented as `alb_cert`. */
  chain?: ExtraChainId;
  /** Default `gateway`. */
  caller?: ScenarioCaller;
  alb: ScenarioAlb;
  gateway: ScenarioGateway;
  request?: ScenarioRequest;
  /** The outcome of the first request (for a scenario with `steps`, the request before them). */
  expected: ScenarioExpected;
  /**
   * What happens after the first request, in order, on the same running ALB and gateway: operator
   * actions and further requests, each with its own expected outcome. Absent = one request only.
   */
  steps?: ScenarioStep[];
  /** What happened, for the person who hit it in production (plain words, AWS/Zuplo terms). */
  explanation: string;
  /** What to check and change (console, CLI). */
  fix: string;
  /** Where this is documented or was reported (an AWS page, a public issue). Default: the seed page. */
  source?: string;
}

/**
 * How a step's request reaches the ALB:
 * - `reuse`: on the gateway's established keep-alive connection (asserted: no new TLS handshake);
 * - `new`: the gateway's idle pooled connections are dropped first, as the runtime's connections
 *   recycle, so the request opens a new TLS connection (asserted: a new handshake).
 */
export const STEP_CONNECTIONS = ['reuse', 'new'] as const;
export type StepConnection = (typeof STEP_CONNECTIONS)[number];

/** What a step can do besides sending a request. */
export const STEP_ACTIONS = ['modify-trust-store', 'add-revocations', 'remove-revocations', 'redeploy-gateway'] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];

/** `ModifyTrustStore` on the running ALB: the CA bundle is replaced (revocations stay). One of the two fields. */
export interface ModifyTrustStoreStep {
  action: 'modify-trust-store';
  trustStore?: TrustStoreChoice;
  /** The bundle of a built trust store (its revocations are not touched: ModifyTrustStore replaces the bundle only). */
  trustStoreFixture?: TrustStoreFixtureId;
}

/** `AddTrustStoreRevocations` / `RemoveTrustStoreRevocations` on the running ALB, with the PKI's CRLs. */
export interface RevocationsStep {
  action: 'add-revocations' | 'remove-revocations';
  revocations: RevocationChoice[];
}

/**
 * The gateway is redeployed with changed settings (what a Zuplo user does after
 * `zuplo mtls-certificate create`: point the variable or the route at the new name and redeploy).
 * The new deployment opens new connections.
 */
export interface RedeployGatewayStep {
  action: 'redeploy-gateway';
  /** Variables set (merged over `gateway.environment`). */
  environment?: Record<string, string>;
  /** `url-forward` only: the certificate name the route now names. */
  mtlsCertificate?: string;
}

/** A further request through the gateway, with its own expected outcome. */
export interface RequestStep {
  action?: undefined;
  /** Default: the scenario's `request`. */
  request?: ScenarioRequest;
  /** Default: whatever the gateway's keep-alive pool gives (not asserted). */
  connection?: StepConnection;
  expected: Omit<ScenarioExpected, 'albRefuses' | 'gatewayWarnings'>;
}

export type ScenarioActionStep = ModifyTrustStoreStep | RevocationsStep | RedeployGatewayStep;
export type ScenarioStep = ScenarioActionStep | RequestStep;

export type TlsVersion = '1.2' | '1.3';

/** One step in the sequence picture of a run. */
export interface TraceStep {
  from: 'client' | 'gateway' | 'alb' | 'target';
  to: 'client' | 'gateway' | 'alb' | 'target';
  /** e.g. `TLS handshake (TLSv1.3) with client certificate CN=zuplo-gateway`. */
  label: string;
  /** `ok`, or where it stopped. */
  outcome: 'ok' | 'failed';
  /** The index in `scenario.steps` this belongs to; absent for the first request (and for every step of a one-request scenario). */
  step?: number;
}

/** One certificate of a chain, as a person reads it (decoded from the certificate itself). */
export interface CertificateSummary {
  /** RFC 2253. */
  subject: string;
  issuer: string;
  serialNumber: string;
  /** ISO 8601. */
  notBefore: string;
  notAfter: string;
  selfSigned: boolean;
}

export interface ScenarioTrace {
  steps: TraceStep[];
  /**
   * The chain the gateway presented to the ALB, leaf first, decoded from the PEM it was configured
   * with; empty when it sent no client certificate (or made no TLS connection).
   */
  presentedChain: CertificateSummary[];
  /** The certificate name the gateway's call asked for, if any. */
  certificateName: string | null;
  /** The ALB's connection-log line of the judged connection, exactly as written. */
  connectionLogLine: string | null;
  /** The verifier's reason (not in AWS's format). */
  albReason: string | null;
  accessLogLines: string[];
  gatewayWarnings: string[];
  /** The response body the client got (truncated). */
  responseBody: string;
  /** The target's answer to the ALB (status), or null when no request reached a target. */
  targetStatus: number | null;
}

export interface ScenarioResult {
  id: string;
  tls: TlsVersion;
  passed: boolean;
  mismatches: string[];
  status: number | null;
  tlsVerifyStatus: TlsVerifyStatus | null;
  failureClass: FailureClass | null;
  /** Headers the target received (first request), or null when no request reached a target. */
  targetSaw: Record<string, string | string[] | undefined> | null;
  connectionLogLine: string | null;
  durationMs: number;
  /** The first request's trace; for a scenario with steps, `trace.steps` tells the whole story in order (each entry marked with its `step`). */
  trace: ScenarioTrace;
  /** One entry per `scenario.steps` entry, in order; absent for a one-request scenario. */
  steps?: StepResult[];
}

/** What one step did. Request fields are null for an action (and for a request that was never sent). */
export interface StepResult {
  index: number;
  /** `request` for a request step, else `action`. */
  kind: 'action' | 'request';
  /** The step in words, e.g. `ModifyTrustStore: CA bundle "rotation-new-ca"` or `request on a new connection`. */
  label: string;
  passed: boolean;
  /** This step's mismatches (also in the run's `mismatches`, prefixed `step <index>:`). */
  mismatches: string[];
  status: number | null;
  tlsVerifyStatus: TlsVerifyStatus | null;
  failureClass: FailureClass | null;
  /** Which connection the request rode: `reused` (no new handshake), `new`, or null (none reached the ALB, or an action). */
  connection: 'reused' | 'new' | null;
  /** The connection-log line of that connection (for `reused`, the line written when it was established). */
  connectionLogLine: string | null;
}

export interface RunScenarioOptions {
  pki: Pki;
  tls: TlsVersion;
  /** How long to wait for the ALB's connection-log entry when one is expected. Default 2_000 ms. */
  logTimeoutMs?: number;
}

export interface RunScenariosOptions {
  /** Default `both`. */
  tls?: TlsVersion | 'both';
  /** Scenarios run at once. Default 4. */
  concurrency?: number;
  /** Default: one fresh EC PKI. */
  pki?: Pki;
  /** Called as each run finishes (progress output). */
  onResult?(result: ScenarioResult): void;
}

/** A scenario's runs under each TLS version, plus the cross-version agreement check. */
export interface ScenarioOutcome {
  scenario: Scenario;
  runs: ScenarioResult[];
  /** Every run passed and the TLS versions agree. */
  passed: boolean;
  /** Differences between the TLS 1.2 and 1.3 runs (status, verify status, failure class). */
  disagreements: string[];
}

export type { ConnectionLogEntry };
