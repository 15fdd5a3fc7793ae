// The critical-timestep study (paper Sec. 4.2, Figure 6, Appendix G): sampling splits into an arithmetic
// phase (high noise: the model computes c = (a + b) mod P from a and b) and a denoising phase (low noise: it
// only cleans up the c image it already has). Two measurements on a loaded model, both on the Euler grid
// t_k = k/K with K = PAPER.criticalTimestepSamplingSteps:
//
// recoveryRectification — for every level k = 0..K, start the sampler from an image perturbed to t_k,
//   x_{t_k} = (1 − t_k)·x_start + t_k·ε, run it down to t = 0 (k Euler steps) and classify the result:
//     recovery:      x_start = an image of the correct c;
//     rectification: x_start = an image of a wrong c' = (c + d) mod P, d a seeded nonzero offset per pair.
//   Accuracy = the final image shows the correct c (Wilson 95 % intervals); `kept` counts rectification
//   results that still show c'. One noise image ε per pair, shared by recovery and rectification and by all
//   levels (common random numbers: the curves differ only through the level and the start image). At k = K
//   the start image has weight 0, so both start from the same pure noise and agree: that level is the
//   from-noise generation accuracy. At k = 0 no step is taken and the result is the start image itself.
//   Cost: Σ_k k = K(K+1)/2 forward passes of 2·pairs examples (1275 at K = 50), so the claim uses a seeded
//   subset of the P² pairs (`pairCount`).
//
// entropyPath — sample all P² pairs (first image of each operand, one shared pure-noise image, the
//   setting of the grid analyses) from t = 1 and read a tap at position c at every step i = K..1; per step
//   the FVE per frequency over the (a, b) grid (cross products split: FveResult.byFrequencySplitCross, the
//   distribution the key-frequency claims use) and its normalised Shannon entropy (PAPER.fveEntropyDefinition).
//   Default tap: the FFN pre-GeLU at c (`block0.ffn.pre`), the paper's main analysis point (Sec. 4.1, Table 3);
//   the attention output at c (`block0.attn.out`) is an option (`ENTROPY_TAPS`).
//
// rectificationEntropy — the same entropy on the rectification paths of the grid (Figure 6b: trajectories
//   started from a wrong c' perturbed to each level, coloured by their final accuracy): the entropy at the
//   first step of the path from every level, and whole paths with their final accuracy for chosen levels
//   (section header below). Each level's path is its own function call (rectificationPathFrom /
//   firstStepEntropy), the unit between which a caller may yield.

import * as tf from '@tensorflow/tfjs-core';
import { fveEntropy, fveOfActivations } from '../analysis/index.ts';
import type { Pair } from '../data/pairs.ts';
import { allPairs } from '../data/pairs.ts';
import type { SymbolSet } from '../data/symbols.ts';
import { rootRng } from '../engine/random.ts';
import { ModelError } from '../errors.ts';
import { noisyImage } from '../flow/rectified-flow.ts';
import { sample } from '../flow/sampler.ts';
import { forward } from '../model/dit.ts';
import { PAPER } from '../paper/registry.ts';
import type { LoadedRun } from './loaded-run.ts';
import { accuracyResult, type AccuracyResult } from './accuracy.ts';
import { gridInputs, reduceToC, type GridView } from './grid-activations.ts';

// ---------------------------------------------------------------------------------------------------------
// Recovery and rectification

export interface RecoveryRectificationOptions {
  /** Seed of the pair subset, the wrong offsets d, the operand/start image choice and the noise. */
  readonly seed: number;
  /** K (default PAPER.criticalTimestepSamplingSteps): levels t_k = k/K, k = 0..K. */
  readonly steps?: number;
  /** The pairs to use (default all P² pairs). */
  readonly pairs?: readonly Pair[];
  /** A seeded subset of this many of `pairs` (default: all of them). */
  readonly pairCount?: number;
  /** Largest number of examples per forward pass (default 2048). */
  readonly batchSize?: number;
  /** Where the operand and start images come from (default the run's training symbols; identical for N = 1). */
  readonly symbols?: SymbolSet;
}

export interface LevelAccuracy {
  readonly k: number;
  readonly t: number;
  /** Started from the correct c image: the final image shows c. */
  readonly recovery: AccuracyResult;
  /** Started from the wrong c' image: the final image shows the correct c. */
  readonly rectification: AccuracyResult;
  /** Rectification results that still show the wrong start symbol c'. */
  readonly kept: number;
}

