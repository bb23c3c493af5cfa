import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki, type Pki } from '../../certs/index.ts';
import { parseAccessLogLine } from '../../harness/alb/access-log.ts';
import { parseConnectionLogLine } from '../../harness/alb/connection-log.ts';
import { startAlb } from '../../harness/alb/index.ts';
import type { AlbOptions } from '../../harness/alb/types.ts';
import { main } from '../../harness/cli/main.ts';
import { harnessErrorCode, isUserErrorCode, type UserErrorCode } from '../../harness/errors.ts';
import { startTarget, type TargetOptions } from '../../harness/targets/index.ts';
import { captureIo } from '../cli/capture-io.ts';
import { diskSnapshot } from '../helpers/disk-snapshot.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * Bad input, one row each: a CLI invocation (exit status 2) or a library call (a UserError code).
 * Every row must name the flag, file or field in its message, print no stack trace, and change
 * nothing on disk. Nothing here spawns a program.
 */
interface Fixtures {
  dir: string;
  pki: string;
  f(name: string): string;
  port: number;
  certs: Pki;
}

type CliRow = { name: string; argv: (x: Fixtures) => string[]; names: (x: Fixtures) => string };
type LibRow = { name: string; call: (x: Fixtures) => Promise<unknown> | unknown; code: UserErrorCode; names: string };

const STACK = /\n\s+at .+:\d+/;

let x: Fixtures;
let busy: Server;
let cleanup: () => Promise<void>;

const pem = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
const der = (pemText: string) => Buffer.from(pemText.split('\n').filter((l) => !l.startsWith('-----')).join(''), 'base64');

beforeAll(async () => {
  const certs = await createPki();
  const tmp = await tempDir('alb-bad-input-');
  cleanup = async () => {
    await tmp[Symbol.asyncDispose]();
  };
  const dir = tmp.path;
  const f = (name: string) => join(dir, name);
  await certs.writeTo(f('pki'));
  const files: Record<string, string | Buffer> = {
    'garbage.pem': 'this is not PEM at all\n',
    'empty.pem': '',
    'key-as-cert.pem': certs.clients.good.keyPem,
    'truncated.pem': certs.clients.good.certPem.split('\n').slice(0, 4).join('\n'),
    'bad-base64.pem': pem('CERTIFICATE', 'AAAA!!!!not base64 at all####'),
    'cert.der': der(certs.clients.good.certPem),
    'good.pem': certs.clients.good.chainPem,
    'one-group.yaml': `Resources:
  ApiTg:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: { Name: api-tg, Port: 8080, Protocol: HTTP }
  Api:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties: { Protocol: HTTPS, Port: 443, MutualAuthentication: { Mode: passthrough }, DefaultActions: [{ Type: forward, TargetGroupArn: !Ref ApiTg }] }
`,
    'good.key': certs.clients.good.keyPem,
    'other.key': certs.clients['good-alt'].keyPem,
    'bundle-blank-line.pem': `${certs.root.certPem}\n${certs.intermediate.certPem}`,
    'bundle-dash-comment.pem': `# my-bundle\n${certs.root.certPem}`,
    'bundle-key.pem': certs.root.keyPem,
    'bundle-truncated.pem': certs.root.certPem.split('\n').slice(0, -2).join('\n'),
    'crl-label.pem': certs.crls.root.pem.replace(/X509 CRL/g, 'CRL'),
    'crl-corrupt.pem': pem('X509 CRL', 'MIIBAAAAAAAAAAAAAAAA'),
    'crl-der.crl': der(certs.crls.root.pem),
    'a-file': 'just a file',
    'junit-exists.xml': '<testsuites/>',
  };
  for (const [name, content] of Object.entries(files)) await writeFile(f(name), content);
  await mkdir(f('not-empty'));
  await writeFile(f('not-empty/mine.txt'), 'mine');
  await mkdir(f('a-dir'));
  for (const [name, folder] of [['pki-ca-file', 'ca'], ['pki-clients-file', 'clients']] as const) {
    await cp(f('pki'), f(name), { recursive: true });
    await rm(f(`${name}/${folder}`), { recursive: true });
    await writeFile(f(`${name}/${folder}`), 'a file where a folder was');
  }
  const project = async (name: string, routes: string | null, extra: Record<string, string> = {}) => {
    await mkdir(f(`${name}/config`), { recursive: true });
    if (routes !== null) await writeFile(f(`${name}/config/routes.oas.json`), routes);
    for (const [file, text] of Object.entries(extra)) {
      await mkdir(join(f(name), file, '..'), { recursive: true });
      await writeFile(join(f(name), file), text);
    }
  };
  const route = (module: string) =>
    JSON.stringify({ openapi: '3.1.0', paths: { '/x': { get: { 'x-zuplo-route': { handler: { export: 'default', module: `$import(${module})` } } } } } });
  await project('project-ok', JSON.stringify({ openapi: '3.1.0', paths: {} }));
  await project('project-no-routes', null);
  await project('project-bad-json', '{"openapi": "3.1.0", "paths": {,}}');
  await project('project-throws', route('./modules/boom'), { 'modules/boom.ts': "throw new Error('boom at import');\nexport default () => new Response('x');\n" });
  await project('project-no-module', route('./modules/missing'));
  await project('project-routes-dir', null);
  await mkdir(f('project-routes-dir/config/routes.oas.json'));
  await project('project-env-dir', JSON.stringify({ openapi: '3.1.0', paths: {} }));
  await mkdir(f('project-env-dir/.env'));
  await mkdir(f('store'));
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  x = { dir, pki: f('pki'), f, port: (busy.address() as { port: number }).port, certs };
});

