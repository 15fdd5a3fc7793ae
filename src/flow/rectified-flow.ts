// Rectified flow with x0-parameterisation (paper Sec. 2): the path x_t = (1-t)·x0 + t·ε runs from the
// clean image (t = 0) to noise (t = 1); the network predicts x̂0 and the velocity follows as
// v = (x_t - x̂0)/t. Training minimises the MSE between x̂0 and the clean image of c.
// The training-time distribution of t is the registry's `timeDistribution` (t ~ U(0, 1)).

import * as tf from '@tensorflow/tfjs-core';
import { forward } from '../model/dit.ts';
import type { ModelConfig } from '../model/config.ts';
import type { Params } from '../model/params.ts';
import type { TapSet } from '../model/taps.ts';

/** Smallest t used when dividing by t (v = (x_t - x̂0)/t); the sampler never evaluates t = 0. */
export const MIN_T = 1e-3;

/** x_t = (1-t)·x0 + t·ε, with t [B] broadcast over pixels. */
export function noisyImage(x0: tf.Tensor2D, eps: tf.Tensor2D, t: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => {
    const tc = tf.reshape(t, [-1, 1]);
    return tf.add(tf.mul(tf.sub(1, tc), x0), tf.mul(tc, eps)) as tf.Tensor2D;
  });
}

/** v = (x_t - x̂0)/t, the velocity implied by an x0 prediction (t clipped below at MIN_T). */
export function velocityFromX0(xt: tf.Tensor2D, x0hat: tf.Tensor2D, t: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => tf.div(tf.sub(xt, x0hat), tf.reshape(tf.maximum(t, MIN_T), [-1, 1])) as tf.Tensor2D);
}

export interface FlowBatch {
  /** Operand images [B, S*S]. */
  readonly xa: tf.Tensor2D;
  readonly xb: tf.Tensor2D;
  /** Clean image of c [B, S*S]. */
  readonly x0: tf.Tensor2D;
  /** Noise ε [B, S*S]. */
  readonly eps: tf.Tensor2D;
  /** Levels t [B]. */
  readonly t: tf.Tensor1D;
}

/** The training loss: mean over pixels and batch of (x̂0 - x0)². Returns a scalar. */
export function flowLoss(config: ModelConfig, params: Params, batch: FlowBatch, taps?: TapSet): tf.Scalar {
  return tf.tidy(() => {
    const xt = noisyImage(batch.x0, batch.eps, batch.t);
    const { output } = forward(config, params, { xa: batch.xa, xb: batch.xb, xt, t: batch.t }, taps);
    return tf.mean(tf.squaredDifference(output, batch.x0)) as tf.Scalar;
  });
}
