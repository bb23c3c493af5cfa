import { AsyncLocalStorage } from 'node:async_hooks';
import type { CompatFlags } from './compat.ts';
import type { EmulatedRuntime } from './emulated-runtime.ts';
import type { OutboundClient, OutboundFetchInit } from './outbound.ts';
import type { EnvironmentType, FailureMode, UpstreamRecord } from './types.ts';

/**
 * What the `@zuplo/runtime` shim and the built-in handlers need from the gateway serving the
 * current request. Several gateways may run in one process, so this is looked up per call through
 * AsyncLocalStorage, never held in a module variable.
 */
export interface GatewayRuntime {
  readonly id: number;
  /** Live: the gateway's environment variables. */
  readonly environment: Record<string, string | undefined>;
  readonly environmentType: EnvironmentType;
  /** The real runtime the gateway answers as. */
  readonly runtime: EmulatedRuntime;
  readonly flags: CompatFlags;
  /** An explicit override of the failure answer; undefined = follow the runtime. */
  readonly failureMode: FailureMode | undefined;
  readonly buildId: string;
  readonly outbound: OutboundClient;
  /** `context.log` and runtime warnings (e.g. `BadGatewayResponse 502`). */
  log(level: LogLevel, requestId: string | undefined, args: unknown[]): void;
  /** A line the real runtime prints while serving (e.g. "URL Forwarding to '…'"). */
  print(line: string | (() => string)): void;
  /** The upstream attempts of each request being answered, by request id (dispatch logs them with the answer). */
  readonly attemptsByRequest: Map<string, UpstreamRecord[]>;
  /** Registers `context.waitUntil` work; the gateway's close() waits for it. */
  waitUntil(promise: Promise<unknown>): void;
}

export type LogLevel = 'debug' | 'info' | 'log' | 'warn' | 'error';

interface Shared {
  als: AsyncLocalStorage<GatewayRuntime>;
  /** Gateways currently listening (the fallback when no request context exists). */
  active: Set<GatewayRuntime>;
  /** The gateway whose user modules are being imported right now (top-level module code). */
  loading: GatewayRuntime[];
  originalFetch: typeof fetch;
  nextId: number;
  /** Gateways (starting or running) that need the fetch wrapper installed. */
  fetchUsers: number;
}

// The shim is loaded by Node's native loader for user modules, and by vitest's/tsx's module graph
// for the harness: two module instances. Keeping the state on globalThis under a registry symbol
// makes both instances see the same gateways.
const KEY = Symbol.for('alb-mtls-harness.gateway.shared');

export function shared(): Shared {
  const g = globalThis as { [KEY]?: Shared };
  g[KEY] ??= {
    als: new AsyncLocalStorage<GatewayRuntime>(),
    active: new Set(),
    loading: [],
    originalFetch: globalThis.fetch,
    nextId: 1,
    fetchUsers: 0,
  };
  g[KEY].fetchUsers ??= 0;
  return g[KEY];
}

/**
 * The gateway serving the current call: the request's context, else the one importing user
 * modules, else the only gateway running. `undefined` when none applies (or several run and the
 * call is outside any request).
 */
export function currentGateway(): GatewayRuntime | undefined {
  const s = shared();
  const store = s.als.getStore();
  if (store !== undefined) return store;
  const loading = s.loading.at(-1);
  if (loading !== undefined) return loading;
  if (s.active.size === 1) return s.active.values().next().value;
  return undefined;
}

export function requireGateway(what: string): GatewayRuntime {
  const gateway = currentGateway();
  if (gateway === undefined) {
    throw new Error(
      `${what} was called outside a gateway request. It only works inside a handler that startGateway() is running.`,
    );
  }
  return gateway;
}

export function runInGateway<T>(gateway: GatewayRuntime, fn: () => T): T {
  return shared().als.run(gateway, fn);
}

/** The runtime's message when `zuplo.mtlsCertificate` is used where no gateway is running. */
export const MTLS_UNSUPPORTED = 'mTLS client certificates are not supported in this runtime environment';

/**
 * The Zuplo-flavoured `fetch`: inside a gateway it goes through that gateway's OutboundClient
 * (which honours `init.zuplo.mtlsCertificate` and records the attempt); outside, it is the
 * original global fetch, refusing `zuplo.mtlsCertificate` as a non-Zuplo runtime does.
 */
export function zuploFetch(input: string | URL | Request, init?: OutboundFetchInit): Promise<Response> {
  const gateway = shared().als.getStore();
  if (gateway !== undefined) return gateway.outbound.fetch(input, init);
  if (init?.zuplo?.mtlsCertificate) return Promise.reject(new Error(MTLS_UNSUPPORTED));
  if (init?.zuplo !== undefined) {
    const { zuplo: _zuplo, ...rest } = init;
    return shared().originalFetch(input, rest);
  }
  return shared().originalFetch(input, init);
}

const WRAPPED = Symbol.for('alb-mtls-harness.gateway.fetch-wrapper');

/**
 * Replaces the global `fetch`, once per process, with {@link zuploFetch}: user code in the seed
 * calls the global `fetch(url, { zuplo: { mtlsCertificate } })`, as on Zuplo where the runtime
 * wraps it. Outside a gateway request it behaves exactly like the original.
 */
export function installFetchWrapper(): void {
  shared().fetchUsers++;
  const current = globalThis.fetch as typeof fetch & { [WRAPPED]?: true };
  if (current[WRAPPED]) return;
  shared().originalFetch = current;
  const wrapper = ((input: string | URL | Request, init?: OutboundFetchInit) => zuploFetch(input, init)) as typeof fetch & {
    [WRAPPED]?: true;
  };
  wrapper[WRAPPED] = true;
  globalThis.fetch = wrapper;
}

/**
 * The counterpart of {@link installFetchWrapper}, called when a gateway closes (or fails to start):
 * when no gateway needs the wrapper any more, the original global `fetch` is put back.
 */
export function releaseFetchWrapper(): void {
  const s = shared();
  s.fetchUsers = Math.max(0, s.fetchUsers - 1);
  if (s.fetchUsers > 0) return;
  const current = globalThis.fetch as typeof fetch & { [WRAPPED]?: true };
  if (current[WRAPPED]) globalThis.fetch = s.originalFetch;
}
