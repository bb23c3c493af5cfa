import type { EmulatedRuntime } from './emulated-runtime.ts';
import { problemResponse, serialiseCause } from './problems.ts';
import type { EnvironmentType, FailureClass, FailureMode, UpstreamRecord } from './types.ts';
import { isUpstreamError, type UpstreamError } from './upstream-error.ts';

/**
 * The one place that decides what a failed handler answers. Rows: what went wrong (the
 * UpstreamError's failure class; "other" is any other thrown error). Columns: the runtime the
 * gateway answers as (emulated-runtime.ts), and the explicit `failureMode` override.
 *
 * | failure              | deployed | local, managed-edge (workerd)   | local, managed-dedicated (Deno)         | failureMode edge | failureMode runtime |
 * |----------------------|----------|---------------------------------|-----------------------------------------|------------------|---------------------|
 * | handshake-rejected   | 522      | 500 "Network connection lost."  | 500 "error sending request for url …"   | 522              | 500 Node's message  |
 * | connection-lost      | 522      | 500 "Network connection lost."  | 500 "error sending request for url …"   | 522              | 500 Node's message  |
 * | connect-refused      | 522      | 500 "Network connection lost."  | 500 "… tcp connect error: Connection refused (os error 111)" | 522 | 500 Node's message |
 * | connect-timeout      | 522      | 500 "Network connection lost."  | 500 "… tcp connect error: Connection timed out (os error 110)" | 522 | 500 Node's message |
 * | origin-untrusted     | 522      | 500 "internal error"            | 500 "… invalid peer certificate: …"     | 522              | 500 Node's message  |
 * | upstream-timeout     | 504 "The upstream server did not respond within the configured timeout of N seconds." (every column)                              |
 * | binding-missing      | 500 with the runtime's binding message (every column)                                                                              |
 * | other                | 500 with the error's message (every column)                                                                                        |
 *
 * The deployed edge answers 522 when the connection to the origin fails before any HTTP response
 * (the platform's answer, passed through by the handler); its detail names the cause the gateway
 * can know. Local development never answers 522: the engine's fetch throws and the runtime turns
 * that into a 500 whose detail is the engine's message (measured against zuplo 7.6.4; the Deno
 * texts other than "Connection refused" and "CertificateRequired" are inferred from the engine).
 * A 500 in `local` and `development` also carries `cause`, as working copies do.
 */
export function statusFor(failureClass: FailureClass | undefined, runtime: EmulatedRuntime, failureMode?: FailureMode): 500 | 504 | 522 {
  if (failureClass === 'upstream-timeout') return 504;
  if (failureClass === undefined || failureClass === 'binding-missing') return 500;
  if (failureMode !== undefined) return failureMode === 'edge' ? 522 : 500;
  return runtime === 'deployed' ? 522 : 500;
}

export interface FailureAnswerContext {
  url: string;
  requestId: string;
  buildId: string;
  rayId?: string | null;
  runtime: EmulatedRuntime;
  environmentType: EnvironmentType;
  failureMode?: FailureMode;
  /** The attempt that failed (for the 522 detail's certificate and timing facts). */
  attempt?: UpstreamRecord;
}

/** The title used for 522 (Cloudflare's name for it, which is what users search for). */
export const EDGE_FAILURE_TITLE = 'Connection Timed Out';

/** workerd's fetch errors in local development, measured. */
export const WORKERD_CONNECTION_LOST = 'Network connection lost.';
export const WORKERD_INTERNAL_ERROR = 'internal error';

/** Turns an error thrown by a handler into the response the user sees (see {@link statusFor}). */
export function failureResponse(err: unknown, ctx: FailureAnswerContext): Response {
  const upstream = isUpstreamError(err) ? err : undefined;
  const failureClass = upstream?.failureClass;
  const status = statusFor(failureClass, ctx.runtime, ctx.failureMode);
  const base = { url: ctx.url, requestId: ctx.requestId, buildId: ctx.buildId, rayId: ctx.rayId, status };
  if (status === 504) return problemResponse({ ...base, detail: (err as Error).message });
  if (status === 522) return problemResponse({ ...base, detail: edgeDetail(upstream!, ctx.attempt) });

  const thrown = runtimeError(err, upstream, ctx);
  const withCause = ctx.environmentType === 'local' || ctx.environmentType === 'development';
  return problemResponse({ ...base, detail: thrown.message, ...(withCause ? { overrides: { cause: serialiseCause(thrown) } } : {}) });
}

/** What the emulated runtime's fetch would have thrown for this failure. */
function runtimeError(err: unknown, upstream: UpstreamError | undefined, ctx: FailureAnswerContext): Error {
  const failureClass = upstream?.failureClass;
  const connection = failureClass !== undefined && failureClass !== 'binding-missing' && failureClass !== 'upstream-timeout';
  // The runtime throws a plain Error for a binding it cannot find.
  if (failureClass === 'binding-missing') return withStack(new Error(upstream!.message), err);
  if (!connection || ctx.failureMode === 'runtime') return err instanceof Error ? err : new Error(String(err));
  if (ctx.runtime === 'local-edge') {
    return withStack(new Error(failureClass === 'origin-untrusted' ? WORKERD_INTERNAL_ERROR : WORKERD_CONNECTION_LOST), err);
  }
  return withStack(new TypeError(denoMessage(upstream!, ctx.attempt)), err);
}

function withStack(error: Error, original: unknown): Error {
  if (original instanceof Error) error.cause = original;
  return error;
}

