// The plan of a sharded search (issue 28): the same flags give the same arms, names and slices on every machine;
// the slices of `--shard i/n` are disjoint, cover the grid and are balanced; a bad --shard is a typed error.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { parseShard, searchPlan, searchPlanId, searchRunName, shardArms } from './search-plan.ts';

const input = {
  preset: 'cpu-n1',
  set: ['train.steps=20'],
  combos: [['train.lr=0.001'], ['train.lr=0.002'], ['train.lr=0.004']],
  seeds: [1, 2, 3],
};

describe('searchPlan', () => {
  it('lists the grid combinations outer and the seeds inner, with names that sort in plan order', () => {
    const plan = searchPlan(input);
    expect(plan.arms.map((a) => [a.index, a.overrides.at(-1), a.seed])).toEqual([
      [1, 'train.lr=0.001', 1],
      [2, 'train.lr=0.001', 2],
      [3, 'train.lr=0.001', 3],
      [4, 'train.lr=0.002', 1],
      [5, 'train.lr=0.002', 2],
      [6, 'train.lr=0.002', 3],
      [7, 'train.lr=0.004', 1],
      [8, 'train.lr=0.004', 2],
      [9, 'train.lr=0.004', 3],
    ]);
    expect(plan.arms[0].overrides).toEqual(['train.steps=20', 'train.lr=0.001']);
    expect(plan.arms[4].name).toBe('005-cpu-n1-train.steps=20_train.lr=0.002-s2');
    const names = plan.arms.map((a) => a.name);
    expect([...names].sort()).toEqual(names);
    expect(new Set(names).size).toBe(names.length);
  });

  it('has an id that follows the flags (their order too) and nothing else', () => {
    expect(searchPlan(input).id).toBe(searchPlan({ ...input, combos: input.combos.map((c) => [...c]) }).id);
    expect(searchPlanId(input)).toMatch(/^[0-9a-f]{12}$/);
    expect(searchPlanId({ ...input, seeds: [1, 2] })).not.toBe(searchPlanId(input));
    expect(searchPlanId({ ...input, seeds: [3, 2, 1] })).not.toBe(searchPlanId(input));
    expect(searchPlanId({ ...input, preset: 'paper-n1' })).not.toBe(searchPlanId(input));
  });

  it('names an arm without overrides by preset and seed, and widens the index past 999 arms', () => {
    expect(searchRunName('cpu-n1', 1, 1, [], 7)).toBe('001-cpu-n1-s7');
    expect(searchRunName('cpu-n1', 12, 1500, ['model.norm="layer"'], 0)).toBe('0012-cpu-n1-model.norm=layer-s0');
  });
});

describe('shardArms', () => {
  const arms = searchPlan(input).arms;

  it('gives disjoint slices that together hold every arm once, sizes within one of each other', () => {
    for (const n of [1, 2, 3, 4, 5, 9, 10]) {
      const slices = Array.from({ length: n }, (_, i) => shardArms(arms, { index: i + 1, count: n }));
      const all = slices.flat().map((a) => a.index);
      expect([...all].sort((p, q) => p - q)).toEqual(arms.map((a) => a.index));
      const sizes = slices.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it('slices by plan index (round robin), the same on every call', () => {
    expect(shardArms(arms, { index: 1, count: 2 }).map((a) => a.index)).toEqual([1, 3, 5, 7, 9]);
    expect(shardArms(arms, { index: 2, count: 2 }).map((a) => a.index)).toEqual([2, 4, 6, 8]);
    expect(shardArms(arms, { index: 3, count: 4 }).map((a) => a.index)).toEqual([3, 7]);
    expect(shardArms(arms, { index: 1, count: 1 })).toEqual(arms);
  });
});

describe('parseShard', () => {
  it('reads i/n', () => {
    expect(parseShard('1/2')).toEqual({ index: 1, count: 2 });
    expect(parseShard(' 3 / 3 ')).toEqual({ index: 3, count: 3 });
  });

  it.each(['0/2', '3/2', '1/0', '2', 'a/b', '1/2/3', '-1/2', '1.5/2', '', '1/1001'])('refuses "%s" with a ConfigError naming --shard', (bad) => {
    expect(() => parseShard(bad)).toThrow(ConfigError);
    expect(() => parseShard(bad)).toThrow(/--shard/);
  });
});
