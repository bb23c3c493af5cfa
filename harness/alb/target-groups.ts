import { UserError } from '../errors.ts';
import { startHealthChecks, type HealthChecker } from './health-checks.ts';
import type { AlbConfig } from './options.ts';
import type { ListenerOptions, TargetHealthDescription } from './types.ts';

/**
 * The target groups behind the listeners of one load balancer. Each listener forwards to one group;
 * listeners naming the same group share it, and a group with a health check has one checker however
 * many listeners forward to it (AWS runs health checks per target group, not per listener).
 */

/** The group of a listener that takes the load balancer's top-level `targets` and `healthCheck`. */
export const DEFAULT_TARGET_GROUP = 'default';

const configError = (message: string) => new UserError('HARNESS_ERR_ALB_CONFIG', `startAlb: ${message}`);

/** Each listener's group name: its `targetGroup`, else `default` or (with its own targets or health check) `listeners[i]`. */
export function targetGroupNames(listeners: readonly ListenerOptions[]): string[] {
  return listeners.map((l, i) => l.targetGroup ?? (l.targets === undefined && l.healthCheck === undefined ? DEFAULT_TARGET_GROUP : `listeners[${i}]`));
}

const targetsKey = (config: AlbConfig) => config.targets.map((t) => t.href).join(' ');
// The matcher function is derived from the matcher text, which JSON keeps.
const healthKey = (config: AlbConfig) => JSON.stringify(config.healthCheck ?? null);

/** Listeners naming one group must agree on what it is: its targets and its health check. */
export function checkTargetGroups(names: readonly string[], configs: readonly AlbConfig[]): void {
  const first = new Map<string, number>();
  names.forEach((name, i) => {
    const j = first.get(name);
    if (j === undefined) {
      first.set(name, i);
      return;
    }
    const field = targetsKey(configs[i]!) !== targetsKey(configs[j]!) ? 'targets' : healthKey(configs[i]!) !== healthKey(configs[j]!) ? 'healthCheck' : undefined;
    if (field) {
      throw configError(`listeners[${i}].${field} differs from listeners[${j}]'s, and both forward to target group '${name}'; listeners sharing a target group share its ${field}: give the same, or name another group in listeners[${i}].targetGroup`);
    }
  });
}

export interface TargetGroups {
  /** Group names, in the order the listeners first name them. */
  readonly names: readonly string[];
  /** The health checker of listener i's group; undefined when that group has no health check. */
  checkerOf(listener: number): HealthChecker | undefined;
  describe(name?: string): TargetHealthDescription[];
  check(name?: string): Promise<TargetHealthDescription[]>;
  stop(): void;
}

/** Starts one health checker per group that has a health check. */
export function startTargetGroups(listenerGroups: readonly string[], configs: readonly AlbConfig[]): TargetGroups {
  const names = [...new Set(listenerGroups)];
  const checkers = new Map<string, HealthChecker | undefined>();
  for (const name of names) {
    const config = configs[listenerGroups.indexOf(name)]!;
    checkers.set(name, config.healthCheck ? startHealthChecks(config.targets, config.healthCheck) : undefined);
  }
  const chosen = (name: string | undefined) => {
    if (name === undefined) return names;
    if (!checkers.has(name)) throw new UserError('HARNESS_ERR_ALB_CONFIG', `no target group '${name}' on this load balancer; its groups: ${names.join(', ')}`);
    return [name];
  };
  return {
    names,
    checkerOf: (listener) => checkers.get(listenerGroups[listener]!),
    describe: (name) => chosen(name).flatMap((n) => checkers.get(n)?.describe() ?? []),
    check: async (name) => (await Promise.all(chosen(name).map(async (n) => (await checkers.get(n)?.checkNow()) ?? []))).flat(),
    stop: () => {
      for (const checker of checkers.values()) checker?.stop();
    },
  };
}
