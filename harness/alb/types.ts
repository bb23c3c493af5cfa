import type { X509Certificate } from 'node:crypto';
import type { TlsVerifyStatus } from '../../certs/alb-codes.ts';
import type { ServerHandle } from '../server-handle.ts';

export type { TlsVerifyStatus };

/** `MutualAuthentication.Mode`. */
export const MUTUAL_AUTHENTICATION_MODES = ['off', 'passthrough', 'verify'] as const;
export type MutualAuthenticationMode = (typeof MUTUAL_AUTHENTICATION_MODES)[number];

/** How a failed verification shows: `handshake` closes before any HTTP byte; `http-403` answers 403. */
export const VERIFY_FAILURE_MODES = ['handshake', 'http-403'] as const;
export type VerifyFailureMode = (typeof VERIFY_FAILURE_MODES)[number];

/**
 * What a trust-store change (`modifyTrustStore`, revocations) does to connections already
 * established. AWS does not document it: `keep-established` (default) judges only new connections;
 * `close-established` closes every established connection, so each client reconnects and is judged
 * against the new store.
 */
export const TRUST_STORE_CHANGE_EFFECTS = ['keep-established', 'close-established'] as const;
export type TrustStoreChangeEffect = (typeof TRUST_STORE_CHANGE_EFFECTS)[number];

/** How certificate headers are encoded: `literal` keeps `+=/`; `doc-example` percent-encodes `=`. */
export const HEADER_ENCODINGS = ['literal', 'doc-example'] as const;
export type HeaderEncoding = (typeof HEADER_ENCODINGS)[number];

/** The ALB security policies the emulator knows, with their protocol and cipher lists (harness/alb/policies.ts). */
export type SslPolicyName =
  | 'ELBSecurityPolicy-TLS13-1-2-2021-06'
  | 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06'
  | 'ELBSecurityPolicy-TLS13-1-3-2021-06'
  | 'ELBSecurityPolicy-2016-08';

export interface TrustStoreOptions {
  /** The CA bundle, PEM text in ALB bundle format (the S3 object's content). */
  caCertificatesBundle: string;
  /** PEM CRLs (`AddTrustStoreRevocations`), each the text of one file. */
  revocations?: string[];
  /** Shown in error messages, e.g. the file the bundle came from. Default `trustStore.caCertificatesBundle`. */
  source?: string;
  /** Shown in messages about `revocations[i]`, e.g. the file or flag it came from. Default `trustStore.revocations[i]`. */
  revocationSources?: string[];
  /** Receives load-time warnings (a bundle certificate that is not a CA, a CRL whose issuer is not a CA of the bundle); the store is still loaded. Default: none. */
  onWarning?(message: string): void;
}

/** Mirrors AWS `MutualAuthenticationAttributes`. */
export interface MutualAuthenticationOptions {
  /** Default `off` (the API default). */
  mode: MutualAuthenticationMode;
  /** Required in verify mode; AWS rejects it with off or passthrough, and so does startAlb. */
  trustStore?: TrustStoreOptions;
  /** Default false: expired client certificates are rejected. Does not cover not-yet-valid. Verify mode only (AWS rejects it otherwise, even false). */
  ignoreClientCertificateExpiry?: boolean;
  /** Default `off`: the CertificateRequest carries no CA names. */
  advertiseTrustStoreCaNames?: 'on' | 'off';
}

/** A clock the emulator reads for certificate validity and log timestamps. */
export type Clock = () => Date;

/** One listener of a load balancer started with `listeners`; a field given here wins over the top-level one. */
export interface ListenerOptions {
  /** 0 (default) = ephemeral. Two listeners cannot share a fixed port. */
  port?: number;
  /** Default: the top-level `certificate`. */
  certificate?: AlbOptions['certificate'];
  /** Default: the top-level `sslPolicy`. */
  sslPolicy?: SslPolicyName;
  /** Default: the top-level `mutualAuthentication` (off). At most 2 listeners per load balancer may use `verify`. */
  mutualAuthentication?: MutualAuthenticationOptions;
  /** Listener attributes, merged over the top-level (load-balancer) attributes. */
  attributes?: Record<string, string>;
}

