import { describe, expect, test } from 'vitest';
import { compileTemplate, resolveEnvString } from '../../harness/gateway/env-selectors.ts';
import { startGateway } from '../../harness/gateway/index.ts';
import { forward, rewrite, routesDoc, startUpstream, startupError } from './gateway-helpers.ts';

describe('$env() resolution (unit)', () => {
  const env = { SET: 'value', EMPTY: '' };
  test.each([
    ['$env(SET)', 'value'],
    ['$env(UNSET)', undefined], // whole value: undefined, not "" and not "undefined"
    ['$env(EMPTY)', ''],
    ['a-$env(SET)-b', 'a-value-b'],
    ['a-$env(UNSET)-b', 'a--b'], // embedded: unset inserts ""
    ['$env(SET)$env(SET)', 'valuevalue'], // two selectors are "embedded", not one whole value
    ['no selector', 'no selector'],
  ])('%s → %j', (text, expected) => {
    expect(resolveEnvString(text, env)).toBe(expected);
  });

  test('templates escape literal backticks and backslashes; a syntax error is a start-up error naming the field', () => {
    const t = compileTemplate('a`b\\c${1 + 1}', 'handler.options.baseUrl', 'f.json');
    expect(t({} as never)).toBe('a`b\\c2');
    expect(() => compileTemplate('${env.}', 'p.baseUrl', 'f.json')).toThrow(/^f\.json: p\.baseUrl: the template "\$\{env\.\}" is not valid JavaScript/);
    expect(() => compileTemplate('${env.X', 'p.baseUrl', 'f.json')).toThrow('has a "${" without its closing "}"');
  });
});

describe('$env() and ${...} in a running gateway', () => {
  test('whole-value $env() is not coerced: "5" for requestTimeoutSeconds is refused with the value shown', async () => {
    await using up = await startUpstream();
    await using gw = await startGateway({
      routes: routesDoc([{ path: '/t', handler: forward({ baseUrl: up.url, requestTimeoutSeconds: '$env(TIMEOUT)' }) }]),
      environment: { TIMEOUT: '5' },
    });
    expect(JSON.parse(await (await fetch(`${gw.url}/t`)).text()).detail).toContain('Received: 5.');
  });

  test('nested options resolve too; an unset whole value leaves the option undefined (forwardSearch defaults on)', async () => {
    await using up = await startUpstream();
    let seenOptions: unknown;
    await using gw = await startGateway({
      routes: routesDoc([
        { path: '/f', handler: forward({ baseUrl: up.url, forwardSearch: '$env(UNSET)' }) },
        { path: '/o', handler: { export: 'default', module: '$import(./m)', options: { deep: [{ v: 'x-$env(A)-$env(UNSET)' }], whole: '$env(UNSET)' } } },
      ]),
      modules: { './m': { default: (_r: unknown, c: { route: { handler: { options: unknown } } }) => ((seenOptions = c.route.handler.options), new Response('ok')) } },
      environment: { A: 'a' },
    });
    await fetch(`${gw.url}/f?q=1`);
    expect(up.seen[0]!.url).toBe('/f?q=1');
    await fetch(`${gw.url}/o`);
    expect(seenOptions).toEqual({ deep: [{ v: 'x-a-' }], whole: undefined });
    expect(Object.hasOwn(seenOptions as object, 'whole')).toBe(true);
  });

  test('${env.X}, ${headers.get()}, ${e(params.x)} and ${query.y} are evaluated per request', async () => {
    await using up = await startUpstream();
    await using gw = await startGateway({
      routes: routesDoc([{ path: '/r/{x}', handler: rewrite({ rewritePattern: '${env.BASE}/${headers.get("x-tenant")}/${e(params.x)}/${query.y}/${method}', forwardSearch: false }) }]),
      environment: { BASE: up.url },
    });
    await fetch(`${gw.url}/r/a%2Fb?y=2`, { headers: { 'x-tenant': 't1' } });
    expect(up.seen[0]!.url).toBe('/t1/a%252Fb/2/GET');
  });

  test('an unset ${env.X} inside the URL inserts the text "undefined"', async () => {
    await using up = await startUpstream();
    await using gw = await startGateway({
      routes: routesDoc([{ path: '/u', handler: rewrite({ rewritePattern: '${env.BASE}/v/${env.UNSET}' }) }]),
      environment: { BASE: up.url },
    });
    expect((await fetch(`${gw.url}/u`)).status).toBe(200);
    expect(up.seen[0]!.url).toBe('/v/undefined');
  });

  test('an unset ${env.X} inserts "undefined": an invalid URL, so 500', async () => {
    await using gw = await startGateway({ routes: routesDoc([{ path: '/u', handler: forward({ baseUrl: '${env.UNSET}' }) }]) });
    const res = await fetch(`${gw.url}/u`);
    expect(res.status).toBe(500);
    // The runtime names the URL it could not parse.
    expect(JSON.parse(await res.text()).detail).toBe("Invalid URL: 'undefined/u'");
  });

  test('$env() in baseUrl: a start-up warning, the text stays literal, and the request is a 500', async () => {
    await using gw = await startGateway({
      routes: routesDoc([{ path: '/api/{path}*', handler: forward({ baseUrl: '$env(BACKEND_URL)' }) }]),
      environment: { BACKEND_URL: 'http://127.0.0.1:9' },
    });
    expect(gw.warnings).toEqual([
      'routes (in memory): paths./api/{path}*.get.x-zuplo-route.handler.options.baseUrl: Invalid environment variable access ' +
        'syntax detected. Use ${env.VAR_NAME} instead of $env(VAR_NAME) for handler.options.baseUrl.',
    ]);
    const res = await fetch(`${gw.url}/api/x*`);
    expect(res.status).toBe(500);
    expect(JSON.parse(await res.text()).detail).toBe("Invalid URL: '$env(BACKEND_URL)/api/x*'");
  });

  test('${protocol} (a documented but undefined name) throws per request: 500 "protocol is not defined"', async () => {
    await using gw = await startGateway({ routes: routesDoc([{ path: '/p', handler: forward({ baseUrl: '${protocol}//example.com' }) }]) });
    expect(JSON.parse(await (await fetch(`${gw.url}/p`)).text()).detail).toBe('protocol is not defined');
  });

  test('${env.X} outside baseUrl/rewritePattern stays literal: mtlsCertificate "${env.C}" is not found', async () => {
    await using up = await startUpstream();
    await using gw = await startGateway({
      routes: routesDoc([{ path: '/c', handler: forward({ baseUrl: up.url, mtlsCertificate: '${env.C}' }) }]),
      environment: { C: 'cert' },
    });
    expect(JSON.parse(await (await fetch(`${gw.url}/c`)).text()).detail).toBe(
      "mTLS certificate binding '${env.C}' not found. Ensure the certificate is uploaded and properly configured.",
    );
  });

  test('mtlsCertificate naming an environment variable (not $env() of it) is "not a valid mTLS certificate binding"', async () => {
    const invalid =
      "mTLS certificate binding 'ALB_MTLS_CERT' is not a valid mTLS certificate binding. Make sure it's configured as an " +
      'mTLS certificate, not an environment variable.';
    await using up = await startUpstream();
    await using gw = await startGateway({
      routes: routesDoc([
        { path: '/route', handler: forward({ baseUrl: up.url, mtlsCertificate: 'ALB_MTLS_CERT' }) },
        { path: '/fn', handler: { export: 'default', module: '$import(./modules/fn)' } },
      ]),
      modules: {
        './modules/fn': { default: () => fetch(`${up.url}/api`, { zuplo: { mtlsCertificate: 'ALB_MTLS_CERT' } } as RequestInit) },
      },
      environment: { ALB_MTLS_CERT: 'aws_alb_cert' },
    });
    for (const path of ['/route', '/fn']) {
      const res = await fetch(`${gw.url}${path}`);
      expect(res.status).toBe(500);
      expect(JSON.parse(await res.text()).detail).toBe(invalid);
    }
    expect(up.seen).toHaveLength(0);
    expect(gw.upstream.map((r) => [r.failureClass, r.errorCode])).toEqual([
      ['binding-missing', 'BINDING_INVALID'],
      ['binding-missing', 'BINDING_INVALID'],
    ]);
  });

  test('reserved ZUPLO* names are warned about', async () => {
    await using gw = await startGateway({ routes: routesDoc([]), environment: { ZUPLO_X: '1', __ZUPLO_Y: '2', OK: '3' } });
    expect(gw.warnings).toHaveLength(2);
    expect(gw.warnings[0]).toContain('ZUPLO_X: names starting with ZUPLO or __ZUPLO are reserved');
  });
});

