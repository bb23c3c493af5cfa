import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pki } from '../../certs/pki/types.ts';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

const CDK_BUNDLE_ASSET = 'cdk.out/asset.3f2a9c0e7d41b5a8c6e1f0d2b4a7c9e8f1d3b5a7c9e1f3d5b7a9c1e3f5d7b9a1';
const CDK_CRL_ASSET = 'cdk.out/asset.8b1d4e7f0a3c6b9e2d5f8a1c4e7b0d3f6a9c2e5b8d1f4a7c0e3b6d9f2a5c8e1b.pem';

/** A temporary copy of the fixtures with the PKI's CA bundle and intermediate CRL where each format looks for them. */
export interface Workspace {
  dir: string;
  bundle: string;
  crl: string;
  /** `--s3-root` for the CloudFormation templates (bucket partner-mtls-ca). */
  s3Root: string;
  /** The bundle and CRL as plain files, for `--trust-store` / `--crl`. */
  bundlePath: string;
  crlPath: string;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function fixtureWorkspace(pki: Pki): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), 'alb-mtls-iac-'));
  await cp(FIXTURES, dir, { recursive: true });
  const bundle = pki.trustStoreBundle;
  const crl = pki.crls.intermediate.pem;
  const put = async (path: string, text: string) => {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  };
  await put('s3/partner-mtls-ca/ca/bundle.pem', bundle);
  await put('s3/partner-mtls-ca/crl/intermediate.crl.pem', crl);
  await put(`${CDK_BUNDLE_ASSET}/bundle.pem`, bundle);
  await put(CDK_CRL_ASSET, crl);
  for (const module of ['terraform', 'terraform-show']) {
    await put(`${module}/pki/bundle.pem`, bundle);
    await put(`${module}/pki/intermediate.crl.pem`, crl);
  }
  await put('pki/bundle.pem', bundle);
  await put('pki/intermediate.crl.pem', crl);
  return {
    dir,
    bundle,
    crl,
    s3Root: join(dir, 's3'),
    bundlePath: join(dir, 'pki/bundle.pem'),
    crlPath: join(dir, 'pki/intermediate.crl.pem'),
    [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }),
  };
}
