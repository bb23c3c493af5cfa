import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { captureIo } from './capture-io.ts';
import { getAsClient } from './pki-client.ts';

async function serving(argv: string[], body: (url: string, io: ReturnType<typeof captureIo>) => Promise<void>): Promise<void> {
  const io = captureIo();
  const exit = main(['serve', ...argv], io);
  const url = await io.nextLine(/^https:\/\//);
  await io.nextLine(/^Forwarding to /);
  await body(url, io);
  io.interrupt();
  expect(await exit).toBe(0);
}

describe('alb-mtls serve --trust-store', () => {
  test('uses only the CRLs it is given, and warns about a CRL whose issuer the bundle does not hold', async () => {
    await using dir = await tempDir();
    const pki = join(dir.path, 'pki');
    expect(await main(['certs', '--out', pki], captureIo())).toBe(0);
    const bundle = join(pki, 'trust-store/bundle.pem');

    // The PKI's own trust store and CRLs: the revoked client is refused, and nothing is warned about.
    await serving(['--pki', pki], async (url, io) => {
      expect(await getAsClient(url, pki, 'client-revoked')).toBe('ECONNRESET');
      expect(io.stderr).toEqual([]);
    });
    // Your bundle, no --crl: no CRL at all (the PKI's are not slipped in), so the revoked client passes.
    await serving(['--pki', pki, '--trust-store', bundle], async (url, io) => {
      expect(await getAsClient(url, pki, 'client-revoked')).toBe(200);
      expect(io.stderr).toEqual([]);
    });
    // Your bundle and the intermediate's CRL: applied, and the foreign issuer is named once.
    const crl = join(pki, 'crl/crl-intermediate.pem');
    await serving(['--pki', pki, '--trust-store', bundle, '--crl', crl], async (url, io) => {
      expect(await getAsClient(url, pki, 'client-revoked')).toBe('ECONNRESET');
      expect(io.stderr).toHaveLength(1);
      expect(io.stderr[0]).toMatch(new RegExp(`^warning: --crl ${crl}: the CRL's issuer "CN=alb-mtls-harness Intermediate CA,O=alb-mtls-harness" is not a CA in --trust-store ${bundle};`));
    });
  });

  test('--pki follows manifest.json, and says so when the manifest is from an older layout', async () => {
    await using dir = await tempDir();
    const pki = join(dir.path, 'pki');
    expect(await main(['certs', '--out', pki], captureIo())).toBe(0);
    const manifest = JSON.parse(await readFile(join(pki, 'manifest.json'), 'utf8'));
    delete manifest.listener;
    await writeFile(join(pki, 'manifest.json'), JSON.stringify(manifest));
    const io = captureIo();
    expect(await main(['serve', '--pki', pki], io)).toBe(2);
    const file = captureIo();
    expect(await main(['serve', '--pki', join(pki, 'manifest.json')], file)).toBe(2);
    expect(file.stderr[0]).toBe(`alb-mtls serve: --pki ${join(pki, 'manifest.json')}: is a file, not a directory. Point --pki at a directory written by "alb-mtls certs", or at a new one.`);
    expect(io.stderr[0]).toBe(`alb-mtls serve: --pki ${pki}: manifest.json lacks "listener" or "files" (written by an older version). Regenerate it with "alb-mtls certs --out ${pki} --force".`);
  });
});
