import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPki, type Pki } from '../../certs/index.ts';
import { main } from '../../harness/cli/main.ts';
import { startGateway } from '../../harness/gateway/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { captureIo } from './capture-io.ts';

describe('alb-mtls mtls-certificate (the zuplo mtls-certificate commands on a local store)', () => {
  let pki: Pki;
  beforeAll(async () => {
    pki = await createPki();
  });

  it('create, list, update, disable, delete, with the CLI messages and the on-disk layout the gateway reads', async () => {
    await using dir = await tempDir();
    const store = join(dir.path, 'mtls');
    const cert = await dir.file('client-cert.pem', pki.clients.good.chainPem);
    const key = await dir.file('client-key.pem', pki.clients.good.keyPem);

    const create = captureIo();
    const argv = ['mtls-certificate', 'create', '--dir', store, '--cert', cert, '--key', key, '--name', 'aws-alb-cert', '--environment-type', 'preview', '--environment-type', 'production'];
    expect(await main(argv, create)).toBe(0);
    const [line] = create.stdout;
    expect(line).toMatch(/^mTLS certificate 'aws-alb-cert' \(cert_[0-9a-f]{12}\) created successfully$/);
    expect(create.stderr.join('\n')).toContain('aws_alb_cert'); // the seed's name breaks the JS-identifier rule: warned, with a fix
    const id = /\((cert_[0-9a-f]+)\)/.exec(line!)![1]!;
    expect((await readdir(join(store, 'aws-alb-cert'))).sort()).toEqual(['metadata.json', 'tls.crt', 'tls.key']);
    expect(await readFile(join(store, 'aws-alb-cert', 'tls.crt'), 'utf8')).toBe(pki.clients.good.chainPem);

    const list = captureIo();
    expect(await main(['mtls-certificate', 'list', '--dir', store], list)).toBe(0);
    expect(list.stdout.join('\n')).toContain('Found 1 mTLS certificate(s):');
    expect(list.stdout.join('\n')).toContain('Subject:     CN=zuplo-gateway,O=alb-mtls-harness');
    expect(list.stdout.join('\n')).toContain('Environments: preview, production');

    // The gateway reads the same store, and repeats the name warning at start-up for a certificate a route uses (only then).
    {
      const route = { get: { 'x-zuplo-route': { handler: { export: 'urlForwardHandler', module: '$import(@zuplo/runtime)', options: { baseUrl: 'https://127.0.0.1:9', mtlsCertificate: 'aws-alb-cert' } } } } };
      await using gw = await startGateway({ routes: { paths: { '/x': route } }, certificates: store, environmentType: 'preview' });
      expect(gw.warnings.some((w) => w.includes("'aws-alb-cert'") && w.includes('aws_alb_cert'))).toBe(true);
      await using unused = await startGateway({ routes: { paths: {} }, certificates: store, environmentType: 'preview' });
      expect(unused.warnings).toEqual([]);
    }

    expect(await main(['mtls-certificate', 'update', '--dir', store, '--cert-id', id, '--environment-type', 'development'], captureIo())).toBe(0);
    const disabled = captureIo();
    expect(await main(['mtls-certificate', 'disable', '--dir', store, '--cert-id', id], disabled)).toBe(0);
    expect(disabled.stdout).toEqual([`mTLS certificate 'aws-alb-cert' (${id}) disabled`]);
    const described = captureIo();
    await main(['mtls-certificate', 'describe', '--dir', store, '--cert-id', id], described);
    expect(described.stdout.join('\n')).toContain('Environments: (none: disabled)');
    expect(await main(['mtls-certificate', 'delete', '--dir', store, '--cert-id', id], captureIo())).toBe(0);
    const empty = captureIo();
    await main(['mtls-certificate', 'list', '--dir', store], empty);
    expect(empty.stdout).toEqual(['No mTLS certificates found']);
  });

  it('user errors exit 2 with the file or flag named, and never a stack trace', async () => {
    await using dir = await tempDir();
    const store = join(dir.path, 'mtls');
    const good = await dir.file('good.pem', pki.clients.good.chainPem);
    const otherKey = await dir.file('other.key', pki.clients['good-alt'].keyPem);
    const notPem = await dir.file('not.pem', 'hello');
    const base = ['mtls-certificate', 'create', '--dir', store, '--name', 'c', '--environment-type', 'preview'];
    const cases: [string[], RegExp][] = [
      [[...base, '--cert', join(dir.path, 'missing.pem'), '--key', otherKey], /--cert .*missing\.pem: no such file/],
      [[...base, '--cert', good, '--key', otherKey], /does not match|does not belong/],
      [[...base, '--cert', notPem, '--key', otherKey], /PEM/],
      [['mtls-certificate', 'list', '--dir', join(dir.path, 'nope')], /nope/],
      [['mtls-certificate', 'create', '--dir', store, '--name', 'aws-alb-cert', '--strict-names', '--cert', good, '--key', otherKey, '--environment-type', 'preview'], /JavaScript variable name/],
    ];
    for (const [argv, message] of cases) {
      const io = captureIo();
      expect(await main(argv, io), argv.join(' ')).toBe(2);
      expect(io.stderr.join('\n')).toMatch(message);
      expect(io.stderr.join('\n')).not.toMatch(/\n\s+at /);
    }
  });
});

