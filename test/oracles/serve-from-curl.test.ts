import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createPki } from '../../certs/index.ts';
import type { Pki } from '../../certs/pki/types.ts';
import { main } from '../../harness/cli/main.ts';
import { captureIo } from '../cli/capture-io.ts';
import { curl } from '../helpers/curl.ts';
import { fixtureWorkspace, type Workspace } from '../iac/workspace.ts';

let pki: Pki;
let pkiDir: string;
let w: Workspace;
beforeAll(async () => {
  pki = await createPki();
  pkiDir = await mkdtemp(join(tmpdir(), 'alb-mtls-curl-'));
  await pki.writeTo(pkiDir, { force: true });
  w = await fixtureWorkspace(pki);
});
afterAll(async () => {
  await rm(pkiDir, { recursive: true, force: true });
  await w[Symbol.asyncDispose]();
});

test('serve --from a Terraform module: curl with the good certificate gets 200, a revoked one is cut off', async () => {
  const io = captureIo();
  const exit = main(['serve', '--from', join(w.dir, 'terraform'), '--pki', pkiDir], io);
  try {
    await check(io, await io.nextLine(/^https:\/\/127\.0\.0\.1:\d+$/));
  } finally {
    io.interrupt();
  }
  expect(await exit).toBe(0);
});

async function check(io: ReturnType<typeof captureIo>, url: string): Promise<void> {
  const client = (name: string) => ['--cacert', join(pkiDir, 'ca/ca-root.crt'), '--cert', join(pkiDir, `clients/client-${name}.chain.pem`), '--key', join(pkiDir, `clients/client-${name}.key`)];

  const good = await curl([...client('good'), '-H', 'X_Amzn_Mtls_Clientcert_Subject: CN=admin', `${url}/hello`]);
  expect(good.code).toBe(0);
  const headers = JSON.parse(good.stdout).headers as Record<string, string>;
  expect(headers['x-client-subject']).toBe(pki.clients.good.facts.subject);
  expect(headers['x_amzn_mtls_clientcert_subject']).toBeUndefined();

  const revoked = await curl([...client('revoked'), `${url}/hello`]);
  // 35: the handshake failed (TLS 1.2). Under TLS 1.3 curl has sent its request before the ALB
  // closes: 56 (receive failed) or 52 (empty reply), depending on when the close arrives.
  expect([35, 52, 56]).toContain(revoked.code);
  expect(await io.nextLine(/^connection-log .* Failed:ClientCertCrlHit TID_/)).toBeTruthy();
}
