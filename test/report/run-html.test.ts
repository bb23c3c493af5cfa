import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import { captureIo } from '../cli/capture-io.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alb-mtls-html-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('alb-mtls run --html', () => {
  test('writes the report of the runs it made and says where', async () => {
    const file = join(dir, 'report.html');
    const io = captureIo();
    expect(await main(['run', 'client-cert-expired', 'url-forward-200', '--html', file], io)).toBe(0);
    expect(io.stdout.at(-1)).toBe(`HTML report written to ${file}`);
    const html = await readFile(file, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.match(/<section class="card" id="s-([a-z0-9-]+)"/g)).toEqual(['<section class="card" id="s-client-cert-expired"', '<section class="card" id="s-url-forward-200"']);
    expect(html).toContain('Failed:ClientCertExpired');
  });

  test('refuses to overwrite a file without --force, before running anything', async () => {
    const file = join(dir, 'mine.html');
    await writeFile(file, 'keep me');
    const io = captureIo();
    expect(await main(['run', '--all', '--html', file], io)).toBe(2);
    expect(io.stderr.join('\n')).toBe(`alb-mtls run: --html ${file}: file exists. Choose another path, or add --force to overwrite it.`);
    expect(await readFile(file, 'utf8')).toBe('keep me');
    expect(await main(['run', 'no-targets-503', '--tls', '1.3', '--html', file, '--force'], captureIo())).toBe(0);
    expect(await readFile(file, 'utf8')).toContain('no-targets-503');
  });

  test('report merge --html renders the merged JSON reports of several runs', async () => {
    const parts: string[] = [];
    for (const id of ['no-targets-503', 'client-cert-expired']) {
      const io = captureIo();
      expect(await main(['run', id, '--tls', '1.3', '--json'], io)).toBe(0);
      const file = join(dir, `${id}.json`);
      await writeFile(file, io.stdout.join('\n'));
      parts.push(file);
    }
    const html = join(dir, 'merged.html');
    const io = captureIo();
    expect(await main(['report', 'merge', '--html', html, ...parts], io)).toBe(0);
    expect(io.stdout.at(-1)).toBe(`--html written to ${html}`);
    const text = await readFile(html, 'utf8');
    // Catalogue order, each with its picture and the chain the gateway presented.
    expect(text.match(/<section class="card" id="s-([a-z0-9-]+)"/g)).toEqual(['<section class="card" id="s-client-cert-expired"', '<section class="card" id="s-no-targets-503"']);
    expect(text).toContain('<text class="chain-cn" x="11" y="40">client-expired</text>');
  });
});
