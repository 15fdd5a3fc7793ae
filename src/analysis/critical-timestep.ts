// The critical timestep of sampling and the FVE-entropy transition (paper Sec. 4.2, Figure 6, Appendix G):
// sampling splits into an arithmetic phase (high noise: the model computes c = (a + b) mod P) and a
// denoising phase (low noise: it only cleans up the image it has). Pure float64 on per-level numbers; the
// measurements themselves (sampling from perturbed images, activations along the path) are in
// src/eval/critical-timestep.ts.
//
// Levels: the sampler's grid t_k = k/K, k = 0..K. The rectification accuracy at level k is the share of
// pairs for which the sampler, started from an image of a wrong c' perturbed to t_k, ends on the correct c.
//
// Critical timestep (CRITICAL_TIMESTEP_DEFINITION): scanning from low noise upward,
//     k_crit = max { k : acc_j < level for every j ≤ k },   t_crit = k_crit / K,
// the boundary below which a wrong image is never corrected (level = PAPER.rectificationCriticalLevel,
// 0.5 %). k_crit is null when acc_0 ≥ level. Level 0 takes no sampling step (the result is the start
// image), so it is below the level for any model; a critical timestep *exists* only when 1 ≤ k_crit < K:
// some level where the model does take steps leaves the wrong image uncorrected, and pure noise (k = K)
// does not. The upper boundary k_up = min { k : acc_j ≥ level for every j ≥ k } (null when acc_K < level)
// closes the transition band: for a monotone curve k_up = k_crit + 1; a wider band means the curve dips
// below the level again above k_crit (`monotone` = false).
//
// Entropy transition: an entropy trajectory e_j at levels t_j (strictly increasing; the sampling path has
// no forward pass at t = 0, so typically t_j = j/K for j = 1..K) is split into a low-noise and a high-noise
// segment by a change-point rule (PAPER.changePointRule): 'two-segment-least-squares' (entropy.ts
// twoSegmentChangePoint) or 'largest-jump' (largestJump). If the split puts t_0..t_{i−1} below and
// t_i..t_{n−1} above, t_entropy = t_{i−1}: like t_crit, the last level on the low-noise side, so a step in
// both curves between the same two levels gives t_entropy = t_crit. The jump is the difference of the
// segment means (high − low noise) whatever the rule, and `explained` the share of variance of the
// two-level fit at that split.
//
// Agreement: |t_entropy − t_crit| ≤ tolerance (PAPER.criticalTimestepTolerance, in t units), compared with
// a relative slack of 1e-9 so that 5 grid steps of 1/50 count as 0.1.

import { largestJump, twoSegmentChangePoint } from './entropy.ts';
import { fail, requireChoice, requireFiniteArray, requireNumber, requireOpenInterval } from './validate.ts';

/** The definition implemented here (see the module header). */
export const CRITICAL_TIMESTEP_DEFINITION = 'largest-level-with-rectification-below-level-at-and-below-it' as const;

/** The change-point rules; the first equals PAPER.changePointRule.value (checked by a test). */
export const CHANGE_POINT_RULES = ['two-segment-least-squares', 'largest-jump'] as const;
export type ChangePointRule = (typeof CHANGE_POINT_RULES)[number];

export interface CriticalTimestep {
  readonly definition: typeof CRITICAL_TIMESTEP_DEFINITION;
  /** K: the accuracies cover levels k = 0..K. */
  readonly steps: number;
  readonly level: number;
  /** k_crit, or null when the accuracy at level 0 already reaches the level. */
  readonly index: number | null;
  /** k_crit / K, or null. */
  readonly t: number | null;
  /** 1 ≤ k_crit < K. */
  readonly exists: boolean;
  /** k_up: smallest k with accuracy ≥ level at every level ≥ k; null when the accuracy at K is below the level. */
  readonly upperIndex: number | null;
  readonly upperT: number | null;
  /** k_up = k_crit + 1: the curve crosses the level once. */
  readonly monotone: boolean;
}

