// Layout safety of an imported model (issue 30): a transposed square matrix (d_model × d_model: attention q, k,
// v, o, time_mlp.2, an FFN as wide as d_model) has the right shape, so shapes cannot catch it; the import
// checks the function instead, in one of two ways (docs/BRING-YOUR-OWN.md, "Layout safety"):
//   reference        the file carries reference.x0hat, the module's x̂0 on the documented reference input
//                    (train/pytorch-layout.ts referenceInput); grokdiff's x̂0 must match it within
//                    REFERENCE_TOLERANCE × max(1, max |reference|).
//   self-consistency no reference: the model must fit its training pairs — its x̂0 loss on them (at t in
//                    SELF_CHECK_T, fixed noise) below FIT_RATIO × the loss of the mean target image — and no
//                    square matrix may fit them better transposed.
// Either way, when the function is wrong the square matrices are transposed one at a time (greedily, keeping a
// flip that at least halves the error) to name the tensors whose transposition explains it: an error naming
// them ('import-transposed'), or one saying that no transposition explains it ('import-function-mismatch').

import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from '../errors.ts';
import { rootRng } from '../engine/random.ts';
import type { ModelConfig } from '../model/config.ts';
import { forward } from '../model/dit.ts';
import { createParams, disposeParams, paramSpecs } from '../model/params.ts';
import type { FunctionCheckRecord } from '../train/imported-run.ts';
import { REFERENCE_BATCH, referenceInput, transpose } from '../train/pytorch-layout.ts';
import type { RunData } from '../train/run-data.ts';

/** Largest |x̂0 − reference| accepted, relative to max(1, max |reference|): float32 round-off of two implementations. */
export const REFERENCE_TOLERANCE = 1e-4;
/** Noise levels of the self-consistency check. */
export const SELF_CHECK_T: readonly number[] = [0.2, 0.5, 0.8];
/** At most this many training pairs enter the self-consistency check (evenly spaced over the list). */
export const SELF_CHECK_PAIRS = 128;
/** The model fits its training pairs when its loss is below this fraction of the mean-image loss. */
export const FIT_RATIO = 0.5;
/** A transposition is kept in the search when it at least halves the error. */
const FLIP_GAIN = 0.5;
const SELF_CHECK_SEED = 30;

interface Batch {
  readonly xa: Float32Array;
  readonly xb: Float32Array;
  readonly xt: Float32Array;
  readonly t: Float32Array;
  readonly rows: number;
}

/** x̂0 of the model with these weights on a batch, as plain values. */
export function forwardValues(model: ModelConfig, weights: ReadonlyMap<string, Float32Array>, batch: Batch): Float32Array {
  const pixels = model.imageSide * model.imageSide;
  const params = createParams(model, weights, 'imported weights');
  try {
    const out = tf.tidy(() => {
      const x = (v: Float32Array) => tf.tensor2d(v, [batch.rows, pixels]);
      return forward(model, params, { xa: x(batch.xa), xb: x(batch.xb), xt: x(batch.xt), t: tf.tensor1d(batch.t) }).output;
    });
    const values = out.dataSync() as Float32Array;
    out.dispose();
    return Float32Array.from(values);
  } finally {
    disposeParams(params);
  }
}

/** The x̂0 of the reference input (what export writes as reference.x0hat). */
export function referenceOutput(model: ModelConfig, weights: ReadonlyMap<string, Float32Array>): Float32Array {
  return forwardValues(model, weights, { ...referenceInput(model.imageSide * model.imageSide), rows: REFERENCE_BATCH });
}

/** The 2-D square tensors of a model: the ones a transposition leaves the shape of. */
export function squareTensors(model: ModelConfig): string[] {
  return paramSpecs(model)
    .filter((s) => s.shape.length === 2 && s.shape[0] === s.shape[1])
    .map((s) => s.name);
}

function flipped(weights: ReadonlyMap<string, Float32Array>, name: string, n: number): Map<string, Float32Array> {
  const out = new Map(weights);
  out.set(name, transpose(weights.get(name)!, n, n));
  return out;
}

/**
 * Greedy search for the square tensors whose transposition lowers `error` (each kept flip at least halves it),
 * until `good` holds or no flip helps. Returns the flipped names and the error after them.
 */
