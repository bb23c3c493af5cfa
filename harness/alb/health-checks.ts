import http from 'node:http';
import https from 'node:https';
import { UserError } from '../errors.ts';
import type { HealthCheckOptions, TargetHealthDescription, TargetHealthReason } from './types.ts';

/**
 * Target health checks, as an ALB target group runs them: every interval, a GET of the path to each
 * target with the `ELB-HealthChecker/2.0` User-Agent, over plain HTTP or HTTPS **without a client
 * certificate** (an ALB never presents one to a target, whatever the listener's mutual TLS mode).
 * A target leaves the pool after `unhealthyThresholdCount` consecutive failures and comes back after
 * `healthyThresholdCount` consecutive successes; a new target is healthy after its first success.
 * When no target is healthy, requests go to all of them (AWS's fail-open).
 */

/** AWS's defaults for an Application Load Balancer target group (CreateTargetGroup). */
export const HEALTH_CHECK_DEFAULTS = {
  path: '/',
  intervalSeconds: 30,
  timeoutSeconds: 5,
  healthyThresholdCount: 5,
  unhealthyThresholdCount: 2,
  matcher: '200',
} as const;

/** The User-Agent of every ALB health check request. */
export const HEALTH_CHECK_USER_AGENT = 'ELB-HealthChecker/2.0';

/** The health check settings with AWS's defaults applied and the matcher parsed. */
export interface HealthCheckConfig {
  protocol: 'HTTP' | 'HTTPS' | undefined;
  port: number | undefined;
  path: string;
  intervalMs: number;
  timeoutMs: number;
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
  matcher: string;
  matches(status: number): boolean;
}

const configError = (message: string) => new UserError('HARNESS_ERR_ALB_CONFIG', `startAlb: healthCheck${message.startsWith('must') ? ' ' : '.'}${message}`);

function count(value: unknown, name: 'healthyThresholdCount' | 'unhealthyThresholdCount'): number {
  const v = value ?? HEALTH_CHECK_DEFAULTS[name];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 2 || v > 10) throw configError(`${name} is ${String(value)}; AWS takes an integer from 2 to 10 (default ${HEALTH_CHECK_DEFAULTS[name]})`);
  return v;
}

function seconds(value: unknown, name: 'intervalSeconds' | 'timeoutSeconds'): number {
  const v = value ?? HEALTH_CHECK_DEFAULTS[name];
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw configError(`${name} is ${String(value)}; use a positive number of seconds (default ${HEALTH_CHECK_DEFAULTS[name]})`);
  return v * 1000;
}

/** `200`, `200,202`, `200-299`: the HTTP codes an ALB health check accepts (200 to 499). */
export function parseMatcher(text: string): (status: number) => boolean {
  const ranges = text.split(',').map((part) => {
    const m = /^\s*(\d{3})(?:\s*-\s*(\d{3}))?\s*$/.exec(part);
    const low = Number(m?.[1]);
    const high = m?.[2] === undefined ? low : Number(m[2]);
    if (!m || low < 200 || high > 499 || high < low) {
      throw configError(`matcher '${text}' is not valid; give HTTP codes from 200 to 499 as '200', '200,202' or '200-299'`);
    }
    return [low, high] as const;
  });
  return (status) => ranges.some(([low, high]) => status >= low && status <= high);
}

/** Validates `healthCheck` and applies AWS's defaults; undefined when health checks are off. */
export function resolveHealthCheck(options: HealthCheckOptions | undefined): HealthCheckConfig | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) throw configError(`must be an object such as { path: '/health' } (it is ${JSON.stringify(options)})`);
  if (options.enabled === false) return undefined;
  const protocol = options.protocol;
  if (protocol !== undefined && protocol !== 'HTTP' && protocol !== 'HTTPS') throw configError(`protocol is '${String(protocol)}'; use 'HTTP' or 'HTTPS'`);
  const port = options.port === undefined || options.port === 'traffic-port' ? undefined : options.port;
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw configError(`port is ${String(options.port)}; use 'traffic-port' or 1-65535`);
  const path = options.path ?? HEALTH_CHECK_DEFAULTS.path;
  if (typeof path !== 'string' || !path.startsWith('/') || path.length > 1024) throw configError(`path '${String(path)}' must start with '/' (at most 1024 characters)`);
  const intervalMs = seconds(options.intervalSeconds, 'intervalSeconds');
  const timeoutMs = seconds(options.timeoutSeconds, 'timeoutSeconds');
  if (timeoutMs >= intervalMs) throw configError(`timeoutSeconds (${timeoutMs / 1000}) must be smaller than intervalSeconds (${intervalMs / 1000}), as AWS requires`);
  const matcher = options.matcher ?? HEALTH_CHECK_DEFAULTS.matcher;
  return {
    protocol,
    port,
    path,
    intervalMs,
    timeoutMs,
    healthyThresholdCount: count(options.healthyThresholdCount, 'healthyThresholdCount'),
    unhealthyThresholdCount: count(options.unhealthyThresholdCount, 'unhealthyThresholdCount'),
    matcher,
    matches: parseMatcher(matcher),
  };
}

