import { currentGateway } from '../gateway-context.ts';

/**
 * `environment`: a live view of the calling gateway's variables (several gateways may share a
 * process, so each read asks AsyncLocalStorage which one is calling). Read-only, like Zuplo's.
 */
export const environment: Record<string, string | undefined> = new Proxy({} as Record<string, string | undefined>, {
  get(_target, name) {
    if (typeof name !== 'string') return undefined;
    return currentGateway()?.environment[name];
  },
  has(_target, name) {
    return typeof name === 'string' && currentGateway()?.environment[name] !== undefined;
  },
  ownKeys() {
    const env = currentGateway()?.environment ?? {};
    return Object.keys(env).filter((key) => env[key] !== undefined);
  },
  getOwnPropertyDescriptor(_target, name) {
    const value = typeof name === 'string' ? currentGateway()?.environment[name] : undefined;
    return value === undefined ? undefined : { value, enumerable: true, configurable: true, writable: false };
  },
  set() {
    return false;
  },
  deleteProperty() {
    return false;
  },
});
