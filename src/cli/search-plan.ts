// The plan of a `grokdiff search` (issue 28): the arms (one override combination of the grid × one seed) in the
// order the search has always trained them (grid combinations outer, seeds inner), each with a run folder name
// that depends on the plan alone, so that `--resume` finds an arm's folder again and the arms of one search run
// on several machines (`--shard i/n`) land in folders that merge (`--from-runs`) into the log one machine would
// have written. Pure functions of the command line: the same flags give the same plan, the same slices and the
// same names on every machine.

import { createHash } from 'node:crypto';
import { ConfigError } from '../errors.ts';

/** What fixes a search's arms: the flags, in the order given. */
export interface SearchPlanInput {
  readonly preset: string;
  /** --set overrides, applied to every arm before the grid's. */
  readonly set: readonly string[];
  /** The grid's override combinations (expandGrid of the --grid axes, in order). */
  readonly combos: readonly (readonly string[])[];
  readonly seeds: readonly number[];
}

/** One arm: its 1-based place in the plan, its overrides (--set then the grid's) and its seed. */
export interface SearchArm {
  /** 1 … arms in the plan, in the unsharded search's order. */
  readonly index: number;
  readonly overrides: readonly string[];
  readonly seed: number;
  /** The run folder's name under --out (searchRunName). */
  readonly name: string;
}

export interface SearchPlan {
  /** A short hash of the plan's input: arms of the same search carry it, whichever machine trained them. */
  readonly id: string;
  readonly preset: string;
  readonly arms: readonly SearchArm[];
}

/** The i-th (1-based) of n slices of a plan: `--shard i/n`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** The plan's id: the first 12 hex digits of the sha256 of its input (order of --set, --grid and --seeds included). */
export function searchPlanId(input: SearchPlanInput): string {
  const canonical = JSON.stringify({ preset: input.preset, set: input.set, combos: input.combos, seeds: input.seeds });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}

/**
 * The run folder of arm `index` of `total`: `007-cpu-n1-train.lr=0.001-s2` (index zero-padded to at least three
 * digits, then the preset, the overrides with characters other than letters, digits and `.=_-` dropped, and
 * the seed). The index keeps names unique within a plan and sorts them in plan order.
 */
export function searchRunName(preset: string, index: number, total: number, overrides: readonly string[], seed: number): string {
  const width = Math.max(3, String(total).length);
  const slug = overrides.join('_').replace(/[^a-zA-Z0-9.=_-]/g, '');
  return `${String(index).padStart(width, '0')}-${preset}${slug ? `-${slug}` : ''}-s${seed}`;
}

/** The arms of a search, in order: each combination of the grid (after --set) for each seed. */
export function searchPlan(input: SearchPlanInput): SearchPlan {
  const bare = input.combos.flatMap((combo) => input.seeds.map((seed) => ({ overrides: [...input.set, ...combo], seed })));
  const arms = bare.map((a, i) => ({ ...a, index: i + 1, name: searchRunName(input.preset, i + 1, bare.length, a.overrides, a.seed) }));
  return { id: searchPlanId(input), preset: input.preset, arms };
}

/** Parses `--shard i/n` (1 ≤ i ≤ n ≤ 1000); anything else is a ConfigError naming the flag. */
export function parseShard(value: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || count < 1 || count > 1000 || index < 1 || index > count) {
    throw new ConfigError('search-shard', `--shard "${value}" must be i/n with 1 ≤ i ≤ n ≤ 1000, e.g. --shard 2/4 (the second of four slices of the grid)`);
  }
  return { index, count };
}

/**
 * The arms of slice i of n: the arms whose 1-based plan index is i modulo n (round robin), so the slices are
 * disjoint, together hold every arm, and differ in size by at most one (neighbouring arms, often the seeds of
 * one combination, go to different machines). It depends on the plan and the shard alone.
 */
export function shardArms<T extends { readonly index: number }>(arms: readonly T[], shard: Shard): T[] {
  return arms.filter((a) => (a.index - 1) % shard.count === shard.index - 1);
}
