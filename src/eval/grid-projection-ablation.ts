// Generation accuracy with a linear map applied across the pair grid at one tap (paper Section 4, the ablation
// of frequency components): at every sampling step, the tap's c-token activations [P², n·f] are replaced by
// M·(activations) for a matrix M [P², P²] over the pairs (a, b) (built in analysis/: keep or remove frequency
// components). The tfjs side of the ablation claim lives here, beside the other tap uses.

import * as tf from '@tensorflow/tfjs-core';
import { rootRng } from '../engine/random.ts';
import { allPairs } from '../data/pairs.ts';
import { modelShapes } from '../model/config.ts';
import type { TapSet } from '../model/taps.ts';
import { accuracyResult, type AccuracyResult } from './accuracy.ts';
import { generateForPairs, scoreGenerated } from './generation.ts';
import type { LoadedRun } from './loaded-run.ts';

export interface GridProjectionOptions {
  /** The tap whose c tokens are mapped, e.g. 'block0.ffn.pre'. */
  readonly tap: string;
  /** Independent generation draws over all P² pairs. */
  readonly draws: number;
  /** Euler sampling steps. */
  readonly samplingSteps: number;
  /** Seed of the draws' noise (the same seed gives the same noise with and without the map). */
  readonly seed: number;
}

/** A tap edit applying M [P², P²] (a tensor the caller owns) to the c tokens of a [P², T, f] activation. */
function gridProjectionEdit(run: LoadedRun, tap: string, m: tf.Tensor2D): TapSet {
  const { patchesPerImage: n } = modelShapes(run.model);
  return {
    edit: {
      [tap]: (v) =>
        tf.tidy(() => {
          const [B, T, f] = v.shape;
          const before = tf.slice(v, [0, 0, 0], [B, 2 * n, f]);
          const c = tf.reshape(tf.slice(v, [0, 2 * n, 0], [B, n, f]), [B, n * f]);
          const projected = tf.reshape(tf.matMul(m, c as tf.Tensor2D), [B, n, f]);
          return T === 3 * n ? tf.concat([before, projected], 1) : v;
        }),
    },
  };
}

/** Generation accuracy on all pairs with `matrixByPair` [P², P²] (row-major) applied at the tap at every step; null: unedited. */
export function accuracyWithGridProjection(run: LoadedRun, matrixByPair: Float64Array | null, options: GridProjectionOptions): AccuracyResult {
  const P2 = run.model.P ** 2;
  const m = matrixByPair ? tf.tensor2d(Float32Array.from(matrixByPair), [P2, P2]) : null;
  try {
    return accuracyWithTaps(run, m ? gridProjectionEdit(run, options.tap, m) : undefined, options);
  } finally {
    m?.dispose();
  }
}

function accuracyWithTaps(run: LoadedRun, taps: TapSet | undefined, options: GridProjectionOptions): AccuracyResult {
  const pairs = allPairs(run.model.P);
  let correct = 0;
  let total = 0;
  for (let d = 0; d < options.draws; d++) {
    const gen = generateForPairs(run.model, run.params, run.data.symbols, pairs, {
      draws: 1,
      steps: options.samplingSteps,
      rng: rootRng(options.seed).fork(`ablation-draw-${d}`),
      ...(taps ? { sampler: { tapsAt: () => taps } } : {}),
    });
    const s = scoreGenerated(gen, run.classifier);
    correct += s.correct;
    total += s.total;
  }
  return accuracyResult(correct, total);
}
