import { describe, expect, test } from 'vitest';
import { parseShard, scenarios, selectShard } from '../../scenarios/index.ts';

describe('run --shard i/n', () => {
  test.each([1, 2, 3, 5, 7, scenarios.length, scenarios.length + 3])('every scenario is in exactly one of %i shards, sizes within one', (n) => {
    const shards = Array.from({ length: n }, (_, i) => selectShard(scenarios, { index: i + 1, count: n }));
    const ids = shards.flat().map((s) => s.id);
    expect(ids.sort()).toEqual(scenarios.map((s) => s.id).sort());
    const sizes = shards.map((s) => s.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  test('a shard depends on the ids alone, not on the order of the list', () => {
    const reversed = [...scenarios].reverse();
    for (let i = 1; i <= 3; i++) {
      expect(selectShard(reversed, { index: i, count: 3 }).map((s) => s.id)).toEqual(selectShard(scenarios, { index: i, count: 3 }).map((s) => s.id));
    }
  });

  test('slices are contiguous in id order', () => {
    const ids = [{ id: 'd' }, { id: 'a' }, { id: 'c' }, { id: 'b' }, { id: 'e' }];
    expect([1, 2, 3].map((i) => selectShard(ids, { index: i, count: 3 }).map((s) => s.id))).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });

  test('parseShard reads i/n and refuses the rest, naming the flag', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['0/3', '4/3', '1/0', '1', 'a/b', '1/2/3', '-1/2']) {
      expect(() => parseShard(bad)).toThrow(`--shard "${bad}" is not a shard: use i/n with 1 <= i <= n, e.g. --shard 2/3.`);
    }
  });
});
