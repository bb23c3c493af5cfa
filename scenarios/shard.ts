import { UserError } from '../harness/errors.ts';
import type { Scenario } from './types.ts';

/** One slice of a sharded run: shard `index` (1-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** Parses `i/n` as `alb-mtls run --shard` takes it (as vitest's `--shard`): 1 <= i <= n. */
export function parseShard(text: string, source = '--shard'): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || index < 1 || index > count) {
    throw new UserError('HARNESS_ERR_INVALID_ARGUMENT', `${source} "${text}" is not a shard: use i/n with 1 <= i <= n, e.g. ${source} 2/3.`);
  }
  return { index, count };
}

/**
 * The scenarios of one shard: the list sorted by id, cut into `count` contiguous slices whose sizes
 * differ by at most one. Deterministic (it depends on the ids alone, not on the order of the list or
 * the machine), and every scenario falls in exactly one shard, so n CI jobs with 1/n .. n/n run the
 * whole catalogue once. Slices are contiguous so one group's scenarios mostly share a shard.
 */
export function selectShard<T extends Pick<Scenario, 'id'>>(list: readonly T[], shard: Shard): T[] {
  const sorted = [...list].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const start = Math.floor(((shard.index - 1) * sorted.length) / shard.count);
  const end = Math.floor((shard.index * sorted.length) / shard.count);
  return sorted.slice(start, end);
}
