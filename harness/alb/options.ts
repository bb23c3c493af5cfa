import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { maxEntriesOption } from '../bounded-list.ts';
import { UserError } from '../errors.ts';
import { recentResults } from '../recent-results.ts';
import { failed, isTlsVerifyStatus } from '../../certs/alb-codes.ts';
import { mtlsHeaderNames, renamingAttribute, DEFAULT_MTLS_HEADER_NAMES, type MtlsHeaderKey, type MtlsHeaderNames } from './headers.ts';
import { XFF_MODES, type XffMode } from './forwarded-headers.ts';
import { resolveSslPolicy, SSL_POLICIES, type SslPolicy } from './policies.ts';
import { attributeKeyProblem, mutualAuthenticationProblem, sslPolicyProblem } from '../iac/aws-validation.ts';
import { loadTrustStore } from './trust-store.ts';
import { resolveHealthCheck, type HealthCheckConfig } from './health-checks.ts';
import {
  HEADER_ENCODINGS, MUTUAL_AUTHENTICATION_MODES, TRUST_STORE_CHANGE_EFFECTS, VERIFY_FAILURE_MODES,
  type AlbOptions, type Clock, type HeaderEncoding, type LoadedTrustStore, type MutualAuthenticationMode, type TlsVerifyStatus, type TrustStoreChangeEffect, type VerifyFailureMode,
} from './types.ts';

/** Defaults that AWS documents (or we chose, where it does not); see AlbOptions' JSDoc. */
export const ALB_DEFAULTS = {
  targetConnectTimeoutMs: 10_000,
  targetIdleTimeoutMs: 60_000,
  loadBalancerId: 'app/my-alb/50dc6c495c0c9188',
  noCertificateStatus: failed('UnmappedConnectionError'),
  /** `idle_timeout.timeout_seconds`: AWS's default. */
  idleTimeoutSeconds: 60,
  /** Not documented by AWS for ALB: our choice (see the README's divergences). */
  handshakeTimeoutMs: 10_000,
} as const;

/** `idle_timeout.timeout_seconds`: an established client connection with no bytes either way for this long is closed. AWS allows 1-4000. */
export const IDLE_TIMEOUT_ATTRIBUTE = 'idle_timeout.timeout_seconds';
const IDLE_TIMEOUT_RANGE = { min: 1, max: 4000 } as const;

/** `routing.http.x_amzn_tls_version_and_cipher_suite.enabled`: adds X-Amzn-Tls-Version / -Cipher-Suite. */
export const TLS_HEADERS_ATTRIBUTE = 'routing.http.x_amzn_tls_version_and_cipher_suite.enabled';
export const XFF_MODE_ATTRIBUTE = 'routing.http.xff_header_processing.mode';
export const XFF_CLIENT_PORT_ATTRIBUTE = 'routing.http.xff_client_port.enabled';
const TLS_VERSION_NAME_ATTRIBUTE = 'routing.http.request.x_amzn_tls_version.header_name';
const TLS_CIPHER_NAME_ATTRIBUTE = 'routing.http.request.x_amzn_tls_cipher_suite.header_name';

const HEADER_NAME_ATTRIBUTES = [
  ...(Object.keys(DEFAULT_MTLS_HEADER_NAMES) as MtlsHeaderKey[]).map(renamingAttribute),
  TLS_VERSION_NAME_ATTRIBUTE,
  TLS_CIPHER_NAME_ATTRIBUTE,
];
/** `routing.http.drop_invalid_header_fields.enabled`: drop request headers whose name is outside `[-A-Za-z0-9]+`. */
export const DROP_INVALID_HEADER_FIELDS_ATTRIBUTE = 'routing.http.drop_invalid_header_fields.enabled';
/** `routing.http2.enabled` (AWS's default true): the HTTPS listener offers ALPN `h2` as well as `http/1.1`. */
export const HTTP2_ATTRIBUTE = 'routing.http2.enabled';
/** Every listener/load-balancer attribute key the emulator understands. */
export const KNOWN_ATTRIBUTES = [
  XFF_MODE_ATTRIBUTE,
  XFF_CLIENT_PORT_ATTRIBUTE,
  TLS_HEADERS_ATTRIBUTE,
  DROP_INVALID_HEADER_FIELDS_ATTRIBUTE,
  IDLE_TIMEOUT_ATTRIBUTE,
  HTTP2_ATTRIBUTE,
  ...HEADER_NAME_ATTRIBUTES,
];

