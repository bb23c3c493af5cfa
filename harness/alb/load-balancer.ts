import { UserError, harnessErrorCode, type UserErrorCode } from '../errors.ts';
import { startListener } from './listener.ts';
import { createLogStream, type WritableLogStream } from './log-stream.ts';
import { resolveAlbOptions, type AlbConfig } from './options.ts';
import type { AlbHandle, AlbOptions, ListenerOptions, LoadBalancerHandle, LoadBalancerOptions, LogStream } from './types.ts';
import { checkTargetGroups, startTargetGroups, targetGroupNames } from './target-groups.ts';
import { MAX_VERIFY_LISTENERS, verifyQuotaProblem } from './verify-quota.ts';

export { MAX_VERIFY_LISTENERS };

const configError = (message: string) => new UserError('HARNESS_ERR_ALB_CONFIG', `startAlb: ${message}`);

/** The per-listener fields; everything else in AlbOptions belongs to the load balancer. */
const LISTENER_FIELDS = ['port', 'certificate', 'sslPolicy', 'mutualAuthentication', 'attributes', 'targets', 'healthCheck', 'targetGroup'] as const;

/** Shape, quota and port checks that need every listener at once, before any is resolved. */
function checkListeners(options: LoadBalancerOptions): ListenerOptions[] {
  const listeners: unknown = options.listeners;
  if (!Array.isArray(listeners) || listeners.length === 0) {
    throw configError(`listeners must be a non-empty array of { ${LISTENER_FIELDS.map((f) => `${f}?`).join(', ')} }`);
  }
  if ((options as AlbOptions).port !== undefined) {
    throw configError('port cannot be given with listeners (each listener has its own); move it to listeners[i].port');
  }
  const seenPorts = new Map<number, number>();
  let verifyCount = 0;
  listeners.forEach((listener: unknown, i) => {
    if (typeof listener !== 'object' || listener === null || Array.isArray(listener)) {
      throw configError(`listeners[${i}] must be an object { ${LISTENER_FIELDS.map((f) => `${f}?`).join(', ')} }`);
    }
    const unknownKey = Object.keys(listener).find((key) => !(LISTENER_FIELDS as readonly string[]).includes(key));
    if (unknownKey) {
      throw configError(`listeners[${i}] has unknown key '${unknownKey}'; a listener takes ${LISTENER_FIELDS.join(', ')} (the rest is shared, at the top level)`);
    }
    const { port, mutualAuthentication, targets, targetGroup } = listener as ListenerOptions;
    if (targets !== undefined && (!Array.isArray(targets) || targets.some((t) => typeof t !== 'string'))) {
      throw configError(`listeners[${i}].targets must be an array of target URLs such as ['http://127.0.0.1:8080'] (it is ${JSON.stringify(targets)})`);
    }
    if (targetGroup !== undefined && (typeof targetGroup !== 'string' || targetGroup === '')) {
      throw configError(`listeners[${i}].targetGroup must be a non-empty name such as 'api-tg' (it is ${JSON.stringify(targetGroup)})`);
    }
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
function resolveListener(options: AlbOptions, { targetGroup: _name, ...listener }: ListenerOptions, i: number): AlbConfig {
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
  const groupNames = targetGroupNames(listeners);
  checkTargetGroups(groupNames, configs);
  const handles: AlbHandle[] = [];
  // Health checks run per target group, not per listener.
  const groups = startTargetGroups(groupNames, configs);
  try {
    for (const [i, config] of configs.entries()) handles.push(await startListener(config, groups.checkerOf(i)));
  } catch (err) {
    groups.stop();
    await Promise.all(handles.map((handle) => handle.close()));
    throw err;
  }
  const maxEntries = configs[0]!.maxLogEntries;
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= Promise.all(handles.map((handle) => handle.close())).then(() => groups.stop()));
  return {
    hostname: handles[0]!.hostname,
    listeners: handles,
    connectionLog: mergedLog('connectionLog', maxEntries, handles.map((h) => h.connectionLog)),
    accessLog: mergedLog('accessLog', maxEntries, handles.map((h) => h.accessLog)),
    targetGroups: groups.names,
    describeTargetHealth: (targetGroup) => groups.describe(targetGroup),
    checkTargetHealth: (targetGroup) => groups.check(targetGroup),
    close,
    [Symbol.asyncDispose]: close,
  };
}
