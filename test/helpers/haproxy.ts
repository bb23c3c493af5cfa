import { join } from 'node:path';
import { tempDir } from './temp-dir.ts';
import { startSocketDaemon, type SocketDaemon } from './socket-daemon.ts';

export type HaproxyHandle = SocketDaemon;

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
  return startSocketDaemon({ command: 'haproxy', args: ['-f', cfg, '-db'], socketPath, stopSignal: 'SIGTERM', cleanup: () => dir[Symbol.asyncDispose]() });
}