const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Everything the listener needs, validated, with defaults applied. */
export interface AlbConfig {
  port: number;
  certPem: string;
  keyPem: string;
  serverCert: X509Certificate;
  hostname: string;
  policy: SslPolicy;
  mode: MutualAuthenticationMode;
  trustStore: LoadedTrustStore | null;
  ignoreClientCertificateExpiry: boolean;
  advertiseTrustStoreCaNames: boolean;
  headerNames: MtlsHeaderNames;
  tlsHeaderNames: { enabled: boolean; version: string; cipherSuite: string };
  xffMode: XffMode;
  xffClientPort: boolean;
  /** `routing.http.drop_invalid_header_fields.enabled` (default false: such headers are forwarded, as ALB does). */
  dropInvalidHeaderFields: boolean;
  /** `routing.http2.enabled` (default true): ALPN offers `h2` and `http/1.1`; false offers `http/1.1` only. */
  http2: boolean;
  /** ALB attributes given that change nothing the emulator shows (e.g. `deletion_protection.enabled`), kept for reports. */
  recordedAttributes: Record<string, string>;
  targets: URL[];
  targetConnectTimeoutMs: number;
  targetIdleTimeoutMs: number;
  verifyFailure: VerifyFailureMode;
  trustStoreChange: TrustStoreChangeEffect;
  partialChain: boolean;
  stripClientMtlsHeaders: boolean;
  noCertificateStatus: TlsVerifyStatus;
  headerEncoding: HeaderEncoding;
  clock: Clock;
  loadBalancerId: string;
  logDirectory: string | undefined;
  maxLogEntries: number;
  /** Client connection idle timeout (`idle_timeout.timeout_seconds`), ms. */
  idleTimeoutMs: number;
  handshakeTimeoutMs: number;
  /** Target health checks; undefined = off (every target gets traffic). */
  healthCheck: HealthCheckConfig | undefined;
}

const configError = (message: string) => new UserError('HARNESS_ERR_ALB_CONFIG', `startAlb: ${message}`);

// Parsing the certificate and key and matching them costs ~0.5 ms, and runs of scenarios start
// many ALBs with the same pair: the checked certificate is kept per pair (X509Certificate is immutable).
const checkedServerCertificates = recentResults<X509Certificate>(16);

function parseServerCertificate(certificate: AlbOptions['certificate'] | undefined): X509Certificate {
  if (!certificate || typeof certificate.certPem !== 'string' || typeof certificate.keyPem !== 'string') {
    throw configError('certificate is required: pass { certPem, keyPem } (e.g. pki.server.chainPem and pki.server.keyPem)');
  }
  return checkedServerCertificates(`${certificate.certPem}\0${certificate.keyPem}`, () => checkServerCertificate(certificate.certPem, certificate.keyPem));
}

function checkServerCertificate(certPem: string, keyPem: string): X509Certificate {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (err) {
    throw new UserError(
      'HARNESS_ERR_PEM',
      `startAlb: certificate.certPem is not a PEM certificate (${(err as Error).message}); pass the server certificate's PEM text, leaf first`,
      { cause: err },
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw new UserError(
      'HARNESS_ERR_PEM',
      `startAlb: certificate.keyPem is not a PEM private key (${(err as Error).message}); pass the PKCS#8 or traditional PEM key of the server certificate`,
      { cause: err },
    );
  }
  if (!cert.checkPrivateKey(key)) {
    throw new UserError(
      'HARNESS_ERR_KEY_MISMATCH',
      `startAlb: certificate.keyPem does not match certificate.certPem (the key is not the private half of the certificate for '${cert.subject.replace(/\n/g, ',')}'); pass the key that was issued with this certificate`,
    );
  }
  return cert;
}

/** The emulated DNS name: the first SAN that looks like an ELB name, else the first DNS SAN, else `localhost`. */
export function hostnameOf(cert: X509Certificate): string {
  const dns = (cert.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4));
  return dns.find((name) => name.endsWith('.elb.amazonaws.com')) ?? dns[0] ?? 'localhost';
}

function booleanAttribute(attributes: Record<string, string>, key: string, fallback = false): boolean {
  const value = attributes[key];
  if (value === undefined) return fallback;
  if (value !== 'true' && value !== 'false') throw configError(`attributes['${key}'] is '${value}'; use 'true' or 'false'`);
  return value === 'true';
}

/** Keys and values of `attributes` as startAlb accepts them (the importer checks imported ones the same way). */
export function validateAttributes(attributes: Record<string, string>): void {
  for (const [key, value] of Object.entries(attributes)) {
    const unknown = attributeKeyProblem(key, 'either');
    if (unknown) {
      throw configError(`attributes has unknown key '${key}' (AWS: ${unknown}); the emulator understands ${KNOWN_ATTRIBUTES.join(', ')}`);
    }
    if (typeof value !== 'string') throw configError(`attributes['${key}'] must be a string (AWS attribute values are strings)`);
    if (HEADER_NAME_ATTRIBUTES.includes(key) && !HTTP_TOKEN.test(value)) {
      throw configError(`attributes['${key}'] is '${value}', not a valid HTTP header name; use letters, digits and '-'`);
    }
  }
  const mode = attributes[XFF_MODE_ATTRIBUTE];
  if (mode !== undefined) oneOf(mode, XFF_MODES, `attributes['${XFF_MODE_ATTRIBUTE}']`);
  idleTimeoutMs(attributes);
  booleanAttribute(attributes, HTTP2_ATTRIBUTE);
}

