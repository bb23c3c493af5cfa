import { UserError } from './errors.ts';

/**
 * How many entries an in-memory log or record list keeps by default: the newest 1,000. Enough for
 * any test or scenario to look back on, while a long-running `serve` stays small (an access-log entry
 * can carry a 16 KB user agent). Log files keep every line.
 */
export const DEFAULT_MAX_ENTRIES = 1_000;

/** Appends `item` and drops the oldest entries beyond `max`, so the list holds the newest `max`. */
export function pushBounded<T>(list: T[], item: T, max: number): void {
  list.push(item);
  // One over (every push once full): shift, which V8 does in place; splice(0, n) copies the whole list.
  if (list.length === max + 1) list.shift();
  else if (list.length > max) list.splice(0, list.length - max);
}

/** A `max*` option: a whole number >= 1, or the default. A UserError naming `field` otherwise. */
export function maxEntriesOption(value: unknown, field: string): number {
  if (value === undefined) return DEFAULT_MAX_ENTRIES;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `${field} is ${JSON.stringify(value)}; use a whole number of entries >= 1 (default ${DEFAULT_MAX_ENTRIES}).`);
  }
  return value;
}
