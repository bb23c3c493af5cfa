import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { captureIo } from './capture-io.ts';
import { getAsClient } from './pki-client.ts';

describe('alb-mtls serve --watch', () => {
  test('a changed bundle is used by new connections; a broken one is reported and the previous store kept', async () => {
    await using dir = await tempDir();
    const pki = join(dir.path, 'pki');
    expect(await main(['certs', '--out', pki], captureIo())).toBe(0);
    const bundle = join(dir.path, 'bundle.pem');
    await copyFile(join(pki, 'trust-store/bundle.pem'), bundle);

    const io = captureIo();
    const exit = main(['serve', '--pki', pki, '--trust-store', bundle, '--watch'], io);
    const url = await io.nextLine(/^https:\/\//);
    await io.nextLine(/^Watching the trust-store files/);
    expect(await getAsClient(url, pki, 'client-good')).toBe(200);

    // Rotated to another CA: the good client's issuer is no longer trusted.
    await writeFile(bundle, await readFile(join(pki, 'ca/ca-rogue-root.crt')));
    expect(await io.nextLine(/^trust store reloaded/)).toBe(`trust store reloaded from --trust-store ${bundle}: 1 CA(s), 0 CRL(s); new connections use it`);
    expect(await getAsClient(url, pki, 'client-good')).toBe('ECONNRESET');

    // A file that is not a bundle: said so, and the rotated store stays.
    await writeFile(bundle, 'not a certificate\n');
    expect(await io.nextLine(/^trust store not reloaded/)).toMatch(new RegExp(`^trust store not reloaded: --trust-store ${bundle}.* The listener keeps the previous store\\.$`));
    expect(await getAsClient(url, pki, 'client-good')).toBe('ECONNRESET');

    io.interrupt();
    expect(await exit).toBe(0);
  });

  test('--watch applies to verify mode only', async () => {
    const io = captureIo();
    expect(await main(['serve', '--mode', 'passthrough', '--watch'], io)).toBe(2);
    expect(io.stderr[0]).toBe('alb-mtls serve: --watch reloads the trust store, which only --mode verify has (this is --mode passthrough). Remove --watch, or use --mode verify.');
  });
});
