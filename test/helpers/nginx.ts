import { join } from 'node:path';
import { tempDir, type TempDir } from './temp-dir.ts';
import { startSocketDaemon, type SocketDaemon } from './socket-daemon.ts';

export type NginxHandle = SocketDaemon;

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
  return runNginx(dir, socketPath, `
  server {
    listen unix:${socketPath} ssl;
    ssl_certificate ${crt};
    ssl_certificate_key ${key};
    ssl_client_certificate ${ca};
    ${crl ? `ssl_crl ${crl};` : ''}
    ssl_verify_client on;
    ssl_verify_depth 2;
    location / { return 200 "ok"; }
  }`);
}

/**
 * Runs nginx in the foreground, one process, with every path inside `dir` (removed when it stops)
 * and `serverBlock` as its only server, listening on the unix socket `socketPath`.
 */
export async function runNginx(dir: TempDir, socketPath: string, serverBlock: string): Promise<NginxHandle> {
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
${serverBlock}
}
`);
  return startSocketDaemon({ command: 'nginx', args: ['-p', dir.path, '-c', conf], socketPath, stopSignal: 'SIGQUIT', cleanup: () => dir[Symbol.asyncDispose]() });
}
