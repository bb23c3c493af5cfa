import { chmod, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createPki, type Pki } from '../../certs/index.ts';
import { CertificateStore } from '../../harness/gateway/cert-store.ts';
import { diskSnapshot } from '../helpers/disk-snapshot.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * Fault injection: the file system is real, but one chosen call fails (as a full disk or a lost
 * permission would). `failOn` counts calls to `writeFile` / `rename` made by the code under test.
 */
const faults = vi.hoisted(() => ({ writeFile: 0, rename: 0 }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const counted = <K extends 'writeFile' | 'rename'>(name: K) =>
    ((...args: unknown[]) => {
      if (faults[name] > 0 && --faults[name] === 0) {
        return Promise.reject(Object.assign(new Error(`${name}: no space left on device`), { code: 'ENOSPC' }));
      }
      return (real[name] as (...a: unknown[]) => Promise<void>)(...args);
    }) as (typeof real)[K];
  return { ...real, default: real, writeFile: counted('writeFile'), rename: counted('rename') };
});

const mode = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);

describe('PKI writes are all or nothing, keys are 0600', () => {
  let pki: Pki;
  beforeAll(async () => {
    pki = await createPki();
  });

  it('--force over keys that were 0644 leaves them 0600', async () => {
    await using dir = await tempDir();
    const out = join(dir.path, 'pki');
    await pki.writeTo(out);
    await chmod(join(out, 'clients/client-good.key'), 0o644);
    await chmod(join(out, 'ca/ca-root.key'), 0o644);
    await pki.writeTo(out, { force: true });
    expect(await mode(join(out, 'clients/client-good.key'))).toBe('600');
    expect(await mode(join(out, 'ca/ca-root.key'))).toBe('600');
    expect(await mode(join(out, 'ca/ca-root.crt'))).toBe('644');
  });

  it('the PKCS#12 file of an RSA set is 0600 too, also after --force', async () => {
    const rsa = await createPki({ keyType: 'rsa' });
    await using dir = await tempDir();
    const out = join(dir.path, 'pki');
    await rsa.writeTo(out);
    expect(await mode(join(out, 'clients/client-good.p12'))).toBe('600');
    await chmod(join(out, 'clients/client-good.p12'), 0o644);
    await rsa.writeTo(out, { force: true });
    expect(await mode(join(out, 'clients/client-good.p12'))).toBe('600');
  });

  it('a write that fails part way into a new directory leaves nothing behind', async () => {
    await using dir = await tempDir();
    faults.writeFile = 20;
    await expect(pki.writeTo(join(dir.path, 'pki'))).rejects.toMatchObject({ code: 'HARNESS_ERR_FILE', message: expect.stringContaining('ENOSPC') });
    expect(await readdir(dir.path)).toEqual([]);
  });

  it('a --force write that fails part way leaves the previous PKI untouched', async () => {
    await using dir = await tempDir();
    const out = join(dir.path, 'pki');
    await pki.writeTo(out);
    await writeFile(join(out, 'notes.txt'), 'mine');
    const before = await diskSnapshot(dir.path);
    const other = await createPki();
    faults.writeFile = 30;
    await expect(other.writeTo(out, { force: true })).rejects.toMatchObject({ code: 'HARNESS_ERR_FILE' });
    expect(await diskSnapshot(dir.path)).toEqual(before);
    // Failing while the new files are renamed into place puts the old ones back.
    faults.writeFile = 0;
    faults.rename = 25;
    await expect(other.writeTo(out, { force: true })).rejects.toMatchObject({ code: 'HARNESS_ERR_FILE' });
    expect(await diskSnapshot(dir.path)).toEqual(before);
    faults.rename = 0;
  });
});

describe('certificate store: create is all or nothing', () => {
  it('a create that fails while writing leaves no entry, and the same name can be created again', async () => {
    const pki = await createPki();
    await using dir = await tempDir();
    const store = await CertificateStore.open(dir.path);
    faults.writeFile = 2; // tls.key
    await expect(store.create({ name: 'alb_cert', cert: pki.clients.good.chainPem, key: pki.clients.good.keyPem, environmentTypes: ['production'] }))
      .rejects.toMatchObject({ code: 'HARNESS_ERR_FILE', message: expect.stringContaining(join(dir.path, 'alb_cert')) });
    expect(await readdir(dir.path)).toEqual([]);
    expect(store.list()).toEqual([]);
    const { record } = await store.create({ name: 'alb_cert', cert: pki.clients.good.chainPem, key: pki.clients.good.keyPem, environmentTypes: ['production'] });
    expect(record.name).toBe('alb_cert');
    expect((await readdir(join(dir.path, 'alb_cert'))).sort()).toEqual(['metadata.json', 'tls.crt', 'tls.key']);
    expect(await mode(join(dir.path, 'alb_cert', 'tls.key'))).toBe('600');
    expect((await CertificateStore.open(dir.path)).list().map((r) => r.name)).toEqual(['alb_cert']);
  });
});