/** Deno's fetch error text: `error sending request for url (URL): client error (...): REASON`. */
export function denoMessage(err: UpstreamError, attempt?: UpstreamRecord): string {
  const url = err.url ?? attempt?.url ?? '';
  const code = err.errorCode ?? '';
  const alert = /ALERT_([A-Z0-9_]+)$/.exec(code)?.[1];
  let reason: string;
  switch (err.failureClass) {
    case 'connect-refused':
      reason = 'client error (Connect): tcp connect error: Connection refused (os error 111)';
      break;
    case 'connect-timeout':
      reason = 'client error (Connect): tcp connect error: Connection timed out (os error 110)';
      break;
    case 'origin-untrusted':
      reason = `client error (Connect): invalid peer certificate: ${RUSTLS_CERT_ERRORS[code] ?? 'UnknownIssuer'}`;
      break;
    case 'connection-lost':
      reason = 'client error (SendRequest): connection closed before message completed';
      break;
    default:
      if (alert !== undefined) reason = `client error (Connect): received fatal alert: ${alertName(alert)}`;
      else if (attempt?.tlsProtocol !== undefined) reason = 'client error (SendRequest): connection closed before message completed';
      else reason = 'client error (Connect): Connection reset by peer (os error 104)';
  }
  return `error sending request for url (${url}): ${reason}`;
}

// rustls names its verification failures; the ones Node's codes map onto.
const RUSTLS_CERT_ERRORS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'Expired',
  CERT_NOT_YET_VALID: 'NotValidYet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'NotValidForName',
  HOSTNAME_MISMATCH: 'NotValidForName',
  CERT_REVOKED: 'Revoked',
  INVALID_PURPOSE: 'InvalidPurpose',
};

// OpenSSL's alert name (CERTIFICATE_REQUIRED) as rustls prints it (CertificateRequired).
function alertName(openssl: string): string {
  if (openssl === 'UNKNOWN_CA') return 'UnknownCA';
  return openssl
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** The 522 detail: the cause as far as the gateway can know it, then the URL and low-level code. */
export function edgeDetail(err: UpstreamError, attempt?: UpstreamRecord): string {
  const url = err.url ?? attempt?.url;
  const host = url !== undefined ? safeHost(url) : 'the origin';
  const facts = [url, err.errorCode].filter(Boolean).join(', ');
  return `${edgeCause(err, attempt, host)}${facts ? ` (${facts})` : ''}`;
}

function edgeCause(err: UpstreamError, attempt: UpstreamRecord | undefined, host: string): string {
  switch (err.failureClass) {
    case 'handshake-rejected': {
      const when = attempt?.tlsProtocol ? `right after the TLS handshake (${attempt.tlsProtocol}), before any HTTP response` : 'during the TLS handshake';
      if (attempt?.presentedCertificate) {
        const issuer = attempt.certificateIssuer ? ` (issuer ${attempt.certificateIssuer})` : '';
        return (
          `The origin closed the TLS connection ${when}, after the gateway sent certificate ${attempt.certificateSubject ?? `'${attempt.mtlsCertificate}'`}${issuer}: ` +
          'it did not accept it. An AWS ALB in mTLS verify mode does this when the certificate does not chain to a CA in its trust store, ' +
          'has expired or is not yet valid, is revoked, or is not a client certificate. Its connection log (tls_verify_status) says which' +
          (attempt.tlsProtocol === 'TLSv1.3' ? TLS13_CAVEAT : '.')
        );
      }
      const why = attempt?.noCertificateReason ?? 'the call named no mTLS certificate';
      return (
        `The origin closed the TLS connection ${when}, and the gateway sent no client certificate: ${why}. ` +
        'An AWS ALB in mTLS verify mode closes the connection when no certificate is presented.'
      );
    }
    case 'connection-lost':
      return (
        'The origin closed the connection while the request was in flight, before any HTTP response. It had accepted the TLS ' +
        "handshake and the client certificate on this connection, so this is not a certificate rejection: check the origin's health, " +
        'whether it was stopped or redeployed, and its idle timeout.'
      );
    case 'origin-untrusted':
      return `The gateway did not accept the origin's TLS server certificate: ${originCheck(err.errorCode, host)}. Check the origin's certificate chain, the CA the gateway trusts, and the host in baseUrl.`;
    case 'connect-refused':
      return `The origin refused the TCP connection to ${host}: nothing accepts connections there. Check the host and port in baseUrl and that the load balancer's HTTPS listener exists.`;
    case 'connect-timeout':
      return `The connection to ${host} did not complete in time (TCP connect or TLS handshake). Check that the origin is reachable from the gateway (security groups, network ACLs) and that the port speaks TLS.`;
    default:
      return err.message;
  }
}

// Under TLS 1.3 the client's side of the handshake ends before the server judges the certificate.
const TLS13_CAVEAT =
  '; under TLS 1.3 an origin that sends no session ticket, accepts the certificate and then closes while the request is in flight ' +
  'looks the same here, and its connection log then says Success.';

function originCheck(code: string | undefined, host: string): string {
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return 'it has expired';
    case 'CERT_NOT_YET_VALID':
      return 'it is not valid yet';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
    case 'HOSTNAME_MISMATCH':
      return `it does not name ${host.replace(/:\d+$/, '')}`;
    case 'CERT_REVOKED':
      return 'it is revoked';
    default:
      return 'it is not issued by a CA the gateway trusts';
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
