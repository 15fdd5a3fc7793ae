// The data of a training run (paper Sec. 3): the P symbols with N images each, the pair split with ratio R,
// and the training batch of each step (every training pair once — full batch — with a random choice among
// the N images of each operand and of the target, a noise image and a level t from the run's law, U(0, 1) by default). Every random draw
// comes from a stream forked from the run seed and the step number, so a resumed run sees the same batches.

import type { Rng } from '../engine/random.ts';
import type { EmnistPool } from '../data/pool.ts';
import { loadDatasetPool } from '../data/dataset-pool.ts';
import { buildSymbolSet, type SymbolSet } from '../data/symbols.ts';
import { splitPairs, type Pair } from '../data/pairs.ts';
import { evaluationImages, type EvaluationImages } from '../data/evaluation-set.ts';
import { rootRng } from '../engine/random.ts';
import type { RunConfig, TrainConfig } from './config.ts';
import { PAPER } from '../paper/registry.ts';

export interface RunData {
  readonly symbols: SymbolSet;
  /** Training pairs; with data.shuffleTargets their c is a seeded permutation of the true results. */
  readonly train: readonly Pair[];
  /** Held-out pairs (true c). */
  readonly heldout: readonly Pair[];
  /**
   * Indices into `heldout` of the "novel" pairs: those whose mirror (b, a) is not a training pair. A model
   * that only learned commutativity plus a lookup table gets the other held-out pairs right for free, so
   * accuracy on the novel pairs is the cleaner measure of generalisation.
   */
  readonly heldoutNovel: readonly number[];
  /**
   * Operand images for the held-out pairs (paper Appendix C.2): the training images when N = 1; for N > 1
   * unseen test-split images, so held-out accuracy cannot come from recalling trained image combinations.
   */
  readonly heldoutSymbols: SymbolSet;
  readonly heldoutImagesKind: EvaluationImages['kind'];
  readonly pixels: number;
}

/** Indices of held-out pairs whose mirror (b, a) is not among the training pairs. */
export function novelHeldoutIndices(P: number, train: readonly Pair[], heldout: readonly Pair[]): number[] {
  const trained = new Set(train.map((p) => p.a * P + p.b));
  return heldout.flatMap((p, i) => (trained.has(p.b * P + p.a) ? [] : [i]));
}

/**
 * Builds the symbol set and pair split of a run from the pool of its data set (default: loaded for
 * config.data.dataset). A given pool must be of that data set; the caller is responsible for matching them.
 */
export function prepareRunData(config: RunConfig, rng: Rng, pool: EmnistPool = loadDatasetPool(config.data.dataset)): RunData {
  const symbols = buildSymbolSet({ pool, P: config.data.P, N: config.data.N, side: config.model.imageSide, rng: rng.fork('symbols') });
  const split = splitPairs(config.data.P, config.data.trainingRatio, rng.fork('split'), config.data.split ?? 'ordered');
  let train: readonly Pair[] = split.train;
  if (config.data.shuffleTargets) {
    const targets = rng.fork('shuffle-targets').shuffle(split.train.map((p) => p.c));
    train = split.train.map((p, i) => ({ a: p.a, b: p.b, c: targets[i] }));
  }
  const evaluation = evaluationImages(symbols, pool, rng.fork('evaluation'));
  return {
    symbols,
    train,
    heldout: split.heldout,
    heldoutNovel: novelHeldoutIndices(config.data.P, split.train, split.heldout),
    heldoutSymbols: evaluation.symbols,
    heldoutImagesKind: evaluation.kind,
    pixels: config.model.imageSide * config.model.imageSide,
  };
}

/**
 * A run's data rebuilt from its seed: the stream `data` of the root of data.seed when the config sets one, else of
 * the run seed, as training draws it.
 */
export function runDataFromSeed(config: RunConfig, pool: EmnistPool = loadDatasetPool(config.data.dataset)): RunData {
  return prepareRunData(config, rootRng(config.data.seed ?? config.seed).fork('data'), pool);
}

export interface StepBatchArrays {
  /** Row of the image of a / b / c in the symbol images [P·N, pixels], per example. */
  readonly aRows: Int32Array;
  readonly bRows: Int32Array;
  readonly cRows: Int32Array;
  /** ε [B, pixels]. */
  readonly noise: Float32Array;
  /** t [B]. */
  readonly t: Float32Array;
}

/** The law of t in training: U(0, 1), or sigmoid(location + scale·z) with z ~ N(0, 1) (registry timeDistribution). */
export type TimeLaw = { readonly kind: 'uniform' } | { readonly kind: 'logit-normal'; readonly location: number; readonly scale: number };

export const UNIFORM_TIME: TimeLaw = Object.freeze({ kind: 'uniform' });

/** The time law of a run's training config. */
export function runTimeLaw(train: TrainConfig): TimeLaw {
  if (train.timeLaw !== 'logit-normal') return UNIFORM_TIME;
  const defaults = PAPER.timeDistribution.value.logitNormal;
  return { kind: 'logit-normal', location: train.timeLocation ?? defaults.location, scale: train.timeScale ?? defaults.scale };
}

/** B levels t from the law, from one stream (uniform: exactly the draws every run before the option made). */
export function drawTimes(law: TimeLaw, stream: Rng, B: number): Float32Array {
  if (law.kind === 'uniform') return stream.uniformArray(B);
  const z = stream.normalArray(B);
  return z.map((x) => 1 / (1 + Math.exp(-(law.location + law.scale * x))));
}

/** The random parts of step `step`'s batch, from the run's stream (independent of earlier steps). */
export function stepBatch(data: RunData, rng: Rng, step: number, timeLaw: TimeLaw = UNIFORM_TIME): StepBatchArrays {
  const s = rng.fork(`step-${step}`);
  const B = data.train.length;
  const N = data.symbols.N;
  const pick = s.fork('images');
  const aRows = new Int32Array(B);
  const bRows = new Int32Array(B);
  const cRows = new Int32Array(B);
  for (let i = 0; i < B; i++) {
    const p = data.train[i];
    aRows[i] = p.a * N + (N === 1 ? 0 : pick.int(N));
    bRows[i] = p.b * N + (N === 1 ? 0 : pick.int(N));
    cRows[i] = p.c * N + (N === 1 ? 0 : pick.int(N));
  }
  return { aRows, bRows, cRows, noise: s.fork('noise').normalArray(B * data.pixels), t: drawTimes(timeLaw, s.fork('time'), B) };
}
