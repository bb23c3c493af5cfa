import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPkiManifest } from '../../certs/pki/manifest.ts';
import { main } from '../../harness/cli/main.ts';
import { captureIo } from '../cli/capture-io.ts';

/**
 * Runs every command `alb-mtls serve` prints, exactly as printed (through sh), with the real curl
 * and openssl, and checks the output and the connection log against what the command's line says.
 */

interface Group { heading: string; status: number | 'no response'; log?: string; commands: string[] }

function run(command: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', command], { timeout: 20_000 }, (_err, stdout, stderr) => resolve({ stdout, stderr }));
  });
}

async function requireProgram(name: string, install: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    execFile(name, ['--version'], (err) => {
      if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') reject(new Error(`${name} is not installed: ${install} (the printed commands use it; .ci/run installs it)`));
      else resolve();
    });
  });
}

/** The groups serve printed: a heading that says what to expect, then its indented commands. */
function groups(lines: string[]): Group[] {
  const out: Group[] = [];
  for (const line of lines) {
    const heading = /^.+ \([\w-]+\): expect (?:no HTTP response|"HTTP\/2 (\d+)" from curl, "HTTP\/1\.1 \1" from openssl)[^;]*(?:; the connection log shows (\S+))?/.exec(line);
    if (heading) out.push({ heading: line, status: heading[1] ? Number(heading[1]) : 'no response', ...(heading[2] ? { log: heading[2] } : {}), commands: [] });
    else if (line.startsWith('  ') && out.length > 0 && !line.startsWith('   ')) out.at(-1)!.commands.push(line.trim());
  }
  return out;
}

async function logCount(io: ReturnType<typeof captureIo>, status: string, atLeast: number): Promise<number> {
  const count = () => io.stdout.filter((l) => l.startsWith('connection-log ') && l.includes(` ${status} TID_`)).length;
  while (count() < atLeast) await sleep(20);
  return count();
}

/** Runs every printed command as printed and checks its output and the connection log against its heading. */
async function runEach(io: ReturnType<typeof captureIo>, printed: Group[]): Promise<void> {
  for (const group of printed) {
    expect(group.commands, group.heading).toHaveLength(2);
    for (const command of group.commands) {
      const before = group.log ? await logCount(io, group.log, 0) : 0;
      const { stdout, stderr } = await run(command);
      // curl offers ALPN h2, which the listener (routing.http2.enabled by default) selects; s_client offers none.
      const version = command.startsWith('curl ') ? '2' : '1\\.1';
      if (group.status === 'no response') expect(stdout, `${command}\n${stderr}`).not.toMatch(/^HTTP\//m);
      else expect(stdout.split('\n')[0], `${command}\n${stderr}`).toMatch(new RegExp(`^HTTP/${version} ${group.status} `));
      if (group.log) expect(await logCount(io, group.log, before + 1)).toBe(before + 1);
    }
  }
}

const FLAG_SETS: Array<{ title: string; flags: (pki: string) => string[] }> = [
  { title: 'verify (default)', flags: () => [] },
  { title: '--verify-failure http-403', flags: () => ['--verify-failure', 'http-403'] },
  { title: '--ignore-expiry', flags: () => ['--ignore-expiry'] },
  { title: '--trust-store (a bundle that does not hold the PKI root)', flags: (pki) => ['--trust-store', join(pki, 'ca/ca-rogue-root.crt')] },
  { title: '--mode passthrough', flags: () => ['--mode', 'passthrough'] },
  { title: '--mode off', flags: () => ['--mode', 'off'] },
];

describe('alb-mtls serve: the printed commands work as printed', () => {
  let pki: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    await requireProgram('curl', 'apt-get install curl');
    await requireProgram('openssl', 'apt-get install openssl');
    const dir = await mkdtemp(join(tmpdir(), 'serve-commands-'));
    cleanup = () => rm(dir, { recursive: true, force: true });
    pki = join(dir, 'pki');
    expect(await main(['certs', '--out', pki], captureIo())).toBe(0);
  });
  afterAll(() => cleanup());

  it.each(FLAG_SETS)('$title: each command shows the outcome its line announces', async ({ flags }) => {
    const io = captureIo();
    const exit = main(['serve', '--pki', pki, ...flags(pki)], io);
    await io.nextLine(/^Forwarding to /);
    const printed = groups(io.stdout);
    expect(printed).toHaveLength(2);
    await runEach(io, printed);
    io.interrupt();
    expect(await exit).toBe(0);
  });

  it('serve --from a load balancer with a verify and a passthrough listener: every printed command, per listener', async () => {
    const written = await readPkiManifest(pki, '--pki');
    const template = join(pki, '..', 'two-listeners.yaml');
    await writeFile(
      template,
      `Resources:
  Store:
    Type: AWS::ElasticLoadBalancingV2::TrustStore
    Properties: { Name: partner-ca, CaCertificatesBundleS3Bucket: ca, CaCertificatesBundleS3Key: bundle.pem }
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
  Partners:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties: { LoadBalancerArn: !Ref Alb, Protocol: HTTPS, Port: 443, MutualAuthentication: { Mode: verify, TrustStoreArn: !Ref Store } }
  Legacy:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties: { LoadBalancerArn: !Ref Alb, Protocol: HTTPS, Port: 8443, MutualAuthentication: { Mode: passthrough } }
`,
    );
    const io = captureIo();
    const exit = main(['serve', '--pki', pki, '--from', template, '--s3', `s3://ca/bundle.pem=${written.listener.trustStore}`], io);
    await io.nextLine(/^Forwarding to /);
    const printed = groups(io.stdout);
    expect(printed.map((g) => g.heading)).toEqual([
      'Good client certificate (good): expect "HTTP/2 200" from curl, "HTTP/1.1 200" from openssl; the connection log shows Success',
      'Expired client certificate (expired): expect no HTTP response (the ALB closes the connection); the connection log shows Failed:ClientCertExpired',
      'Good client certificate (good): expect "HTTP/2 200" from curl, "HTTP/1.1 200" from openssl; forwarded unverified',
      'Untrusted client certificate (untrusted-root): expect "HTTP/2 200" from curl, "HTTP/1.1 200" from openssl; forwarded unverified',
    ]);
    await runEach(io, printed);
    io.interrupt();
    expect(await exit).toBe(0);
  });

  it('the lines announce what the trust store decides: with a foreign bundle even the good client is refused', async () => {
    const io = captureIo();
    const exit = main(['serve', '--pki', pki, '--trust-store', join(pki, 'ca/ca-rogue-root.crt')], io);
    await io.nextLine(/^Forwarding to /);
    expect(groups(io.stdout).map((g) => g.heading)).toEqual([
      'Good client certificate (good): expect no HTTP response (the ALB closes the connection); the connection log shows Failed:ClientCertUntrusted',
      'Expired client certificate (expired): expect no HTTP response (the ALB closes the connection); the connection log shows Failed:ClientCertUntrusted',
    ]);
    io.interrupt();
    expect(await exit).toBe(0);
  });
});
