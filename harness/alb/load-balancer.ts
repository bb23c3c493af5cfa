import { UserError, harnessErrorCode, type UserErrorCode } from '../errors.ts';
import { startHealthChecks } from './health-checks.ts';
import { startListener } from './listener.ts';
import { createLogStream, type WritableLogStream } from './log-stream.ts';
import { resolveAlbOptions, type AlbConfig } from './options.ts';
import type { AlbHandle, AlbOptions, ListenerOptions, LoadBalancerHandle, LoadBalancerOptions, LogStream } from './types.ts';
import { MAX_VERIFY_LISTENERS, verifyQuotaProblem } from './verify-quota.ts';

export { MAX_VERIFY_LISTENERS };

const configError = (message: string) => new UserError('HARNESS_ERR_ALB_CONFIG', `startAlb: ${message}`);

/** The per-listener fields; everything else in AlbOptions belongs to the load balancer. */
const LISTENER_FIELDS = ['port', 'certificate', 'sslPolicy', 'mutualAuthentication', 'attributes'] as const;

/** Shape, quota and port checks that need every listener at once, before any is resolved. */
function checkListeners(options: LoadBalancerOptions): ListenerOptions[] {
  const listeners: unknown = options.listeners;
  if (!Array.isArray(listeners) || listeners.length === 0) {
    throw configError('listeners must be a non-empty array of { port?, certificate?, sslPolicy?, mutualAuthentication?, attributes? }');
  }
  if ((options as AlbOptions).port !== undefined) {
    throw configError('port cannot be given with listeners (each listener has its own); move it to listeners[i].port');
  }
  const seenPorts = new Map<number, number>();
  let verifyCount = 0;
  listeners.forEach((listener: unknown, i) => {
    if (typeof listener !== 'object' || listener === null || Array.isArray(listener)) {
      throw configError(`listeners[${i}] must be an object { port?, certificate?, sslPolicy?, mutualAuthentication?, attributes? }`);
    }
    const unknownKey = Object.keys(listener).find((key) => !(LISTENER_FIELDS as readonly string[]).includes(key));
    if (unknownKey) {
      throw configError(`listeners[${i}] has unknown key '${unknownKey}'; a listener takes ${LISTENER_FIELDS.join(', ')} (the rest is shared, at the top level)`);
    }
    const { port, mutualAuthentication } = listener as ListenerOptions;
    const mode = (mutualAuthentication ?? options.mutualAuthentication)?.mode;
    if (mode === 'verify' && ++verifyCount > MAX_VERIFY_LISTENERS) {
      throw configError(`listeners[${i}] ${verifyQuotaProblem(verifyCount)}`);
    }
    if (typeof port === 'number' && port !== 0) {
      const first = seenPorts.get(port);
      if (first !== undefined) throw configError(`listeners[${i}].port ${port} is also listeners[${first}].port; give each listener its own port, or 0 for any free one`);
      seenPorts.set(port, i);
    }
  });
  return listeners as ListenerOptions[];
}

/** A listener's own config: its fields over the shared ones; its errors name `listeners[i]`. */
function resolveListener(options: AlbOptions, listener: ListenerOptions, i: number): AlbConfig {
  try {
    return resolveAlbOptions({
      ...options,
      ...listener,
      attributes: { ...options.attributes, ...listener.attributes },
    });
  } catch (err) {
    const code = harnessErrorCode(err);
    if (!(err instanceof Error) || code === undefined) throw err;
    const message = err.message.startsWith('startAlb: ') ? `listeners[${i}].${err.message.slice('startAlb: '.length)}` : `listeners[${i}]: ${err.message}`;
    throw new UserError(code as UserErrorCode, `startAlb: ${message}`, { cause: err });
  }
}

/** One stream fed by every listener's stream, in the order the lines were written. */
function mergedLog<T>(name: string, maxEntries: number, sources: readonly LogStream<T>[]): WritableLogStream<T> {
  const merged = createLogStream<T>(name, maxEntries);
  for (const source of sources) source.subscribe((entry) => merged.push(entry));
  return merged;
}

/**
 * Starts every listener of one load balancer. All are validated (the verify quota, fixed ports,
 * each listener's options) before any listens; if one cannot listen, those already started are closed.
 */
export async function startLoadBalancer(options: LoadBalancerOptions): Promise<LoadBalancerHandle> {
  const listeners = checkListeners(options);
  // The shared options are checked once under their own names, before any listener's.
  const { listeners: _listeners, ...shared } = options;
  resolveAlbOptions(shared);
  const configs = listeners.map((listener, i) => resolveListener(shared, listener, i));
  const handles: AlbHandle[] = [];
  // One target group behind every listener: checked once, not once per listener.
  const health = configs[0]!.healthCheck ? startHealthChecks(configs[0]!.targets, configs[0]!.healthCheck) : undefined;
  try {
    for (const config of configs) handles.push(await startListener(config, health));
  } catch (err) {
    health?.stop();
    await Promise.all(handles.map((handle) => handle.close()));
    throw err;
  }
  const maxEntries = configs[0]!.maxLogEntries;
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= Promise.all(handles.map((handle) => handle.close())).then(() => health?.stop()));
  return {
    hostname: handles[0]!.hostname,
    listeners: handles,
    connectionLog: mergedLog('connectionLog', maxEntries, handles.map((h) => h.connectionLog)),
    accessLog: mergedLog('accessLog', maxEntries, handles.map((h) => h.accessLog)),
    describeTargetHealth: () => health?.describe() ?? [],
    checkTargetHealth: async () => (health ? health.checkNow() : []),
    close,
    [Symbol.asyncDispose]: close,
  };
}