/**
 * Several listeners on one load balancer (`startAlb` then returns a LoadBalancerHandle). Everything
 * at the top level (targets, clock, logs, timeouts, load-balancer attributes) is shared; `certificate`,
 * `sslPolicy` and `mutualAuthentication` there are each listener's defaults.
 */
export interface LoadBalancerOptions extends Omit<AlbOptions, 'port'> {
  listeners: ListenerOptions[];
}

/**
 * A target group's health check (CreateTargetGroup's `HealthCheck*` and `Matcher`). Given (even `{}`),
 * health checks run with AWS's defaults for what is left out; absent, every target always gets traffic.
 */
export interface HealthCheckOptions {
  /** Default true when the object is given; false turns the checks off. */
  enabled?: boolean;
  /** Default: each target's own scheme (its URL's http or https). AWS's API default is HTTP. */
  protocol?: 'HTTP' | 'HTTPS';
  /** Default `traffic-port`: the port in the target's URL. */
  port?: number | 'traffic-port';
  /** Default `/`. */
  path?: string;
  /** Default 30. AWS takes 5-300; the emulator takes any positive number so a test need not wait. */
  intervalSeconds?: number;
  /** Default 5; must be smaller than the interval. */
  timeoutSeconds?: number;
  /** Consecutive successes that bring an unhealthy target back. Default 5 (2-10). */
  healthyThresholdCount?: number;
  /** Consecutive failures that take a target out. Default 2 (2-10). */
  unhealthyThresholdCount?: number;
  /** HTTP codes that count as healthy: `200`, `200,202`, `200-299` (200-499). Default `200`. */
  matcher?: string;
}

/** `TargetHealth.Reason` for the states the emulator produces. */
export type TargetHealthReason = 'Elb.InitialHealthChecking' | 'Target.ResponseCodeMismatch' | 'Target.Timeout' | 'Target.FailedHealthChecks';

/** One entry of `DescribeTargetHealth`. */
export interface TargetHealthDescription {
  /** The target's URL, as given in `targets`. */
  target: string;
  state: 'initial' | 'healthy' | 'unhealthy';
  /** Absent when healthy. */
  reason?: TargetHealthReason;
  /** e.g. `Health checks failed with these codes: [500]`; absent when healthy. */
  description?: string;
}

export interface AlbOptions {
  /** Listener port; 0 (default) = ephemeral. Always bound to 127.0.0.1. */
  port?: number;
  /** Server certificate (leaf + chain PEM) and key. Default: none, so it is required (the CLI passes the PKI's). */
  certificate: { certPem: string; keyPem: string };
  /** Default `ELBSecurityPolicy-TLS13-1-2-2021-06`. */
  sslPolicy?: SslPolicyName;
  mutualAuthentication?: MutualAuthenticationOptions;
  /**
   * Listener and load-balancer attributes by their AWS keys, e.g. `routing.http.xff_header_processing.mode`,
   * `idle_timeout.timeout_seconds` (1-4000, default 60: an established connection with no bytes either
   * way for that long is closed).
   */
  attributes?: Record<string, string>;
  /** Target base URLs (http:// or https://), used round robin. Empty = 503 for every request. */
  targets?: string[];
  /** Target health checks (ALB -> target, never with a client certificate). Default: none, every target gets traffic. */
  healthCheck?: HealthCheckOptions;
  /** Target connect timeout, ms. Default 10_000 (ALB's). */
  targetConnectTimeoutMs?: number;
  /** Target idle timeout (no response bytes), ms. Default 60_000 (ALB's idle timeout). */
  targetIdleTimeoutMs?: number;
  /** How a failed verification shows. Default `handshake` (AWS docs); `http-403` completes the handshake and answers 403. */
  verifyFailure?: VerifyFailureMode;
  /** What a trust-store change does to established connections. Undocumented by AWS. Default `keep-established`. */
  trustStoreChange?: TrustStoreChangeEffect;
  /** Whether a non-self-signed CA in the trust store may anchor a chain. Undocumented by AWS. Default false (full chains, as AWS's trust-store documentation describes). */
  partialChain?: boolean;
  /** Strip client-sent `X-Amzn-Mtls-*` headers before forwarding. Undocumented by AWS. Default true. */
  stripClientMtlsHeaders?: boolean;
  /** Verify-mode status logged when no client certificate is sent. Undocumented by AWS. Default `Failed:UnmappedConnectionError`. */
  noCertificateStatus?: TlsVerifyStatus;
  /** `literal` (default: `+=/` kept, as real ALBs do) or `doc-example` (`=` percent-encoded as in the AWS passthrough example). */
  headerEncoding?: HeaderEncoding;
  /** Default: `new Date()`. */
  clock?: Clock;
  /** Load balancer id in logs. Default `app/my-alb/50dc6c495c0c9188`. */
  loadBalancerId?: string;
  /** If set, log lines are also appended to AWS-named files in this directory (created if missing; every line is kept there). */
  logDirectory?: string;
  /** How many entries `connectionLog` and `accessLog` each keep in memory (the newest). Default 1_000; `logDirectory` files keep every line. */
  maxLogEntries?: number;
  /**
   * How long a client may take from TCP connect to a finished TLS handshake, ms; then the socket is
   * destroyed and a connection-log line written (no access-log line: there was no request).
   * AWS does not document ALB's value. Default 10_000.
   */
  handshakeTimeoutMs?: number;
}

