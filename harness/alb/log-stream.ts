import { DEFAULT_MAX_ENTRIES, pushBounded } from '../bounded-list.ts';
import { HarnessError } from '../errors.ts';
import type { LogStream } from './types.ts';

/** A LogStream the emulator can append to. */
export interface WritableLogStream<T> extends LogStream<T> {
  push(entry: T): void;
}

/** Default `waitFor` timeout, ms: generous, because it only bounds a test that is already failing. */
export const DEFAULT_WAIT_FOR_TIMEOUT_MS = 10_000;

/**
 * An in-memory log that keeps the newest `maxEntries` (older ones drop off; log files keep every
 * line). Listeners see every entry, synchronously, in push order.
 */
export function createLogStream<T>(name: string, maxEntries: number = DEFAULT_MAX_ENTRIES): WritableLogStream<T> {
  const entries: T[] = [];
  const listeners = new Set<(entry: T) => void>();
  return {
    entries,
    push(entry) {
      pushBounded(entries, entry, maxEntries);
      for (const listener of [...listeners]) listener(entry);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    waitFor(predicate, timeoutMs = DEFAULT_WAIT_FOR_TIMEOUT_MS) {
      const found = entries.find(predicate);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(
            new HarnessError(
              'HARNESS_ERR_TIMEOUT',
              `${name}.waitFor: no matching entry within ${timeoutMs} ms (${entries.length} entries logged)`,
            ),
          );
        }, timeoutMs);
        const listener = (entry: T) => {
          if (!predicate(entry)) return;
          clearTimeout(timer);
          listeners.delete(listener);
          resolve(entry);
        };
        listeners.add(listener);
      });
    },
    [Symbol.iterator]() {
      return entries[Symbol.iterator]();
    },
  };
}
