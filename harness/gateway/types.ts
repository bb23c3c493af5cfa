import type { ServerHandle } from '../server-handle.ts';

/** Zuplo environment types, plus `local`: the platform's local development (`zuplo dev`). */
export const ENVIRONMENT_TYPES = ['development', 'preview', 'production', 'local'] as const;
export type EnvironmentType = (typeof ENVIRONMENT_TYPES)[number];

/** The environment types a certificate can be enabled for (local development has no bindings). */
export const CERTIFICATE_ENVIRONMENT_TYPES = ['development', 'preview', 'production'] as const;
export type CertificateEnvironmentType = (typeof CERTIFICATE_ENVIRONMENT_TYPES)[number];

/**
 * `projectType` in zuplo.jsonc. It decides which engine `zuplo dev` runs locally: `managed-edge`
 * (the default) runs workerd, `managed-dedicated` runs Deno. Deployed environments behave alike.
 */
export const PROJECT_TYPES = ['managed-edge', 'managed-dedicated'] as const;
export type ProjectType = (typeof PROJECT_TYPES)[number];

/** The closed set of outbound failure classes, identical under TLS 1.2 and 1.3. */
export const FAILURE_CLASSES = [
  'handshake-rejected', // the origin closed/alerted during or right after the handshake, before any HTTP byte
  'connection-lost', // the origin had accepted this connection (it already answered on it), then closed it before responding
  'origin-untrusted', // the origin's certificate failed verification, or its name did not match
  'connect-refused',
  'connect-timeout',
  'upstream-timeout', // requestTimeoutSeconds elapsed (504)
  'binding-missing', // the named mTLS certificate is not bound in this environment (500)
] as const;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

/**
 * An explicit override of how a connection failure is answered: `edge` = 522 (the deployed edge),
 * `runtime` = 500 problem+json carrying Node's own message. Unset, the answer follows the
 * environment (see failure-answer.ts).
 */
export const FAILURE_MODES = ['edge', 'runtime'] as const;
export type FailureMode = (typeof FAILURE_MODES)[number];

/** One `zuplo mtls-certificate create` input. */
export interface MtlsCertificateInput {
  name: string;
  /** PEM: the leaf, optionally followed by intermediates. */
  cert: string;
  /** PKCS#8 or traditional PEM key. */
  key: string;
  environmentTypes: CertificateEnvironmentType[];
}

/** The `zuplo mtls-certificate list/describe` model. */
export interface MtlsCertificateRecord {
  id: string;
  name: string;
  certificateInfo: { subject: string; issuer: string; validFrom: string; validTo: string; serialNumber: string };
  environments: { development: boolean; preview: boolean; production: boolean };
  createdOn: string;
  updatedOn: string;
}

/** What the outbound client needs for one binding. */
export interface MtlsBinding {
  name: string;
  /** Leaf + intermediates, leaf first. */
  certPem: string;
  keyPem: string;
}

/** Routes given in memory: the parsed content of a routes.oas.json. */
export type RoutesDocument = { openapi?: string; paths: Record<string, unknown>; [key: string]: unknown };

