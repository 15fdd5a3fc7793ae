// One measurement of "the model has learned the task", shared by the study claims (depth ablation, moduli
// sweeps): generation accuracy on the training pairs and on the held-out evaluation pairs of a loaded run,
// measured now (not read from the training log, so the untrained control is measured the same way), with
// Wilson 95 % intervals, against the registry's grokking levels (PAPER.grokTrainLevel, grokHeldoutLevel).

import { rootRng } from '../engine/random.ts';
import { generationAccuracy, type AccuracyResult } from '../eval/generation.ts';
import { PAPER } from '../paper/registry.ts';
import type { LoadedRun } from '../train/loaded-run.ts';
import { STATS_SEED } from './setup.ts';

/** Noise draws per pair (M) for the study claims' accuracy. */
export const GENERALISATION_DRAWS = 2;

export interface Generalisation {
  readonly train: AccuracyResult;
  readonly heldout: AccuracyResult;
  /** Sampler steps used (the run's evaluation setting). */
  readonly samplingSteps: number;
  readonly draws: number;
  /** Train ≥ grokTrainLevel and held-out ≥ grokHeldoutLevel (point estimates, as in training). */
  readonly generalises: boolean;
}

export function measureGeneralisation(run: LoadedRun, seed: number): Generalisation {
  const opts = { draws: GENERALISATION_DRAWS, steps: run.config.train.samplingSteps };
  const rng = rootRng(STATS_SEED + seed).fork('generalisation');
  const train = generationAccuracy(run.model, run.params, run.data.symbols, run.data.train, run.classifier, { ...opts, rng: rng.fork('train') });
  const heldout = generationAccuracy(run.model, run.params, run.data.heldoutSymbols, run.data.heldout, run.classifier, { ...opts, rng: rng.fork('heldout') });
  const generalises = train.accuracy >= PAPER.grokTrainLevel.value && heldout.accuracy >= PAPER.grokHeldoutLevel.value;
  return { train, heldout, samplingSteps: opts.steps, draws: opts.draws, generalises };
}

export function pct(a: AccuracyResult): string {
  return `${(100 * a.accuracy).toFixed(1)} % [${(100 * a.interval[0]).toFixed(0)}, ${(100 * a.interval[1]).toFixed(0)}]`;
}
