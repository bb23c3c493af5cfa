import type { ServerHandle } from '../server-handle.ts';

/** Zuplo environment types, plus `local`: the platform's local development, where mTLS bindings do not exist. */
export type EnvironmentType = 'development' | 'preview' | 'production' | 'local';

/** The closed set of outbound failure classes, identical under TLS 1.2 and 1.3. */
export type FailureClass =
  | 'handshake-rejected' // the origin closed/alerted during or right after the handshake, before any HTTP byte
  | 'origin-untrusted' // the origin's certificate failed verification, or its name did not match
  | 'connect-refused'
  | 'connect-timeout'
  | 'upstream-timeout' // requestTimeoutSeconds elapsed (504)
  | 'binding-missing'; // the named mTLS certificate is not bound in this environment (500)

/** How the gateway answers a connection failure: `edge` = 522 (what users see on the deployed edge), `runtime` = 500 problem+json. */
export type FailureMode = 'edge' | 'runtime';

/** One `zuplo mtls-certificate create` input. */
export interface MtlsCertificateInput {
  name: string;
  /** PEM: the leaf, optionally followed by intermediates. */
  cert: string;
  /** PKCS#8 or traditional PEM key. */
  key: string;
  environmentTypes: Array<'development' | 'preview' | 'production'>;
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
  /** Default `development`. */
  environmentType?: EnvironmentType;
  /** Certificates: a store directory (`<dir>/<name>/tls.crt` + `tls.key` + metadata), or inputs to create in memory. */
  certificates?: string | MtlsCertificateInput[];
  /** Refuse certificate names that break the JS-identifier rule (default: warn). */
  strictNames?: boolean;
  /** Compatibility date, `YYYY-MM-DD`. Default `2025-02-06`. */
  compatibilityDate?: string;
  /** CA(s) the gateway trusts for the origin's server certificate (PEM). Default: Node's public roots. */
  originCa?: string | string[];
  /** Default `edge`. */
  failureMode?: FailureMode;
  /** Outbound TCP connect timeout, ms. Default 10_000. */
  connectTimeoutMs?: number;
  /** Outbound TLS: `1.2`, `1.3`, or undefined (negotiate). Used by scenarios to pin the version. */
  tlsVersion?: '1.2' | '1.3';
  /** Listening port, 0 (default) = ephemeral, on 127.0.0.1. */
  port?: number;
  /** Receives warnings (certificate names, skipped files, `$env` misuse). Default: collected in `handle.warnings` only. */
  onWarning?: (message: string) => void;
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
}

export interface GatewayHandle extends ServerHandle {
  /** Warnings raised at start-up (certificate names, $env misuse, skipped certificate directories). */
  readonly warnings: readonly string[];
  /** Every outbound attempt, in order. */
  readonly upstream: readonly UpstreamRecord[];
}
