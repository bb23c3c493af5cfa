import { readdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UserError } from '../../harness/errors.ts';
import { fileError } from '../../harness/file-errors.ts';
import { writeAtomically, type PlannedFile } from './atomic-write.ts';
import { toPkcs12 } from './p12.ts';
import type { PkiManifestListener } from './manifest.ts';
import type { Pki, WriteResult } from './types.ts';

export const P12_PASSWORD = 'alb-mtls-harness';

/**
 * Writes the PKI under stable, self-explaining names, plus manifest.json. Refuses a non-empty
 * directory unless `force` (nothing a user has is overwritten silently). All or nothing: the files
 * are written to a temporary sibling first and renamed into place, so a failure part way leaves
 * the directory as it was. Private keys and PKCS#12 files are mode 0600, also when overwritten.
 */
export async function writePki(pki: Pki, dir: string, options: { force?: boolean } = {}): Promise<WriteResult> {
  const root = resolve(dir);
  const exists = await checkOutputDir(root, !!options.force);
  const files: WriteResult['files'] = [];
  const planned: PlannedFile[] = [];
  const put = async (rel: string, content: string | Buffer, entry: Omit<WriteResult['files'][number], 'path'>) => {
    planned.push({ rel, content });
    files.push({ path: rel, ...entry });
  };

  for (const ca of [pki.root, pki.intermediate, pki.rogueRoot, ...pki.deepIntermediates, pki.expiredIntermediate]) {
    await put(`ca/${ca.name}.crt`, ca.certPem, { kind: 'ca-certificate', description: ca.description });
    await put(`ca/${ca.name}.key`, ca.keyPem, { kind: 'ca-private-key', description: `Private key of ${ca.name}.` });
  }
  await put('trust-store/bundle.pem', pki.trustStoreBundle, { kind: 'trust-store-bundle', description: 'The CA bundle for the ALB trust store: the root only.' });
  await put('trust-store/bundle-with-intermediate.pem', pki.trustStoreBundleWithIntermediate, {
    kind: 'trust-store-bundle', description: 'Root + intermediate: completes chains whose clients send only their leaf.',
  });
  for (const crl of Object.values(pki.crls)) {
    await put(`crl/${crl.name}.pem`, crl.pem, { kind: 'crl', description: crl.description });
  }
  for (const server of [pki.server, pki.serverUntrusted, pki.serverWrongHost]) {
    await put(`server/${server.name}.crt`, server.certPem, { kind: 'server-certificate', description: server.description });
    await put(`server/${server.name}.chain.pem`, server.chainPem, { kind: 'server-chain', description: `${server.name} followed by its issuing CA.` });
    await put(`server/${server.name}.key`, server.keyPem, { kind: 'server-private-key', description: `Private key of ${server.name}.` });
  }
  for (const client of Object.values(pki.clients)) {
    const meta = { variant: client.id, expectedVerdict: client.expectedVerdict };
    await put(`clients/${client.name}.crt`, client.certPem, { kind: 'client-certificate', description: client.description, ...meta });
    await put(`clients/${client.name}.chain.pem`, client.chainPem, { kind: 'client-chain', description: `What the client presents for ${client.id}, leaf first.`, ...meta });
    await put(`clients/${client.name}.key`, client.keyPem, { kind: 'client-private-key', description: `Private key for ${client.id}.`, ...meta });
  }
  let p12: { file?: string; password?: string; note: string };
  if (pki.keyType === 'rsa') {
    const good = pki.clients.good;
    await put('clients/client-good.p12', toPkcs12({ keyPem: good.keyPem, chainPem: good.chainPem, password: P12_PASSWORD, friendlyName: 'client-good' }), {
      kind: 'client-pkcs12', description: `PKCS#12 of the good client (key, leaf, intermediate). Password: ${P12_PASSWORD}.`, variant: 'good', expectedVerdict: 'Success',
    });
    p12 = { file: 'clients/client-good.p12', password: P12_PASSWORD, note: 'PKCS#12 of the good client certificate, for Postman and browsers.' };
  } else {
    p12 = { note: 'No .p12 for an EC set: node-forge (the PKCS#12 writer) handles RSA only. Run `alb-mtls certs --key-type rsa` for one, or give Postman the .crt and .key files.' };
  }
  const manifest = {
    generator: 'alb-mtls-harness',
    builtAsOf: pki.now.toISOString(),
    keyType: pki.keyType,
    albDnsName: pki.albDnsName,
    verdictsAssume: 'ALB verify mode, trust store = trust-store/bundle.pem, revocations = crl/crl-root.pem + crl/crl-intermediate.pem',
    listener: {
      serverChain: `server/${pki.server.name}.chain.pem`,
      serverKey: `server/${pki.server.name}.key`,
      serverCa: `ca/${pki.root.name}.crt`,
      trustStore: 'trust-store/bundle.pem',
      revocations: [`crl/${pki.crls.root.name}.pem`, `crl/${pki.crls.intermediate.name}.pem`],
    } satisfies PkiManifestListener,
    pkcs12: p12,
    files: [...files, { path: 'manifest.json', kind: 'manifest', description: 'This file.' }],
  };
  await put('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`, { kind: 'manifest', description: 'What each file is, its variant and expected ALB verdict.' });
  await writeAtomically(root, exists, planned);
  return { dir: root, files };
}

/** True when `dir` exists (empty, or `force`); false when it is to be created. */
async function checkOutputDir(dir: string, force: boolean): Promise<boolean> {
  const info = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw fileError('--out', dir, err, 'Choose a directory path you can write (it will be created).');
  });
  if (!info) return false;
  if (!info.isDirectory()) {
    throw new UserError('HARNESS_ERR_FILE', `--out ${dir}: is a file, not a directory. Choose a directory path (it will be created).`);
  }
  if (!force && (await readdir(dir)).length > 0) {
    throw new UserError('HARNESS_ERR_OUTPUT_EXISTS', `--out ${dir}: directory is not empty. Choose another directory, or add --force to overwrite files in it.`);
  }
  return true;
}
