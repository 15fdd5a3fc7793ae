// Rectified flow with x0-parameterisation (paper Sec. 2): the path x_t = (1-t)·x0 + t·ε runs from the
// clean image (t = 0) to noise (t = 1); the network predicts x̂0 and the velocity follows as
// v = (x_t - x̂0)/t. Training minimises the squared error of x̂0 against the clean image of c, weighted per
// example by the objective (registry `lossWeighting`): 'x0' weighs every t alike; 'velocity' is the loss on
// v that Appendix A names (‖v̂ − v‖² = ‖x̂0 − x0‖² / t²), with t clipped below at `minT` so the weight stays
// bounded (minT = 1 is the x0 loss again: one family between the two). The training-time law of t is the
// run's (registry `timeDistribution`: U(0, 1) by default, logit-normal as an option; train/run-data.ts).

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

/** What the training loss weighs (see the module comment). */
export type FlowObjective = { readonly lossWeighting: 'x0' } | { readonly lossWeighting: 'velocity'; readonly minT: number };

export const X0_OBJECTIVE: FlowObjective = Object.freeze({ lossWeighting: 'x0' });

/**
 * The training loss: mean over batch of w(t) × mean over pixels of (x̂0 − x0)², w from the objective (1 for
 * x0: the plain MSE). Returns a scalar.
 */
export function flowLoss(config: ModelConfig, params: Params, batch: FlowBatch, taps?: TapSet, objective: FlowObjective = X0_OBJECTIVE): tf.Scalar {
  return tf.tidy(() => {
    const xt = noisyImage(batch.x0, batch.eps, batch.t);
    const { output } = forward(config, params, { xa: batch.xa, xb: batch.xb, xt, t: batch.t }, taps);
    if (objective.lossWeighting === 'x0') return tf.mean(tf.squaredDifference(output, batch.x0)) as tf.Scalar;
    const perExample = tf.mean(tf.squaredDifference(output, batch.x0), 1);
    const w = tf.div(1, tf.square(tf.maximum(batch.t, objective.minT)));
    return tf.mean(tf.mul(perExample, w)) as tf.Scalar;
  });
}
