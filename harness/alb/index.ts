import { startListener } from './listener.ts';
import { startLoadBalancer } from './load-balancer.ts';
import { resolveAlbOptions } from './options.ts';
import type { AlbHandle, AlbOptions, LoadBalancerHandle, LoadBalancerOptions } from './types.ts';

/**
 * Starts an emulated ALB HTTPS listener on 127.0.0.1 (ephemeral port unless `port` is given) and
 * resolves once it accepts connections. Options mirror AWS's names (`mutualAuthentication`, listener
 * attributes by their AWS keys); every default is in AlbOptions' JSDoc. Bad input throws a UserError
 * naming the field before anything listens.
 *
 * Without `listeners`, one listener and its handle. With `listeners: [...]`, one listener each (port,
 * certificate, sslPolicy, mutualAuthentication, attributes per listener; the rest shared) and a
 * LoadBalancerHandle; more than 2 in verify mode are refused, as AWS's quota does.
 *
 * With `healthCheck`, targets are health-checked as an ALB target group does (never with a client
 * certificate); unhealthy ones get no traffic unless none is healthy. Off by default.
 *
 * @example
 * await using alb = await startAlb({ certificate: { certPem: pki.server.chainPem, keyPem: pki.server.keyPem },
 *   mutualAuthentication: { mode: 'verify', trustStore: { caCertificatesBundle: pki.trustStoreBundle } },
 *   targets: [target.url] });
 */
export async function startAlb(options: LoadBalancerOptions): Promise<LoadBalancerHandle>;
export async function startAlb(options: AlbOptions): Promise<AlbHandle>;
export async function startAlb(options: AlbOptions | LoadBalancerOptions): Promise<AlbHandle | LoadBalancerHandle> {
  if ('listeners' in options && options.listeners !== undefined) return startLoadBalancer(options);
  return startListener(resolveAlbOptions(options as AlbOptions));
}

export type * from './types.ts';
export { SSL_POLICIES, DEFAULT_SSL_POLICY } from './policies.ts';
export { albErrorBody, ALB_SERVER_HEADER } from './error-pages.ts';
export { parseConnectionLogLine, CONNECTION_LOG_FIELDS } from './connection-log.ts';
export { parseAccessLogLine, ACCESS_LOG_FIELDS } from './access-log.ts';
export { urlEncodePem, DEFAULT_MTLS_HEADER_NAMES } from './headers.ts';
export { ALB_REQUEST_LIMITS } from './limits.ts';
export { MAX_VERIFY_LISTENERS } from './load-balancer.ts';
export { KNOWN_ATTRIBUTES, ALB_DEFAULTS } from './options.ts';