/** Per-level accuracies (index k = 0..K, values in [0, 1], K ≥ 1) → the critical timestep (module header). */
export function criticalTimestep(rectification: ArrayLike<number>, level: number): CriticalTimestep {
  const acc = requireFiniteArray(rectification, 'criticalTimestep: rectification', { minLength: 2, shape: '[K+1] accuracies at t_k = k/K, K ≥ 1' });
  acc.forEach((a, k) => {
    if (a < 0 || a > 1) fail('out-of-range', `criticalTimestep: rectification[${k}] = ${a}; accuracies must lie in [0, 1]`);
  });
  const lv = requireOpenInterval(level, 'criticalTimestep: level', 0, 1);
  const K = acc.length - 1;
  let index: number | null = null;
  for (let k = 0; k <= K && acc[k] < lv; k++) index = k;
  let upperIndex: number | null = null;
  for (let k = K; k >= 0 && acc[k] >= lv; k--) upperIndex = k;
  const exists = index !== null && index >= 1 && index < K;
  const monotone = index === null ? upperIndex === 0 : upperIndex === null ? index === K : upperIndex === index + 1;
  return {
    definition: CRITICAL_TIMESTEP_DEFINITION,
    steps: K,
    level: lv,
    index,
    t: index === null ? null : index / K,
    exists,
    upperIndex,
    upperT: upperIndex === null ? null : upperIndex / K,
    monotone,
  };
}

export interface EntropyTransition {
  readonly rule: ChangePointRule;
  /** First index of the high-noise segment, in [1, n). */
  readonly index: number;
  /** t_entropy: the last level of the low-noise segment, levels[index − 1]. */
  readonly t: number;
  /** The first level of the high-noise segment, levels[index]. */
  readonly tAfter: number;
  /** Mean entropy of the low-noise segment. */
  readonly before: number;
  /** Mean entropy of the high-noise segment. */
  readonly after: number;
  /** after − before. */
  readonly jump: number;
  /** Share of the trajectory's variance explained by the two-level fit at this split (0 for a constant trajectory). */
  readonly explained: number;
}

/** The entropy transition of a trajectory over strictly increasing levels (module header). */
export function entropyTransition(levels: ArrayLike<number>, entropy: ArrayLike<number>, rule?: ChangePointRule): EntropyTransition {
  const fn = 'entropyTransition';
  const t = requireFiniteArray(levels, `${fn}: levels`, { minLength: 2, shape: '[n] noise levels, n ≥ 2' });
  const e = requireFiniteArray(entropy, `${fn}: entropy`, { length: t.length, shape: `[n] = [${t.length}] (one entropy per level)` });
  for (let j = 0; j < t.length; j++) {
    if (t[j] < 0 || t[j] > 1) fail('out-of-range', `${fn}: levels[${j}] = ${t[j]}; noise levels must lie in [0, 1]`);
    if (j > 0 && !(t[j] > t[j - 1])) fail('out-of-range', `${fn}: levels must increase strictly, but levels[${j}] = ${t[j]} ≤ levels[${j - 1}] = ${t[j - 1]}`);
  }
  const r = requireChoice<ChangePointRule>(rule, `${fn}: rule`, CHANGE_POINT_RULES, CHANGE_POINT_RULES[0]);
  const index = r === 'largest-jump' ? largestJump(e).index : twoSegmentChangePoint(e).index;
  const n = e.length;
  let mean = 0;
  for (let j = 0; j < n; j++) mean += e[j] / n;
  let before = 0;
  let after = 0;
  for (let j = 0; j < n; j++) {
    if (j < index) before += e[j] - mean;
    else after += e[j] - mean;
  }
  // Segment means computed on the centred values keep the rounding relative to the spread, not the level.
  const meanBefore = mean + before / index;
  const meanAfter = mean + after / (n - index);
  let sse = 0;
  let sst = 0;
  for (let j = 0; j < n; j++) {
    sse += (e[j] - (j < index ? meanBefore : meanAfter)) ** 2;
    sst += (e[j] - mean) ** 2;
  }
  const explained = sst > 0 ? Math.min(1, Math.max(0, 1 - sse / sst)) : 0;
  return { rule: r, index, t: t[index - 1], tAfter: t[index], before: meanBefore, after: meanAfter, jump: meanAfter - meanBefore, explained };
}

export interface TimestepAgreement {
  /** |t_entropy − t_crit|. */
  readonly difference: number;
  readonly tolerance: number;
  readonly within: boolean;
}

/** |t_entropy − t_crit| ≤ tolerance (module header). Both times and the tolerance in [0, 1]. */
export function timestepAgreement(tCritical: number, tEntropy: number, tolerance: number): TimestepAgreement {
  const a = requireNumber(tCritical, 'timestepAgreement: tCritical', { min: 0, max: 1 });
  const b = requireNumber(tEntropy, 'timestepAgreement: tEntropy', { min: 0, max: 1 });
  const tol = requireNumber(tolerance, 'timestepAgreement: tolerance', { min: 0, max: 1 });
  const difference = Math.abs(b - a);
  return { difference, tolerance: tol, within: difference <= tol * (1 + 1e-9) + 1e-12 };
}
