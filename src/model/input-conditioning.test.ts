// Input conditioning (issue 27): the buffers of each treatment from the training operand images, the forward
// pass applying them to a and b only (never to x_t), buffers that a training step leaves untouched, and the
// errors when the images are missing. ZCA is checked against its definition: the whitened training images
// have identity covariance on the subspace they span.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW } from '../engine/adamw.ts';
import { rootRng } from '../engine/random.ts';
import { ModelError } from '../errors.ts';
import { ensureGradients } from '../engine/gradients.ts';
import { fullBatchStep } from '../train/step.ts';
import { validateModelConfig, type ModelConfig } from './config.ts';
import { tinyModelConfig } from '../../test-support/tiny-run-config.ts';
import { forward } from './dit.ts';
import { conditioningBuffers, pixelMean, STANDARDISE_VARIANCE_FLOOR } from './input-conditioning.ts';
import { createParams, disposeParams, initialValues, paramSpecs, trainableNames } from './params.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const cfg = (inputConditioning?: string): ModelConfig => validateModelConfig({ ...tinyModelConfig(5), ...(inputConditioning ? { inputConditioning } : {}) });
const PX = 16;
/** Five images in [−1, 1] with a shared background: correlated, as EMNIST symbols are. */
const images = (): Float32Array => {
  const r = rootRng(3);
  return Float32Array.from({ length: 5 * PX }, (_, i) => (i % PX < 6 ? -1 : Math.tanh(r.normal())));
};

describe('conditioningBuffers', () => {
  it('raw and unit need no buffers; centered stores the mean image', () => {
    expect(conditioningBuffers(undefined, images(), PX).size).toBe(0);
    expect(conditioningBuffers('unit', images(), PX).size).toBe(0);
    const b = conditioningBuffers('centered', images(), PX);
    expect([...b.keys()]).toEqual(['input_cond.mean']);
    expect(Array.from(b.get('input_cond.mean') ?? [])).toEqual(Array.from(Float32Array.from(pixelMean(images(), PX))));
  });
  it('standardised divides by the per-pixel deviation with a floor (a constant pixel gets 1/sqrt(floor))', () => {
    const scale = conditioningBuffers('standardised', images(), PX).get('input_cond.scale') ?? new Float32Array();
    expect(scale[0]).toBeCloseTo(1 / Math.sqrt(STANDARDISE_VARIANCE_FLOOR), 4);
    expect(scale[10]).toBeLessThan(scale[0]);
  });
  it('zca whitens: the whitened, centred training images have a covariance that is the identity on their span (up to ε)', () => {
    const x = images();
    const b = conditioningBuffers('zca', x, PX);
    const W = b.get('input_cond.whiten') ?? new Float32Array();
    const mean = b.get('input_cond.mean') ?? new Float32Array();
    const rows = 5;
    const z = Array.from({ length: rows }, (_, r) =>
      Array.from({ length: PX }, (_, j) => {
        let s = 0;
        for (let k = 0; k < PX; k++) s += (x[r * PX + k] - mean[k]) * W[k * PX + j];
        return s;
      }),
    );
    // Gram of the whitened rows / rows: its non-zero eigenvalues are λ/(λ+ε) ≈ 1; its trace ≈ rank (4 for 5 centred rows).
    let trace = 0;
    for (let r = 0; r < rows; r++) trace += z[r].reduce((s, v) => s + v * v, 0) / rows;
    expect(trace).toBeGreaterThan(3.7);
    expect(trace).toBeLessThan(4.0001);
    // W is symmetric.
    for (let i = 0; i < PX; i++) for (let j = 0; j < PX; j++) expect(W[i * PX + j]).toBeCloseTo(W[j * PX + i], 4);
  });
  it('identical images are a ModelError for zca; images of the wrong size are a ModelError', () => {
    expect(() => conditioningBuffers('zca', new Float32Array(3 * PX).fill(0.5), PX)).toThrow(ModelError);
    expect(() => conditioningBuffers('centered', new Float32Array(PX + 1), PX)).toThrow(/\[rows, 16\]/);
  });
});

