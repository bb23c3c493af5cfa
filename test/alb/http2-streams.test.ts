import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../certs/pki/types.ts';
import { startAlb } from '../../harness/alb/index.ts';
import { startTarget, type EchoBody } from '../../harness/targets/index.ts';
import { http2Request } from '../../scenarios/http2-client.ts';
import { buildPki, clientContext, serverCertificate } from './fixture.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await buildPki();
});

const echo = (body: string) => JSON.parse(body) as EchoBody;

describe('request bodies an HTTP/2 client frames without Content-Length', () => {
  it.each(['DELETE', 'GET', 'OPTIONS'])('%s with a body: the target gets it chunked, and the pooled connection serves the next request', async (method) => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [target.url] });
    const res = await http2Request('127.0.0.1', alb.port, { secureContext: clientContext(pki), method, path: '/items/7', body: 'hello' });
    expect(res.status).toBe(200);
    const e = echo(res.body);
    expect([e.method, e.body, e.headers['transfer-encoding'], e.headers['content-length']]).toEqual([method, 'hello', 'chunked', undefined]);
    const next = await http2Request('127.0.0.1', alb.port, { secureContext: clientContext(pki), path: '/after' });
    expect([next.status, echo(next.body).url]).toEqual([200, '/after']);
    expect(target.requests.map((r) => r.path)).toEqual(['/items/7', '/after']);
  });

  it('a body with Content-Length keeps it (no chunking added)', async () => {
    await using target = await startTarget({ kind: 'echo' });
    await using alb = await startAlb({ certificate: serverCertificate(pki), targets: [target.url] });
    const res = await http2Request('127.0.0.1', alb.port, { secureContext: clientContext(pki), method: 'DELETE', path: '/items/7', headers: { 'content-length': '5' }, body: 'hello' });
    const e = echo(res.body);
    expect([e.body, e.headers['content-length'], e.headers['transfer-encoding']]).toEqual(['hello', '5', undefined]);
  });
});
