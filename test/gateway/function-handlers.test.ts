import { describe, expect, test } from 'vitest';
import { startGateway } from '../../harness/gateway/index.ts';
import { normaliseProblem, routesDoc, startUpstream, tempProject } from './gateway-helpers.ts';

const route = (path: string, module: string, exportName = 'default') => ({ path, handler: { export: exportName, module: `$import(./modules/${module})` } });

const MODULES = {
  'modules/info.ts': `
import { environment, ZuploContext, ZuploRequest } from "@zuplo/runtime";
const atImport: string | undefined = environment.GREETING;
export default async function (request: ZuploRequest, context: ZuploContext) {
  context.log.info("info handler");
  return Response.json({
    greeting: environment.GREETING,
    atImport,
    requestId: context.requestId,
    route: context.route.path,
    params: request.params,
    query: request.query,
  });
}
`,
  'modules/proxy.ts': `
import { ZuploContext, ZuploRequest, environment } from "@zuplo/runtime";
export default async function (request: ZuploRequest, context: ZuploContext) {
  const response = await fetch(\`\${environment.BACKEND}/api\`, {
    headers: { "zp-rid": context.requestId },
    zuplo: { mtlsCertificate: environment.CERT_NAME },
  } as RequestInit);
  return response;
}
`,
  'modules/counter.ts': `
let count = 0;
export const next = () => ++count;
`,
  'modules/count.ts': `
import { next } from "./counter";
export default async function () {
  return Response.json({ count: next() });
}
`,
  'modules/bad.ts': `
export const notAResponse = async () => "hello";
export const plainObject = async () => ({ ok: true, n: 1 });
export const nothing = async () => undefined;
export const aFunction = async () => () => 1;
export const readTwice = async () => { const r = new Response("x"); await r.text(); return r; };
export const problem = async (request: any, context: any) => {
  const { HttpProblems } = await import("@zuplo/runtime");
  return HttpProblems.forbidden(request, context, { detail: "nope", extra: 1 });
};
export const throws = async () => { throw new RangeError("handler blew up"); };
`,
};

const ROUTES = routesDoc([
  route('/info/{id}', 'info'),
  route('/proxy', 'proxy'),
  route('/count', 'count'),
  route('/not-a-response', 'bad', 'notAResponse'),
  route('/plain-object', 'bad', 'plainObject'),
  route('/nothing', 'bad', 'nothing'),
  route('/a-function', 'bad', 'aFunction'),
  route('/read-twice', 'bad', 'readTwice'),
  route('/problem', 'bad', 'problem'),
  route('/throws', 'bad', 'throws'),
]);

