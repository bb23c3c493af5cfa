import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startTarget, TARGET_KINDS, type EchoBody } from '../../harness/targets/index.ts';

function get(url: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    // A raw path, sent as is (fetch and URL would normalise a broken escape).
    const req = request(url, { path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('targets: bad input gets a plain answer', () => {
  it('the echo target answers a path whose percent-encoding does not decode with a plain 400: no stack trace, no paths', async () => {
    await using target = await startTarget({ kind: 'echo' });
    const res = await get(target.url, '/%E0%A4%A');
    expect(res).toEqual({ status: 400, type: 'text/plain; charset=utf-8', body: '400 Bad Request\n' });
  });

  it('accepts the 64 KB header blocks ALB forwards, plus the headers ALB adds', async () => {
    await using target = await startTarget({ kind: 'echo', name: 'big' });
    const headers: Record<string, string> = {};
    for (let i = 0; i < 8; i++) headers[`x-big-${i}`] = 'a'.repeat(8 * 1024 - 20);
    headers['x-amzn-mtls-clientcert'] = 'b'.repeat(12 * 1024);
    const res = await get(target.url, '/big', headers);
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as EchoBody;
    expect(body).toMatchObject({ method: 'GET', path: '/big', url: '/big', name: 'big', body: '' });
    expect(body.headers['x-amzn-mtls-clientcert']).toHaveLength(12 * 1024);
    expect(body.rawHeaderNames).toContain('x-big-7');
  });

  it('an unknown kind is a UserError listing the kinds', async () => {
    await expect(startTarget({ kind: 'bogus' } as never)).rejects.toMatchObject({
      code: 'HARNESS_ERR_INVALID_ARGUMENT',
      message: `startTarget: kind is "bogus"; use one of ${TARGET_KINDS.map((k) => `'${k}'`).join(', ')}.`,
    });
  });

  it('requests keeps the newest maxRequests', async () => {
    await using target = await startTarget({ kind: 'echo', maxRequests: 2 });
    for (const p of ['/a', '/b', '/c']) await get(target.url, p);
    expect(target.requests.map((r) => r.path)).toEqual(['/b', '/c']);
  });
});
