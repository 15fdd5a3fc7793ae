// One full-batch training step (paper Sec. 3): gather the operand and target images of the batch, form
// x_t, compute the x0 loss, differentiate with respect to every parameter, and apply AdamW. Shared by the
// trainer and the throughput benchmark, so the benchmark times exactly what training runs.

import * as tf from '@tensorflow/tfjs-core';
import type { AdamW } from '../engine/adamw.ts';
import { flowLoss } from '../flow/rectified-flow.ts';
import type { ModelConfig } from '../model/config.ts';
import type { StepBatchArrays } from './run-data.ts';

/** Runs one step at learning rate `lr`; returns the loss before the update (a host number). */
export function fullBatchStep(
  model: ModelConfig,
  params: ReadonlyMap<string, tf.Variable>,
  optimizer: AdamW,
  imagesByRow: tf.Tensor2D,
  arrays: StepBatchArrays,
  lr: number,
): number {
  const B = arrays.t.length;
  const pixels = imagesByRow.shape[1];
  optimizer.lr = lr;
  const loss = tf.tidy(() => {
    const batch = {
      xa: tf.gather(imagesByRow, tf.tensor1d(arrays.aRows, 'int32')) as tf.Tensor2D,
      xb: tf.gather(imagesByRow, tf.tensor1d(arrays.bRows, 'int32')) as tf.Tensor2D,
      x0: tf.gather(imagesByRow, tf.tensor1d(arrays.cRows, 'int32')) as tf.Tensor2D,
      eps: tf.tensor2d(arrays.noise, [B, pixels]),
      t: tf.tensor1d(arrays.t),
    };
    const { value, grads } = tf.variableGrads(() => flowLoss(model, params, batch), [...params.values()]);
    const byName = new Map<string, tf.Tensor>();
    for (const [name, v] of params) byName.set(name, grads[v.name]);
    optimizer.step(params, byName);
    return value;
  });
  const out = loss.dataSync()[0];
  loss.dispose();
  return out;
}
