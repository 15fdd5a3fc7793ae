// The one definition of "key frequencies of a tap" used by every N = 1 claim: the FVE over the (a, b) grid
// with cross-frequency products split between their two frequencies (sums to 1), and the smallest set of
// frequencies reaching PAPER.keyFrequencyRule's cumulative level (paper Sec. 4.1).

import { fveOfActivations, selectKeyFrequencies, type KeyFrequencySelection } from '../analysis/index.ts';
import { gridActivations } from '../eval/grid-activations.ts';
import { PAPER } from '../paper/registry.ts';
import type { LoadedRun } from '../train/loaded-run.ts';
import { GRID_NOISE_SEED } from './setup.ts';

export interface TapSpectrum {
  /** Share of the tap's Fourier variance per frequency, index k (0 = constant, always 0). */
  readonly byFrequency: Float64Array;
  readonly selection: KeyFrequencySelection;
}

export function tapSpectrum(valuesByPair: Float64Array, P: number, units: number): TapSpectrum {
  const f = fveOfActivations(valuesByPair, P, units);
  const rule = PAPER.keyFrequencyRule.value;
  return { byFrequency: f.byFrequencySplitCross, selection: selectKeyFrequencies(f.byFrequencySplitCross, { rule: 'cumulative', level: rule.cumulativeLevel, maxCount: rule.maxCount }) };
}

/** The grid activations of the FFN pre-GeLU at c, at t = 1 with the claims' shared noise image. */
export function ffnPreGrid(run: LoadedRun): { valuesByPair: Float64Array; units: number } {
  return [...gridActivations(run, [{ tap: 'block0.ffn.pre', view: { kind: 'token-c' } }], { t: 1, noiseSeed: GRID_NOISE_SEED }).values()][0];
}
