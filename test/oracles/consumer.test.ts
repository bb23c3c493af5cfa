import { execFile } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * The package as a user gets it: `npm pack`, installed into a fresh project, then used from plain
 * Node, from strict TypeScript, from a vitest test and through its `alb-mtls` command. Needs npm
 * (with Node) and the npm registry or a warm npm cache for the consumer's typescript and vitest.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PROJECT_FILES = fileURLToPath(new URL('./consumer-project/', import.meta.url));
const SLOW = 600_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

// The consumer's own tools must not think they run inside this suite's vitest; plain text output.
const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS' && k !== 'FORCE_COLOR')),
  NO_COLOR: '1',
};

function run(command: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: SLOW }, (err, stdout, stderr) => {
      const code = (err as NodeJS.ErrnoException | null)?.code;
      if (code === 'ENOENT') return reject(new Error(`${command} is not installed: it comes with Node.js (https://nodejs.org; Debian: apt-get install nodejs npm)`));
      if (typeof code === 'string') return reject(err);
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const npm = (args: string[], cwd: string) => run('npm', args, cwd);
// `--` keeps npx from taking the command's own flags (`--help`, `-p`) for itself.
const npx = (args: string[], cwd: string) => run('npx', ['--no', '--', ...args], cwd);

describe('the packed package, installed into a fresh project', () => {
  let files: string[];
  let consumer: string;
  // Shared by every test, so removed in afterAll rather than by `await using`.
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
  afterAll(async () => dir?.[Symbol.asyncDispose](), SLOW);

  beforeAll(async () => {
    dir = await tempDir('alb-mtls-consumer-');
    const packed = await npm(['pack', '--json', '--pack-destination', dir.path], ROOT);
    expect(packed.code, packed.stderr).toBe(0);
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as [{ filename: string; files: { path: string }[] }];
    files = info.files.map((f) => f.path);

    consumer = join(dir.path, 'project');
    await cp(PROJECT_FILES, consumer, { recursive: true });
    const own = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    const tools = ['typescript', 'vitest', '@types/node'].map((name) => `${name}@${own.devDependencies[name]}`);
    const installed = await npm(['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir.path, info.filename), ...tools], consumer);
    expect(installed.code, installed.stderr).toBe(0);
  }, SLOW);

  it('ships the build, the command and the README: no tests, benchmarks, sources or keys', () => {
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('bin/alb-mtls.js');
    expect(files.filter((f) => !/^(dist\/|bin\/)/.test(f)).sort()).toEqual(['README.md', 'package.json']);
    expect(files.filter((f) => /(^|\/)(test|bench|\.ci)\//.test(f))).toEqual([]);
    expect(files.filter((f) => /\.(key|pem|p12|pfx|crt|tgz)$/.test(f))).toEqual([]);
    // TypeScript ships as declarations only, plus the scenarios' function module (user-style code).
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual(['dist/scenarios/fixtures/function-project/modules/alb-forward.ts']);
  });

  it('plain node imports it and plays gateway -> verify-mode ALB -> target', async () => {
    const r = await run('node', ['round-trip.mjs'], consumer);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('status=200\nsubject=CN=zuplo-gateway,O=alb-mtls-harness\ntls_verify_status=Success\n');
  }, SLOW);

  it('strict tsc with module NodeNext, no DOM lib and skipLibCheck off compiles a consumer with zero errors', async () => {
    const r = await npx(['tsc', '-p', 'tsconfig.json'], consumer);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, SLOW);

  it('a vitest test in the consumer uses `await using` with startAlb', async () => {
    const r = await npx(['vitest', 'run'], consumer);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Tests\s+\S*1 passed/);
  }, SLOW);

  it('npx alb-mtls --help, certs and verify run from the installed package', async () => {
    const help = await npx(['alb-mtls', '--help'], consumer);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: alb-mtls <command> \[options\]$/m);
    expect(help.stdout).toMatch(/^ {2}verify +Would an ALB in verify mode accept this client certificate\?/m);

    expect((await npx(['alb-mtls', 'certs', '--out', 'pki'], consumer)).code).toBe(0);
    const good = await npx(['alb-mtls', 'verify', '--cert', 'pki/clients/client-good.chain.pem', '--trust-store', 'pki/trust-store/bundle.pem'], consumer);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/^tls_verify_status=Success\n/);
    const expired = await npx(['alb-mtls', 'verify', '--cert', 'pki/clients/client-expired.chain.pem', '--trust-store', 'pki/trust-store/bundle.pem'], consumer);
    expect(expired.code).toBe(1);
    expect(expired.stdout).toMatch(/^tls_verify_status=Failed:ClientCertExpired\n/);
  }, SLOW);

  it('on an unsupported Node the command and the library stop with one message naming the version', async () => {
    const message = 'alb-mtls-harness needs Node.js 20.18.0 or newer; this is Node.js 18.19.0. Install a current Node (https://nodejs.org) and run again.';
    const cli = await run('node', ['--import', './pretend-node-18.mjs', 'node_modules/.bin/alb-mtls', '--help'], consumer);
    expect(cli).toEqual({ code: 1, stdout: '', stderr: `alb-mtls: ${message}\n` });
    const lib = await run('node', ['--import', './pretend-node-18.mjs', '--input-type=module', '-e', "await import('alb-mtls-harness')"], consumer);
    expect(lib.code).toBe(1);
    expect(lib.stderr).toContain(`Error: ${message}`);
  }, SLOW);
});
