// The Euler ODE sampler of rectified flow (paper Sec. 2; figures index its timesteps 0..K with K = 50):
// on the grid t_i = i/K it steps from i = start down to 0 with x_{t'} = x̂0 + (t'/t)·(x_t - x̂0), the
// Euler step along v = (x_t - x̂0)/t; the last step lands exactly on x̂0. It starts from pure noise
// (start = K) or from a given image perturbed to level t_start (the critical-timestep study, Sec. 4.2).
// Taps can be edited at every step (ablations) and read at every step (activations along the path).

import * as tf from '@tensorflow/tfjs-core';
import { ModelError } from '../errors.ts';
import { forward } from '../model/dit.ts';
import type { ModelConfig } from '../model/config.ts';
import type { Params } from '../model/params.ts';
import type { TapSet } from '../model/taps.ts';
import { noisyImage } from './rectified-flow.ts';

export interface SampleOptions {
  /** Number of Euler steps from t = 1 to 0 (the grid is t_i = i/steps). */
  readonly steps: number;
  /** Grid index to start from (default `steps`, i.e. pure noise). */
  readonly startIndex?: number;
  /** Clean image to perturb to level t_start when startIndex < steps, [B, S*S]. */
  readonly startImage?: tf.Tensor2D;
  /** Taps used at step i (grid index of the current level, steps..1); undefined = none. */
  readonly tapsAt?: (index: number, t: number) => TapSet | undefined;
  /** Called after each model evaluation with the grid index, x̂0 and the read taps; the callee disposes taps. */
  readonly onStep?: (index: number, t: number, x0hat: tf.Tensor2D, taps: Map<string, tf.Tensor>) => void;
}

export interface SampleInputs {
  readonly xa: tf.Tensor2D;
  readonly xb: tf.Tensor2D;
  /** ε [B, S*S], the noise at the start level. */
  readonly noise: tf.Tensor2D;
}

/** Runs the sampler and returns the final image x_0 [B, S*S] (the caller disposes it). */
export function sample(config: ModelConfig, params: Params, inputs: SampleInputs, options: SampleOptions): tf.Tensor2D {
  const K = options.steps;
  if (!Number.isInteger(K) || K < 1) throw new ModelError('sampler-steps', `sampler steps must be a positive integer, got ${K}`);
  const start = options.startIndex ?? K;
  if (!Number.isInteger(start) || start < 0 || start > K) {
    throw new ModelError('sampler-start', `sampler startIndex must be an integer in [0, ${K}], got ${start}`);
  }
  const B = inputs.xa.shape[0];
  let x: tf.Tensor2D;
  if (start === K) {
    x = tf.clone(inputs.noise);
  } else {
    if (!options.startImage) throw new ModelError('sampler-start', `sampler startIndex ${start} < steps ${K} needs a startImage to perturb`);
    const tStart = tf.fill([B], start / K) as tf.Tensor1D;
    x = noisyImage(options.startImage, inputs.noise, tStart);
    tStart.dispose();
  }
  for (let i = start; i > 0; i--) {
    const t = i / K;
    const tNext = (i - 1) / K;
    const tVec = tf.fill([B], t) as tf.Tensor1D;
    const { output: x0hat, taps } = forward(config, params, { xa: inputs.xa, xb: inputs.xb, xt: x, t: tVec }, options.tapsAt?.(i, t));
    tVec.dispose();
    if (options.onStep) options.onStep(i, t, x0hat, taps);
    else for (const v of taps.values()) v.dispose();
    const next = tf.tidy(() => tf.add(x0hat, tf.mul(tf.sub(x, x0hat), tNext / t)) as tf.Tensor2D);
    x0hat.dispose();
    x.dispose();
    x = next;
  }
  return x;
}