describe('conditioned model', () => {
  it('a config without the field has no buffers (old checkpoints load unchanged); "raw" is stored as absent', () => {
    expect(paramSpecs(cfg()).some((s) => s.buffer)).toBe(false);
    expect(cfg('raw')).toEqual(cfg());
    expect(() => cfg('whiten')).toThrow(/inputConditioning must be one of/);
  });
  it('needs the training operand images to initialise', () => {
    expect(() => initialValues(cfg('centered'), rootRng(1))).toThrow(/needs the run's training operand images/);
  });
  for (const kind of ['unit', 'centered', 'standardised', 'zca'] as const) {
    it(`${kind}: the forward pass equals the raw model fed the conditioned operands by hand, with x_t untouched`, () => {
      const config = cfg(kind);
      const values = initialValues(config, rootRng(2), images());
      const raw = cfg();
      const rawValues = new Map([...values].filter(([n]) => !n.startsWith('input_cond.')));
      const params = createParams(config, values);
      const rawParams = createParams(raw, rawValues);
      const r = rootRng(4);
      const B = 3;
      const xa = r.normalArray(B * PX);
      const xb = r.normalArray(B * PX);
      const xt = r.normalArray(B * PX);
      const t = Float32Array.from([0.1, 0.5, 0.9]);
      const condition = (x: Float32Array): Float32Array => {
        const mean = values.get('input_cond.mean');
        return x.map((v, i) => {
          const j = i % PX;
          if (kind === 'unit') return (v + 1) / 2;
          if (kind === 'centered') return v - (mean?.[j] ?? 0);
          if (kind === 'standardised') return (v - (mean?.[j] ?? 0)) * (values.get('input_cond.scale')?.[j] ?? 0);
          const W = values.get('input_cond.whiten') ?? new Float32Array();
          const row = Math.floor(i / PX);
          let s = 0;
          for (let k = 0; k < PX; k++) s += (x[row * PX + k] - (mean?.[k] ?? 0)) * W[k * PX + j];
          return s;
        });
      };
      const out = tf.tidy(() =>
        forward(config, params, {
          xa: tf.tensor2d(xa, [B, PX]),
          xb: tf.tensor2d(xb, [B, PX]),
          xt: tf.tensor2d(xt, [B, PX]),
          t: tf.tensor1d(t),
        }).output.dataSync(),
      );
      const ref = tf.tidy(() =>
        forward(raw, rawParams, {
          xa: tf.tensor2d(condition(xa), [B, PX]),
          xb: tf.tensor2d(condition(xb), [B, PX]),
          xt: tf.tensor2d(xt, [B, PX]),
          t: tf.tensor1d(t),
        }).output.dataSync(),
      );
      for (let i = 0; i < out.length; i++) expect(out[i]).toBeCloseTo(ref[i], 4);
      disposeParams(params);
      disposeParams(rawParams);
    });
  }
  it('a training step (train/step.ts) changes the weights but not the buffers, which carry no weight decay', async () => {
    await ensureGradients();
    const config = cfg('standardised');
    const imgs = images();
    const params = createParams(config, initialValues(config, rootRng(5), imgs));
    const before = params.get('input_cond.scale')?.dataSync().slice();
    const w0 = params.get('patch_embed.weight')?.dataSync().slice();
    const opt = new AdamW({ lr: 1e-2, weightDecay: 1 });
    const r = rootRng(6);
    const arrays = {
      aRows: Int32Array.from([0, 1]),
      bRows: Int32Array.from([2, 3]),
      cRows: Int32Array.from([4, 0]),
      noise: r.normalArray(2 * PX),
      t: Float32Array.from([0.3, 0.7]),
    };
    fullBatchStep(config, params, opt, imgs, arrays, 1e-2);
    expect(Array.from(params.get('input_cond.scale')?.dataSync() ?? [])).toEqual(Array.from(before ?? []));
    expect(Array.from(params.get('patch_embed.weight')?.dataSync() ?? [])).not.toEqual(Array.from(w0 ?? []));
    expect(params.get('input_cond.scale')?.trainable).toBe(false);
    expect(trainableNames(config).has('input_cond.scale')).toBe(false);
    disposeParams(params);
  });
});
