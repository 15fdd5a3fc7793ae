// The readout W′L of a block's FFN neurons (paper Table 3: the FFN pre-activation is projected onto W′L u_k and
// W′L v_k). In Nanda et al. W_L maps MLP neurons to logits; grokdiff's DiT outputs an image, so W′L is formed
// in two steps, and the Fourier part is pure float64 math in src/analysis/trig-fit.ts (classReadoutMap):
//   1. M [f, S²]: the linear map from each FFN neuron (post-GeLU) of block l to the output image x̂0 of c along
//      the residual stream's direct path: fc2 row i → (later blocks skipped: exact for the last block, the
//      direct-path approximation for earlier ones) → the final norm's linear part (none for norm 'none'; for
//      'layernorm' the centring over features and γ, with the per-example 1/σ set to 1: a positive factor
//      that does not change directions) → out_proj → unpatchify. With several patches per image the neuron's
//      value is taken equal at every c patch (the 'token-c' grid view averages it over them), so its write is
//      out_proj's patch repeated at every patch.
//   2. T [P, S²]: one output image per class, the mean of the class's images (N = 1: the image itself; the
//      nearest-template classifier's templates). W′L[c, i] = ⟨T[c] − mean_c T, M[i]⟩ is then the change of
//      the nearest-template score of class c per unit of neuron i (up to a factor 2).
// Biases do not enter: they shift every pair alike and have no Fourier component over (a, b).

import * as tf from '@tensorflow/tfjs-core';
import { classReadoutMap } from '../analysis/index.ts';
import { ModelError } from '../errors.ts';
import { unpatchify } from '../model/dit.ts';
import { modelShapes } from '../model/config.ts';
import type { LoadedRun } from './loaded-run.ts';

export interface NeuronReadout {
  readonly block: number;
  /** FFN width f (the units of block{l}.ffn.pre). */
  readonly units: number;
  /** [f, S²]: the image each neuron writes into x̂0 per unit of activation (step 1 above). */
  readonly neuronToImage: Float64Array;
  /** [P, S²]: the class templates (mean image per class). */
  readonly classImages: Float64Array;
  /** [P, f]: W′L. */
  readonly readout: Float64Array;
}

function param(run: LoadedRun, name: string): tf.Tensor {
  const v = run.params.get(name);
  if (!v) throw new ModelError('param-missing', `parameter "${name}" is missing from the model`);
  return v;
}

/** The class templates [P, S²]: the mean of each symbol's N images. */
export function classTemplates(run: LoadedRun): Float64Array {
  const P = run.model.P;
  const N = run.data.symbols.N;
  const px = run.data.pixels;
  const imgs = run.data.symbols.images;
  const out = new Float64Array(P * px);
  for (let c = 0; c < P; c++) {
    for (let n = 0; n < N; n++) for (let j = 0; j < px; j++) out[c * px + j] += imgs[(c * N + n) * px + j];
    for (let j = 0; j < px; j++) out[c * px + j] /= N;
  }
  return out;
}

/** W′L of block `block`'s FFN neurons (see the module header). */
export function ffnNeuronReadout(run: LoadedRun, block: number): NeuronReadout {
  const config = run.model;
  if (!Number.isInteger(block) || block < 0 || block >= config.depth) {
    throw new ModelError('grid-view', `ffnNeuronReadout: block ${block} does not exist; the model has blocks 0..${config.depth - 1}`);
  }
  const { patchesPerImage: n, pixels } = modelShapes(config);
  const f = config.ffnWidth;
  const image = tf.tidy(() => {
    let h = param(run, `blocks.${block}.ffn.fc2.weight`) as tf.Tensor2D; // [f, d]
    if (config.norm === 'layernorm') h = tf.mul(tf.sub(h, tf.mean(h, 1, true)), param(run, 'final_norm.weight')) as tf.Tensor2D;
    const patch = tf.matMul(h, param(run, 'out_proj.weight') as tf.Tensor2D); // [f, q²]
    const patches = tf.tile(tf.expandDims(patch, 1), [1, n, 1]) as tf.Tensor3D; // [f, n, q²]
    return unpatchify(config, patches);
  });
  const neuronToImage = Float64Array.from(image.dataSync());
  image.dispose();
  const classImages = classTemplates(run);
  const readout = classReadoutMap(neuronToImage, f, classImages, config.P, pixels);
  return { block, units: f, neuronToImage, classImages, readout };
}
