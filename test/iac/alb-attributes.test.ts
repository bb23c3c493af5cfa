import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../certs/pki/types.ts';
import { startAlb } from '../../harness/alb/index.ts';
import { KNOWN_ATTRIBUTES } from '../../harness/alb/options.ts';
import type { AlbOptions } from '../../harness/alb/types.ts';
import { startTarget, type EchoBody } from '../../harness/targets/index.ts';
import { albRequest } from '../alb/echo-target.ts';
import { buildPki, clientContext, serverCertificate, verifyMode } from '../alb/fixture.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await buildPki();
});

const echo = (body: string) => JSON.parse(body) as EchoBody;
const FORGED = { X_Amzn_Mtls_Clientcert_Subject: 'CN=admin', 'X-Custom.Dot': 'x', 'X-Plain-1': 'kept' };

describe('routing.http.drop_invalid_header_fields.enabled', () => {
  it('default false: a header named with underscores reaches the target, as the real ALB forwards it', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), mutualAuthentication: verifyMode(pki), targets: [target.url] });
    const e = echo((await albRequest(alb.port, { secureContext: clientContext(pki, 'good'), headers: FORGED })).body);
    expect(e.headers['x_amzn_mtls_clientcert_subject']).toBe('CN=admin');
    expect(e.headers['x-custom.dot']).toBe('x');
    expect(e.headers['x-amzn-mtls-clientcert-subject']).toBe(pki.clients.good.facts.subject);
  });

  it('true: names outside [-A-Za-z0-9]+ are dropped; valid names and the ALB headers stay', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({
      certificate: serverCertificate(pki),
      mutualAuthentication: verifyMode(pki),
      attributes: { 'routing.http.drop_invalid_header_fields.enabled': 'true' },
      targets: [target.url],
    });
    const e = echo((await albRequest(alb.port, { secureContext: clientContext(pki, 'good'), headers: FORGED })).body);
    expect(e.headers['x_amzn_mtls_clientcert_subject']).toBeUndefined();
    expect(e.headers['x-custom.dot']).toBeUndefined();
    expect(e.headers['x-plain-1']).toBe('kept');
    expect(e.headers['x-amzn-mtls-clientcert-subject']).toBe(pki.clients.good.facts.subject);
  });
});

describe("startAlb applies the ELB API's validation", () => {
  const failure = async (options: Omit<AlbOptions, 'certificate'>) =>
    startAlb({ certificate: serverCertificate(pki), ...options }).then(
      async (alb) => {
        await alb.close();
        return 'started';
      },
      (e: { code: string; message: string }) => `${e.code} ${e.message}`,
    );

  it.each([
    [
      'passthrough with ignoreClientCertificateExpiry',
      { mutualAuthentication: { mode: 'passthrough', ignoreClientCertificateExpiry: false } },
      'HARNESS_ERR_ALB_CONFIG startAlb: mutualAuthentication: Mutual Authentication mode passthrough does not support ignoring certificate expiry (remove IgnoreClientCertificateExpiry)',
    ],
    [
      'off with a trust store',
      { mutualAuthentication: { mode: 'off', trustStore: { caCertificatesBundle: 'x' } } },
      'HARNESS_ERR_ALB_CONFIG startAlb: mutualAuthentication: Invalid Attribute Combination: mode off takes no other mutual-authentication field (remove TrustStoreArn)',
    ],
    [
      'passthrough with a trust store',
      { mutualAuthentication: { mode: 'passthrough', trustStore: { caCertificatesBundle: 'x' } } },
      'HARNESS_ERR_ALB_CONFIG startAlb: mutualAuthentication: Mutual Authentication mode passthrough does not support a trust store (remove TrustStoreArn, or use mode verify)',
    ],
    [
      'an attribute key ALB does not have',
      { attributes: { 'routing.http.drop_invalid_headers.enabled': 'true' } },
      `HARNESS_ERR_ALB_CONFIG startAlb: attributes has unknown key 'routing.http.drop_invalid_headers.enabled' (AWS: Attribute key 'routing.http.drop_invalid_headers.enabled' is not recognized: it is neither an ALB listener attribute nor an ALB load-balancer attribute); the emulator understands ${KNOWN_ATTRIBUTES.join(', ')}`,
    ],
    [
      'an idle timeout out of range',
      { attributes: { 'idle_timeout.timeout_seconds': '4001' } },
      "HARNESS_ERR_ALB_CONFIG startAlb: attributes['idle_timeout.timeout_seconds'] is '4001'; use a whole number of seconds from 1 to 4000 (default 60)",
    ],
    [
      'routing.http2.enabled not a boolean',
      { attributes: { 'routing.http2.enabled': 'yes' } },
      "HARNESS_ERR_ALB_CONFIG startAlb: attributes['routing.http2.enabled'] is 'yes'; use 'true' or 'false'",
    ],
  ] as [string, Omit<AlbOptions, 'certificate'>, string][])('%s', async (_name, options, expected) => {
    expect(await failure(options)).toBe(expected);
  });

  it('an unknown policy is SSLPolicyNotFound; a real AWS policy the emulator lacks names the nearest one', async () => {
    expect(await failure({ sslPolicy: 'ELBSecurityPolicy-Nope' as never })).toMatch(
      /^HARNESS_ERR_ALB_CONFIG startAlb: sslPolicy 'ELBSecurityPolicy-Nope': SSLPolicyNotFound: The specified SSL policy does not exist/,
    );
    expect(await failure({ sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09' as never })).toContain(
      "exists in AWS but is not emulated; the nearest emulated policy is 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06'",
    );
  });

  it('AWS attributes the emulator does not act on are accepted (routing.http2.enabled, deletion_protection.enabled)', async () => {
    expect(await failure({ attributes: { 'routing.http2.enabled': 'false', 'deletion_protection.enabled': 'true', 'idle_timeout.timeout_seconds': '120' } })).toBe('started');
  });
});
