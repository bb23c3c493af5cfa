import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../certs/pki/types.ts';
import { startAlb, urlEncodePem } from '../../harness/alb/index.ts';
import { albRequest } from './echo-target.ts';
import { buildPki, clientContext, serverCertificate, verifyMode } from './fixture.ts';
import { startTarget, type EchoBody } from '../../harness/targets/index.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await buildPki();
});

const echo = (body: string) => JSON.parse(body) as EchoBody;
// Independent of the implementation: PEM holds only base64, '-', ' ' and LF, so ALB's encoding with
// literal +=/ is exactly "space -> %20, LF -> %0A".
const albLiteral = (pem: string) => pem.replaceAll(' ', '%20').replaceAll('\n', '%0A');

describe('URL-encoded PEM', () => {
  it('keeps + = / literal by default and percent-encodes = in the doc-example variant', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nab+c/d==\n-----END CERTIFICATE-----\n';
    expect(urlEncodePem(pem)).toBe('-----BEGIN%20CERTIFICATE-----%0Aab+c/d==%0A-----END%20CERTIFICATE-----%0A');
    expect(urlEncodePem(pem, 'doc-example')).toBe('-----BEGIN%20CERTIFICATE-----%0Aab+c/d%3D%3D%0A-----END%20CERTIFICATE-----%0A');
  });
});

describe('verify-mode headers', () => {
  it('escaped subject and a base64 holding + / =: RFC 2253 escaping and literal +=/ in the Leaf header', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), mutualAuthentication: verifyMode(pki), targets: [target.url] });
    const client = pki.clients['escaped-subject'];
    const e = echo((await albRequest(alb.port, { secureContext: clientContext(pki, 'escaped-subject') })).body);
    expect(e.headers['x-amzn-mtls-clientcert-subject']).toBe(client.facts.subject);
    expect(client.facts.subject).toMatch(/\\[,+"\\<>;]/); // the variant really needs escaping
    const leaf = e.headers['x-amzn-mtls-clientcert-leaf'] as string;
    expect(leaf).toBe(albLiteral(client.certPem));
    expect(leaf).toMatch(/^-----BEGIN%20CERTIFICATE-----%0A/);
    expect(leaf).toMatch(/%0A-----END%20CERTIFICATE-----%0A$/);
    expect(leaf).not.toMatch(/%2B|%2F|%3D/);
  });

  it('a serial whose first byte has the high bit set is uppercase hex in whole bytes, no 00 sign byte', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), mutualAuthentication: verifyMode(pki), targets: [target.url] });
    const e = echo((await albRequest(alb.port, { secureContext: clientContext(pki, 'high-bit-serial') })).body);
    const serial = e.headers['x-amzn-mtls-clientcert-serial-number'] as string;
    expect(serial).toBe(pki.clients['high-bit-serial'].facts.serialNumber);
    expect(serial).toMatch(/^[89A-F][0-9A-F]([0-9A-F]{2})*$/);
  });

  it("headerEncoding 'doc-example' percent-encodes = in the Leaf header", async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({
      certificate: serverCertificate(pki),
      mutualAuthentication: verifyMode(pki),
      headerEncoding: 'doc-example',
      targets: [target.url],
    });
    const e = echo((await albRequest(alb.port, { secureContext: clientContext(pki, 'escaped-subject') })).body);
    expect(e.headers['x-amzn-mtls-clientcert-leaf']).toBe(albLiteral(pki.clients['escaped-subject'].certPem).replaceAll('=', '%3D'));
  });
});

describe('renaming attributes', () => {
  const renamed = {
    'routing.http.request.x_amzn_mtls_clientcert_serial_number.header_name': 'X-Client-Serial',
    'routing.http.request.x_amzn_mtls_clientcert_issuer.header_name': 'X-Client-Issuer',
    'routing.http.request.x_amzn_mtls_clientcert_subject.header_name': 'X-Client-Subject',
    'routing.http.request.x_amzn_mtls_clientcert_validity.header_name': 'X-Client-Validity',
    'routing.http.request.x_amzn_mtls_clientcert_leaf.header_name': 'X-Client-Leaf',
    'routing.http.request.x_amzn_mtls_clientcert.header_name': 'X-Client-Chain',
  };

  it('verify mode: the five headers arrive under the new names, values unchanged', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({
      certificate: serverCertificate(pki),
      mutualAuthentication: verifyMode(pki),
      attributes: renamed,
      targets: [target.url],
    });
    const e = echo((await albRequest(alb.port, { secureContext: clientContext(pki, 'good') })).body);
    expect(e.rawHeaderNames).toEqual(
      expect.arrayContaining(['X-Client-Serial', 'X-Client-Issuer', 'X-Client-Subject', 'X-Client-Validity', 'X-Client-Leaf']),
    );
    expect(e.rawHeaderNames.filter((n) => /mtls|chain/i.test(n))).toEqual([]);
    expect(e.headers['x-client-serial']).toBe(pki.clients.good.facts.serialNumber);
    expect(e.headers['x-client-leaf']).toBe(albLiteral(pki.clients.good.certPem));
  });

  it('passthrough: the chain header arrives under its new name; a client-sent header of that name is stripped', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({
      certificate: serverCertificate(pki),
      mutualAuthentication: { mode: 'passthrough' },
      attributes: renamed,
      targets: [target.url],
    });
    const e = echo((await albRequest(alb.port, { secureContext: clientContext(pki, 'good') })).body);
    expect(e.rawHeaderNames).toContain('X-Client-Chain');
    expect(e.headers['x-client-chain']).toBe(albLiteral(pki.clients.good.chainPem));
    const forged = echo((await albRequest(alb.port, { secureContext: clientContext(pki), headers: { 'X-Client-Chain': 'forged' } })).body);
    expect(forged.headers['x-client-chain']).toBeUndefined();
  });

  it('routing.http.x_amzn_tls_version_and_cipher_suite.enabled adds the TLS version and cipher headers', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({
      certificate: serverCertificate(pki),
      attributes: { 'routing.http.x_amzn_tls_version_and_cipher_suite.enabled': 'true' },
      targets: [target.url],
    });
    const e = echo((await albRequest(alb.port, { secureContext: clientContext(pki, undefined, 'TLSv1.2') })).body);
    expect(e.headers['x-amzn-tls-version']).toBe('TLSv1.2');
    expect(e.headers['x-amzn-tls-cipher-suite']).toBe('ECDHE-ECDSA-AES128-GCM-SHA256');
  });
});
