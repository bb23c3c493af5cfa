import { describe, expect, it } from 'vitest';
import { classifyOutboundError, errorCode, type OutboundPhase } from '../../harness/gateway/failure-class.ts';

const err = (code: string, message = code) => Object.assign(new Error(message), { code });
const before: OutboundPhase = { tls: true, tcpConnected: true, secureConnected: false, responseBytes: false };
const afterHandshake: OutboundPhase = { ...before, secureConnected: true, tlsProtocol: 'TLSv1.3' };

describe('classifyOutboundError', () => {
  it.each([
    ['ECONNREFUSED', 'connect-refused'],
    ['EHOSTUNREACH', 'connect-refused'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'origin-untrusted'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'origin-untrusted'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'origin-untrusted'],
    ['CERT_HAS_EXPIRED', 'origin-untrusted'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'origin-untrusted'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'origin-untrusted'],
    ['ECONNRESET', 'handshake-rejected'],
    ['EPIPE', 'handshake-rejected'],
    ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'handshake-rejected'],
    ['ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED', 'handshake-rejected'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'handshake-rejected'],
    ['ETIMEDOUT', 'connect-timeout'],
  ])('%s before any response byte -> %s', (code, expected) => {
    const result = classifyOutboundError(err(code), before);
    expect(result?.failureClass).toBe(expected);
    expect(result?.errorCode).toBe(code);
  });

  it('gives the same class for a rejection seen before (TLS 1.2) or after (TLS 1.3) secureConnect', () => {
    const tls12 = classifyOutboundError(err('ECONNRESET', 'Client network socket disconnected before secure TLS connection was established'), before);
    const tls13 = classifyOutboundError(err('ECONNRESET', 'socket hang up'), afterHandshake);
    expect([tls12?.failureClass, tls13?.failureClass]).toEqual(['handshake-rejected', 'handshake-rejected']);
    expect(tls12?.message).toContain('during the TLS handshake');
    expect(tls13?.message).toContain('right after the TLS handshake (TLSv1.3), before any HTTP response');
    const noCert12 = classifyOutboundError(err('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE'), before);
    const noCert13 = classifyOutboundError(err('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'), afterHandshake);
    expect([noCert12?.failureClass, noCert13?.failureClass]).toEqual(['handshake-rejected', 'handshake-rejected']);
  });

  it('a close on a connection that already carried a response is connection-lost, not a certificate rejection', () => {
    const pooled: OutboundPhase = { ...afterHandshake, provenAccepted: true };
    expect(classifyOutboundError(err('ECONNRESET', 'socket hang up'), pooled)?.failureClass).toBe('connection-lost');
    // The same close on a fresh connection is what a TLS 1.3 rejection looks like.
    expect(classifyOutboundError(err('ECONNRESET', 'socket hang up'), afterHandshake)?.failureClass).toBe('handshake-rejected');
  });

  it('our connect timer wins over the error code, and says which step stalled', () => {
    const tcp = classifyOutboundError(err('ECONNRESET'), { ...before, tcpConnected: false, connectTimedOut: true });
    const tls = classifyOutboundError(err('ETIMEDOUT'), { ...before, connectTimedOut: true });
    expect([tcp?.failureClass, tls?.failureClass]).toEqual(['connect-timeout', 'connect-timeout']);
    expect(tcp?.message).toContain('TCP connection');
    expect(tls?.message).toContain('did not complete the TLS handshake');
  });

  it('leaves errors that are not connection failures unclassified', () => {
    expect(classifyOutboundError(err('ECONNRESET'), { ...afterHandshake, responseBytes: true })).toBeUndefined();
    expect(classifyOutboundError(err('HPE_INVALID_STATUS'), { ...afterHandshake, responseBytes: true })).toBeUndefined();
    expect(classifyOutboundError(err('ENOTFOUND'), { ...before, tcpConnected: false })).toBeUndefined();
    expect(classifyOutboundError(new Error('no code'), before)).toBeUndefined();
    // Plain HTTP has no handshake: a reset before the response is an ordinary error there.
    expect(classifyOutboundError(err('ECONNRESET'), { ...before, tls: false })).toBeUndefined();
  });

  it('turns an EPROTO write error into the ERR_SSL_ code of its alert', () => {
    const e = err(
      'EPROTO',
      'write EPROTO 801C:error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 40',
    );
    expect(errorCode(e)).toBe('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE');
    expect(classifyOutboundError(e, before)).toMatchObject({ failureClass: 'handshake-rejected', errorCode: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE' });
    expect(errorCode(err('EPROTO', 'write EPROTO'))).toBe('EPROTO');
  });
});
