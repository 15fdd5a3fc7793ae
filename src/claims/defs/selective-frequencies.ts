// Claim: selective frequencies (paper Sec. 4.1). In the attention scores (query c, key a), the attention
// values at c and the FFN pre-GeLU at c, a few key frequencies carry most of the Fourier variance over the
// (a, b) grid, and it is the same few across these taps. Measured at t = 1 (pure noise: the step where the
// model computes the sum) with one shared noise image. Per tap: FVE by frequency with cross-frequency
// products split between their two frequencies (FveResult.byFrequencySplitCross, sums to 1), key set by
// PAPER.keyFrequencyRule. Replicated per seed when the union U of the three key sets has at most
// maxCount frequencies and U carries ≥ cumulativeLevel of every tap's FVE; the claim needs every seed.
// The identity of the set is reported next to the paper's {1, 3, 7, 9} (it may depend on the seed; under
// k ↔ P − k and relabelling of symbols it is not comparable across runs anyway).
// Negative control: the untrained model of each seed (random features spread over all frequencies).

import { gridActivations, type GridView } from '../../eval/grid-activations.ts';
import { PAPER } from '../../paper/registry.ts';
import type { LoadedRun } from '../../train/loaded-run.ts';
import { verdict, type ClaimDeclaration, type Verdict } from '../contract.ts';
import { GRID_NOISE_SEED } from '../setup.ts';
import { tapSpectrum } from '../key-frequencies.ts';

export const selectiveFrequenciesClaim: ClaimDeclaration = {
  id: 'selective-frequencies',
  // Appendix: "four specific frequencies–w1, w3, w7, and w9– within the self-attention blocks"; at the FFN pre-GeLU "the selective frequencies shared throughout the preceding SA block".
  kind: 'paper',
  title: 'Selective frequencies shared across taps (N = 1)',
  statement: 'A few key frequencies carry most of the Fourier variance, shared from attention to the FFN.',
  where: 'Sec. 4.1, Figure 3; key frequencies w1, w3, w7, w9 for P = 23',
  thresholds: ['keyFrequencyRule', 'keyFrequencies', 'fveDefinition'],
  negativeControl: 'the untrained model of each seed (its features spread over all frequencies)',
};

export const FREQUENCY_TAPS: ReadonlyArray<{ label: string; tap: string; view: GridView }> = [
  { label: 'attention scores (query c, key a)', tap: 'block0.attn.scores', view: { kind: 'scores-c', key: 'a' } },
  { label: 'attention values at c', tap: 'block0.attn.z', view: { kind: 'heads-c' } },
  { label: 'FFN pre-GeLU at c', tap: 'block0.ffn.pre', view: { kind: 'token-c' } },
];

export interface TapFrequencies {
  readonly label: string;
  /** Share of the tap's Fourier variance per frequency k = 1..K (index k−1). */
  readonly shares: number[];
  readonly keySet: number[];
  readonly explained: number;
}

export interface SeedFrequencies {
  readonly seed: number;
  readonly step: number;
  readonly taps: TapFrequencies[];
  readonly union: number[];
  /** Per tap: share of its FVE on the union. */
  readonly coverage: number[];
  readonly pass: boolean;
}

export function measureFrequencies(run: LoadedRun, seed: number): SeedFrequencies {
  const P = run.model.P;
  const rule = PAPER.keyFrequencyRule.value;
  const acts = gridActivations(run, FREQUENCY_TAPS.map((t) => ({ tap: t.tap, view: t.view })), { t: 1, noiseSeed: GRID_NOISE_SEED });
  const taps = FREQUENCY_TAPS.map((t, i) => {
    const g = [...acts.values()][i];
    const { byFrequency, selection } = tapSpectrum(g.valuesByPair, P, g.units);
    return { label: t.label, shares: Array.from(byFrequency).slice(1), keySet: [...selection.frequencies], explained: selection.explained };
  });
  const union = [...new Set(taps.flatMap((t) => t.keySet))].sort((a, b) => a - b);
  const coverage = taps.map((t) => union.reduce((s, k) => s + t.shares[k - 1], 0));
  const pass = union.length <= rule.maxCount && coverage.every((c) => c >= rule.cumulativeLevel);
  return { seed, step: run.step, taps, union, coverage, pass };
}

export function judgeFrequencies(perSeed: readonly SeedFrequencies[]): Verdict {
  const rule = PAPER.keyFrequencyRule.value;
  const failing = perSeed.filter((s) => !s.pass);
  const sets = perSeed.map((s) => `seed ${s.seed}: {${s.union.join(', ')}}`).join('; ');
  const minCoverage = Math.min(...perSeed.map((s) => Math.min(...s.coverage)));
  return verdict(
    failing.length === 0,
    `shared key set ≤ ${rule.maxCount} frequencies carrying ≥ ${rule.cumulativeLevel} of each tap's FVE in ${perSeed.length - failing.length}/${perSeed.length} seeds (${sets}; min coverage ${minCoverage.toFixed(2)}; paper: {${PAPER.keyFrequencies.value.join(', ')}})`,
    `${perSeed.map((s) => s.union.length).join('/')} key freqs`,
  );
}