type CheckResult = { ok: true } | { ok: false; reason: Exclude<TargetHealthReason, 'Elb.InitialHealthChecking'>; description: string };

/** One health check request: a fresh connection each time (the ALB closes it after every check). */
function checkOnce(target: URL, config: HealthCheckConfig, inFlight: Set<http.ClientRequest>): Promise<CheckResult> {
  const secure = config.protocol === undefined ? target.protocol === 'https:' : config.protocol === 'HTTPS';
  const url = new URL(config.path, target);
  url.protocol = secure ? 'https:' : 'http:';
  if (config.port !== undefined) url.port = String(config.port);
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: CheckResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const options = {
      method: 'GET',
      headers: { 'user-agent': HEALTH_CHECK_USER_AGENT, connection: 'close' },
      agent: false,
      timeout: config.timeoutMs,
      // No client certificate, ever; and an ALB does not verify a target's server certificate.
      ...(secure ? { rejectUnauthorized: false } : {}),
    } as const;
    const req = (secure ? https : http).request(url, options, (res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      res.once('end', () =>
        done(config.matches(status) ? { ok: true } : { ok: false, reason: 'Target.ResponseCodeMismatch', description: `Health checks failed with these codes: [${status}]` }),
      );
      res.once('error', () => done({ ok: false, reason: 'Target.FailedHealthChecks', description: 'Health checks failed' }));
    });
    req.once('timeout', () => {
      done({ ok: false, reason: 'Target.Timeout', description: 'Request timed out' });
      req.destroy();
    });
    req.once('error', () => done({ ok: false, reason: 'Target.FailedHealthChecks', description: 'Health checks failed' }));
    inFlight.add(req);
    req.once('close', () => {
      inFlight.delete(req);
      done({ ok: false, reason: 'Target.FailedHealthChecks', description: 'Health checks failed' });
    });
    req.end();
  });
}

interface TargetState {
  target: URL;
  health: TargetHealthDescription;
  successes: number;
  failures: number;
}

function describe(target: URL, state: TargetHealthDescription['state'], reason?: TargetHealthReason, description?: string): TargetHealthDescription {
  return { target: target.href.replace(/\/$/, ''), state, ...(reason ? { reason } : {}), ...(description ? { description } : {}) };
}

export interface HealthChecker {
  /** The targets requests may go to now: the healthy ones, or all of them when none is (fail-open). */
  routable(): readonly URL[];
  /** `DescribeTargetHealth`: each target's state, reason and description. */
  describe(): TargetHealthDescription[];
  /** Runs one round of checks now (not waiting for the interval; joins a round in flight) and resolves with the new states. After `stop()`, checks nothing. */
  checkNow(): Promise<TargetHealthDescription[]>;
  /** Stops the timer and aborts the checks in flight (they change nothing). */
  stop(): void;
}

/** Starts checking `targets` every interval; the timer never keeps the process alive. */
export function startHealthChecks(targets: readonly URL[], config: HealthCheckConfig): HealthChecker {
  const states: TargetState[] = targets.map((target) => ({
    target,
    health: describe(target, 'initial', 'Elb.InitialHealthChecking', 'Initial health checks in progress'),
    successes: 0,
    failures: 0,
  }));
  let routable: readonly URL[] = targets;
  let stopped = false;
  const inFlight = new Set<http.ClientRequest>();
  const update = () => {
    const healthy = states.filter((s) => s.health.state === 'healthy').map((s) => s.target);
    routable = healthy.length > 0 ? healthy : targets;
  };
  const record = (s: TargetState, result: CheckResult) => {
    if (result.ok) {
      s.failures = 0;
      s.successes++;
      if (s.health.state === 'initial' || (s.health.state === 'unhealthy' && s.successes >= config.healthyThresholdCount)) s.health = describe(s.target, 'healthy');
    } else {
      s.successes = 0;
      s.failures++;
      if (s.health.state === 'unhealthy' || s.failures >= config.unhealthyThresholdCount) s.health = describe(s.target, 'unhealthy', result.reason, result.description);
    }
  };
  let round: Promise<TargetHealthDescription[]> | undefined;
  const checkNow = (): Promise<TargetHealthDescription[]> =>
    stopped ? Promise.resolve(states.map((s) => ({ ...s.health }))) : (round ??= Promise.all(states.map(async (s) => ({ s, result: await checkOnce(s.target, config, inFlight) }))).then((results) => {
      round = undefined;
      if (!stopped) {
        for (const { s, result } of results) record(s, result);
        update();
      }
      return states.map((s) => ({ ...s.health }));
    }));
  const timer = setInterval(() => void checkNow(), config.intervalMs);
  timer.unref();
  // AWS checks a target as soon as it is registered.
  if (targets.length > 0) void checkNow();
  return {
    routable: () => routable,
    describe: () => states.map((s) => ({ ...s.health })),
    checkNow,
    stop: () => {
      stopped = true;
      clearInterval(timer);
      for (const req of inFlight) req.destroy();
    },
  };
}
