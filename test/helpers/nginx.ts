import { spawn, type ChildProcess } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from './openssl.ts';

export interface NginxHandle extends AsyncDisposable {
  /** Unix socket nginx listens on (no TCP port chosen ahead of time). */
  socketPath: string;
  log(): string;
}

/**
 * Starts a real nginx (Debian's package) in the foreground, one process, everything in a temp dir,
 * terminating mTLS with `ssl_verify_client on` and answering 200 "ok" to what it lets through.
 * `ssl_verify_depth 2` allows leaf + 2 intermediates + root: ALB's depth limit of 4.
 */
export async function startNginx(o: { serverChainPem: string; serverKeyPem: string; caPem: string; crlPem?: string }): Promise<NginxHandle> {
  const dir = await tempDir('alb-mtls-nginx-');
  const crt = await dir.file('server.pem', o.serverChainPem);
  const key = await dir.file('server.key', o.serverKeyPem);
  const ca = await dir.file('ca.pem', o.caPem);
  const crl = o.crlPem ? await dir.file('crl.pem', o.crlPem) : undefined;
  const socketPath = join(dir.path, 'nginx.sock');
  const conf = await dir.file('nginx.conf', `
daemon off;
master_process off;
user root;
pid ${dir.path}/nginx.pid;
error_log stderr info;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir.path}/body; proxy_temp_path ${dir.path}/proxy; fastcgi_temp_path ${dir.path}/fcgi;
  uwsgi_temp_path ${dir.path}/uwsgi; scgi_temp_path ${dir.path}/scgi;
  server {
    listen unix:${socketPath} ssl;
    ssl_certificate ${crt};
    ssl_certificate_key ${key};
    ssl_client_certificate ${ca};
    ${crl ? `ssl_crl ${crl};` : ''}
    ssl_verify_client on;
    ssl_verify_depth 2;
    location / { return 200 "ok"; }
  }
}
`);
  const child: ChildProcess = spawn('nginx', ['-p', dir.path, '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A missing tool is a failure with the fix in it, never a skip: CI installs it (.ci/run).
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new Error('nginx is not installed: apt-get install nginx (the oracle tests run the real one; .ci/run installs it)') : err),
    ),
  );
  for (let i = 0; ; i++) {
    const ready = await Promise.race([access(socketPath).then(() => true, () => false), spawnError]);
    if (ready) break;
    if (child.exitCode !== null || i > 300) throw new Error(`nginx did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return {
    socketPath,
    log: () => output,
    async [Symbol.asyncDispose]() {
      child.kill('SIGQUIT');
      await exited;
      await dir[Symbol.asyncDispose]();
    },
  };
}
