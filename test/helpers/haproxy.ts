import { spawn, type ChildProcess } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from './openssl.ts';

export interface HaproxyHandle extends AsyncDisposable {
  /** Unix socket HAProxy listens on (HAProxy cannot bind port 0, so no TCP port is chosen ahead). */
  socketPath: string;
  /** HAProxy's log lines so far. */
  log(): string;
}

/**
 * Starts a real HAProxy (Debian's package) terminating mTLS with `verify required`, the closest
 * packaged analogue of ALB verify mode, answering 200 to every request it lets through.
 */
export async function startHaproxy(o: { serverChainPem: string; serverKeyPem: string; caPem: string; crlPem?: string }): Promise<HaproxyHandle> {
  const dir = await tempDir('alb-mtls-haproxy-');
  const crt = await dir.file('server.pem', o.serverChainPem + o.serverKeyPem);
  const ca = await dir.file('ca.pem', o.caPem);
  const crl = o.crlPem ? await dir.file('crl.pem', o.crlPem) : undefined;
  const socketPath = join(dir.path, 'fe.sock');
  const cfg = await dir.file('haproxy.cfg', [
    'global', '  log stdout format raw local0 info',
    'defaults', '  mode http', '  timeout connect 2s', '  timeout client 5s', '  timeout server 5s', '  log global',
    'frontend fe',
    `  bind unix@${socketPath} ssl crt ${crt} ca-file ${ca}${crl ? ` crl-file ${crl}` : ''} verify required`,
    '  http-request return status 200 content-type text/plain string ok',
    '',
  ].join('\n'));
  const child: ChildProcess = spawn('haproxy', ['-f', cfg, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A missing tool is a failure with the fix in it, never a skip: CI installs it (.ci/run).
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new Error('haproxy is not installed: apt-get install haproxy (the oracle tests run the real one; .ci/run installs it)') : err),
    ),
  );
  for (let i = 0; ; i++) {
    const ready = await Promise.race([access(socketPath).then(() => true, () => false), spawnError]);
    if (ready) break;
    if (child.exitCode !== null || i > 200) throw new Error(`haproxy did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return {
    socketPath,
    log: () => output,
    async [Symbol.asyncDispose]() {
      child.kill('SIGTERM');
      await exited;
      await dir[Symbol.asyncDispose]();
    },
  };
}