afterAll(async () => {
  await new Promise<void>((resolve) => busy.close(() => resolve()));
  await cleanup();
});

const verify = (cert: string, bundle: string, ...rest: string[]) => ['verify', '--cert', cert, '--trust-store', bundle, ...rest];
const bundle = (x: Fixtures) => join(x.pki, 'trust-store/bundle.pem');
const good = (x: Fixtures) => x.f('good.pem');
const create = (x: Fixtures, ...rest: string[]) => ['mtls-certificate', 'create', '--dir', x.f('store'), ...rest];

const cliRows: CliRow[] = [
  { name: 'no command', argv: () => [], names: () => 'Usage: alb-mtls' },
  { name: 'unknown command', argv: () => ['frobnicate'], names: () => 'unknown command "frobnicate"' },
  { name: 'run --tls 1.1', argv: () => ['run', '--tls', '1.1'], names: () => '--tls' },
  { name: 'run --concurrency 0', argv: () => ['run', '--concurrency', '0'], names: () => '--concurrency' },
  { name: 'run --concurrency many', argv: () => ['run', '--concurrency', 'many'], names: () => '--concurrency' },
  { name: 'run unknown scenario', argv: () => ['run', 'no-such-scenario'], names: () => 'no-such-scenario' },
  { name: 'run unknown flag', argv: () => ['run', '--nope'], names: () => '--nope' },
  { name: 'run --junit in a missing folder', argv: (x) => ['run', '--all', '--junit', x.f('missing/r.xml')], names: () => '--junit' },
  { name: 'run --junit naming a folder', argv: (x) => ['run', '--all', '--junit', x.f('a-dir')], names: () => '--junit' },
  { name: 'run --junit over a file without --force', argv: (x) => ['run', '--all', '--junit', x.f('junit-exists.xml')], names: () => '--junit' },
  { name: 'run --shard 3/2', argv: () => ['run', '--shard', '3/2'], names: () => '--shard' },
  { name: 'scenarios unknown flag', argv: () => ['scenarios', '--nope'], names: () => '--nope' },
  { name: 'serve --mode strict', argv: () => ['serve', '--mode', 'strict'], names: () => '--mode' },
  { name: 'serve --verify-failure tcp', argv: () => ['serve', '--verify-failure', 'tcp'], names: () => '--verify-failure' },
  { name: 'serve --port 99999', argv: () => ['serve', '--port', '99999'], names: () => '--port' },
  { name: 'serve --port abc', argv: () => ['serve', '--port', 'abc'], names: () => '--port' },
  { name: 'serve --port in use', argv: (x) => ['serve', '--pki', x.pki, '--port', String(x.port)], names: (x) => `--port ${x.port}` },
  { name: 'serve --target not a URL', argv: () => ['serve', '--target', 'not a url'], names: () => '--target' },
  { name: 'serve --target ftp://', argv: () => ['serve', '--target', 'ftp://example.com'], names: () => '--target' },
  { name: 'serve --target twice', argv: () => ['serve', '--target', 'http://127.0.0.1:1', '--target', 'http://127.0.0.1:2'], names: () => '--target http://127.0.0.1:2' },
  { name: 'serve --target GROUP=URL without --from', argv: () => ['serve', '--target', 'api-tg=http://127.0.0.1:1'], names: () => '--target api-tg=http://127.0.0.1:1' },
  { name: 'serve --from --target unknown group', argv: (x) => ['serve', '--from', x.f('one-group.yaml'), '--target', 'partner-tg=http://127.0.0.1:1'], names: () => "--target partner-tg=http://127.0.0.1:1: no target group 'partner-tg'" },
  { name: 'serve --from --target GROUP=not a URL', argv: (x) => ['serve', '--from', x.f('one-group.yaml'), '--target', 'api-tg=not a url'], names: () => '--target' },
  { name: 'serve --from --target GROUP=URL twice', argv: (x) => ['serve', '--from', x.f('one-group.yaml'), '--target', 'api-tg=http://127.0.0.1:1', '--target', 'ApiTg=http://127.0.0.1:2'], names: () => '--target ApiTg=http://127.0.0.1:2' },
  { name: 'serve --trust-store with --mode off', argv: (x) => ['serve', '--mode', 'off', '--trust-store', bundle(x)], names: () => '--trust-store' },
  { name: 'serve --crl with --mode passthrough', argv: (x) => ['serve', '--mode', 'passthrough', '--crl', x.f('garbage.pem')], names: () => '--crl' },
  { name: 'serve --log-dir that is a file', argv: (x) => ['serve', '--pki', x.pki, '--log-dir', x.f('a-file')], names: (x) => `--log-dir ${x.f('a-file')}` },
  { name: 'serve --pki that is not a PKI', argv: (x) => ['serve', '--pki', x.f('not-empty')], names: () => '--pki' },
  { name: 'serve --trust-store missing', argv: (x) => ['serve', '--pki', x.pki, '--trust-store', x.f('missing.pem')], names: (x) => x.f('missing.pem') },
  { name: 'serve --trust-store garbage', argv: (x) => ['serve', '--pki', x.pki, '--trust-store', x.f('garbage.pem')], names: (x) => x.f('garbage.pem') },
  { name: 'serve --trust-store with a blank line', argv: (x) => ['serve', '--pki', x.pki, '--trust-store', x.f('bundle-blank-line.pem')], names: (x) => x.f('bundle-blank-line.pem') },
  { name: 'serve --crl garbage', argv: (x) => ['serve', '--pki', x.pki, '--crl', x.f('garbage.pem')], names: (x) => x.f('garbage.pem') },
  { name: 'serve --crl that is a certificate', argv: (x) => ['serve', '--pki', x.pki, '--crl', good(x)], names: (x) => good(x) },
  { name: 'certs without --out', argv: () => ['certs'], names: () => '--out' },
  { name: 'certs --key-type dsa', argv: (x) => ['certs', '--out', x.f('new'), '--key-type', 'dsa'], names: () => '--key-type' },
  { name: 'certs --at yesterday', argv: (x) => ['certs', '--out', x.f('new'), '--at', 'yesterday'], names: () => '--at' },
  { name: 'certs --out a non-empty folder', argv: (x) => ['certs', '--out', x.f('not-empty')], names: () => '--out' },
  { name: 'certs --out a file', argv: (x) => ['certs', '--out', x.f('a-file')], names: () => '--out' },
  { name: 'certs --out under a file', argv: (x) => ['certs', '--out', x.f('a-file/pki')], names: () => '--out' },
  { name: 'certs --force where ca/ is a file', argv: (x) => ['certs', '--out', x.f('pki-ca-file'), '--force'], names: (x) => x.f('pki-ca-file/ca') },
  { name: 'certs --force where clients/ is a file', argv: (x) => ['certs', '--out', x.f('pki-clients-file'), '--force'], names: (x) => x.f('pki-clients-file/clients') },
  { name: 'verify without --cert', argv: () => ['verify'], names: () => '--cert' },
  { name: 'verify without --trust-store', argv: (x) => ['verify', '--cert', good(x)], names: () => '--trust-store' },
  { name: 'verify --cert missing', argv: (x) => verify(x.f('missing.pem'), bundle(x)), names: () => '--cert' },
  { name: 'verify --cert a folder', argv: (x) => verify(x.f('a-dir'), bundle(x)), names: () => '--cert' },
  { name: 'verify --cert garbage', argv: (x) => verify(x.f('garbage.pem'), bundle(x)), names: (x) => x.f('garbage.pem') },
  { name: 'verify --cert empty', argv: (x) => verify(x.f('empty.pem'), bundle(x)), names: (x) => x.f('empty.pem') },
  { name: 'verify --cert holding a key', argv: (x) => verify(x.f('key-as-cert.pem'), bundle(x)), names: (x) => x.f('key-as-cert.pem') },
  { name: 'verify --cert truncated', argv: (x) => verify(x.f('truncated.pem'), bundle(x)), names: (x) => x.f('truncated.pem') },
  { name: 'verify --cert bad base64', argv: (x) => verify(x.f('bad-base64.pem'), bundle(x)), names: (x) => x.f('bad-base64.pem') },
  { name: 'verify --cert DER', argv: (x) => verify(x.f('cert.der'), bundle(x)), names: (x) => x.f('cert.der') },
  { name: 'verify bundle garbage', argv: (x) => verify(good(x), x.f('garbage.pem')), names: (x) => x.f('garbage.pem') },
  { name: 'verify bundle with a blank line', argv: (x) => verify(good(x), x.f('bundle-blank-line.pem')), names: (x) => `${x.f('bundle-blank-line.pem')} line` },
  { name: 'verify bundle with a dash in a comment', argv: (x) => verify(good(x), x.f('bundle-dash-comment.pem')), names: (x) => `${x.f('bundle-dash-comment.pem')} line 1` },
  { name: 'verify bundle empty', argv: (x) => verify(good(x), x.f('empty.pem')), names: (x) => x.f('empty.pem') },
  { name: 'verify bundle holding a key', argv: (x) => verify(good(x), x.f('bundle-key.pem')), names: (x) => x.f('bundle-key.pem') },
  { name: 'verify bundle truncated', argv: (x) => verify(good(x), x.f('bundle-truncated.pem')), names: (x) => x.f('bundle-truncated.pem') },
  { name: 'verify bundle DER', argv: (x) => verify(good(x), x.f('cert.der')), names: (x) => x.f('cert.der') },
  { name: 'verify bundle a folder', argv: (x) => verify(good(x), x.f('a-dir')), names: () => '--trust-store' },
  { name: 'verify --crl garbage', argv: (x) => verify(good(x), bundle(x), '--crl', x.f('garbage.pem')), names: (x) => x.f('garbage.pem') },
  { name: 'verify --crl a certificate', argv: (x) => verify(good(x), bundle(x), '--crl', good(x)), names: (x) => good(x) },
  { name: 'verify --crl with the BEGIN CRL label', argv: (x) => verify(good(x), bundle(x), '--crl', x.f('crl-label.pem')), names: (x) => x.f('crl-label.pem') },
  { name: 'verify --crl corrupt', argv: (x) => verify(good(x), bundle(x), '--crl', x.f('crl-corrupt.pem')), names: (x) => x.f('crl-corrupt.pem') },
  { name: 'verify --crl DER', argv: (x) => verify(good(x), bundle(x), '--crl', x.f('crl-der.crl')), names: (x) => x.f('crl-der.crl') },
  { name: 'verify --crl missing', argv: (x) => verify(good(x), bundle(x), '--crl', x.f('missing.crl')), names: () => '--crl' },
  { name: 'verify --at tomorrow', argv: (x) => verify(good(x), bundle(x), '--at', 'tomorrow'), names: () => '--at' },
  { name: 'verify unknown flag', argv: () => ['verify', '--frob'], names: () => '--frob' },
  { name: 'gateway without --project', argv: () => ['gateway'], names: () => '--project' },
  { name: 'gateway --env-type staging', argv: (x) => ['gateway', '--project', x.f('project-ok'), '--env-type', 'staging'], names: () => '--env-type' },
  { name: 'gateway --failure-mode explode', argv: (x) => ['gateway', '--project', x.f('project-ok'), '--failure-mode', 'explode'], names: () => '--failure-mode' },
  { name: 'gateway --port 99999', argv: (x) => ['gateway', '--project', x.f('project-ok'), '--port', '99999'], names: () => '--port' },
  { name: 'gateway --env without =', argv: (x) => ['gateway', '--project', x.f('project-ok'), '--env', 'NOEQUALS'], names: () => '--env' },
  { name: 'gateway --project missing', argv: (x) => ['gateway', '--project', x.f('missing-project')], names: (x) => x.f('missing-project') },
  { name: 'gateway project without routes', argv: (x) => ['gateway', '--project', x.f('project-no-routes')], names: () => 'config/routes.oas.json' },
  { name: 'gateway routes file with invalid JSON', argv: (x) => ['gateway', '--project', x.f('project-bad-json')], names: () => 'config/routes.oas.json:1:' },
  { name: 'gateway routes file that is a folder', argv: (x) => ['gateway', '--project', x.f('project-routes-dir')], names: () => 'routes.oas.json' },
  { name: 'gateway .env that is a folder', argv: (x) => ['gateway', '--project', x.f('project-env-dir')], names: (x) => x.f('project-env-dir/.env') },
  { name: 'gateway module that throws at import', argv: (x) => ['gateway', '--project', x.f('project-throws')], names: () => 'boom' },
  { name: 'gateway module that does not exist', argv: (x) => ['gateway', '--project', x.f('project-no-module')], names: () => './modules/missing' },
  { name: 'gateway --origin-ca missing', argv: (x) => ['gateway', '--project', x.f('project-ok'), '--origin-ca', x.f('missing.pem')], names: () => '--origin-ca' },
  { name: 'gateway --certs a file', argv: (x) => ['gateway', '--project', x.f('project-ok'), '--certs', x.f('a-file')], names: (x) => x.f('a-file') },
  { name: 'gateway --compatibility-date soon', argv: (x) => ['gateway', '--project', x.f('project-ok'), '--compatibility-date', 'soon'], names: () => 'soon' },
  { name: 'mtls-certificate unknown action', argv: (x) => ['mtls-certificate', 'frobnicate', '--dir', x.f('store')], names: () => 'frobnicate' },
  { name: 'mtls-certificate create without --name', argv: (x) => create(x, '--cert', good(x), '--key', x.f('good.key')), names: () => '--name' },
  { name: 'mtls-certificate create --cert garbage', argv: (x) => create(x, '--name', 'a', '--cert', x.f('garbage.pem'), '--key', x.f('good.key'), '--environment-type', 'production'), names: () => 'cert' },
  { name: 'mtls-certificate create with a key of another certificate', argv: (x) => create(x, '--name', 'a', '--cert', good(x), '--key', x.f('other.key'), '--environment-type', 'production'), names: () => 'key' },
  { name: 'mtls-certificate create --cert missing', argv: (x) => create(x, '--name', 'a', '--cert', x.f('missing.pem'), '--key', x.f('good.key'), '--environment-type', 'production'), names: () => '--cert' },
  { name: 'mtls-certificate create --name a/b', argv: (x) => create(x, '--name', 'a/b', '--cert', good(x), '--key', x.f('good.key'), '--environment-type', 'production'), names: () => "'a/b'" },
  { name: 'mtls-certificate create without an environment type', argv: (x) => create(x, '--name', 'a', '--cert', good(x), '--key', x.f('good.key')), names: () => 'environment' },
  { name: 'mtls-certificate create --environment-type staging', argv: (x) => create(x, '--name', 'a', '--cert', good(x), '--key', x.f('good.key'), '--environment-type', 'staging'), names: () => 'staging' },
  { name: 'mtls-certificate describe an unknown id', argv: (x) => ['mtls-certificate', 'describe', '--dir', x.f('store'), '--cert-id', 'cert_nope'], names: () => 'cert_nope' },
  { name: 'mtls-certificate list --dir missing', argv: (x) => ['mtls-certificate', 'list', '--dir', x.f('missing-store')], names: (x) => x.f('missing-store') },
  { name: 'mtls-certificate list --dir a file', argv: (x) => ['mtls-certificate', 'list', '--dir', x.f('a-file')], names: (x) => x.f('a-file') },
  { name: 'mtls-certificate create --dir under a file', argv: (x) => create({ ...x, f: (n) => (n === 'store' ? x.f('a-file/store') : x.f(n)) }, '--name', 'a', '--cert', good(x), '--key', x.f('good.key'), '--environment-type', 'production'), names: (x) => x.f('a-file/store') },
];

