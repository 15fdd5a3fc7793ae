// One full-batch training step (paper Sec. 3): gather the operand and target images of the batch, form
// x_t, compute the loss (x0 or velocity weighting, flow/rectified-flow.ts), differentiate with respect to every parameter, and apply AdamW. Shared by the
// trainer and the throughput benchmark, so the benchmark times exactly what training runs.

import * as tf from '@tensorflow/tfjs-core';
import type { AdamW } from '../engine/adamw.ts';
import { flowLoss, X0_OBJECTIVE, type FlowObjective } from '../flow/rectified-flow.ts';
import type { ModelConfig } from '../model/config.ts';
import type { StepBatchArrays } from './run-data.ts';

/** Rows of `imagesByRow` [rows, pixels] gathered on the host into a new [B, pixels] array. */
export function gatherRows(imagesByRow: Float32Array, pixels: number, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * pixels);
  for (let i = 0; i < rows.length; i++) out.set(imagesByRow.subarray(rows[i] * pixels, (rows[i] + 1) * pixels), i * pixels);
  return out;
}

/**
 * Runs one step at learning rate `lr`; returns the loss before the update (a host number). The batch
 * images are gathered on the host (a memcpy per row) and uploaded: measured on wasm, three tf.gather calls
 * of 476 rows × 256 pixels took 8.6 ms of a 68 ms step, the host copy and upload well under 1 ms.
 */
export function fullBatchStep(
  model: ModelConfig,
  params: ReadonlyMap<string, tf.Variable>,
  optimizer: AdamW,
  imagesByRow: Float32Array,
  arrays: StepBatchArrays,
  lr: number,
  objective: FlowObjective = X0_OBJECTIVE,
): number {
  const B = arrays.t.length;
  const pixels = model.imageSide * model.imageSide;
  optimizer.lr = lr;
  const loss = tf.tidy(() => {
    const batch = {
      xa: tf.tensor2d(gatherRows(imagesByRow, pixels, arrays.aRows), [B, pixels]),
      xb: tf.tensor2d(gatherRows(imagesByRow, pixels, arrays.bRows), [B, pixels]),
      x0: tf.tensor2d(gatherRows(imagesByRow, pixels, arrays.cRows), [B, pixels]),
      eps: tf.tensor2d(arrays.noise, [B, pixels]),
      t: tf.tensor1d(arrays.t),
    };
    // Buffers (the input conditioning's statistics) are neither differentiated nor stepped.
    const trained = new Map([...params].filter(([, v]) => v.trainable));
    const { value, grads } = tf.variableGrads(() => flowLoss(model, params, batch, undefined, objective), [...trained.values()]);
    const byName = new Map<string, tf.Tensor>();
    for (const [name, v] of trained) byName.set(name, grads[v.name]);
    optimizer.step(trained, byName);
    return value;
  });
  const out = loss.dataSync()[0];
  loss.dispose();
  return out;
}
