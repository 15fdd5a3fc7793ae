// Key-frequency selection from per-frequency FVE: which frequencies carry the variance, and are they "a few"?
// Serves the paper's Sec. 4.1 / Figure 3 claim of selective frequencies (w1, w3, w7, w9 for P = 23).
//
// Input: FVE_k = "the proportion of total power attributed to each frequency's Fourier coefficients" (paper
// Figure 3 caption; fve.ts byFrequency): 1-D terms and same-k products at k. Cross-frequency products
// (k_a ≠ k_b) belong to no single frequency: they are not split between frequencies but reported apart
// (frequencySetCoverage).
// Rules (the paper states no formula; ours are documented in the registry):
//   'cumulative' (default; PAPER.keyFrequencyRule): the smallest set of frequencies, taken by decreasing FVE,
//     whose FVE sums to ≥ cumulativeLevel × the reference: relativeTo 'total' (default) = 1, the total power;
//     relativeTo 'attributed' = Σ_k FVE_k, the power attributed to single frequencies (1 − cross share), so
//     that the cross share neither counts for a frequency nor forces minor frequencies into the set (the
//     claims use it, and report the cross share and frequencySetCoverage beside the set). If all
//     frequencies together stay below the level, the set is every frequency with FVE > 0 and `reached` is
//     false (only possible with 'total').
//   'uniform-multiple': every frequency whose share of the per-frequency FVE exceeds `multiple` times the
//     uniform share 1/K (i.e. FVE_k / Σ_j FVE_j > multiple / K).
// "few" = reached and 1 ≤ count ≤ maxCount. Ties in FVE are broken towards the smaller k.
// Input: an FVE array indexed by frequency k = 0..K (index 0, the constant, is 0), e.g. FveResult.byFrequency.

import { PAPER } from '../paper/registry.ts';
import { requireFrequencyShares } from './fve.ts';
import { fail, requireChoice, requireFiniteArray, requireInteger, requireNumber, requireOptions } from './validate.ts';

/** Default m of the 'uniform-multiple' rule: our choice (not yet in the registry). */
export const DEFAULT_UNIFORM_MULTIPLE = 2;

export type KeyFrequencyRule = 'cumulative' | 'uniform-multiple';

export interface KeyFrequencyOptions {
  readonly rule?: KeyFrequencyRule;
  /** 'cumulative': the FVE level to reach (default PAPER.keyFrequencyRule.value.cumulativeLevel). */
  readonly level?: number;
  /** 'uniform-multiple': the multiple m of the uniform share (default DEFAULT_UNIFORM_MULTIPLE). */
  readonly multiple?: number;
  /** Largest count still called "few" (default PAPER.keyFrequencyRule.value.maxCount). */
  readonly maxCount?: number;
  /** 'cumulative': the level is a share of the total power ('total', default) or of Σ_k FVE_k ('attributed'). */
  readonly relativeTo?: 'total' | 'attributed';
}

export interface KeyFrequencySelection {
  readonly rule: KeyFrequencyRule;
  /** The selected frequencies, by decreasing FVE. */
  readonly frequencies: readonly number[];
  /** Σ of their FVE (a share of the total variance). */
  readonly explained: number;
  /** cumulative: explained ≥ level; uniform-multiple: at least one frequency selected. */
  readonly reached: boolean;
  /** reached and 1 ≤ frequencies.length ≤ maxCount. */
  readonly few: boolean;
  readonly level: number | null;
  /** 'cumulative': what the level is a share of (null for 'uniform-multiple'). */
  readonly relativeTo: 'total' | 'attributed' | null;
  /** Σ_k FVE_k over k = 1..K: the power attributed to single frequencies. */
  readonly attributed: number;
  readonly multiple: number | null;
  readonly maxCount: number;
  /** Every frequency 1..K with its FVE, by decreasing FVE. */
  readonly ranking: ReadonlyArray<{ readonly k: number; readonly fve: number }>;
}