export function searchTranspositions(
  model: ModelConfig,
  weights: ReadonlyMap<string, Float32Array>,
  error: (w: ReadonlyMap<string, Float32Array>) => number,
  good: (e: number) => boolean,
  start: number = error(weights),
): { flipped: string[]; error: number; lowestSingleFlip: number } {
  const sizes = new Map(paramSpecs(model).map((s) => [s.name, s.shape[0]] as const));
  const candidates = squareTensors(model);
  const done: string[] = [];
  let current: ReadonlyMap<string, Float32Array> = weights;
  let currentError = start;
  let lowestSingleFlip = Number.POSITIVE_INFINITY;
  while (!good(currentError)) {
    let best: { name: string; error: number; weights: Map<string, Float32Array> } | null = null;
    for (const name of candidates) {
      if (done.includes(name)) continue;
      const w = flipped(current, name, sizes.get(name)!);
      const e = error(w);
      if (done.length === 0) lowestSingleFlip = Math.min(lowestSingleFlip, e);
      if (!best || e < best.error) best = { name, error: e, weights: w };
    }
    if (!best || !(best.error <= FLIP_GAIN * currentError)) break;
    done.push(best.name);
    current = best.weights;
    currentError = best.error;
  }
  return { flipped: done, error: currentError, lowestSingleFlip };
}

