import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { captureIo } from './capture-io.ts';
import { getAsClient } from './pki-client.ts';

describe('alb-mtls serve --verify-failure http-403 --log-dir DIR', () => {
  test('answers 403 for an untrusted certificate and appends the log lines to AWS-named files', async () => {
    await using dir = await tempDir();
    const pki = join(dir.path, 'pki');
    const logs = join(dir.path, 'logs');
    const io = captureIo();
    const exit = main(['serve', '--pki', pki, '--verify-failure', 'http-403', '--log-dir', logs], io);
    try {
      const url = await io.nextLine(/^https:/);
      expect(await getAsClient(url, pki, 'client-untrusted-root')).toBe(403);
      expect(await getAsClient(url, pki, 'client-good')).toBe(200);
      await io.nextLine(/^access-log .* 200 200 /);
      const files = (await readdir(logs)).sort();
      const connLog = files.find((f) => /^conn_log_\d{12}_elasticloadbalancing_[a-z0-9-]+_app\./.test(f));
      expect(connLog, files.join(', ')).toBeDefined();
      const lines = (await readFile(join(logs, connLog!), 'utf8')).trim().split('\n');
      expect(lines.map((l) => l.split(' ')[10])).toEqual(['Failed:ClientCertUntrusted', 'Success']);
    } finally {
      io.interrupt();
      expect(await exit).toBe(0);
    }
  });

  test('a bad --verify-failure value exits 2 naming the flag', async () => {
    const io = captureIo();
    expect(await main(['serve', '--verify-failure', 'drop'], io)).toBe(2);
    expect(io.stderr.join('\n')).toContain('--verify-failure "drop" is not valid. Use one of: handshake, http-403.');
  });
});
