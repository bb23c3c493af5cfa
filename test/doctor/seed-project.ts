import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Pki } from '../../certs/pki/types.ts';
import { CertificateStore } from '../../harness/gateway/cert-store.ts';

const forward = (baseUrl: string, mtlsCertificate: string) => ({
  'x-zuplo-route': { handler: { export: 'urlForwardHandler', module: '$import(@zuplo/runtime)', options: { baseUrl, mtlsCertificate } } },
});

/** The seed's function handler (step 4), verbatim apart from line breaks. */
export const SEED_FUNCTION_MODULE = `import { ZuploContext, ZuploRequest, environment } from "@zuplo/runtime";
export default async function (request: ZuploRequest, context: ZuploContext) {
  const response = await fetch(\`\${environment.ALB_BACKEND_URL}/api\`, { zuplo: { mtlsCertificate: environment.ALB_MTLS_CERT, }, });
  return response;
}
`;

export const ALB_HOST = 'my-alb-1234567890.us-east-1.elb.amazonaws.com';

/**
 * A project shaped like the seed's walkthrough: its literal route (step 3), its $env() route and
 * function module (step 4), plus routes that hit each troubleshooting case. The store holds a good,
 * an expired, a production-only and a misnamed certificate, one whose key does not match, and
 * one the project never uses.
 */
export async function seedProject(pki: Pki, options: { broken?: boolean } = {}): Promise<{ dir: string; store: string; file(name: string, text: string): Promise<string> } & AsyncDisposable> {
  const dir = await mkdtemp(join(tmpdir(), 'doctor-project-'));
  const put = async (name: string, text: string) => {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
    return join(dir, name);
  };
  const paths: Record<string, unknown> = {
    '/env': { get: forward('${env.ALB_BACKEND_URL}', '$env(ALB_MTLS_CERT)') },
    '/fn': { get: { 'x-zuplo-route': { handler: { export: 'default', module: '$import(./modules/alb-forward)' } } } },
  };
  if (options.broken !== false) {
    Object.assign(paths, {
      '/seed-literal': { get: forward(`https://${ALB_HOST}`, 'aws-alb-cert') },
      '/expired': { get: forward('${env.ALB_BACKEND_URL}', '$env(ALB_EXPIRED_CERT)') },
      '/prod': { get: forward('${env.ALB_BACKEND_URL}', 'albProdOnly') },
      '/typo': { get: forward('${env.ALB_BACKEND_URL}', 'albclientcert') },
      '/unset': { get: forward('${env.ALB_BACKEND_URL}', '$env(NOT_SET_ANYWHERE)') },
      '/no-cert': { get: { 'x-zuplo-route': { handler: { export: 'urlForwardHandler', module: '$import(@zuplo/runtime)', options: { baseUrl: '${env.ALB_BACKEND_URL}' } } } } },
      '/bad-key': { get: forward('${env.ALB_BACKEND_URL}', 'badKey') },
    });
  }
  await put('config/routes.oas.json', JSON.stringify({ openapi: '3.1.0', paths }, null, 2));
  await put('modules/alb-forward.ts', SEED_FUNCTION_MODULE);
  await put('.env', `ALB_MTLS_CERT=albClientCert\nALB_BACKEND_URL=https://${ALB_HOST}\n`);
  await put('.env.zuplo', 'ALB_EXPIRED_CERT=albExpired\n');
  const store = join(dir, '.zuplo-local/mtls');
  const s = await CertificateStore.open(store, { create: true });
  const all = ['development', 'preview', 'production'] as const;
  const c = pki.clients;
  await s.create({ name: 'albClientCert', cert: c.good.chainPem, key: c.good.keyPem, environmentTypes: [...all] });
  await s.create({ name: 'albExpired', cert: c.expired.chainPem, key: c.expired.keyPem, environmentTypes: [...all] });
  await s.create({ name: 'albProdOnly', cert: c['good-alt'].chainPem, key: c['good-alt'].keyPem, environmentTypes: ['production'] });
  await s.create({ name: 'aws-alb-cert', cert: c.good.chainPem, key: c.good.keyPem, environmentTypes: [...all] });
  await s.create({ name: 'unusedOld', cert: c.expired.chainPem, key: c.expired.keyPem, environmentTypes: [...all] });
  // Laid out by hand, with the key of another certificate: the store skips it when loading.
  await put('.zuplo-local/mtls/badKey/tls.crt', c.good.chainPem);
  await put('.zuplo-local/mtls/badKey/tls.key', c['good-alt'].keyPem);
  return { dir, store, file: put, [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }) };
}
