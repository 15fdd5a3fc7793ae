// Shannon entropy of the FVE distribution over frequencies, and change-point helpers for a sequence of such
// entropies (e.g. over diffusion timesteps). Serves the paper's Sec. 4.2: around the critical timestep the
// representation changes, which shows as a change in how concentrated the FVE is across frequencies.
//
// Entropy: p_k = FVE_k / Σ_j FVE_j over k = 1..K (the input indexed by k, index 0 = constant = 0), natural
// log, 0·log 0 = 0. H = 0 when one frequency carries everything, H = log K when all K frequencies carry equal
// shares; normalised = H / log K ∈ [0, 1] (defined as 0 when K = 1). Use FveResult.byFrequency (cross
// products excluded) or byFrequencySplitCross (cross products split) as the input; the caller chooses.
//
// Change points of a sequence s_0..s_{n−1}:
//   largestJump: the index i ∈ [1, n) maximising |s_i − s_{i−1}| (ties → earliest).
//   twoSegmentChangePoint: the split i ∈ [1, n) minimising the squared error of a two-level step function
//     (mean of s_0..s_{i−1} before, mean of s_i..s_{n−1} after) — least squares binary segmentation; ties →
//     earliest; `explained` = 1 − SSE/SST (0 for a constant sequence, where every split fits perfectly).

import { requireFrequencyShares } from './fve.ts';
import { fail, requireFiniteArray } from './validate.ts';

export interface FveEntropy {
  /** Shannon entropy in nats. */
  readonly entropy: number;
  /** entropy / log K in [0, 1] (0 when K = 1). */
  readonly normalised: number;
  /** log K, the entropy of the uniform distribution over the K frequencies. */
  readonly maxEntropy: number;
  /** K, the number of frequencies (1..K). */
  readonly frequencies: number;
  /** [K+1]: the normalised distribution p_k (index 0 is 0). */
  readonly distribution: Float64Array;
}

/** Entropy of a per-frequency FVE array (index k = 0..K; see the module header). */
export function fveEntropy(byFrequency: ArrayLike<number>): FveEntropy {
  const shares = requireFrequencyShares(byFrequency, 'fveEntropy: byFrequency');
  const K = shares.length - 1;
  let total = 0;
  for (let k = 1; k <= K; k++) total += shares[k];
  if (!(total > 0)) fail('zero-variance', 'fveEntropy: byFrequency is all zero; the distribution over frequencies is undefined');
  const distribution = new Float64Array(K + 1);
  let entropy = 0;
  for (let k = 1; k <= K; k++) {
    const p = shares[k] / total;
    distribution[k] = p;
    if (p > 0) entropy -= p * Math.log(p);
  }
  const maxEntropy = Math.log(K);
  entropy = Math.min(Math.max(entropy, 0), maxEntropy); // rounding can stray by ~1e-16 past the bounds
  return { entropy, normalised: K > 1 ? entropy / maxEntropy : 0, maxEntropy, frequencies: K, distribution };
}

export interface JumpChangePoint {
  /** i such that the jump is from s_{i−1} to s_i. */
  readonly index: number;
  readonly from: number;
  readonly to: number;
  /** s_i − s_{i−1}. */
  readonly jump: number;
  /** |jump|. */
  readonly magnitude: number;
}

/** The largest single-step change of a sequence (length ≥ 2). */
export function largestJump(sequence: ArrayLike<number>): JumpChangePoint {
  const s = requireFiniteArray(sequence, 'largestJump: sequence', { minLength: 2, shape: '[n], n ≥ 2' });
  let best = 1;
  for (let i = 2; i < s.length; i++) if (Math.abs(s[i] - s[i - 1]) > Math.abs(s[best] - s[best - 1])) best = i;
  const jump = s[best] - s[best - 1];
  return { index: best, from: s[best - 1], to: s[best], jump, magnitude: Math.abs(jump) };
}

export interface TwoSegmentChangePoint {
  /** First index of the second segment, in [1, n). */
  readonly index: number;
  readonly meanBefore: number;
  readonly meanAfter: number;
  /** Squared error of the two-level fit. */
  readonly sse: number;
  /** Squared error of the one-level fit (Σ (s − mean)²). */
  readonly totalSse: number;
  /** 1 − sse/totalSse ∈ [0, 1]; 0 for a constant sequence. */
  readonly explained: number;
}

/** Least-squares two-segment (step) change point of a sequence (length ≥ 2). */
export function twoSegmentChangePoint(sequence: ArrayLike<number>): TwoSegmentChangePoint {
  const raw = requireFiniteArray(sequence, 'twoSegmentChangePoint: sequence', { minLength: 2, shape: '[n], n ≥ 2' });
  const n = raw.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += raw[i] / n;
  // Work on the centred sequence: prefix sums of centred values keep the SSE exact to rounding.
  const s = raw.map((x) => x - mean);
  const totalSse = s.reduce((acc, x) => acc + x * x, 0);
  let prefix = 0;
  let bestIndex = 1;
  let bestGain = -Infinity;
  const sum = s.reduce((a, x) => a + x, 0);
  for (let i = 1; i < n; i++) {
    prefix += s[i - 1];
    // SSE(split) = SST − [prefix²/i + (sum − prefix)²/(n − i)] + sum²/n; maximise the bracket.
    const gain = (prefix * prefix) / i + ((sum - prefix) * (sum - prefix)) / (n - i);
    if (gain > bestGain * (1 + 1e-12) + 1e-300) {
      bestGain = gain;
      bestIndex = i;
    }
  }
  let before = 0;
  let after = 0;
  for (let i = 0; i < n; i++) {
    if (i < bestIndex) before += raw[i];
    else after += raw[i];
  }
  const meanBefore = before / bestIndex;
  const meanAfter = after / (n - bestIndex);
  let sse = 0;
  for (let i = 0; i < n; i++) {
    const d = raw[i] - (i < bestIndex ? meanBefore : meanAfter);
    sse += d * d;
  }
  sse = Math.min(sse, totalSse);
  return { index: bestIndex, meanBefore, meanAfter, sse, totalSse, explained: totalSse > 0 ? 1 - sse / totalSse : 0 };
}