/** Select the key frequencies of a per-frequency FVE array (index k; see the module header). */
export function selectKeyFrequencies(byFrequency: ArrayLike<number>, options?: KeyFrequencyOptions): KeyFrequencySelection {
  const fn = 'selectKeyFrequencies';
  const shares = requireFrequencyShares(byFrequency, `${fn}: byFrequency`, { maxSum: 1 });
  const opts = requireOptions<KeyFrequencyOptions>(options, `${fn}: options`);
  const rule = requireChoice(opts.rule, `${fn}: options.rule`, ['cumulative', 'uniform-multiple'] as const, 'cumulative');
  const defaults = PAPER.keyFrequencyRule.value;
  const K = shares.length - 1;
  const maxCount = requireInteger(opts.maxCount ?? defaults.maxCount, `${fn}: options.maxCount`, 1, Number.MAX_SAFE_INTEGER);
  const ranking = Array.from({ length: K }, (_, i) => ({ k: i + 1, fve: shares[i + 1] })).sort((x, y) => y.fve - x.fve || x.k - y.k);
  const attributed = ranking.reduce((s, r) => s + r.fve, 0);

  let chosen: Array<{ k: number; fve: number }>;
  let reached: boolean;
  let level: number | null = null;
  let relativeTo: 'total' | 'attributed' | null = null;
  let multiple: number | null = null;
  if (rule === 'cumulative') {
    level = requireNumber(opts.level ?? defaults.cumulativeLevel, `${fn}: options.level`, { min: 0, max: 1 });
    relativeTo = requireChoice(opts.relativeTo, `${fn}: options.relativeTo`, ['total', 'attributed'] as const, 'total');
    const target = level * (relativeTo === 'total' ? 1 : attributed);
    chosen = [];
    let sum = 0;
    for (const r of ranking) {
      if (sum >= target - 1e-12 || r.fve <= 0) break;
      chosen.push(r);
      sum += r.fve;
    }
    reached = sum >= target - 1e-12 && (relativeTo === 'total' || attributed > 0);
  } else {
    multiple = requireNumber(opts.multiple ?? DEFAULT_UNIFORM_MULTIPLE, `${fn}: options.multiple`, { min: 0, max: 1e6 });
    const threshold = (multiple / K) * attributed;
    chosen = attributed > 0 ? ranking.filter((r) => r.fve > threshold) : [];
    reached = chosen.length > 0;
  }
  const explained = chosen.reduce((s, r) => s + r.fve, 0);
  return {
    rule,
    frequencies: chosen.map((r) => r.k),
    explained,
    reached,
    few: reached && chosen.length >= 1 && chosen.length <= maxCount,
    level,
    relativeTo,
    attributed,
    multiple,
    maxCount,
    ranking,
  };
}

/** How much of a tap's total power a set of frequencies accounts for, with the cross-frequency products apart. */
export interface FrequencySetCoverage {
  readonly frequencies: readonly number[];
  /** Σ_{k ∈ set} FVE_k: the set's own terms (1-D and same-k products). */
  readonly own: number;
  /** Cross products with both frequencies in the set (k_a ≠ k_b, both in it). */
  readonly crossWithin: number;
  /** Cross products with at least one frequency outside the set. */
  readonly crossOutside: number;
  /** All cross-frequency products (crossWithin + crossOutside). */
  readonly crossTotal: number;
  /** own + crossWithin: the power of every Fourier component whose frequencies all lie in the set. */
  readonly covered: number;
}

/**
 * Coverage of a frequency set: `byFrequency` [K+1] (FveResult.byFrequency) and `crossByPair` [(K+1)²]
 * (FveResult.crossByPair, row k_a, column k_b). No cross product is split: it is inside the set (both its
 * frequencies are in it) or outside.
 */
export function frequencySetCoverage(byFrequency: ArrayLike<number>, crossByPair: ArrayLike<number>, frequencies: readonly number[]): FrequencySetCoverage {
  const fn = 'frequencySetCoverage';
  const shares = requireFrequencyShares(byFrequency, `${fn}: byFrequency`, { maxSum: 1 });
  const K = shares.length - 1;
  const cross = requireFiniteArray(crossByPair, `${fn}: crossByPair`, {
    length: (K + 1) * (K + 1),
    shape: `[K+1, K+1] = [${K + 1}, ${K + 1}] (FveResult.crossByPair)`,
  });
  if (!Array.isArray(frequencies)) fail('not-an-array', `${fn}: frequencies must be an array of frequencies 1..${K}, got ${typeof frequencies}`);
  const set = new Set<number>();
  for (const k of frequencies) set.add(requireInteger(k, `${fn}: frequencies[]`, 1, K));
  let own = 0;
  for (const k of set) own += shares[k];
  let crossWithin = 0;
  let crossTotal = 0;
  for (let a = 0; a <= K; a++) {
    for (let b = 0; b <= K; b++) {
      const v = cross[a * (K + 1) + b];
      if (v < 0) fail('out-of-range', `${fn}: crossByPair[${a}, ${b}] = ${v}; shares must be ≥ 0`);
      if (a === b || a === 0 || b === 0) continue;
      crossTotal += v;
      if (set.has(a) && set.has(b)) crossWithin += v;
    }
  }
  const attributed = shares.reduce((acc, v) => acc + v, 0);
  if (attributed + crossTotal > 1 + 1e-9)
    fail('out-of-range', `${fn}: byFrequency and crossByPair sum to ${attributed + crossTotal} > 1; they must be shares of one total`);
  return { frequencies: [...set].sort((x, y) => x - y), own, crossWithin, crossOutside: crossTotal - crossWithin, crossTotal, covered: own + crossWithin };
}