describe('alb-mtls mtls-certificate delete: refused while the project uses the certificate', () => {
  it('a route naming it through $env(), or a module naming it, blocks delete until they stop', async () => {
    const pki = await createPki();
    await using dir = await tempDir();
    const project = join(dir.path, 'project');
    const store = join(project, '.zuplo-local', 'mtls');
    await mkdir(join(project, 'config'), { recursive: true });
    await mkdir(join(project, 'modules'), { recursive: true });
    const route = (options: object) => JSON.stringify({ paths: { '/api': { 'get,post': { 'x-zuplo-route': { handler: { export: 'urlForwardHandler', module: '$import(@zuplo/runtime)', options } } } } } });
    await writeFile(join(project, 'config', 'routes.oas.json'), route({ baseUrl: 'https://alb.example', mtlsCertificate: '$env(ALB_MTLS_CERT)' }));
    await writeFile(join(project, '.env'), 'ALB_MTLS_CERT=aws_alb_cert\n');
    const cert = await dir.file('c.pem', pki.clients.good.chainPem);
    const key = await dir.file('k.pem', pki.clients.good.keyPem);
    const created = captureIo();
    await main(['mtls-certificate', 'create', '--dir', store, '--name', 'aws_alb_cert', '--cert', cert, '--key', key, '--environment-type', 'production'], created);
    const id = /\((cert_[0-9a-f]+)\)/.exec(created.stdout[0]!)![1]!;

    const refused = captureIo();
    expect(await main(['mtls-certificate', 'delete', '--dir', store, '--cert-id', id], refused)).toBe(2);
    expect(refused.stderr.join('\n')).toContain("mTLS certificate 'aws_alb_cert'");
    expect(refused.stderr.join('\n')).toContain('route GET,POST /api (config/routes.oas.json)');
    expect(refused.stderr.join('\n')).toContain('Stop naming it there (remove mtlsCertificate or name another certificate), redeploy, then delete it.');
    // Disabled, it is still blocked by the route: the message says so, not "disable it first".
    expect(await main(['mtls-certificate', 'disable', '--dir', store, '--cert-id', id], captureIo())).toBe(0);
    const disabled = captureIo();
    expect(await main(['mtls-certificate', 'delete', '--dir', store, '--cert-id', id], disabled)).toBe(2);
    expect(disabled.stderr.join('\n')).toContain('is still used by route GET,POST /api (config/routes.oas.json)');
    expect(disabled.stderr.join('\n')).not.toMatch(/disable/i);

    await writeFile(join(project, 'config', 'routes.oas.json'), route({ baseUrl: 'https://alb.example' }));
    await writeFile(join(project, 'modules', 'forward.ts'), 'export default () => fetch("https://alb.example", { zuplo: { mtlsCertificate: environment.ALB_MTLS_CERT } });\n');
    const byModule = captureIo();
    expect(await main(['mtls-certificate', 'delete', '--dir', store, '--cert-id', id], byModule)).toBe(2);
    expect(byModule.stderr.join('\n')).toContain('module modules/forward.ts');

    await writeFile(join(project, 'modules', 'forward.ts'), 'export default () => fetch("https://alb.example");\n');
    expect(await main(['mtls-certificate', 'delete', '--dir', store, '--cert-id', id], captureIo())).toBe(0);
  });

  it('warnings only about the certificates the command touches, each once', async () => {
    const pki = await createPki();
    await using dir = await tempDir();
    const store = join(dir.path, 'store');
    const run = async (...argv: string[]) => {
      const io = captureIo();
      const code = await main(['mtls-certificate', ...argv, '--dir', store], io);
      return { code, out: io.stdout.join('\n'), err: io.stderr };
    };
    const file = (name: string, text: string) => dir.file(name, text);
    const expired = await run('create', '--name', 'old', '--cert', await file('e.pem', pki.clients.expired.chainPem), '--key', await file('e.key', pki.clients.expired.keyPem), '--environment-type', 'production');
    expect(expired.code).toBe(0);
    expect(expired.err).toHaveLength(1);
    expect(expired.err[0]).toMatch(/^warning: mTLS certificate 'old': the certificate expired on /);
    const fresh = await run('create', '--name', 'fresh', '--cert', await file('g.pem', pki.clients.good.chainPem), '--key', await file('g.key', pki.clients.good.keyPem), '--environment-type', 'production');
    expect(fresh.err).toEqual([]); // 'old' is not this command's business
    const freshId = /\((cert_\w+)\)/.exec(fresh.out)![1]!;
    const oldId = /\((cert_\w+)\)/.exec(expired.out)![1]!;
    expect((await run('describe', '--cert-id', freshId)).err).toEqual([]);
    expect((await run('update', '--cert-id', freshId, '--environment-type', 'preview')).err).toEqual([]);
    const describeOld = await run('describe', '--cert-id', oldId);
    expect(describeOld.err).toEqual([`warning: ${join(store, 'old')}: ${describeOld.err[0]!.split(': ').slice(2).join(': ')}`]);
    expect(describeOld.err[0]).toContain('the certificate expired on');
    const list = await run('list');
    expect(list.err).toHaveLength(1);
    expect(list.err[0]).toContain(`${join(store, 'old')}: the certificate expired on`);
  });
});