/** `value` if it is one of `choices`, else a configError listing them. */
function oneOf<T extends string>(value: unknown, choices: readonly T[], field: string): T {
  if (!(choices as readonly unknown[]).includes(value)) {
    const quoted = choices.map((c) => `'${c}'`);
    throw configError(`${field} is ${JSON.stringify(value)}; use ${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`);
  }
  return value as T;
}

function idleTimeoutMs(attributes: Record<string, string>): number {
  const value = attributes[IDLE_TIMEOUT_ATTRIBUTE];
  if (value === undefined) return ALB_DEFAULTS.idleTimeoutSeconds * 1000;
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || seconds < IDLE_TIMEOUT_RANGE.min || seconds > IDLE_TIMEOUT_RANGE.max) {
    throw configError(`attributes['${IDLE_TIMEOUT_ATTRIBUTE}'] is '${value}'; use a whole number of seconds from ${IDLE_TIMEOUT_RANGE.min} to ${IDLE_TIMEOUT_RANGE.max} (default ${ALB_DEFAULTS.idleTimeoutSeconds})`);
  }
  return seconds * 1000;
}

function parsePort(port: unknown): number {
  if (port === undefined) return 0;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw configError(`port is ${JSON.stringify(port)}; use a whole number from 0 to 65535 (0 = any free port)`);
  }
  return port;
}

/** The status logged when a verify-mode client sends no certificate: a `Failed:` status from ALB's list. */
function parseNoCertificateStatus(value: unknown): TlsVerifyStatus {
  if (value === undefined) return ALB_DEFAULTS.noCertificateStatus;
  if (typeof value !== 'string' || !isTlsVerifyStatus(value) || value === 'Success') {
    throw configError(`noCertificateStatus is ${JSON.stringify(value)}; use a 'Failed:<code>' status such as '${ALB_DEFAULTS.noCertificateStatus}'`);
  }
  return value;
}

function parseLogDirectory(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw configError(`logDirectory is ${JSON.stringify(value)}; use a directory path (created if missing)`);
  return value;
}

/** The trust store's texts must be strings before any PEM rule can be checked. */
function checkTrustStoreTypes(trustStore: NonNullable<AlbOptions['mutualAuthentication']>['trustStore']): void {
  if (typeof trustStore !== 'object' || trustStore === null) {
    throw configError('mutualAuthentication.trustStore must be an object { caCertificatesBundle, revocations? }');
  }
  if (typeof trustStore.caCertificatesBundle !== 'string') {
    throw configError(
      `mutualAuthentication.trustStore.caCertificatesBundle is ${typeof trustStore.caCertificatesBundle}; pass the CA bundle's PEM text (e.g. pki.trustStoreBundle or the content of bundle.pem)`,
    );
  }
  const revocations: unknown = trustStore.revocations;
  if (revocations !== undefined && (!Array.isArray(revocations) || revocations.some((r) => typeof r !== 'string'))) {
    throw configError('mutualAuthentication.trustStore.revocations must be an array of PEM CRL texts (one string per file)');
  }
  const sources: unknown = trustStore.revocationSources;
  if (sources !== undefined && (!Array.isArray(sources) || sources.some((r) => typeof r !== 'string'))) {
    throw configError('mutualAuthentication.trustStore.revocationSources must be an array of strings (file names for messages)');
  }
}

/** Attributes AWS has that the emulator does not act on. */
function recordedAttributes(attributes: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).filter(([key]) => !KNOWN_ATTRIBUTES.includes(key)));
}

/** The ELB API's rules on MutualAuthentication (harness/iac/aws-validation.ts), checked before anything loads. */
function checkMutualAuthentication(mutual: NonNullable<AlbOptions['mutualAuthentication']>): void {
  const problem = mutualAuthenticationProblem(mutual);
  if (problem) throw configError(`mutualAuthentication: ${problem}`);
}

function parseTargets(targets: readonly string[]): URL[] {
  return targets.map((text, i) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw configError(`targets[${i}] '${text}' is not a URL; use e.g. 'http://127.0.0.1:8080'`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw configError(`targets[${i}] '${text}' must be http:// or https://`);
    }
    return url;
  });
}

function positiveMs(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw configError(`${name} is ${value}; use a positive number of milliseconds`);
  return value;
}