export interface GatewayOptions {
  /** A directory laid out like a Zuplo project (config/routes.oas.json, modules/, .env). */
  projectDir?: string;
  /** Routes in memory, instead of projectDir's config/routes.oas.json. */
  routes?: RoutesDocument;
  /** Function-handler modules in memory: `./modules/x` -> module namespace. Used with `routes`. */
  modules?: Record<string, Record<string, unknown>>;
  /** Environment variables (merged over projectDir's .env.zuplo then .env). */
  environment?: Record<string, string | undefined>;
  /** Default `development`. `local` answers as `zuplo dev` does for the project type. */
  environmentType?: EnvironmentType;
  /** Default: zuplo.jsonc's `projectType`, else `managed-edge`. Matters only for `local`. */
  projectType?: ProjectType;
  /** Certificates: a store directory (`<dir>/<name>/tls.crt` + `tls.key` + metadata), or inputs to create in memory. */
  certificates?: string | MtlsCertificateInput[];
  /** Refuse certificate names that break the JS-identifier rule (default: warn). */
  strictNames?: boolean;
  /** Compatibility date, `YYYY-MM-DD`. Default `2025-02-06`. */
  compatibilityDate?: string;
  /**
   * CA(s) the gateway trusts for the origin's server certificate (PEM). Default: Node's public roots.
   * No effect in `local` on a managed-edge project: workerd trusts only the public web CAs.
   */
  originCa?: string | string[];
  /** Unset (the default): the answer follows the environment. Set: an explicit override. */
  failureMode?: FailureMode;
  /**
   * Connect `host:port` to another address, as curl's `--resolve HOST:PORT:ADDRESS` does: the URL,
   * the Host header, SNI and the certificate name check keep the real host name.
   * Keys are `host:port`, values an IP address.
   */
  resolve?: Record<string, string>;
  /** How many upstream records `handle.upstream` keeps (the oldest go first). Default 1_000. */
  maxUpstreamRecords?: number;
  /** Outbound TCP connect timeout, ms. Default 10_000. */
  connectTimeoutMs?: number;
  /** How long an idle connection to an origin is kept for reuse, ms. Default 1_000 (the Zuplo runtime's value is not documented). */
  originKeepAliveMs?: number;
  /** Outbound TLS: `1.2`, `1.3`, or undefined (negotiate). Used by scenarios to pin the version. */
  tlsVersion?: '1.2' | '1.3';
  /** Listening port, 0 (default) = ephemeral, on 127.0.0.1. */
  port?: number;
  /** Receives warnings (certificate names, skipped files, `$env` misuse). Default: collected in `handle.warnings` only. */
  onWarning?: (message: string) => void;
  /**
   * Receives the lines the runtime prints while serving: the real runtime's own
   * ("URL Forwarding to '…'", "ERROR [GET /route] Error executing request handler.") and one line per
   * upstream attempt ({@link formatUpstreamRecord}). Default: none.
   */
  onLog?: (line: string) => void;
}

/** One outbound attempt, recorded for tests and for scenario traces. */
export interface UpstreamRecord {
  requestId: string;
  method: string;
  url: string;
  /** The mTLS certificate name the call asked for, if any. */
  mtlsCertificate?: string;
  /** Whether a client certificate was actually configured on the connection. */
  presentedCertificate: boolean;
  /** Upstream status when an HTTP response arrived. */
  status?: number;
  failureClass?: FailureClass;
  /** The low-level error code (ECONNRESET, ERR_SSL_..., CERT_HAS_EXPIRED, ...), if any. */
  errorCode?: string;
  /** TLS protocol negotiated, when the handshake completed. */
  tlsProtocol?: string;
  /** The route that made the call (`GET /api/{id}`), when a route did. */
  route?: string;
  /** Subject and issuer of the certificate presented, when one was. */
  certificateSubject?: string;
  certificateIssuer?: string;
  /** Why no certificate was sent, when none was (e.g. the route's `$env()` variable is unset). */
  noCertificateReason?: string;
  /** Milliseconds from the start of the attempt until it settled. */
  durationMs?: number;
  /** The status the gateway answered its client with (set once the request was answered). */
  answeredStatus?: number;
}

export interface GatewayHandle extends ServerHandle {
  /** Warnings raised at start-up (certificate names, $env misuse, skipped certificate directories). */
  readonly warnings: readonly string[];
  /** The last outbound attempts (at most `maxUpstreamRecords`), oldest first. */
  readonly upstream: readonly UpstreamRecord[];
  /** What the gateway emulates, in one line (the CLI prints it first). */
  readonly banner: string;
  /**
   * Drops the connections the gateway keeps alive to its origins, as the runtime's pooled
   * connections recycle in production: the next call opens a new connection (a new TLS handshake).
   */
  recycleConnections(): Promise<void>;
}
