import { request } from 'node:http';
import { beforeAll, expect, test } from 'vitest';
import { createPki } from '../../certs/index.ts';
import type { Pki } from '../../certs/pki/types.ts';
import { HEADER_LINE_LIMIT_BYTES } from '../../harness/targets/alb-consumers.ts';
import { startTarget } from '../../harness/targets/index.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

function get(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The ALB's encoding: URL-encoded with "+", "=" and "/" left as they are. */
const albEncode = (pem: string) => encodeURIComponent(pem).replace(/%2B/g, '+').replace(/%3D/g, '=').replace(/%2F/g, '/');

test('form-decoding: a "+" in the base64 read as a space breaks the PEM (400); the same chain fully percent-encoded parses (200)', async () => {
  const pem = pki.clients['escaped-subject'].certPem;
  expect(pem).toContain('+');
  await using target = await startTarget({ kind: 'form-decoding' });
  const broken = await get(target.url, { 'x-amzn-mtls-clientcert': albEncode(pem) });
  expect(broken.status).toBe(400);
  expect(JSON.parse(broken.body).error).toBe('client certificate header is not a valid PEM certificate');
  const intact = await get(target.url, { 'x-amzn-mtls-clientcert': encodeURIComponent(pem) });
  expect(intact.status).toBe(200);
  expect((await get(target.url, {})).status).toBe(401);
});

test('header-limit-8k: a header line of 8 KB passes, one byte more gets nginx\'s 400 page', async () => {
  await using target = await startTarget({ kind: 'header-limit-8k' });
  const name = 'x-amzn-mtls-clientcert';
  const fits = 'a'.repeat(HEADER_LINE_LIMIT_BYTES - `${name}: `.length);
  expect((await get(target.url, { [name]: fits })).status).toBe(200);
  const over = await get(target.url, { [name]: `${fits}a` });
  expect(over.status).toBe(400);
  expect(over.body).toContain('<title>400 Request Header Or Cookie Too Large</title>');
});
