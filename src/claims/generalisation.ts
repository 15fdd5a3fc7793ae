// One measurement of "the model has learned the task", shared by the study claims (depth ablation, moduli
// sweeps): generation accuracy on the training pairs and on the held-out evaluation pairs of a loaded run,
// measured now (not read from the training log, so the untrained control is measured the same way), with
// Wilson 95 % intervals, against the registry's grokking levels (PAPER.grokTrainLevel, grokHeldoutLevel).
// Two forms: `measureGeneralisation` (the run's own sampler steps, fixed draws, point estimates against the
// levels) and `measureDecidedGeneralisation` (the paper's K = PAPER.samplingSteps, and draws added until the
// Wilson interval decides each level: lower bound ≥ level, or upper bound < level).

import { rootRng, type Rng } from '../engine/random.ts';
import type { Pair } from '../data/pairs.ts';
import type { SymbolSet } from '../data/symbols.ts';
import { accuracyResult, type AccuracyResult } from '../eval/accuracy.ts';
import { generateForPairs, generationAccuracy, scoreGenerated } from '../eval/generation.ts';
import { scoredBy, type ScoredBy } from '../eval/classifier.ts';
import { PAPER } from '../paper/registry.ts';
import type { LoadedRun } from '../eval/loaded-run.ts';
import { boolean, literal, number, object, type Decoder } from './decode.ts';
import { accuracyDecoder, accuracyFields, scoredByDecoder } from './record-format.ts';
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

/** Draws per pair the decided measurement starts with, and the most it goes to (doubling) before it gives up. */
export const DECIDED_START_DRAWS = 2;
export const DECIDED_MAX_DRAWS = 128;

/** Where an accuracy stands against a level by its Wilson 95 % interval. */
export type LevelDecision = 'at-level' | 'below-level' | 'undecided';

export function decideLevel(a: Pick<AccuracyResult, 'interval' | 'total'>, level: number): LevelDecision {
  if (a.total === 0) return 'undecided';
  if (a.interval[0] >= level) return 'at-level';
  if (a.interval[1] < level) return 'below-level';
  return 'undecided';
}

export interface DecidedAccuracy extends AccuracyResult {
  readonly level: number;
  readonly decision: LevelDecision;
  /** Noise draws per pair it took (DECIDED_START_DRAWS doubled until decided or DECIDED_MAX_DRAWS). */
  readonly draws: number;
  readonly scoredBy: ScoredBy;
}

export interface DecidedGeneralisation {
  readonly train: DecidedAccuracy;
  readonly heldout: DecidedAccuracy;
  /**
   * Held-out pairs whose mirror (b, a) was not trained (RunData.heldoutNovel), scored on the held-out samples:
   * reported, not judged (few pairs; the paper's validation accuracy is the whole held-out set).
   */
  readonly heldoutNovel: AccuracyResult & { readonly pairs: number };
  /** Sampler steps K (PAPER.samplingSteps). */
  readonly samplingSteps: number;
  /** Train and held-out both decided at their levels by the interval. */
  readonly generalises: boolean;
}

/**
 * Accuracy on `pairs` at K steps, adding draws (DECIDED_START_DRAWS, doubling to DECIDED_MAX_DRAWS) until the
 * Wilson interval of all samples so far decides `level`. The interval is over samples (pairs × draws): it bounds
 * the model's expected accuracy over the sampling noise on this fixed set of pairs. `novel` (indices into
 * `pairs`) are also counted apart.
 */
function decidedAccuracy(
  run: LoadedRun,
  symbols: SymbolSet,
  pairs: readonly Pair[],
  level: number,
  steps: number,
  rng: Rng,
  novel: readonly number[] = [],
): { result: DecidedAccuracy; novel: AccuracyResult } {
  let correct = 0;
  let total = 0;
  let novelCorrect = 0;
  let novelTotal = 0;
  let draws = 0;
  let batch = DECIDED_START_DRAWS;
  for (let round = 0; ; round++) {
    const generated = generateForPairs(run.model, run.params, symbols, pairs, { draws: batch, steps, rng: rng.fork(`round-${round}`) });
    const { predictions } = scoreGenerated(generated, run.classifier);
    for (let i = 0; i < generated.count; i++) if (predictions[i] === generated.targets[i]) correct++;
    total += generated.count;
    for (const p of novel) {
      for (let d = 0; d < batch; d++) if (predictions[p * batch + d] === pairs[p].c) novelCorrect++;
      novelTotal += batch;
    }
    draws += batch;
    const decision = decideLevel(accuracyResult(correct, total), level);
    if (decision !== 'undecided' || draws >= DECIDED_MAX_DRAWS) {
      return {
        result: { ...accuracyResult(correct, total), level, decision, draws, scoredBy: scoredBy(run.classifier) },
        novel: accuracyResult(novelCorrect, novelTotal),
      };
    }
    batch = Math.min(draws, DECIDED_MAX_DRAWS - draws);
  }
}

/** Train and held-out generation accuracy at K = PAPER.samplingSteps, each decided against its grokking level by the Wilson interval. */
export function measureDecidedGeneralisation(run: LoadedRun, seed: number): DecidedGeneralisation {
  const steps = PAPER.samplingSteps.value;
  const rng = rootRng(STATS_SEED + seed).fork('decided-generalisation');
  const train = decidedAccuracy(run, run.data.symbols, run.data.train, PAPER.grokTrainLevel.value, steps, rng.fork('train')).result;
  const held = decidedAccuracy(run, run.data.heldoutSymbols, run.data.heldout, PAPER.grokHeldoutLevel.value, steps, rng.fork('heldout'), run.data.heldoutNovel);
  return {
    train,
    heldout: held.result,
    heldoutNovel: { ...held.novel, pairs: run.data.heldoutNovel.length },
    samplingSteps: steps,
    generalises: train.decision === 'at-level' && held.result.decision === 'at-level',
  };
}

/** "97.2 % [95, 99] ≥ 0.95 by the interval (4 draws)" */
export function decidedPct(a: DecidedAccuracy): string {
  const word = a.decision === 'at-level' ? `≥ ${a.level}` : a.decision === 'below-level' ? `< ${a.level}` : `undecided at ${a.level}`;
  return `${pct(a)} ${word} by the interval (${a.draws} draws)`;
}

/** Decoders of the two forms (record-format.ts), for the claims that record them. */
export const generalisationDecoder: Decoder<Generalisation> = object<Generalisation>({
  train: accuracyDecoder,
  heldout: accuracyDecoder,
  samplingSteps: number,
  draws: number,
  generalises: boolean,
});

const decidedAccuracyDecoder = object<DecidedAccuracy>({
  ...accuracyFields,
  level: number,
  decision: literal('at-level', 'below-level', 'undecided'),
  draws: number,
  scoredBy: scoredByDecoder,
});

export const decidedGeneralisationDecoder: Decoder<DecidedGeneralisation> = object<DecidedGeneralisation>({
  train: decidedAccuracyDecoder,
  heldout: decidedAccuracyDecoder,
  heldoutNovel: object<DecidedGeneralisation['heldoutNovel']>({ ...accuracyFields, pairs: number }),
  samplingSteps: number,
  generalises: boolean,
});
