import { describe, expect, test } from 'vitest';
import { denoMessage, edgeDetail, failureResponse, statusFor } from '../../harness/gateway/failure-answer.ts';
import { EMULATED_RUNTIMES } from '../../harness/gateway/emulated-runtime.ts';
import { FAILURE_CLASSES, type FailureClass, type UpstreamRecord } from '../../harness/gateway/types.ts';
import { UpstreamError } from '../../harness/gateway/upstream-error.ts';

const base = { url: 'https://gw.example/api/x', requestId: 'rid-1', buildId: 'build-1' };
const failed = (failureClass: FailureClass, errorCode?: string, url = 'https://alb.example/api/x') =>
  new UpstreamError({ failureClass, message: `low-level ${errorCode ?? failureClass}`, errorCode, url });
const record = (over: Partial<UpstreamRecord>): UpstreamRecord => ({
  requestId: 'rid-1',
  method: 'GET',
  url: 'https://alb.example/api/x',
  presentedCertificate: false,
  ...over,
});

describe('the one decision: 522 / 500 / 504 by failure class, emulated runtime and override', () => {
  test('the whole table', () => {
    const table = Object.fromEntries(
      [...FAILURE_CLASSES, undefined].map((c) => [
        c ?? 'other',
        [...EMULATED_RUNTIMES.map((r) => statusFor(c, r)), statusFor(c, 'local-edge', 'edge'), statusFor(c, 'deployed', 'runtime')],
      ]),
    );
    // columns: deployed, local-edge, local-dedicated, override edge (in local), override runtime (deployed)
    expect(table).toEqual({
      'handshake-rejected': [522, 500, 500, 522, 500],
      'connection-lost': [522, 500, 500, 522, 500],
      'origin-untrusted': [522, 500, 500, 522, 500],
      'connect-refused': [522, 500, 500, 522, 500],
      'connect-timeout': [522, 500, 500, 522, 500],
      'upstream-timeout': [504, 504, 504, 504, 504],
      'binding-missing': [500, 500, 500, 500, 500],
      other: [500, 500, 500, 500, 500],
    });
  });
});

describe('what zuplo dev answers (zuplo 7.6.4)', () => {
  const local = { ...base, environmentType: 'local' as const };

  test('managed edge (workerd): refused → 500 "Network connection lost."; untrusted origin → 500 "internal error"', async () => {
    const refused = await failureResponse(failed('connect-refused', 'ECONNREFUSED'), { ...local, runtime: 'local-edge' }).text().then((t) => JSON.parse(t));
    expect(refused).toMatchObject({ status: 500, title: 'Internal Server Error', detail: 'Network connection lost.' });
    expect(refused.cause).toMatchObject({ name: 'Error', message: 'Network connection lost.' });
    const untrusted = await failureResponse(failed('origin-untrusted', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'), { ...local, runtime: 'local-edge' }).text().then((t) => JSON.parse(t));
    expect(untrusted).toMatchObject({ status: 500, detail: 'internal error' });
  });

  test('managed dedicated (Deno): the engine texts', async () => {
    const refused = await failureResponse(failed('connect-refused', 'ECONNREFUSED', 'https://127.0.0.1:9/x'), { ...local, runtime: 'local-dedicated' }).text().then((t) => JSON.parse(t));
    expect(refused.detail).toBe(
      'error sending request for url (https://127.0.0.1:9/x): client error (Connect): tcp connect error: Connection refused (os error 111)',
    );
    expect(refused.cause).toMatchObject({ name: 'TypeError' });
    const noCert = failed('handshake-rejected', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'https://127.0.0.1:9/x');
    expect(denoMessage(noCert)).toBe('error sending request for url (https://127.0.0.1:9/x): client error (Connect): received fatal alert: CertificateRequired');
    expect(denoMessage(failed('handshake-rejected', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'))).toMatch(/received fatal alert: UnknownCA$/);
  });

  test('failureMode runtime keeps Node\'s own message; failureMode edge gives 522 even locally', async () => {
    const runtime = await failureResponse(failed('connect-refused', 'ECONNREFUSED'), { ...local, runtime: 'local-edge', failureMode: 'runtime' }).text().then((t) => JSON.parse(t));
    expect(runtime.detail).toBe('low-level ECONNREFUSED');
    expect(failureResponse(failed('connect-refused'), { ...local, runtime: 'local-edge', failureMode: 'edge' }).status).toBe(522);
  });
});

describe('the deployed 522 names the cause the gateway can know', () => {
  test('no certificate sent, and why', () => {
    const detail = edgeDetail(
      failed('handshake-rejected', 'ECONNRESET'),
      record({ noCertificateReason: 'the route\'s mtlsCertificate is "$env(ALB_MTLS_CERT)" and ALB_MTLS_CERT is not set' }),
    );
    expect(detail).toBe(
      'The origin closed the TLS connection during the TLS handshake, and the gateway sent no client certificate: the route\'s ' +
        'mtlsCertificate is "$env(ALB_MTLS_CERT)" and ALB_MTLS_CERT is not set. An AWS ALB in mTLS verify mode closes the ' +
        'connection when no certificate is presented. (https://alb.example/api/x, ECONNRESET)',
    );
  });

  test('closed after it sent certificate CN=… (issuer …)', () => {
    const detail = edgeDetail(
      failed('handshake-rejected', 'ECONNRESET'),
      record({ presentedCertificate: true, mtlsCertificate: 'alb_cert', certificateSubject: 'CN=gw', certificateIssuer: 'CN=Rogue CA', tlsProtocol: 'TLSv1.3' }),
    );
    expect(detail).toMatch(
      /^The origin closed the TLS connection right after the TLS handshake \(TLSv1\.3\), before any HTTP response, after the gateway sent certificate CN=gw \(issuer CN=Rogue CA\): it did not accept it\./,
    );
  });

  test.each([
    ['CERT_HAS_EXPIRED', 'it has expired'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'it does not name alb.example'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'it is not issued by a CA the gateway trusts'],
  ])('the origin certificate failed: %s → which check', (code, words) => {
    expect(edgeDetail(failed('origin-untrusted', code))).toContain(`The gateway did not accept the origin's TLS server certificate: ${words}.`);
  });

  test('refused, timed out, lost in flight', () => {
    expect(edgeDetail(failed('connect-refused', 'ECONNREFUSED'))).toMatch(/^The origin refused the TCP connection to alb\.example:/);
    expect(edgeDetail(failed('connect-timeout', 'ETIMEDOUT'))).toMatch(/^The connection to alb\.example did not complete in time/);
    expect(edgeDetail(failed('connection-lost', 'ECONNRESET'))).toMatch(/this is not a certificate rejection/);
  });
});
