// Activations at the operand position a for many images of each symbol (paper Figure 5: the pre-attention
// FFN — the "FFN sandwich" — maps entangled image embeddings to class-separable ones). Each image is fed as
// operand a; operand b and the noisy c are fixed (b = the first image of symbol 0, c = pure noise from one
// seeded image, t = 1). Tokens before attention see only their own image, position and time, so the
// values at a do not depend on that choice. Returns plain float64 arrays [images, d] per tap.

import * as tf from '@tensorflow/tfjs-core';
import { rootRng } from '../engine/random.ts';
import { ModelError } from '../errors.ts';
import { forward } from '../model/dit.ts';
import { tokenMean } from './grid-activations.ts';
import type { LoadedRun } from './loaded-run.ts';

/** Images are fed through the model in batches of this many. */
const BATCH = 512;

/**
 * Values of `taps` (each [B, T, d]) at operand a's tokens (mean over its patches) for every image of
 * `imagesByRow` [count, S*S]; returns tap → [count, d] row-major.
 */
export function operandActivations(
  run: LoadedRun,
  imagesByRow: Float32Array,
  count: number,
  taps: readonly string[],
  noiseSeed = 7,
): Map<string, { valuesByImage: Float64Array; units: number }> {
  const px = run.data.pixels;
  if (imagesByRow.length !== count * px) {
    throw new ModelError('operand-activations', `operandActivations: images have ${imagesByRow.length} values, expected ${count}·${px}`);
  }
  const bImage = run.data.symbols.images.subarray(0, px);
  const noise1 = rootRng(noiseSeed).fork('operand-noise').normalArray(px);
  const out = new Map<string, { valuesByImage: Float64Array; units: number }>();
  for (let start = 0; start < count; start += BATCH) {
    const B = Math.min(BATCH, count - start);
    const xb = new Float32Array(B * px);
    const xt = new Float32Array(B * px);
    for (let i = 0; i < B; i++) {
      xb.set(bImage, i * px);
      xt.set(noise1, i * px);
    }
    const values = tf.tidy(() => {
      const { output, taps: read } = forward(
        run.model,
        run.params,
        {
          xa: tf.tensor2d(imagesByRow.subarray(start * px, (start + B) * px), [B, px]),
          xb: tf.tensor2d(xb, [B, px]),
          xt: tf.tensor2d(xt, [B, px]),
          t: tf.fill([B], 1) as tf.Tensor1D,
        },
        { read: taps },
      );
      output.dispose();
      return taps.map((name) => tokenMean(run, name, read.get(name)!, 'a'));
    });
    taps.forEach((name, k) => {
      const units = values[k].shape[1];
      let entry = out.get(name);
      if (!entry) {
        entry = { valuesByImage: new Float64Array(count * units), units };
        out.set(name, entry);
      }
      entry.valuesByImage.set(values[k].dataSync(), start * units);
      values[k].dispose();
    });
  }
  return out;
}