const alb = (x: Fixtures, extra: Partial<AlbOptions>) => startAlb({ certificate: { certPem: x.certs.server.chainPem, keyPem: x.certs.server.keyPem }, ...extra });
const verifyAlb = (x: Fixtures, trustStore: Record<string, unknown>) => alb(x, { mutualAuthentication: { mode: 'verify', trustStore: trustStore as never } });
const target = (options: Record<string, unknown>) => startTarget(options as unknown as TargetOptions);

const libRows: LibRow[] = [
  { name: 'startAlb without a certificate', call: () => startAlb({} as AlbOptions), code: 'HARNESS_ERR_ALB_CONFIG', names: 'certificate' },
  { name: 'startAlb certPem garbage', call: (x) => startAlb({ certificate: { certPem: 'garbage', keyPem: x.certs.server.keyPem } }), code: 'HARNESS_ERR_PEM', names: 'certificate.certPem' },
  { name: 'startAlb keyPem garbage', call: (x) => startAlb({ certificate: { certPem: x.certs.server.chainPem, keyPem: 'garbage' } }), code: 'HARNESS_ERR_PEM', names: 'certificate.keyPem' },
  { name: 'startAlb key of another certificate', call: (x) => startAlb({ certificate: { certPem: x.certs.server.chainPem, keyPem: x.certs.clients.good.keyPem } }), code: 'HARNESS_ERR_KEY_MISMATCH', names: 'certificate.keyPem' },
  { name: 'startAlb sslPolicy unknown', call: (x) => alb(x, { sslPolicy: 'ELBSecurityPolicy-Banana' as never }), code: 'HARNESS_ERR_ALB_CONFIG', names: 'ELBSecurityPolicy-Banana' },
  { name: "startAlb mode 'strict'", call: (x) => alb(x, { mutualAuthentication: { mode: 'strict' as never } }), code: 'HARNESS_ERR_ALB_CONFIG', names: 'mutualAuthentication.mode' },
  { name: 'startAlb verify without a trust store', call: (x) => alb(x, { mutualAuthentication: { mode: 'verify' } }), code: 'HARNESS_ERR_ALB_CONFIG', names: 'mutualAuthentication.trustStore' },
  { name: 'startAlb caCertificatesBundle: 42', call: (x) => verifyAlb(x, { caCertificatesBundle: 42 }), code: 'HARNESS_ERR_ALB_CONFIG', names: 'caCertificatesBundle' },
  { name: 'startAlb caCertificatesBundle garbage', call: (x) => verifyAlb(x, { caCertificatesBundle: 'garbage' }), code: 'HARNESS_ERR_TRUST_STORE', names: 'caCertificatesBundle' },
  { name: 'startAlb revocations not an array', call: (x) => verifyAlb(x, { caCertificatesBundle: x.certs.trustStoreBundle, revocations: 'x' }), code: 'HARNESS_ERR_ALB_CONFIG', names: 'revocations' },
  { name: 'startAlb revocations holding garbage', call: (x) => verifyAlb(x, { caCertificatesBundle: x.certs.trustStoreBundle, revocations: ['garbage'] }), code: 'HARNESS_ERR_CRL', names: 'revocations' },
  { name: "startAlb advertiseTrustStoreCaNames 'yes'", call: (x) => alb(x, { mutualAuthentication: { mode: 'verify', trustStore: { caCertificatesBundle: x.certs.trustStoreBundle }, advertiseTrustStoreCaNames: 'yes' as never } }), code: 'HARNESS_ERR_ALB_CONFIG', names: 'AdvertiseTrustStoreCaNames' },
  { name: 'startAlb unknown attribute', call: (x) => alb(x, { attributes: { 'routing.http.banana': 'true' } }), code: 'HARNESS_ERR_ALB_CONFIG', names: 'routing.http.banana' },
  { name: 'startAlb xff mode bogus', call: (x) => alb(x, { attributes: { 'routing.http.xff_header_processing.mode': 'drop' } }), code: 'HARNESS_ERR_ALB_CONFIG', names: 'routing.http.xff_header_processing.mode' },
  { name: 'startAlb attribute value not a string', call: (x) => alb(x, { attributes: { 'routing.http.xff_client_port.enabled': true as never } }), code: 'HARNESS_ERR_ALB_CONFIG', names: 'routing.http.xff_client_port.enabled' },
  { name: 'startAlb idle timeout 0', call: (x) => alb(x, { attributes: { 'idle_timeout.timeout_seconds': '0' } }), code: 'HARNESS_ERR_ALB_CONFIG', names: 'idle_timeout.timeout_seconds' },
  { name: "startAlb verifyFailure 'tcp'", call: (x) => alb(x, { verifyFailure: 'tcp' as never }), code: 'HARNESS_ERR_ALB_CONFIG', names: 'verifyFailure' },
  { name: "startAlb headerEncoding 'base64'", call: (x) => alb(x, { headerEncoding: 'base64' as never }), code: 'HARNESS_ERR_ALB_CONFIG', names: 'headerEncoding' },
  { name: "startAlb noCertificateStatus 'Banana'", call: (x) => alb(x, { noCertificateStatus: 'Banana' as never }), code: 'HARNESS_ERR_ALB_CONFIG', names: 'noCertificateStatus' },
  { name: 'startAlb port 99999', call: (x) => alb(x, { port: 99999 }), code: 'HARNESS_ERR_ALB_CONFIG', names: 'port' },
  { name: 'startAlb port -1', call: (x) => alb(x, { port: -1 }), code: 'HARNESS_ERR_ALB_CONFIG', names: 'port' },
  { name: 'startAlb port in use', call: (x) => alb(x, { port: x.port }), code: 'HARNESS_ERR_PORT', names: `port` },
  { name: 'startAlb target not a URL', call: (x) => alb(x, { targets: ['not a url'] }), code: 'HARNESS_ERR_ALB_CONFIG', names: 'targets[0]' },
  { name: 'startAlb target ftp://', call: (x) => alb(x, { targets: ['ftp://example.com'] }), code: 'HARNESS_ERR_ALB_CONFIG', names: 'targets[0]' },
  { name: 'startAlb targetConnectTimeoutMs -1', call: (x) => alb(x, { targetConnectTimeoutMs: -1 }), code: 'HARNESS_ERR_ALB_CONFIG', names: 'targetConnectTimeoutMs' },
  { name: 'startAlb handshakeTimeoutMs 0', call: (x) => alb(x, { handshakeTimeoutMs: 0 }), code: 'HARNESS_ERR_ALB_CONFIG', names: 'handshakeTimeoutMs' },
  { name: 'startAlb logDirectory a file', call: (x) => alb(x, { logDirectory: x.f('a-file') }), code: 'HARNESS_ERR_FILE', names: 'logDirectory' },
  { name: "startAlb logDirectory ''", call: (x) => alb(x, { logDirectory: '' }), code: 'HARNESS_ERR_ALB_CONFIG', names: 'logDirectory' },
  { name: 'startAlb maxLogEntries 0', call: (x) => alb(x, { maxLogEntries: 0 }), code: 'HARNESS_ERR_INVALID_ARGUMENT', names: 'maxLogEntries' },
  { name: 'createPki validityDays -5', call: () => createPki({ validityDays: -5 }), code: 'HARNESS_ERR_INVALID_ARGUMENT', names: 'validityDays' },
  { name: 'createPki validityDays 1.5', call: () => createPki({ validityDays: 1.5 }), code: 'HARNESS_ERR_INVALID_ARGUMENT', names: 'validityDays' },
  { name: "createPki albDnsName ''", call: () => createPki({ albDnsName: '' }), code: 'HARNESS_ERR_INVALID_ARGUMENT', names: 'albDnsName' },
  { name: "createPki albDnsName 'bad name!'", call: () => createPki({ albDnsName: 'bad name!' }), code: 'HARNESS_ERR_INVALID_ARGUMENT', names: 'albDnsName' },
  { name: "createPki keyType 'dsa'", call: () => createPki({ keyType: 'dsa' as never }), code: 'HARNESS_ERR_INVALID_ARGUMENT', names: 'keyType' },
  { name: 'createPki now invalid', call: () => createPki({ now: new Date('not a date') }), code: 'HARNESS_ERR_INVALID_ARGUMENT', names: 'now' },
  { name: "startTarget kind 'bogus'", call: () => target({ kind: 'bogus' }), code: 'HARNESS_ERR_INVALID_ARGUMENT', names: 'kind' },
  { name: 'startTarget verifying without trustedCa', call: () => target({ kind: 'verifying' }), code: 'HARNESS_ERR_INVALID_ARGUMENT', names: 'trustedCa' },
  { name: 'startTarget verifying trustedCa garbage', call: () => target({ kind: 'verifying', trustedCa: 'garbage' }), code: 'HARNESS_ERR_PEM', names: 'trustedCa' },
  { name: 'startTarget maxRequests -1', call: () => target({ kind: 'echo', maxRequests: -1 }), code: 'HARNESS_ERR_INVALID_ARGUMENT', names: 'maxRequests' },
  { name: 'parseConnectionLogLine garbage', call: () => parseConnectionLogLine('garbage'), code: 'HARNESS_ERR_LOG_LINE', names: 'parseConnectionLogLine' },
  { name: 'parseAccessLogLine garbage', call: () => parseAccessLogLine('garbage'), code: 'HARNESS_ERR_LOG_LINE', names: 'parseAccessLogLine' },
];