describe('function handlers from a project directory (.ts, importing @zuplo/runtime)', () => {
  test('request, context and environment (also at module top level), per gateway in one process', async () => {
    await using project = await tempProject({ 'config/routes.oas.json': JSON.stringify(ROUTES), ...MODULES });
    await using a = await startGateway({ projectDir: project.dir, environment: { GREETING: 'from-a' } });
    await using b = await startGateway({ projectDir: project.dir, environment: { GREETING: 'from-b' } });
    const [ra, rb] = await Promise.all([
      fetch(`${a.url}/info/7?x=1`, { headers: { 'zp-rid': 'rid-a' } }),
      fetch(`${b.url}/info/8`),
    ]);
    expect(await ra.json()).toEqual({ greeting: 'from-a', atImport: 'from-a', requestId: 'rid-a', route: '/info/{id}', params: { id: '7' }, query: { x: '1' } });
    expect(await rb.json()).toMatchObject({ greeting: 'from-b', atImport: 'from-b', params: { id: '8' } });
    expect(ra.headers.get('zp-rid')).toBe('rid-a');
  });

  test('module-scope state, also of the modules a handler imports, is per gateway', async () => {
    await using project = await tempProject({ 'config/routes.oas.json': JSON.stringify(ROUTES), ...MODULES });
    await using a = await startGateway({ projectDir: project.dir });
    const count = async (url: string) => ((await (await fetch(`${url}/count`)).json()) as { count: number }).count;
    expect([await count(a.url), await count(a.url)]).toEqual([1, 2]);
    await using b = await startGateway({ projectDir: project.dir });
    expect([await count(b.url), await count(a.url), await count(b.url)]).toEqual([1, 3, 2]);
  });

  test('global fetch honours { zuplo: { mtlsCertificate } }: an unknown name is a 500 with the exact message', async () => {
    await using upstream = await startUpstream();
    await using project = await tempProject({ 'config/routes.oas.json': JSON.stringify(ROUTES), ...MODULES });
    await using gw = await startGateway({ projectDir: project.dir, environment: { BACKEND: upstream.url, CERT_NAME: 'no_such_cert' } });
    const res = await fetch(`${gw.url}/proxy`);
    expect(res.status).toBe(500);
    const body = JSON.parse(await res.text());
    expect(body.detail).toBe("mTLS certificate binding 'no_such_cert' not found. Ensure the certificate is uploaded and properly configured.");
    expect(body.cause).toMatchObject({ name: 'Error', message: body.detail }); // development adds cause
    expect(upstream.seen).toHaveLength(0);
    expect(gw.upstream).toMatchObject([{ mtlsCertificate: 'no_such_cert', failureClass: 'binding-missing' }]);
  });

  test('an unset certificate variable means a plain fetch: no certificate, no error, recorded', async () => {
    await using upstream = await startUpstream();
    await using project = await tempProject({ 'config/routes.oas.json': JSON.stringify(ROUTES), ...MODULES });
    await using gw = await startGateway({ projectDir: project.dir, environment: { BACKEND: upstream.url } });
    const res = await fetch(`${gw.url}/proxy`, { headers: { 'zp-rid': 'rid-plain' } });
    expect(res.status).toBe(200);
    expect(upstream.seen[0]!.url).toBe('/api');
    expect(gw.upstream).toMatchObject([
      {
        requestId: 'rid-plain',
        status: 200,
        presentedCertificate: false,
        noCertificateReason: "the fetch call's zuplo.mtlsCertificate is undefined (an environment variable that is not set?)",
      },
    ]);
  });

  test('outside a gateway, the global fetch refuses zuplo.mtlsCertificate as a non-Zuplo runtime does', async () => {
    await using project = await tempProject({ 'config/routes.oas.json': JSON.stringify(ROUTES), ...MODULES });
    await using _gw = await startGateway({ projectDir: project.dir });
    await expect(fetch('http://127.0.0.1:9/', { zuplo: { mtlsCertificate: 'x' } } as RequestInit)).rejects.toThrow(
      'mTLS client certificates are not supported in this runtime environment',
    );
  });

  test('results converted as the runtime converts them: string and object → 200 JSON, undefined → empty 200', async () => {
    await using project = await tempProject({ 'config/routes.oas.json': JSON.stringify(ROUTES), ...MODULES });
    const lines: string[] = [];
    await using dev = await startGateway({ projectDir: project.dir, onLog: (l) => lines.push(l) });
    const text = await fetch(`${dev.url}/not-a-response`);
    expect([text.status, text.headers.get('content-type'), await text.text()]).toEqual([200, 'application/json', '"hello"']);
    const object = await fetch(`${dev.url}/plain-object`);
    expect([object.status, await object.text()]).toEqual([200, '{"ok":true,"n":1}']);
    const nothing = await fetch(`${dev.url}/nothing`);
    expect([nothing.status, nothing.headers.get('content-length'), await nothing.text()]).toEqual([200, '0', '']);
    const fn = await fetch(`${dev.url}/a-function`);
    expect([fn.status, JSON.parse(await fn.text()).detail]).toEqual([500, 'Invalid Response type from the request handler: function']);
    const twice = await fetch(`${dev.url}/read-twice`);
    expect([twice.status, JSON.parse(await twice.text()).detail]).toEqual([
      500,
      'Body has already been used. It can only be used once. Use tee() first if you need to read it twice.',
    ]);
    expect(lines).toEqual([
      'ERROR [GET /a-function] Error executing request handler.',
      'ERROR [GET /read-twice] Error executing request handler.',
    ]);
  });

  test('bad results: HttpProblems with overrides, a thrown error (with cause in development only)', async () => {
    await using project = await tempProject({ 'config/routes.oas.json': JSON.stringify(ROUTES), ...MODULES });
    const lines: string[] = [];
    await using dev = await startGateway({ projectDir: project.dir, onLog: (l) => lines.push(l) });

    const pr = await fetch(`${dev.url}/problem`, { headers: { 'cf-ray': 'ray-9' } });
    expect(pr.status).toBe(403);
    expect(normaliseProblem(await pr.text())).toBe(
      [
        '{',
        '  "type": "https://httpproblems.com/http-status/403",',
        '  "title": "Forbidden",',
        '  "status": 403,',
        '  "detail": "nope",',
        '  "instance": "/problem",',
        '  "trace": {',
        '    "timestamp": "<ts>",',
        '    "requestId": "<rid>",',
        '    "buildId": "<build>",',
        '    "rayId": "ray-9"',
        '  },',
        '  "extra": 1',
        '}',
      ].join('\n'),
    );

    const th = JSON.parse(await (await fetch(`${dev.url}/throws`)).text());
    expect(th).toMatchObject({ status: 500, detail: 'handler blew up', cause: { name: 'RangeError', message: 'handler blew up' } });
    // The runtime logs every handler error with the route, then the message.
    expect(lines).toEqual(['ERROR [GET /throws] Error executing request handler.', '  RangeError: handler blew up']);
    await using prod = await startGateway({ projectDir: project.dir, environmentType: 'production' });
    const thProd = JSON.parse(await (await fetch(`${prod.url}/throws`)).text());
    expect(Object.keys(thProd)).toEqual(['type', 'title', 'status', 'detail', 'instance', 'trace']);
  });
});

test('in-memory modules (routes + modules options) get the same request/context', async () => {
  await using gw = await startGateway({
    routes: routesDoc([{ path: '/m/{name}', handler: { export: 'hi', module: '$import(./modules/mem)' } }]),
    modules: { './modules/mem': { hi: (req: { params: { name: string } }, ctx: { requestId: string }) => new Response(`hi ${req.params.name} ${ctx.requestId}`) } },
  });
  expect(await (await fetch(`${gw.url}/m/zed`, { headers: { 'zp-rid': 'r1' } })).text()).toBe('hi zed r1');
});
