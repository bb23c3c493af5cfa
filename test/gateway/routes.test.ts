import { describe, expect, test } from 'vitest';
import { compatFlags, startGateway } from '../../harness/gateway/index.ts';
import { pathPatternSource } from '../../harness/gateway/path-pattern.ts';
import { forward, normaliseProblem, routesDoc, startUpstream, tempProject, startupError } from './gateway-helpers.ts';

const hello = (text: string) => ({ default: () => new Response(text) });

describe('route matching', () => {
  test('open-api {id} is one segment; the trailing slash is optional; params reach the handler', async () => {
    await using gw = await startGateway({
      routes: routesDoc([{ path: '/users/{id}', handler: { export: 'default', module: '$import(./modules/user)' } }]),
      modules: { './modules/user': { default: (req: { params: Record<string, string> }) => new Response(`user=${req.params.id}`) } },
    });
    expect(await (await fetch(`${gw.url}/users/42`)).text()).toBe('user=42');
    expect(await (await fetch(`${gw.url}/users/42/`)).text()).toBe('user=42');
    expect((await fetch(`${gw.url}/users/42/extra`)).status).toBe(404);
  });

  test('unknown path: 404 problem+json with the exact body and zp-rid = trace.requestId', async () => {
    await using gw = await startGateway({ routes: routesDoc([{ path: '/a', handler: { export: 'default', module: '$import(./m)' } }]), modules: { './m': hello('a') } });
    const res = await fetch(`${gw.url}/nope?x=1`, { headers: { 'zp-rid': 'rid-404' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('zp-rid')).toBe('rid-404');
    const text = await res.text();
    expect(normaliseProblem(text)).toBe(
      [
        '{',
        '  "type": "https://httpproblems.com/http-status/404",',
        '  "title": "Not Found",',
        '  "status": 404,',
        '  "instance": "/nope",',
        '  "trace": {',
        '    "timestamp": "<ts>",',
        '    "requestId": "<rid>",',
        '    "buildId": "<build>"',
        '  }',
        '}',
      ].join('\n'),
    );
    expect(JSON.parse(text).trace.requestId).toBe('rid-404');
  });

  test('known path, other method: 404 as the runtime answers (405 is only for its built-in MCP POST routes)', async () => {
    await using gw = await startGateway({ routes: routesDoc([{ path: '/a', method: 'get,put', handler: { export: 'default', module: '$import(./m)' } }]), modules: { './m': hello('a') } });
    expect(await (await fetch(`${gw.url}/a`, { method: 'PUT' })).text()).toBe('a');
    const del = await fetch(`${gw.url}/a`, { method: 'DELETE' });
    expect(del.status).toBe(404);
    expect(JSON.parse(await del.text()).title).toBe('Not Found');
    expect((await fetch(`${gw.url}/a`, { method: 'POST' })).status).toBe(404);
  });

  test('first matching route in document order wins; operations without x-zuplo-route are skipped', async () => {
    const routes = routesDoc([
      { path: '/items/special', handler: { export: 'default', module: '$import(./special)' } },
      { path: '/items/{id}', handler: { export: 'default', module: '$import(./item)' } },
    ]);
    (routes.paths['/plain'] as Record<string, unknown>) = { get: { summary: 'no route' } };
    await using gw = await startGateway({ routes, modules: { './special': hello('special'), './item': hello('item') } });
    expect(await (await fetch(`${gw.url}/items/special`)).text()).toBe('special');
    expect(await (await fetch(`${gw.url}/items/other`)).text()).toBe('item');
    expect((await fetch(`${gw.url}/plain`)).status).toBe(404);
  });
});

describe('the {path}* rule and compatibility dates', () => {
  test.each([
    ['/users/{id}', '2025-02-06', '/users/:id{/}?'],
    ['/users/{id}/', '2025-02-06', '/users/:id/'],
    ['/api/{path}*', '2024-09-02', '/api/:path*{/}?'],
    ['/api/{path}*', '2025-02-06', '/api/:path\\*{/}?'],
    ['/v1/items:batch', '2025-02-06', '/v1/items\\:batch{/}?'],
  ])('open-api %s on %s → %s', (path, date, source) => {
    expect(pathPatternSource(path, 'open-api', compatFlags(date))).toBe(source);
  });


  const routes = routesDoc([{ path: '/api/{path}*', handler: { export: 'default', module: '$import(./m)' } }]);
  const modules = { './m': { default: (req: { params: Record<string, string> }) => new Response(`path=${req.params.path ?? '<none>'}`) } };

  test('legacy compat: {path}* is a wildcard (a/b) and /api matches too', async () => {
    await using gw = await startGateway({ routes, modules, compatibilityDate: '2024-09-02' });
    expect(await (await fetch(`${gw.url}/api/a/b`)).text()).toBe('path=a/b');
    expect(await (await fetch(`${gw.url}/api`)).text()).toBe('path=<none>');
  });

  test('2025-02-06 (the default): the * is literal, so /api/a/b is 404 and /api/x* matches', async () => {
    await using gw = await startGateway({ routes, modules });
    expect((await fetch(`${gw.url}/api/a/b`)).status).toBe(404);
    expect(await (await fetch(`${gw.url}/api/x*`)).text()).toBe('path=x');
  });

  test('url-pattern mode: /api/:path* is a wildcard on every date, with no automatic trailing slash', async () => {
    await using gw = await startGateway({
      routes: routesDoc([{ path: '/api/:path*', pathMode: 'url-pattern', handler: { export: 'default', module: '$import(./m)' } }]),
      modules,
    });
    expect(await (await fetch(`${gw.url}/api/a/b`)).text()).toBe('path=a/b');
    expect((await fetch(`${gw.url}/api/a/b/`)).status).toBe(404);
  });

  test('an unknown pathMode is a start-up error naming it', async () => {
    const bad = routesDoc([{ path: '/x', handler: { export: 'default', module: '$import(./m)' } }]);
    (bad.paths['/x'] as Record<string, unknown>)['x-zuplo-path'] = { pathMode: 'regex' };
    await expect(startGateway({ routes: bad, modules })).rejects.toMatchObject({
      code: 'HARNESS_ERR_GATEWAY_CONFIG',
      message: expect.stringContaining('paths./x.x-zuplo-path.pathMode: Unknown path mode regex.'),
    });
  });
});

describe('start-up errors', () => {
  test('the same method and path twice (via a comma-joined key) is refused with the runtime message', async () => {
    const routes = { openapi: '3.1.0', paths: { '/x': {
      get: { 'x-zuplo-route': { handler: forward({ baseUrl: 'http://127.0.0.1:9' }) } },
      'get,post': { 'x-zuplo-route': { handler: forward({ baseUrl: 'http://127.0.0.1:9' }) } },
    } } };
    await expect(startGateway({ routes })).rejects.toMatchObject({
      code: 'HARNESS_ERR_GATEWAY_CONFIG',
      message: expect.stringContaining("Cannot have duplicate routes declared. Route 'GET /x' declared more than once."),
    });
  });

  test('duplicates across two routes files are refused too', async () => {
    const route = JSON.stringify(routesDoc([{ path: '/dup', handler: forward({ baseUrl: 'http://127.0.0.1:9' }) }]));
    await using project = await tempProject({ 'config/routes.oas.json': route, 'config/more.oas.json': route });
    await expect(startGateway({ projectDir: project.dir })).rejects.toThrow(
      "config/routes.oas.json: Cannot have duplicate routes declared. Route 'GET /dup' declared more than once.",
    );
  });

  test('an unknown handler export: the runtime message, the field, and a did-you-mean', async () => {
    const routes = routesDoc([{ path: '/x', handler: { export: 'UrlForwardHandler', module: '$import(@zuplo/runtime)', options: { baseUrl: 'http://o' } } }]);
    const err = await startupError({ routes });
    expect(err.code).toBe('HARNESS_ERR_GATEWAY_CONFIG');
    expect(err.message).toBe(
      "routes (in memory): Invalid state - No handler on route for path '/x'. paths./x.get.x-zuplo-route.handler.export is " +
        '"UrlForwardHandler", which @zuplo/runtime does not export as a function; did you mean "urlForwardHandler"?',
    );
  });

  test('a missing baseUrl is the build error, naming the JSON path', async () => {
    const routes = routesDoc([{ path: '/api/{path}*', handler: forward({}) }]);
    await expect(startGateway({ routes })).rejects.toThrow(
      'routes (in memory): paths./api/{path}*.get.x-zuplo-route.handler.options.baseUrl: Invalid request handler configuration. ' +
        'handler.options.baseUrl is required but was not provided.',
    );
  });

  test('malformed routes.oas.json: the file, line and column', async () => {
    await using project = await tempProject({ 'config/routes.oas.json': '{\n  "openapi": "3.1.0",\n  "paths": {\n    "/x": {,}\n  }\n}\n' });
    const err = await startupError({ projectDir: project.dir });
    expect(err.code).toBe('HARNESS_ERR_GATEWAY_CONFIG');
    expect(err.message).toMatch(/^config\/routes\.oas\.json:4:12: invalid JSON \(/);
  });

  test('a function module that fails to import names the file and the field', async () => {
    await using project = await tempProject({
      'config/routes.oas.json': JSON.stringify(routesDoc([{ path: '/x', handler: { export: 'default', module: '$import(./modules/broken)' } }])),
      'modules/broken.ts': 'throw new Error("boom at import");\nexport default () => new Response("never");\n',
    });
    const err = await startupError({ projectDir: project.dir });
    expect(err.code).toBe('HARNESS_ERR_GATEWAY_CONFIG');
    expect(err.message).toContain('config/routes.oas.json: paths./x.get.x-zuplo-route.handler.module: importing');
    expect(err.message).toContain('modules/broken.ts failed: boom at import.');
  });
});

test('a project directory: routes, .env.zuplo then .env, and zuplo.jsonc compatibilityDate', async () => {
  await using upstream = await startUpstream();
  await using project = await tempProject({
    'config/routes.oas.json': JSON.stringify(routesDoc([{ path: '/api/{path}*', handler: forward({ baseUrl: '${env.BACKEND}', forwardSearch: '$env(FWD)' }) }])),
    '.env.zuplo': `BACKEND=http://127.0.0.1:9\nFWD=zuplo\n`,
    '.env': `BACKEND=${upstream.url}\n`,
    'zuplo.jsonc': '{\n  // legacy date: {path}* is a wildcard\n  "compatibilityDate": "2024-09-02",\n}\n',
  });
  await using gw = await startGateway({ projectDir: project.dir });
  const res = await fetch(`${gw.url}/api/a/b?q=1`);
  expect(res.status).toBe(200);
  expect(upstream.seen[0]!.url).toBe('/api/a/b?q=1');
});