describe('bad input table: CLI', () => {
  it.each(cliRows.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    const before = await diskSnapshot(x.dir);
    const io = captureIo();
    const exit = await main(row.argv(x), io);
    const output = [...io.stdout, ...io.stderr].join('\n');
    expect(exit, output).toBe(2);
    expect(io.stderr.join('\n')).toContain(row.names(x));
    expect(output).not.toMatch(STACK);
    expect(await diskSnapshot(x.dir)).toEqual(before);
  });
});

describe('bad input table: library options', () => {
  it.each(libRows.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    const before = await diskSnapshot(x.dir);
    let caught: unknown;
    try {
      const handle = await row.call(x);
      await (handle as { close?: () => Promise<void> } | undefined)?.close?.();
    } catch (err) {
      caught = err;
    }
    expect(caught, 'the call should have thrown').toBeDefined();
    const code = harnessErrorCode(caught);
    expect(code, String(caught)).toBe(row.code);
    expect(isUserErrorCode(code)).toBe(true);
    expect((caught as Error).message).toContain(row.names);
    expect((caught as Error).message).not.toMatch(STACK);
    expect(await diskSnapshot(x.dir)).toEqual(before);
  });

  it('holds at least 80 rows', () => {
    expect(cliRows.length + libRows.length).toBeGreaterThanOrEqual(80);
  });
});
