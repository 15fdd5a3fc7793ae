// Key-frequency selection from per-frequency FVE: which frequencies carry the variance, and are they "a few"?
// Serves the paper's Sec. 4.1 / Figure 3 claim of selective frequencies (w1, w3, w7, w9 for P = 23).
//
// Rules (the paper states no formula; ours are documented in the registry):
//   'cumulative' (default; PAPER.keyFrequencyRule): the smallest set of frequencies, taken by decreasing FVE,
//     whose FVE sums to ≥ cumulativeLevel. If all frequencies together stay below the level (variance in
//     cross-frequency products), the set is every frequency with FVE > 0 and `reached` is false.
//   'uniform-multiple': every frequency whose share of the per-frequency FVE exceeds `multiple` times the
//     uniform share 1/K (i.e. FVE_k / Σ_j FVE_j > multiple / K).
// "few" = reached and 1 ≤ count ≤ maxCount. Ties in FVE are broken towards the smaller k.
// Input: an FVE array indexed by frequency k = 0..K (index 0, the constant, is 0), e.g. FveResult.byFrequency.

import { PAPER } from '../paper/registry.ts';
import { requireFrequencyShares } from './fve.ts';
import { requireChoice, requireInteger, requireNumber, requireOptions } from './validate.ts';

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
  let multiple: number | null = null;
  if (rule === 'cumulative') {
    level = requireNumber(opts.level ?? defaults.cumulativeLevel, `${fn}: options.level`, { min: 0, max: 1 });
    chosen = [];
    let sum = 0;
    for (const r of ranking) {
      if (sum >= level - 1e-12 || r.fve <= 0) break;
      chosen.push(r);
      sum += r.fve;
    }
    reached = sum >= level - 1e-12;
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
    multiple,
    maxCount,
    ranking,
  };
}
