import { listenWithHandle } from '../server-handle.ts';
import { judgeConnections } from './connection-verdict.ts';
import { trackHandshakes } from './handshake-tracker.ts';
import { openListenerLogs } from './listener-logs.ts';
import { createListenerServer } from './listener-server.ts';
import type { AlbConfig } from './options.ts';
import { serveRequests } from './request-wiring.ts';
import { trustStoreControl } from './trust-store-control.ts';
import type { AlbHandle } from './types.ts';

/**
 * Starts one HTTPS listener (a load balancer with several is load-balancer.ts, which enforces AWS's
 * quota of 2 verify listeners). The pieces, in the order a connection meets them:
 * - listener-server.ts: the TLS server, HTTP/2 and HTTP/1.1 per `routing.http2.enabled`;
 * - handshake-tracker.ts: accept time, handshake timeout, and the log line of a handshake that fails;
 * - connection-verdict.ts: ALB's verdict on the client certificate, logged, acted on;
 * - request-wiring.ts: requests to the request handler, idle timeout, parser errors.
 */
export async function startListener(config: AlbConfig): Promise<AlbHandle> {
  let port = 0;
  const logs = openListenerLogs(config, () => port);
  const { server, contextOptions } = createListenerServer(config);
  const finished = trackHandshakes(server, config, logs);
  judgeConnections(server, config, logs, finished);
  const requests = serveRequests(server, config, logs);
  const handle = await listenWithHandle(server, { protocol: 'https', port: config.port, onClose: () => requests.close() });
  port = handle.port;
  return {
    ...handle,
    hostname: config.hostname,
    connectionLog: logs.connectionLog,
    accessLog: logs.accessLog,
    ...trustStoreControl(config, server, contextOptions),
  };
}
