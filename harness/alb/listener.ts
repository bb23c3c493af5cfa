import { listenWithHandle } from '../server-handle.ts';
import { judgeConnections } from './connection-verdict.ts';
import { trackHandshakes } from './handshake-tracker.ts';
import { startHealthChecks, type HealthChecker } from './health-checks.ts';
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
 * - request-wiring.ts: requests to the request handler, idle timeout, parser errors;
 * - health-checks.ts: which targets are in service (`sharedHealth`: the load balancer's, which it stops).
 */
export async function startListener(config: AlbConfig, sharedHealth?: HealthChecker): Promise<AlbHandle> {
  let port = 0;
  const logs = openListenerLogs(config, () => port);
  const { server, contextOptions } = createListenerServer(config);
  const finished = trackHandshakes(server, config, logs);
  judgeConnections(server, config, logs, finished);
  const requests = serveRequests(server, config, logs);
  let health = sharedHealth;
  const onClose = () => {
    if (health !== sharedHealth) health?.stop();
    requests.close();
  };
  const handle = await listenWithHandle(server, { protocol: 'https', port: config.port, onClose });
  port = handle.port;
  // Started once listening, so a listener that cannot bind leaves no checks running.
  if (!health && config.healthCheck) health = startHealthChecks(config.targets, config.healthCheck);
  if (health) requests.pool.inService = health.routable;
  return {
    ...handle,
    hostname: config.hostname,
    connectionLog: logs.connectionLog,
    accessLog: logs.accessLog,
    ...trustStoreControl(config, server, contextOptions),
    describeTargetHealth: () => health?.describe() ?? [],
    checkTargetHealth: async () => (health ? health.checkNow() : []),
  };
}