/** One connection-log entry (15 fields, AWS order). Absent values are `-` in the raw line. */
export interface ConnectionLogEntry {
  timestamp: string;
  clientIp: string;
  clientPort: number;
  listenerPort: number;
  tlsProtocol: string;
  tlsCipher: string;
  /** Seconds, ms precision, or `-` when the handshake failed. */
  tlsHandshakeLatency: string;
  leafClientCertSubject: string;
  leafClientCertValidity: string;
  leafClientCertSerialNumber: string;
  tlsVerifyStatus: TlsVerifyStatus | '-';
  connTraceId: string;
  tlsKeyExchange: string;
  elb: string;
  ipAddress: string;
  /** The line exactly as written to the log file. */
  raw: string;
  /** Not in AWS's format: OpenSSL's own verdict (`authorizationError`) beside ours, when it has one. */
  opensslAuthorizationError?: string;
  /** Not in AWS's format: the verifier's reason in words. */
  reason?: string;
  /** Not in AWS's format, not enumerable: the certificates the client sent, leaf first (for pages that decode the chain). */
  presentedChain?: readonly X509Certificate[];
}

export interface AccessLogEntry {
  /** Parsed fields by AWS name (type, time, elb, client:port, target:port, ..., elb_status_code, target_status_code, request, ..., conn_trace_id). */
  fields: Record<string, string>;
  connTraceId: string;
  elbStatusCode: number;
  targetStatusCode: number | null;
  raw: string;
}

export interface LogStream<T> extends Iterable<T> {
  readonly entries: readonly T[];
  /** Called for every new entry; returns an unsubscribe function. */
  subscribe(listener: (entry: T) => void): () => void;
  /** Resolves with the first entry (already logged or future) matching the predicate. */
  waitFor(predicate: (entry: T) => boolean, timeoutMs?: number): Promise<T>;
}

export interface AlbHandle extends ServerHandle, TrustStoreControl {
  /** The emulated DNS name the server certificate carries (for `servername` / Host). */
  hostname: string;
  /** `DescribeTargetHealth`: with `healthCheck`, each target's state; without, an empty list (AWS: `unavailable`, checks disabled). */
  describeTargetHealth(): TargetHealthDescription[];
  /** Not an AWS verb: runs one round of health checks now instead of at the next interval; resolves with the new states. */
  checkTargetHealth(): Promise<TargetHealthDescription[]>;
  connectionLog: LogStream<ConnectionLogEntry>;
  accessLog: LogStream<AccessLogEntry>;
}

