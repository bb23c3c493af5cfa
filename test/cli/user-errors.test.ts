import { createServer } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import { diskSnapshot } from '../helpers/disk-snapshot.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { captureIo } from './capture-io.ts';

/** Runs the CLI; a user error must be exit 2, name what was wrong, and print no stack trace. */
async function userError(argv: string[], names: string): Promise<string> {
  const io = captureIo();
  const exit = await main(argv, io);
  const text = [...io.stdout, ...io.stderr].join('\n');
  expect(exit, text).toBe(2);
  expect(io.stderr.join('\n')).toContain(names);
  expect(text).not.toMatch(/\n\s+at /);
  return io.stderr.join('\n');
}

async function busyPort(): Promise<AsyncDisposable & { port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { port, [Symbol.asyncDispose]: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('CLI user errors: exit 2, the flag or file named, no stack trace', () => {
  it('serve --port that another process holds', async () => {
    await using busy = await busyPort();
    await using dir = await tempDir();
    const message = await userError(['serve', '--pki', dir.path, '--port', String(busy.port)], `--port ${busy.port}`);
    expect(message).toContain('already in use');
  });

  it('serve --log-dir that is a file', async () => {
    await using dir = await tempDir();
    const file = await dir.file('logs', 'not a directory');
    const before = await diskSnapshot(dir.path);
    await userError(['serve', '--pki', join(dir.path, 'pki'), '--log-dir', file], `--log-dir ${file}`);
    const after = await diskSnapshot(dir.path);
    expect(after['logs']).toBe(before['logs']);
  });

  it('gateway where config/routes.oas.json is a directory', async () => {
    await using dir = await tempDir();
    await mkdir(join(dir.path, 'config', 'routes.oas.json'), { recursive: true });
    await userError(['gateway', '--project', dir.path], 'routes.oas.json');
  });

  it('gateway where .env is a directory', async () => {
    await using dir = await tempDir();
    await mkdir(join(dir.path, 'config'), { recursive: true });
    await writeFile(join(dir.path, 'config', 'routes.oas.json'), '{"openapi":"3.1.0","paths":{}}');
    await mkdir(join(dir.path, '.env'));
    await userError(['gateway', '--project', dir.path], '.env');
  });

  it('certs --out under a parent that is a file', async () => {
    await using dir = await tempDir();
    const file = await dir.file('parent', 'x');
    await userError(['certs', '--out', join(file, 'pki')], '--out');
  });

  for (const folder of ['ca', 'clients']) {
    it(`certs --force where ${folder}/ is a file leaves the directory as it was`, async () => {
      await using dir = await tempDir();
      const out = join(dir.path, 'pki');
      expect(await main(['certs', '--out', out], captureIo())).toBe(0);
      const { rm } = await import('node:fs/promises');
      await rm(join(out, folder), { recursive: true });
      await writeFile(join(out, folder), 'a file where a folder was');
      const before = await diskSnapshot(dir.path);
      await userError(['certs', '--out', out, '--force'], join(out, folder));
      expect(await diskSnapshot(dir.path)).toEqual(before);
    });
  }

  it('mtls-certificate create whose store cannot be created', async () => {
    await using dir = await tempDir();
    const file = await dir.file('store-parent', 'x');
    const cert = await dir.file('c.pem', 'x');
    await userError(['mtls-certificate', 'create', '--dir', join(file, 'mtls'), '--name', 'a', '--cert', cert, '--key', cert, '--environment-type', 'production'], join(file, 'mtls'));
  });

  it('run --all --junit into a missing directory fails before running anything', async () => {
    await using dir = await tempDir();
    const io = captureIo();
    const junit = join(dir.path, 'missing', 'r.xml');
    const exit = await main(['run', '--all', '--junit', junit], io);
    expect(exit).toBe(2);
    expect(io.stderr.join('\n')).toContain(`--junit ${junit}`);
    expect(io.stdout).toEqual([]); // no scenario ran
  });
});