export interface RecoveryRectification {
  readonly steps: number;
  /** Indices a·P + b of the pairs used, in the order sampled. */
  readonly pairIndices: number[];
  /** The wrong offset d ∈ [1, P) of each pair (c' = (c + d) mod P). */
  readonly offsets: number[];
  readonly classifier: string;
  /** Entry k is level t_k = k/K. */
  readonly levels: LevelAccuracy[];
}

/** A seeded subset of `count` pairs (all of them when count ≥ pairs.length), in ascending index order. */
export function pairSubset(pairs: readonly Pair[], count: number, seed: number): Pair[] {
  if (!Number.isInteger(count) || count < 1) throw new ModelError('critical-pairs', `pairCount must be a positive integer, got ${count}`);
  if (count >= pairs.length) return [...pairs];
  const rng = rootRng(seed).fork('critical-timestep/pairs');
  const idx = pairs.map((_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(idx.length - i);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx
    .slice(0, count)
    .sort((a, b) => a - b)
    .map((i) => pairs[i]);
}

function imageOf(symbols: SymbolSet, px: number, symbol: number, j: number): Float32Array {
  const { images, N } = symbols;
  return images.subarray((symbol * N + j) * px, (symbol * N + j + 1) * px);
}

/** Recovery and rectification accuracy at every level t_k (see the module header). Disposes every tensor. */
export function recoveryRectification(run: LoadedRun, options: RecoveryRectificationOptions): RecoveryRectification {
  const P = run.model.P;
  const K = options.steps ?? PAPER.criticalTimestepSamplingSteps.value;
  if (!Number.isInteger(K) || K < 1) throw new ModelError('critical-steps', `critical-timestep steps must be a positive integer, got ${K}`);
  const batchSize = options.batchSize ?? 2048;
  if (!Number.isInteger(batchSize) || batchSize < 2) throw new ModelError('critical-batch', `batchSize must be an integer ≥ 2, got ${batchSize}`);
  const base = options.pairs ?? allPairs(P);
  if (base.length === 0) throw new ModelError('critical-pairs', 'recoveryRectification: no pairs given');
  const pairs = options.pairCount === undefined ? [...base] : pairSubset(base, options.pairCount, options.seed);
  const rng = rootRng(options.seed).fork('critical-timestep');
  const offsetRng = rng.fork('offsets');
  const imageRng = rng.fork('images');
  const symbols = options.symbols ?? run.data.symbols;
  const N = symbols.N;
  const px = run.data.pixels;
  const n = pairs.length;
  const offsets = pairs.map(() => 1 + offsetRng.int(P - 1));
  const wrong = pairs.map((p, i) => (p.c + offsets[i]) % P);

  // Examples: rows 0..n−1 recovery, n..2n−1 rectification; pair i in rows i and n + i, same operands and noise.
  const xa = new Float32Array(2 * n * px);
  const xb = new Float32Array(2 * n * px);
  const start = new Float32Array(2 * n * px);
  const pick = () => (N === 1 ? 0 : imageRng.int(N));
  pairs.forEach((p, i) => {
    const a = imageOf(symbols, px, p.a, pick());
    const b = imageOf(symbols, px, p.b, pick());
    for (const row of [i, n + i]) {
      xa.set(a, row * px);
      xb.set(b, row * px);
    }
    start.set(imageOf(symbols, px, p.c, pick()), i * px);
    start.set(imageOf(symbols, px, wrong[i], pick()), (n + i) * px);
  });
  const noise1 = rng.fork('noise').normalArray(n * px);
  const noise = new Float32Array(2 * n * px);
  noise.set(noise1, 0);
  noise.set(noise1, n * px);

  const rows = 2 * n;
  const predictions = new Int32Array(rows);
  const levels: LevelAccuracy[] = [];
  for (let k = 0; k <= K; k++) {
    for (let lo = 0; lo < rows; lo += batchSize) {
      const hi = Math.min(rows, lo + batchSize);
      const B = hi - lo;
      const out = tf.tidy(() =>
        sample(
          run.model,
          run.params,
          {
            xa: tf.tensor2d(xa.subarray(lo * px, hi * px), [B, px]),
            xb: tf.tensor2d(xb.subarray(lo * px, hi * px), [B, px]),
            noise: tf.tensor2d(noise.subarray(lo * px, hi * px), [B, px]),
          },
          { steps: K, startIndex: k, startImage: tf.tensor2d(start.subarray(lo * px, hi * px), [B, px]) },
        ),
      );
      const images = out.dataSync() as Float32Array;
      out.dispose();
      predictions.set(run.classifier.classify(images, B), lo);
    }
    let recovered = 0;
    let rectified = 0;
    let kept = 0;
    for (let i = 0; i < n; i++) {
      if (predictions[i] === pairs[i].c) recovered++;
      if (predictions[n + i] === pairs[i].c) rectified++;
      if (predictions[n + i] === wrong[i]) kept++;
    }
    levels.push({ k, t: k / K, recovery: accuracyResult(recovered, n), rectification: accuracyResult(rectified, n), kept });
  }
  return { steps: K, pairIndices: pairs.map((p) => p.a * P + p.b), offsets, classifier: run.classifier.name, levels };
}

// ---------------------------------------------------------------------------------------------------------
// FVE entropy along the sampling path

export interface EntropyTap {
  readonly label: string;
  readonly tap: string;
  readonly view: GridView;
}

/** The taps at position c whose FVE entropy can be followed; the first is the default (the paper's main analysis point). */
export const ENTROPY_TAPS: readonly EntropyTap[] = [
  { label: 'FFN pre-GeLU at c', tap: 'block0.ffn.pre', view: { kind: 'token-c' } },
  { label: 'attention output at c', tap: 'block0.attn.out', view: { kind: 'token-c' } },
];

export interface EntropyPathOptions {
  /** Seed of the single pure-noise image shared by all P² pairs. */
  readonly noiseSeed: number;
  /** K (default PAPER.criticalTimestepSamplingSteps). */
  readonly steps?: number;
  /** Taps to follow (default: ENTROPY_TAPS[0], the FFN pre-GeLU at c). */
  readonly taps?: readonly EntropyTap[];
}

export interface EntropyStep {
  /** Grid index i (the forward pass at t_i = i/K). */
  readonly k: number;
  readonly t: number;
  /** Normalised FVE entropy in [0, 1]. */
  readonly entropy: number;
  /** FVE share per frequency k = 1..⌊P/2⌋ (entry k − 1), cross products split. */
  readonly shares: number[];
}

export interface EntropyPathTap {
  readonly label: string;
  readonly tap: string;
  /** Ascending in t: entry j is the step at k = j + 1. */
  readonly path: EntropyStep[];
}

export interface EntropyPath {
  readonly steps: number;
  readonly taps: EntropyPathTap[];
}

/** The FVE entropy of taps at c along the sampling path of all P² pairs from pure noise (see the module header). */
export function entropyPath(run: LoadedRun, options: EntropyPathOptions): EntropyPath {
  const K = options.steps ?? PAPER.criticalTimestepSamplingSteps.value;
  if (!Number.isInteger(K) || K < 1) throw new ModelError('critical-steps', `critical-timestep steps must be a positive integer, got ${K}`);
  const taps = options.taps ?? [ENTROPY_TAPS[0]];
  if (taps.length === 0) throw new ModelError('critical-taps', 'entropyPath: no taps given');
  const P = run.model.P;
  const names = [...new Set(taps.map((t) => t.tap))];
  const paths: EntropyStep[][] = taps.map(() => []);
  // Inputs of the grid analyses at t = 1: xt is the shared noise image itself.
  const inputs = gridInputs(run, 1, options.noiseSeed);
  try {
    const out = sample(
      run.model,
      run.params,
      { xa: inputs.xa, xb: inputs.xb, noise: inputs.xt },
      {
        steps: K,
        tapsAt: () => ({ read: names }),
        onStep: (i, t, _x0hat, read) => {
          try {
            taps.forEach((tap, j) => {
              const reduced = reduceToC(run, tap.tap, read.get(tap.tap)!, tap.view);
              const values = Float64Array.from(reduced.dataSync());
              const units = reduced.shape[1];
              reduced.dispose();
              const shares = fveOfActivations(values, P, units).byFrequencySplitCross;
              paths[j].push({ k: i, t, entropy: fveEntropy(shares).normalised, shares: Array.from(shares).slice(1) });
            });
          } finally {
            for (const v of read.values()) v.dispose();
          }
        },
      },
    );
    out.dispose();
  } finally {
    tf.dispose([inputs.xa, inputs.xb, inputs.xt, inputs.x0, inputs.t]);
  }
  return { steps: K, taps: taps.map((tap, j) => ({ label: tap.label, tap: tap.tap, path: paths[j].reverse() })) };
}

// ---------------------------------------------------------------------------------------------------------
// FVE entropy on the rectification paths (Figure 6b)
//
// Figure 6b tracks "entropy trajectories starting from an incorrect image c′ perturbed with varying noise
// levels", coloured by the final accuracy. rectificationEntropy samples all P² pairs in the grid setting
// (first image of each operand, one shared noise image ε, as entropyPath) from an image of a wrong
// c' = (c + d) mod P — d ∈ [1, P) seeded per grid cell, so the start image carries no (a + b) structure of its
// own — perturbed to x_{t_k} = (1 − t_k)·x_{c'} + t_k·ε, and reads the taps at c:
//   start[tap][k − 1]: the FVE entropy at the first step of the path from level k (the forward pass at t_k on
//                      x_{t_k}), for every k = 1..K;
//   paths:             for the levels in `fullPathLevels`, the whole path down to t = 0: the entropy at every
//                      step (ascending t: entry j at t_{j+1}, j < k), and the final image scored against c
//                      (accuracy) and against c' (kept).
// At k = K the start image has weight 0: that path is entropyPath's from-noise path (same inputs, same batch).
// Levels outside `fullPathLevels` cost one forward pass each; a full path from level k costs k.

export interface RectificationEntropyOptions {
  /** Seed of the single pure-noise image shared by all P² pairs (as entropyPath). */
  readonly noiseSeed: number;
  /** Seed of the wrong offsets d per grid cell. */
  readonly offsetSeed: number;
  /** K (default PAPER.criticalTimestepSamplingSteps). */
  readonly steps?: number;
  /** Taps to follow (default: ENTROPY_TAPS[0], the FFN pre-GeLU at c). */
  readonly taps?: readonly EntropyTap[];
  /** Levels k ∈ [1, K] whose whole path is sampled (default: every level). */
  readonly fullPathLevels?: readonly number[];
}

export interface RectificationPath {
  readonly k: number;
  readonly t: number;
  /** Per tap (in the order of `taps`): the normalised FVE entropy along the path, ascending t (entry j at t_{j+1}). */
  readonly entropy: number[][];
  /** The final image shows the correct c (over the P² pairs). */
  readonly accuracy: AccuracyResult;
  /** Share of final images that show the wrong start symbol c'. */
  readonly kept: number;
}

export interface RectificationEntropy {
  readonly steps: number;
  readonly taps: ReadonlyArray<{ readonly label: string; readonly tap: string }>;
  /** The wrong offset d of each grid cell a·P + b. */
  readonly offsets: number[];
  /** Per tap: entry k − 1 is the entropy at the first step of the path from level k, k = 1..K. */
  readonly start: number[][];
  /** The full paths, ascending k. */
  readonly paths: RectificationPath[];
}

/** Normalised FVE entropy of a tap value at c over the (a, b) grid (cross products split, as entropyPath). */
function entropyAtC(run: LoadedRun, tap: EntropyTap, value: tf.Tensor): number {
  const reduced = reduceToC(run, tap.tap, value, tap.view);
  const values = Float64Array.from(reduced.dataSync());
  const units = reduced.shape[1];
  reduced.dispose();
  return fveEntropy(fveOfActivations(values, run.model.P, units).byFrequencySplitCross).normalised;
}

/** Grid inputs with the wrong start images: xa, xb, ε as in entropyPath, start = the first image of c' per cell. */
function wrongStartGrid(
  run: LoadedRun,
  noiseSeed: number,
  offsetSeed: number,
): { xa: tf.Tensor2D; xb: tf.Tensor2D; noise: tf.Tensor2D; start: tf.Tensor2D; offsets: number[]; wrong: number[] } {
  const P = run.model.P;
  const px = run.data.pixels;
  const { images, N } = run.data.symbols;
  const rng = rootRng(offsetSeed).fork('critical-timestep/grid-offsets');
  const offsets = Array.from({ length: P * P }, () => 1 + rng.int(P - 1));
  const wrong = offsets.map((d, i) => (Math.floor(i / P) + (i % P) + d) % P);
  const start = new Float32Array(P * P * px);
  wrong.forEach((c, i) => {
    start.set(images.subarray(c * N * px, (c * N + 1) * px), i * px);
  });
  const inputs = gridInputs(run, 1, noiseSeed);
  tf.dispose([inputs.x0, inputs.t]);
  return { xa: inputs.xa, xb: inputs.xb, noise: inputs.xt, start: tf.tensor2d(start, [P * P, px]), offsets, wrong };
}

/** The entropy at c along the rectification paths of the P² grid (see the section header). Disposes every tensor. */
export function rectificationEntropy(run: LoadedRun, options: RectificationEntropyOptions): RectificationEntropy {
  const K = options.steps ?? PAPER.criticalTimestepSamplingSteps.value;
  if (!Number.isInteger(K) || K < 1) throw new ModelError('critical-steps', `critical-timestep steps must be a positive integer, got ${K}`);
  const taps = options.taps ?? [ENTROPY_TAPS[0]];
  if (taps.length === 0) throw new ModelError('critical-taps', 'rectificationEntropy: no taps given');
  const full = new Set(options.fullPathLevels ?? Array.from({ length: K }, (_, i) => i + 1));
  for (const k of full) {
    if (!Number.isInteger(k) || k < 1 || k > K)
      throw new ModelError('critical-levels', `rectificationEntropy: full-path level ${k} is not an integer in [1, ${K}]`);
  }
  const names = [...new Set(taps.map((t) => t.tap))];
  const grid = wrongStartGrid(run, options.noiseSeed, options.offsetSeed);
  const start: number[][] = taps.map(() => []);
  const paths: RectificationPath[] = [];
  try {
    for (let k = 1; k <= K; k++) {
      if (full.has(k)) {
        const path = rectificationPathFrom(run, grid, k, K, taps, names);
        taps.forEach((_, j) => {
          start[j].push(path.entropy[j][k - 1]);
        });
        paths.push(path);
      } else {
        const first = firstStepEntropy(run, grid, k, K, taps, names);
        taps.forEach((_, j) => {
          start[j].push(first[j]);
        });
      }
    }
  } finally {
    tf.dispose([grid.xa, grid.xb, grid.noise, grid.start]);
  }
  return { steps: K, taps: taps.map((t) => ({ label: t.label, tap: t.tap })), offsets: grid.offsets, start, paths };
}

type WrongStartGrid = ReturnType<typeof wrongStartGrid>;

/** One full rectification path of the grid from level k: entropy per tap at every step, and the final image scored. */
function rectificationPathFrom(run: LoadedRun, grid: WrongStartGrid, k: number, K: number, taps: readonly EntropyTap[], names: string[]): RectificationPath {
  const P = run.model.P;
  const B = P * P;
  const entropy: number[][] = taps.map(() => []);
  const out = sample(
    run.model,
    run.params,
    { xa: grid.xa, xb: grid.xb, noise: grid.noise },
    {
      steps: K,
      startIndex: k,
      startImage: grid.start,
      tapsAt: () => ({ read: names }),
      onStep: (_i, _t, _x0hat, read) => {
        try {
          taps.forEach((tap, j) => {
            entropy[j].push(entropyAtC(run, tap, read.get(tap.tap)!));
          });
        } finally {
          for (const v of read.values()) v.dispose();
        }
      },
    },
  );
  const images = out.dataSync() as Float32Array;
  out.dispose();
  const predictions = run.classifier.classify(images, B);
  let correct = 0;
  let kept = 0;
  for (let i = 0; i < B; i++) {
    if (predictions[i] === (Math.floor(i / P) + (i % P)) % P) correct++;
    if (predictions[i] === grid.wrong[i]) kept++;
  }
  return { k, t: k / K, entropy: entropy.map((e) => e.reverse()), accuracy: accuracyResult(correct, B), kept: kept / B };
}

/** The entropy per tap at the first step of the path from level k: one forward pass at t_k on x_{t_k}. */
function firstStepEntropy(run: LoadedRun, grid: WrongStartGrid, k: number, K: number, taps: readonly EntropyTap[], names: string[]): number[] {
  const B = run.model.P ** 2;
  const tVec = tf.fill([B], k / K) as tf.Tensor1D;
  const xt = noisyImage(grid.start, grid.noise, tVec);
  try {
    const { output, taps: read } = forward(run.model, run.params, { xa: grid.xa, xb: grid.xb, xt, t: tVec }, { read: names });
    output.dispose();
    try {
      return taps.map((tap) => entropyAtC(run, tap, read.get(tap.tap)!));
    } finally {
      for (const v of read.values()) v.dispose();
    }
  } finally {
    tf.dispose([tVec, xt]);
  }
}