/** Validates AlbOptions and fills in every default. Throws a UserError naming the field. */
export function resolveAlbOptions(options: AlbOptions): AlbConfig {
  const cert = parseServerCertificate(options.certificate);
  const policyProblem = options.sslPolicy === undefined ? null : sslPolicyProblem(options.sslPolicy, Object.keys(SSL_POLICIES));
  if (policyProblem) throw configError(`sslPolicy '${options.sslPolicy}': ${policyProblem}`);
  const policy = resolveSslPolicy(options.sslPolicy);
  const mutual = options.mutualAuthentication ?? { mode: 'off' as const };
  const mode = oneOf(mutual.mode ?? 'off', MUTUAL_AUTHENTICATION_MODES, 'mutualAuthentication.mode');
  let trustStore: LoadedTrustStore | null = null;
  if (mode === 'verify') {
    if (!mutual.trustStore) {
      throw configError(
        "mutualAuthentication.trustStore is required when mode is 'verify'; pass { caCertificatesBundle: pki.trustStoreBundle } or use mode 'passthrough'",
      );
    }
    checkTrustStoreTypes(mutual.trustStore);
  }
  checkMutualAuthentication(mutual);
  if (mode === 'verify') trustStore = loadTrustStore(mutual.trustStore!);
  const advertise = mutual.advertiseTrustStoreCaNames ?? 'off';
  if (advertise !== 'on' && advertise !== 'off') {
    throw configError(`mutualAuthentication.advertiseTrustStoreCaNames is '${advertise}'; use 'on' or 'off'`);
  }
  const attributes = options.attributes ?? {};
  validateAttributes(attributes);
  const verifyFailure = oneOf(options.verifyFailure ?? 'handshake', VERIFY_FAILURE_MODES, 'verifyFailure');
  const headerEncoding = oneOf(options.headerEncoding ?? 'literal', HEADER_ENCODINGS, 'headerEncoding');
  const idleMs = idleTimeoutMs(attributes);
  return {
    port: parsePort(options.port),
    certPem: options.certificate.certPem,
    keyPem: options.certificate.keyPem,
    serverCert: cert,
    hostname: hostnameOf(cert),
    policy,
    mode,
    trustStore,
    ignoreClientCertificateExpiry: mutual.ignoreClientCertificateExpiry ?? false,
    advertiseTrustStoreCaNames: mode === 'verify' && advertise === 'on',
    headerNames: mtlsHeaderNames(attributes),
    tlsHeaderNames: {
      enabled: booleanAttribute(attributes, TLS_HEADERS_ATTRIBUTE),
      version: attributes[TLS_VERSION_NAME_ATTRIBUTE] ?? 'X-Amzn-Tls-Version',
      cipherSuite: attributes[TLS_CIPHER_NAME_ATTRIBUTE] ?? 'X-Amzn-Tls-Cipher-Suite',
    },
    xffMode: (attributes[XFF_MODE_ATTRIBUTE] as XffMode | undefined) ?? 'append',
    xffClientPort: booleanAttribute(attributes, XFF_CLIENT_PORT_ATTRIBUTE),
    dropInvalidHeaderFields: booleanAttribute(attributes, DROP_INVALID_HEADER_FIELDS_ATTRIBUTE),
    http2: booleanAttribute(attributes, HTTP2_ATTRIBUTE, true),
    recordedAttributes: recordedAttributes(attributes),
    targets: parseTargets(options.targets ?? []),
    targetConnectTimeoutMs: positiveMs(options.targetConnectTimeoutMs, 'targetConnectTimeoutMs', ALB_DEFAULTS.targetConnectTimeoutMs),
    // ALB's one idle timeout covers the target connection too, unless the emulator is told otherwise.
    targetIdleTimeoutMs: positiveMs(options.targetIdleTimeoutMs, 'targetIdleTimeoutMs', attributes[IDLE_TIMEOUT_ATTRIBUTE] === undefined ? ALB_DEFAULTS.targetIdleTimeoutMs : idleMs),
    verifyFailure,
    trustStoreChange: oneOf(options.trustStoreChange ?? 'keep-established', TRUST_STORE_CHANGE_EFFECTS, 'trustStoreChange'),
    partialChain: options.partialChain ?? false,
    stripClientMtlsHeaders: options.stripClientMtlsHeaders ?? true,
    noCertificateStatus: parseNoCertificateStatus(options.noCertificateStatus),
    headerEncoding,
    clock: options.clock ?? (() => new Date()),
    loadBalancerId: options.loadBalancerId ?? ALB_DEFAULTS.loadBalancerId,
    logDirectory: parseLogDirectory(options.logDirectory),
    maxLogEntries: maxEntriesOption(options.maxLogEntries, 'startAlb: maxLogEntries'),
    idleTimeoutMs: idleMs,
    handshakeTimeoutMs: positiveMs(options.handshakeTimeoutMs, 'handshakeTimeoutMs', ALB_DEFAULTS.handshakeTimeoutMs),
    healthCheck: resolveHealthCheck(options.healthCheck),
  };
}
