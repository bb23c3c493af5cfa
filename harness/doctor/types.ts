import type { TlsVerifyStatus } from '../../certs/alb-codes.ts';
import type { EnvironmentType } from '../gateway/types.ts';

/** How bad a finding is: `error` = a request would fail; `warning` = it works today but is fragile; `info` = context. */
export const SEVERITIES = ['error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Every check doctor runs; a finding's `check` is one of these (stable: part of the --json contract). */
export const DOCTOR_CHECKS = [
  'routes-invalid', // the routes files do not compile (the gateway would not start)
  'route-warning', // the gateway's own start-up warning for a route ($env() in a template, policies, ...)
  'certificate-name-unset', // mtlsCertificate resolves to nothing ($env() of an unset variable)
  'certificate-not-named', // a route calls the ALB without naming any mTLS certificate
  'certificate-missing', // no certificate of that name in the store
  'certificate-not-enabled', // the certificate exists but is not enabled for the environment type
  'certificate-name-invalid', // the name breaks the JavaScript-identifier rule
  'certificate-unusable', // its files do not load (key mismatch, not PEM)
  'alb-verdict', // what an ALB in verify mode answers for the certificate's chain
  'certificate-expiring', // a certificate expires within the configured number of days
  'trust-store-invalid', // the bundle breaks ALB's bundle rules, or a CRL is not a PEM CRL
  'trust-store-crl', // a CRL whose issuer is not a CA of the bundle
  'trust-store-warning', // the trust-store loader's own warning about the bundle
  'alb-server-certificate', // would the gateway trust the ALB's server certificate for the route's host
  'local-development', // the environment type has no mTLS bindings at all
  'no-store', // no certificate store was found
] as const;
export type DoctorCheck = (typeof DOCTOR_CHECKS)[number];

export interface Finding {
  severity: Severity;
  check: DoctorCheck;
  /** `GET /path` when the finding is about one route. */
  route?: string;
  /** The environment type the finding holds for, when it depends on it. */
  environmentType?: EnvironmentType;
  /** The file the finding comes from (project-relative where possible). */
  file: string;
  /** The field, JSON path or line in that file. */
  field: string;
  /** What is wrong (or what holds), one sentence. */
  message: string;
  /** The fix, one sentence ('' for info findings that need none). */
  fix: string;
}

export interface DoctorOptions {
  /** The Zuplo project directory (config/*.oas.json, modules/, .env, .env.zuplo). */
  projectDir: string;
  /** Variables as the judged environment has them, over `.env.zuplo` and `.env` (a deployed environment's values differ). */
  environment?: Record<string, string>;
  /** Environment types to judge. Default `['development', 'preview', 'production']`. */
  environmentTypes?: EnvironmentType[];
  /** The certificate store. Default `<projectDir>/.zuplo-local/mtls` when it exists. */
  certificatesDir?: string;
  /** The ALB trust store's CA bundle file. Without it, no ALB verdict is given. */
  trustStoreFile?: string;
  /** CRL files added to the trust store. */
  crlFiles?: string[];
  /** The ALB's server certificate chain (PEM file), judged offline. */
  albCertFile?: string;
  /** Or: connect to this https URL and judge the certificate it serves. */
  albUrl?: string;
  /** CA(s) the gateway trusts for the ALB (PEM file). Default: Node's public roots, as on the managed edge. */
  originCaFile?: string;
  /** Judge as of this date. Default: now. */
  at?: Date;
  /** Warn about certificates that expire within this many days. Default 30. */
  expiryDays?: number;
  /** How the inputs are named in messages (CLI flags). Default: the option names. */
  labels?: Partial<Record<'projectDir' | 'certificatesDir' | 'trustStoreFile' | 'crlFiles' | 'albCertFile' | 'albUrl' | 'originCaFile', string>>;
}

/** What one route sends, per environment type. */
export interface RouteCertificate {
  route: string;
  file: string;
  /** The JSON path (url handlers) or module file (function handlers) the name comes from. */
  field: string;
  /** The value as written, e.g. `$env(ALB_MTLS_CERT)`. */
  written: string;
  /** The name it resolves to; undefined when it resolves to nothing. */
  name?: string;
  /** The upstream host name, when doctor can tell. */
  hostname?: string;
  /** Per environment type: whether a certificate would be sent. */
  sends: Partial<Record<EnvironmentType, boolean>>;
}

export interface CertificateVerdict {
  name: string;
  status: TlsVerifyStatus;
  reason: string;
}

/** The whole diagnosis. Stable JSON (`version` changes when the shape does). */
export interface DoctorReport {
  version: 1;
  projectDir: string;
  environmentTypes: EnvironmentType[];
  at: string;
  routes: RouteCertificate[];
  verdicts: CertificateVerdict[];
  findings: Finding[];
  /** True when no finding has severity `error`: nothing would fail. */
  ok: boolean;
}
