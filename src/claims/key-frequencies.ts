// The one definition of "key frequencies of a tap" used by every N = 1 claim (paper Sec. 4.1, Figure 3: "FVE
// measures the proportion of total power attributed to each frequency's Fourier coefficients"): FVE_k over the
// (a, b) grid = the 1-D terms and same-k products at k, as a share of the tap's total power; cross-frequency
// products (k_a ≠ k_b) are attributed to no frequency — never split half to each — and their share is
// reported as its own number. The key set is the smallest set, by decreasing FVE_k, whose FVE reaches
// PAPER.keyFrequencyRule's level of the power attributed to single frequencies (Σ_k FVE_k = 1 − cross share).
// Also which block a claim reads: every block's taps are measured; the last block is judged (for depth 2 its
// FFN is where the sum is computed; for depth 1 it is the only block).

import { fveOfActivations, frequencySetCoverage, selectKeyFrequencies, type FrequencySetCoverage, type KeyFrequencySelection } from '../analysis/index.ts';
import { gridActivations } from '../eval/grid-activations.ts';
import { PAPER } from '../paper/registry.ts';
import type { LoadedRun } from '../eval/loaded-run.ts';
import { GRID_NOISE_SEED } from './setup.ts';

export interface TapSpectrum {
  /** FVE_k: share of the tap's total power per frequency, index k (0 = constant, always 0); cross products excluded. */
  readonly byFrequency: Float64Array;
  /** Share of the total power in cross-frequency products (k_a ≠ k_b): Σ_k byFrequency[k] + crossFrequency = 1. */
  readonly crossFrequency: number;
  /** [(K+1)²] row k_a, column k_b: cross-product shares (FveResult.crossByPair). */
  readonly crossByPair: Float64Array;
  readonly selection: KeyFrequencySelection;
}

export function tapSpectrum(valuesByPair: Float64Array, P: number, units: number): TapSpectrum {
  const f = fveOfActivations(valuesByPair, P, units);
  const rule = PAPER.keyFrequencyRule.value;
  return {
    byFrequency: f.byFrequency,
    crossFrequency: f.crossFrequency,
    crossByPair: f.crossByPair,
    selection: selectKeyFrequencies(f.byFrequency, { rule: 'cumulative', level: rule.cumulativeLevel, maxCount: rule.maxCount, relativeTo: 'attributed' }),
  };
}

/** The share of a tap's total power a frequency set accounts for (its own terms, cross products inside and outside it). */
export function setCoverage(spectrum: TapSpectrum, frequencies: readonly number[]): FrequencySetCoverage {
  return frequencySetCoverage(spectrum.byFrequency, spectrum.crossByPair, frequencies);
}

/** The block the claims judge: the last one (depth 1: block 0; depth 2: block 1, whose FFN computes the sum). */
export function judgedBlock(run: Pick<LoadedRun, 'model'>): number {
  return run.model.depth - 1;
}

/** Every block index of the model, 0..depth−1. */
export function blocksOf(run: Pick<LoadedRun, 'model'>): number[] {
  return Array.from({ length: run.model.depth }, (_, l) => l);
}

/** The grid activations of block `block`'s FFN pre-GeLU at c (default: the judged block), at t = 1 with the claims' shared noise image. */
export function ffnPreGrid(run: LoadedRun, block = judgedBlock(run)): { valuesByPair: Float64Array; units: number } {
  return [...gridActivations(run, [{ tap: `block${block}.ffn.pre`, view: { kind: 'token-c' } }], { t: 1, noiseSeed: GRID_NOISE_SEED }).values()][0];
}