function maxAbs(v: Float32Array): number {
  let m = 0;
  for (const x of v) m = Math.max(m, Math.abs(x));
  return m;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function transposedError(source: string, names: readonly string[], how: string): CheckpointError {
  const list = names.map((n) => `"${n}"`).join(', ');
  return new CheckpointError(
    'import-transposed',
    `${source}: tensor${names.length > 1 ? 's' : ''} ${list} ${names.length > 1 ? 'are' : 'is'} stored transposed: ${how}. ` +
      `A PyTorch nn.Linear keeps its weight as [out, in]: save model.state_dict() as it is, without .T (docs/BRING-YOUR-OWN.md)`,
  );
}

/** Checks imported weights against the file's reference output; throws 'import-transposed' or 'import-function-mismatch'. */
export function checkAgainstReference(
  model: ModelConfig,
  weights: ReadonlyMap<string, Float32Array>,
  reference: Float32Array,
  source: string,
): FunctionCheckRecord {
  const tolerance = REFERENCE_TOLERANCE * Math.max(1, maxAbs(reference));
  const error = (w: ReadonlyMap<string, Float32Array>) => maxAbsDiff(referenceOutput(model, w), reference);
  const start = error(weights);
  if (start <= tolerance) {
    return {
      kind: 'reference',
      summary: `x̂0 on the reference input matches reference.x0hat: max |Δ| ${start.toExponential(2)} ≤ ${tolerance.toExponential(2)}`,
      numbers: { maxAbsDiff: start, tolerance },
    };
  }
  const search = searchTranspositions(model, weights, error, (e) => e <= tolerance, start);
  if (search.error <= tolerance) {
    throw transposedError(
      source,
      search.flipped,
      `the model's x̂0 on the reference input differs from reference.x0hat by max |Δ| ${start.toExponential(2)}, and by ${search.error.toExponential(2)} with ${search.flipped.length > 1 ? 'them' : 'it'} transposed`,
    );
  }
  throw new CheckpointError(
    'import-function-mismatch',
    `${source}: the model's x̂0 on the reference input differs from reference.x0hat by max |Δ| ${start.toExponential(2)} (tolerance ${tolerance.toExponential(2)}), ` +
      `and no transposed square matrix explains it: the file does not compute the architecture of docs/BRING-YOUR-OWN.md with this config ` +
      `(check the config's model fields, the time features (cos before sin), exact GeLU, the head split and the patch order)`,
  );
}

/** The self-consistency batch: training pairs (up to SELF_CHECK_PAIRS) at each t of SELF_CHECK_T, with their clean targets. */
function selfCheckBatch(data: RunData): { batch: Batch; x0: Float32Array } {
  const { symbols, pixels } = data;
  const n = Math.min(SELF_CHECK_PAIRS, data.train.length);
  const pairs = Array.from({ length: n }, (_, i) => data.train[Math.floor((i * data.train.length) / n)]);
  const rows = n * SELF_CHECK_T.length;
  const noise = rootRng(SELF_CHECK_SEED)
    .fork('noise')
    .normalArray(rows * pixels);
  const xa = new Float32Array(rows * pixels);
  const xb = new Float32Array(rows * pixels);
  const xt = new Float32Array(rows * pixels);
  const x0 = new Float32Array(rows * pixels);
  const t = new Float32Array(rows);
  const image = (k: number) => symbols.images.subarray(k * symbols.N * pixels, (k * symbols.N + 1) * pixels);
  SELF_CHECK_T.forEach((level, l) => {
    pairs.forEach((p, i) => {
      const r = l * n + i;
      xa.set(image(p.a), r * pixels);
      xb.set(image(p.b), r * pixels);
      const c = image(p.c);
      x0.set(c, r * pixels);
      for (let j = 0; j < pixels; j++) xt[r * pixels + j] = (1 - level) * c[j] + level * noise[r * pixels + j];
      t[r] = level;
    });
  });
  return { batch: { xa, xb, xt, t, rows }, x0 };
}

function meanSquared(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s / a.length;
}

/** The loss of predicting the mean target image for every row. */
function meanImageLoss(x0: Float32Array, pixels: number): number {
  const rows = x0.length / pixels;
  const mean = new Float64Array(pixels);
  for (let r = 0; r < rows; r++) for (let j = 0; j < pixels; j++) mean[j] += x0[r * pixels + j] / rows;
  let s = 0;
  for (let r = 0; r < rows; r++) for (let j = 0; j < pixels; j++) s += (x0[r * pixels + j] - mean[j]) ** 2;
  return s / x0.length;
}

/**
 * The self-consistency check of a file without reference.x0hat (module comment): throws 'import-transposed' when
 * transposing square matrices makes a model that does not fit its training pairs fit them, and
 * 'import-unverifiable' when the model does not fit them (nothing then shows its layout is right).
 */
export function checkSelfConsistency(model: ModelConfig, weights: ReadonlyMap<string, Float32Array>, data: RunData, source: string): FunctionCheckRecord {
  const { batch, x0 } = selfCheckBatch(data);
  const baseline = meanImageLoss(x0, data.pixels);
  const loss = (w: ReadonlyMap<string, Float32Array>) => meanSquared(forwardValues(model, w, batch), x0);
  const fits = (e: number) => e < FIT_RATIO * baseline;
  const start = loss(weights);
  const numbers = (lowest: number) => ({ trainLoss: start, meanImageLoss: baseline, fitRatio: FIT_RATIO, lowestTransposedLoss: lowest });
  if (fits(start)) {
    // A fitting model: no transposition may fit better (the search stops at once; measure every single flip).
    const search = searchTranspositions(model, weights, loss, () => false, start);
    if (search.flipped.length > 0) {
      throw transposedError(
        source,
        search.flipped,
        `its x0 loss on the training pairs falls from ${start.toExponential(3)} to ${search.error.toExponential(3)} with ${search.flipped.length > 1 ? 'them' : 'it'} transposed`,
      );
    }
    return {
      kind: 'self-consistency',
      summary:
        `no reference.x0hat; the model fits its training pairs (x0 loss ${start.toExponential(3)} < ${FIT_RATIO} × mean-image loss ${baseline.toExponential(3)}) ` +
        `and every transposed square matrix fits them worse (lowest ${search.lowestSingleFlip.toExponential(3)})`,
      numbers: numbers(search.lowestSingleFlip),
    };
  }
  const search = searchTranspositions(model, weights, loss, fits, start);
  if (search.flipped.length > 0 && fits(search.error)) {
    throw transposedError(
      source,
      search.flipped,
      `the model does not fit its training pairs as stored (x0 loss ${start.toExponential(3)}, mean-image loss ${baseline.toExponential(3)}), and fits them with ${search.flipped.length > 1 ? 'them' : 'it'} transposed (${search.error.toExponential(3)})`,
    );
  }
  throw new CheckpointError(
    'import-unverifiable',
    `${source}: no reference.x0hat, and the model does not fit its training pairs (x0 loss ${start.toExponential(3)} ≥ ${FIT_RATIO} × the mean-image loss ${baseline.toExponential(3)}), ` +
      `so nothing shows that its layout is right. Add reference.x0hat, the module's x̂0 on the reference input (docs/BRING-YOUR-OWN.md, "Layout safety"), ` +
      `or check that the config's data fields (seed, P, N, trainingRatio or trainPairs) are the ones the model was trained on`,
  );
}