describe('selectors in disallowed places are start-up errors', () => {
  test.each([
    ['corsPolicy', { corsPolicy: '$env(CORS)', handler: forward({ baseUrl: 'http://o' }) }, 'paths./x.get.x-zuplo-route.corsPolicy'],
    ['handler.export', { handler: { export: '$env(EXPORT)', module: '$import(@zuplo/runtime)', options: { baseUrl: 'http://o' } } }, 'paths./x.get.x-zuplo-route.handler.export'],
    ['policies', { handler: forward({ baseUrl: 'http://o' }), policies: { inbound: ['$env(P)'] } }, 'paths./x.get.x-zuplo-route.policies.inbound.0'],
  ])('$env() in %s', async (_name, route, pointer) => {
    const routes = { openapi: '3.1.0', paths: { '/x': { get: { 'x-zuplo-route': route } } } };
    const err = await startupError({ routes });
    expect(err.code).toBe('HARNESS_ERR_GATEWAY_CONFIG');
    expect(err.message).toMatch(new RegExp(`^routes \\(in memory\\): An \\$env\\(\\) statement is not expected at this location\\. \\(${pointer.replace(/[./{}$]/g, '\\$&')} = `));
  });

  test.each([
    ['a routed operation', { summary: 'uses $env(X)', 'x-zuplo-route': { handler: forward({ baseUrl: 'http://o' }) } }],
    ['an operation without x-zuplo-route', { description: 'uses $env(X)' }],
  ])('$env() elsewhere in %s', async (_name, operation) => {
    const routes = { openapi: '3.1.0', paths: { '/x': { get: operation } } };
    await expect(startGateway({ routes })).rejects.toThrow(
      `routes (in memory): An $env() statement is not expected at this location. (paths./x.get.${Object.keys(operation)[0]} = "uses $env(X)")`,
    );
  });

  test('$import() outside handler.module / options', async () => {
    const routes = { openapi: '3.1.0', paths: { '/x': { get: { 'x-zuplo-route': { corsPolicy: '$import(./x)', handler: forward({ baseUrl: 'http://o' }) } } } } };
    await expect(startGateway({ routes })).rejects.toThrow(
      'routes (in memory): An $import() statement is not expected at this location. (paths./x.get.x-zuplo-route.corsPolicy = "$import(./x)")',
    );
  });
});
