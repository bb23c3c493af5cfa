import { beforeAll, describe, expect, test } from 'vitest';
import type { TLSSocket } from 'node:tls';
import { createPki } from '../../certs/index.ts';
import type { Pki } from '../../certs/pki/types.ts';
import { startAlb } from '../../harness/alb/index.ts';
import { startGateway } from '../../harness/gateway/index.ts';
import { startTarget } from '../../harness/targets/index.ts';
import { http2Request } from '../../scenarios/http2-client.ts';
import { clientContext } from '../alb/fixture.ts';
import { forward, routesDoc, startHttpsUpstream } from './gateway-helpers.ts';

// The emulated gateway speaks HTTP/1.1 to origins (as a Workers-style runtime fetch does) and offers
// only http/1.1 in ALPN, even to an ALB whose listener prefers h2.

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

const good = () => ({ name: 'alb_cert', cert: pki.clients.good.chainPem, key: pki.clients.good.keyPem, environmentTypes: ['production' as const] });

describe("the gateway's outbound protocol", () => {
  test('offers ALPN http/1.1 only: an origin that prefers h2 selects http/1.1', async () => {
    const selected: Array<string | false | null> = [];
    await using origin = await startHttpsUpstream({ key: pki.server.keyPem, cert: pki.server.chainPem, ALPNProtocols: ['h2', 'http/1.1'] }, (req, res) => {
      selected.push((req.socket as TLSSocket).alpnProtocol);
      res.end('ok');
    });
    const routes = routesDoc([{ path: '/x', handler: forward({ baseUrl: origin.url }) }]);
    await using gw = await startGateway({ routes, environmentType: 'production', originCa: pki.root.certPem });
    expect((await fetch(`${gw.url}/x`)).status).toBe(200);
    expect(selected).toEqual(['http/1.1']);
  });

  test("the ALB logs the gateway's requests as https / HTTP/1.1 and an HTTP/2 client's as h2 / HTTP/2.0", async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({
      certificate: { certPem: pki.server.chainPem, keyPem: pki.server.keyPem },
      mutualAuthentication: { mode: 'verify', trustStore: { caCertificatesBundle: pki.trustStoreBundle } },
      targets: [target.url],
    });
    const routes = routesDoc([{ path: '/x', handler: forward({ baseUrl: alb.url, mtlsCertificate: 'alb_cert' }) }]);
    await using gw = await startGateway({ routes, environmentType: 'production', originCa: pki.root.certPem, certificates: [good()] });
    expect((await fetch(`${gw.url}/x`)).status).toBe(200);
    const viaGateway = await alb.accessLog.waitFor(() => true);
    expect([viaGateway.fields.type, viaGateway.fields.request]).toEqual(['https', `GET https://127.0.0.1:${alb.port}/x HTTP/1.1`]);

    const direct = await http2Request('127.0.0.1', alb.port, { secureContext: clientContext(pki, 'good'), path: '/x' });
    expect(direct.status).toBe(200);
    const viaH2 = await alb.accessLog.waitFor((e) => e !== viaGateway);
    expect([viaH2.fields.type, viaH2.fields.request]).toEqual(['h2', `GET https://localhost:${alb.port}/x HTTP/2.0`]);
    // Same certificate, same verdict and headers at the target either way.
    const [first, second] = target.requests;
    for (const name of ['x-amzn-mtls-clientcert-subject', 'x-amzn-mtls-clientcert-serial-number', 'x-amzn-mtls-clientcert-leaf']) {
      expect(second!.headers[name]).toBe(first!.headers[name]);
    }
  });
});
