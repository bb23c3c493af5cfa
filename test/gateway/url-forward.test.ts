import { connect } from 'node:net';
import { describe, expect, test } from 'vitest';
import { joinForwardUrl } from '../../harness/gateway/handlers/url-forward.ts';
import { startGateway } from '../../harness/gateway/index.ts';
import { forward, rewrite, routesDoc, startUpstream } from './gateway-helpers.ts';

describe('URL join rules', () => {
  test.each([
    ['https://o/', '/api/a', '?x=1', 'https://o/api/a?x=1'],
    ['https://o', '/api/a', '', 'https://o/api/a'],
    ['https://o/base', 'api', '', 'https://o/base/api'],
    ['https://o/base/', 'api', '', 'https://o/base/api'],
  ])('%s + %s%s = %s', (base, path, search, expected) => {
    expect(joinForwardUrl(base, path, search)).toBe(expected);
  });
});

describe('urlForwardHandler', () => {
  test('forwards the full pathname plus the raw query; forwardSearch:false drops the query', async () => {
    await using upstream = await startUpstream();
    await using gw = await startGateway({
      routes: routesDoc([
        { path: '/api/{id}', handler: forward({ baseUrl: `${upstream.url}/` }) },
        { path: '/nosearch/{id}', handler: forward({ baseUrl: upstream.url, forwardSearch: false }) },
      ]),
    });
    await fetch(`${gw.url}/api/v1?a=1&a=2&b=%20`);
    await fetch(`${gw.url}/nosearch/v1?a=1`);
    expect(upstream.seen.map((s) => s.url)).toEqual(['/api/v1?a=1&a=2&b=%20', '/nosearch/v1']);
  });

  test('request headers: zp-rid set, internal headers stripped (compat 2024-01-15+), host from the target', async () => {
    await using upstream = await startUpstream();
    await using gw = await startGateway({ routes: routesDoc([{ path: '/h', handler: forward({ baseUrl: upstream.url }) }]) });
    const res = await fetch(`${gw.url}/h`, {
      headers: {
        'zuplo-request-id': 'rid-from-zuplo-request-id',
        'zp-client-cert': 'x', 'zp-mtls-status': 'x', 'zp-custom': 'x', 'cf-ray': 'ray-1', 'cf-ipcountry': 'DE',
        'zp-body-removed': 'kept', 'x-real-ip': '1.2.3.4', 'x-custom': 'kept',
      },
    });
    expect(res.headers.get('zp-rid')).toBe('rid-from-zuplo-request-id');
    const h = upstream.seen[0]!.headers;
    expect(h['zp-rid']).toBe('rid-from-zuplo-request-id');
    expect(h['host']).toBe(new URL(upstream.url).host);
    expect(h['cf-ray']).toBe('ray-1');
    expect(h['zp-body-removed']).toBe('kept');
    expect(h['x-custom']).toBe('kept');
    for (const gone of ['zp-client-cert', 'zp-mtls-status', 'zp-custom', 'cf-ipcountry', 'x-real-ip']) expect(h[gone]).toBeUndefined();
  });

  test('legacy compat keeps zp-*/cf-* headers except the always-stripped and geo ones', async () => {
    await using upstream = await startUpstream();
    await using gw = await startGateway({ routes: routesDoc([{ path: '/h', handler: forward({ baseUrl: upstream.url }) }]), compatibilityDate: '2023-03-14' });
    await fetch(`${gw.url}/h`, { headers: { 'zp-custom': 'x', 'zp-mtls-status': 'x', 'cf-ipcountry': 'DE', 'x-real-ip': '1.2.3.4', 'zp-rid': 'given' } });
    const h = upstream.seen[0]!.headers;
    expect([h['zp-custom'], h['x-real-ip'], h['zp-rid']]).toEqual(['x', '1.2.3.4', 'given']);
    expect([h['zp-mtls-status'], h['cf-ipcountry']]).toEqual([undefined, undefined]);
  });

  test('a GET with a body is forwarded without it and with zp-body-removed: true; POST bodies stream through', async () => {
    await using upstream = await startUpstream();
    await using gw = await startGateway({ routes: routesDoc([{ path: '/b', method: 'get,post', handler: forward({ baseUrl: upstream.url }) }]) });
    // fetch refuses a GET body, so send it raw.
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(gw.port, '127.0.0.1', () => {
        socket.write('GET /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello');
      });
      let data = '';
      socket.on('data', (c) => (data += c));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(upstream.seen[0]!.body).toBe('');
    expect(upstream.seen[0]!.headers['zp-body-removed']).toBe('true');
    expect(upstream.seen[0]!.headers['content-length']).toBeUndefined();

    await fetch(`${gw.url}/b`, { method: 'POST', body: 'payload', headers: { 'content-type': 'text/plain' } });
    expect(upstream.seen[1]!).toMatchObject({ method: 'POST', body: 'payload' });
    expect(upstream.seen[1]!.headers['zp-body-removed']).toBeUndefined();
  });

  test('x-forwarded-proto rewrites the scheme seen by ${url} templates', async () => {
    await using upstream = await startUpstream();
    await using gw = await startGateway({ routes: routesDoc([{ path: '/s', handler: rewrite({ rewritePattern: `${upstream.url}/seen?u=\${e(url)}` }) }]) });
    await fetch(`${gw.url}/s`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(new URL(upstream.seen[0]!.url, 'http://x').searchParams.get('u')).toBe(`https://127.0.0.1:${gw.port}/s`);
  });

  test.each([
    [200, 'ok body'],
    [302, ''],
    [403, '<html>403 Forbidden</html>'],
    [500, 'upstream exploded'],
    [502, '<html>502 Bad Gateway</html>'],
  ])('upstream %i passes through unchanged: status, reason, headers, body', async (status, body) => {
    await using upstream = await startUpstream((_req, res) => {
      res.writeHead(status, `Reason ${status}`, [
        'content-type', 'text/x-custom', 'set-cookie', 'a=1', 'set-cookie', 'b=2', 'location', '/elsewhere', 'x-up', 'yes',
      ]);
      res.end(body);
    });
    await using gw = await startGateway({ routes: routesDoc([{ path: '/p', handler: forward({ baseUrl: upstream.url }) }]) });
    const res = await fetch(`${gw.url}/p`, { redirect: 'manual' });
    expect(res.status).toBe(status);
    expect(res.statusText).toBe(`Reason ${status}`);
    expect(res.headers.get('content-type')).toBe('text/x-custom');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(res.headers.get('location')).toBe('/elsewhere');
    expect(res.headers.get('x-up')).toBe('yes');
    expect(res.headers.get('zp-rid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.text()).toBe(body);
  });

  test("an upstream's own zp-rid is kept on the response", async () => {
    await using upstream = await startUpstream((_req, res) => res.writeHead(204, { 'zp-rid': 'upstream-rid' }).end());
    await using gw = await startGateway({ routes: routesDoc([{ path: '/p', handler: forward({ baseUrl: upstream.url }) }]) });
    expect((await fetch(`${gw.url}/p`, { headers: { 'zp-rid': 'mine' } })).headers.get('zp-rid')).toBe('upstream-rid');
  });
});

describe('redirects', () => {
  const redirecting = () =>
    startUpstream((req, res) => {
      if (req.url === '/r') res.writeHead(302, { location: '/final' }).end();
      else res.writeHead(200).end(`at ${req.url}`);
    });

  test.each([
    ['2025-02-06', undefined, 302],
    ['2025-02-06', true, 200],
    ['2025-02-06', 'true', 302], // only the boolean true follows
    ['2024-09-02', false, 200], // before the compat flag the option is ignored and fetch follows
    ['2025-02-05', undefined, 200], // the day before the flag
  ])('forward, compat %s, followRedirects %s → %i', async (date, followRedirects, status) => {
    await using upstream = await redirecting();
    await using gw = await startGateway({
      routes: routesDoc([{ path: '/r', handler: forward({ baseUrl: upstream.url, ...(followRedirects !== undefined ? { followRedirects } : {}) }) }]),
      compatibilityDate: date,
    });
    const res = await fetch(`${gw.url}/r`, { redirect: 'manual' });
    expect(res.status).toBe(status);
    if (status === 302) expect(res.headers.get('location')).toBe('/final');
    else expect(await res.text()).toBe('at /final');
  });

  test.each([
    ['2025-02-06', undefined, 302],
    ['2025-02-06', 'yes', 200], // rewrite: truthy follows
    ['2024-09-02', undefined, 302], // no compat gate: manual on legacy dates too
  ])('rewrite, compat %s, followRedirects %s → %i', async (date, followRedirects, status) => {
    await using upstream = await redirecting();
    await using gw = await startGateway({
      routes: routesDoc([{ path: '/x', handler: rewrite({ rewritePattern: `${upstream.url}/r`, ...(followRedirects ? { followRedirects } : {}) }) }]),
      compatibilityDate: date,
    });
    const res = await fetch(`${gw.url}/x`, { redirect: 'manual' });
    expect(res.status).toBe(status);
    if (status === 302) expect(res.headers.get('location')).toBe('/final');
  });
});

describe('urlRewriteHandler', () => {
  test('params/e()/env in the pattern; incoming query pairs appended, duplicates kept', async () => {
    await using upstream = await startUpstream();
    await using gw = await startGateway({
      routes: routesDoc([{ path: '/users/{id}', handler: rewrite({ rewritePattern: '${env.BACKEND}/v2/people/${e(params.id)}?src=gw' }) }]),
      environment: { BACKEND: upstream.url },
    });
    await fetch(`${gw.url}/users/a%20b?x=1&x=2`);
    expect(upstream.seen[0]!.url).toBe('/v2/people/a%2520b?src=gw&x=1&x=2');
  });
});

describe('requestTimeoutSeconds', () => {
  test('elapsed: 504 problem with the exact detail', async () => {
    await using upstream = await startUpstream(() => {
      /* never answers; close() destroys the socket */
    });
    await using gw = await startGateway({ routes: routesDoc([{ path: '/slow', handler: forward({ baseUrl: upstream.url, requestTimeoutSeconds: 0.2 }) }]) });
    const res = await fetch(`${gw.url}/slow`);
    expect(res.status).toBe(504);
    const body = JSON.parse(await res.text());
    expect(body).toMatchObject({ title: 'Gateway Timeout', status: 504, detail: 'The upstream server did not respond within the configured timeout of 0.2 seconds.' });
    expect(gw.upstream.at(-1)).toMatchObject({ failureClass: 'upstream-timeout' });
  });

  test.each([['30', '30'], ['1', '1'], [0, '0'], [-1, '-1']])('%j is refused per request with a 500 and the exact message', async (value, shown) => {
    await using upstream = await startUpstream();
    await using gw = await startGateway({ routes: routesDoc([{ path: '/t', handler: forward({ baseUrl: upstream.url, requestTimeoutSeconds: value }) }]) });
    const res = await fetch(`${gw.url}/t`);
    expect(res.status).toBe(500);
    expect(JSON.parse(await res.text()).detail).toBe(
      `The 'requestTimeoutSeconds' handler option must be a positive number of seconds. Received: ${shown}. Remove the option to disable the request timeout.`,
    );
    expect(upstream.seen).toHaveLength(0);
  });
});

describe('connection failures', () => {
  test('edge mode: a refused connection is 522 problem+json naming the cause (the issue asks for problem+json; the real edge page is not); runtime mode: 500 with the message', async () => {
    const closed = await startUpstream();
    const deadUrl = closed.url;
    await closed.close();
    const routes = routesDoc([{ path: '/x', handler: forward({ baseUrl: deadUrl }) }]);
    await using edge = await startGateway({ routes });
    const res = await fetch(`${edge.url}/x`, { headers: { 'zp-rid': 'rid-522' } });
    expect(res.status).toBe(522);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('zp-rid')).toBe('rid-522');
    const body = JSON.parse(await res.text());
    expect(body.title).toBe('Connection Timed Out');
    expect(body.trace.requestId).toBe('rid-522');
    expect(body.detail).toBe(
      `The origin refused the TCP connection to ${new URL(deadUrl).host}: nothing accepts connections there. Check the host and port in ` +
        `baseUrl and that the load balancer's HTTPS listener exists. (${deadUrl}/x, ECONNREFUSED)`,
    );
    expect(edge.upstream).toMatchObject([{ failureClass: 'connect-refused', errorCode: 'ECONNREFUSED' }]);

    await using runtime = await startGateway({ routes, failureMode: 'runtime', environmentType: 'production' });
    const r2 = await fetch(`${runtime.url}/x`);
    expect(r2.status).toBe(500);
    expect(r2.headers.get('content-type')).toBe('application/problem+json');
    const b2 = JSON.parse(await r2.text());
    expect(b2.detail).toMatch(/^The origin refused the TCP connection \(ECONNREFUSED\)/);
    expect(b2.cause).toBeUndefined(); // production: no cause
  });

  test('zuplo dev (local, managed edge): the same refused connection is 500 "Network connection lost."; deployed types answer 522', async () => {
    const closed = await startUpstream();
    const deadUrl = closed.url;
    await closed.close();
    const routes = routesDoc([{ path: '/x', handler: forward({ baseUrl: deadUrl }) }]);
    await using local = await startGateway({ routes, environmentType: 'local' });
    const res = await fetch(`${local.url}/x`);
    const body = JSON.parse(await res.text());
    expect([res.status, body.title, body.detail]).toEqual([500, 'Internal Server Error', 'Network connection lost.']);
    expect(body.cause).toMatchObject({ name: 'Error', message: 'Network connection lost.' });
    // The runtime's own answers carry Content-Length and no Date, and are not chunked.
    expect([res.headers.get('content-length'), res.headers.get('date'), res.headers.get('transfer-encoding')]).toEqual([
      String(Buffer.byteLength(JSON.stringify(body, null, 2))),
      null,
      null,
    ]);
    for (const environmentType of ['development', 'preview', 'production'] as const) {
      await using deployed = await startGateway({ routes, environmentType });
      const r = await fetch(`${deployed.url}/x`);
      expect([r.status, r.statusText]).toEqual([522, 'Connection Timed Out']);
      await r.body?.cancel();
    }
  });

  test('zuplo dev (local, managed dedicated): the Deno text', async () => {
    const closed = await startUpstream();
    const deadUrl = closed.url;
    await closed.close();
    await using local = await startGateway({
      routes: routesDoc([{ path: '/x', handler: forward({ baseUrl: deadUrl }) }]),
      environmentType: 'local',
      projectType: 'managed-dedicated',
    });
    const body = JSON.parse(await (await fetch(`${local.url}/x`)).text());
    expect(body.detail).toBe(`error sending request for url (${deadUrl}/x): client error (Connect): tcp connect error: Connection refused (os error 111)`);
  });

  test('the runtime prints "URL Forwarding to \'…\'" and one line per upstream attempt', async () => {
    await using upstream = await startUpstream();
    const lines: string[] = [];
    await using gw = await startGateway({ routes: routesDoc([{ path: '/api/{id}', handler: forward({ baseUrl: upstream.url }) }]), onLog: (l) => lines.push(l) });
    await (await fetch(`${gw.url}/api/7`)).text();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`URL Forwarding to '${upstream.url}/api/7'`);
    expect(lines[1]).toMatch(new RegExp(`^\\[GET /api/\\{id\\}\\] ${upstream.url}/api/7 cert=none tls=- failure=- status=200 \\d+ms$`));
  });
});