/** What `startAlb({ listeners })` resolves to: one handle per listener, and the load balancer's logs as one stream. */
export interface LoadBalancerHandle {
  hostname: string;
  /** In the order of `options.listeners`. */
  readonly listeners: readonly AlbHandle[];
  /** Every listener's lines, in the order written (each carries its `listenerPort`), as AWS writes one log per load balancer. */
  connectionLog: LogStream<ConnectionLogEntry>;
  accessLog: LogStream<AccessLogEntry>;
  /** The targets' health, checked once for the load balancer (each listener's handle gives the same). */
  describeTargetHealth(): TargetHealthDescription[];
  checkTargetHealth(): Promise<TargetHealthDescription[]>;
  /** Closes every listener; idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Input to the pure verifier (harness/alb/verify.ts). */
export interface VerifyInput {
  /** The chain exactly as the client sent it, leaf first. Empty = no certificate. */
  presented: X509Certificate[];
  trustStore: LoadedTrustStore;
  now: Date;
  ignoreClientCertificateExpiry?: boolean;
  /** Default false: only a self-signed trust-store CA anchors a path. */
  partialChain?: boolean;
  /** Size of the client's TLS Certificate message in bytes, if known (64K limit). Default: sum of DER sizes. */
  certificateMessageBytes?: number;
  noCertificateStatus?: TlsVerifyStatus;
}

export interface VerifyResult {
  status: TlsVerifyStatus;
  /** The built path, leaf first, ending at the anchor when one was found. */
  path: X509Certificate[];
  /** Index in `path` (or in `presented` when no path) of the certificate that failed, if any. */
  failingIndex?: number;
  /** One sentence for logs and explanations, e.g. "certificate 'CN=client-expired' expired at 2025-01-01T00:00:00Z". */
  reason: string;
}

export interface LoadedCrl {
  /** RFC 2253 issuer DN. */
  issuer: string;
  pem: string;
  /** Revoked serials, uppercase hex without sign byte. */
  revokedSerials: Set<string>;
  /** Invalid Date when the CRL's thisUpdate is malformed (the verifier then reports the CRL as unprocessable). */
  thisUpdate: Date;
  /** Optional in RFC 5280. */
  nextUpdate?: Date;
  /** Set when the CRL could not be processed (bad signature, no issuer in the store): certificates of that issuer get ClientCertCrlProcessingError. */
  processingError?: string;
}

export interface LoadedTrustStore {
  /** Each CA in the bundle, in bundle order. */
  certificates: X509Certificate[];
  /** The bundle's PEM blocks, newline-terminated, in order (what `ca` gets when advertising names). */
  pems: string[];
  crls: LoadedCrl[];
}

/** One revocation list added to the trust store, as `DescribeTrustStoreRevocations` lists it. */
export interface TrustStoreRevocation {
  /** AWS numbers revocations from 1 in the order they were added; removing one does not renumber. */
  revocationId: number;
  /** Always `CRL`, the only kind AWS supports. */
  revocationType: 'CRL';
  /** Where the CRL came from (a file, a flag, `revocations[i]`), for messages. */
  source: string;
  /** The CRL's issuer, RFC 2253. */
  issuer: string;
  numberOfRevokedEntries: number;
}

/** A CRL to add: its PEM text, and where it came from (shown in errors and in describe). */
export type RevocationInput = string | { pem: string; source?: string };

/**
 * AWS's trust-store verbs, on a running listener. New connections are judged by the new store;
 * connections already established go on (their verdict was given at their handshake), as on a real
 * ALB. Every call validates first and changes nothing when it fails.
 */
export interface TrustStoreControl {
  /** `ModifyTrustStore`: replaces the CA bundle; the revocations stay. */
  modifyTrustStore(bundle: { caCertificatesBundle: string; source?: string }): void;
  /** `AddTrustStoreRevocations`: each input is one CRL file (one S3 object); returns the new entries. */
  addTrustStoreRevocations(revocations: RevocationInput[]): TrustStoreRevocation[];
  /** `RemoveTrustStoreRevocations`: by id; an unknown id is refused and nothing is removed. */
  removeTrustStoreRevocations(revocationIds: number[]): void;
  /** `DescribeTrustStoreRevocations`. */
  describeTrustStoreRevocations(): TrustStoreRevocation[];
  /**
   * Not an AWS verb: the bundle and every revocation replaced at once, from files read again (what
   * `serve --watch` does when they change). The revocations get new ids. Returns the loaded store.
   */
  reloadTrustStore(options: TrustStoreOptions): LoadedTrustStore;
}
