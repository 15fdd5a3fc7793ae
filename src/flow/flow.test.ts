// Rectified-flow tests on a tiny problem: with an oracle model (the `output` tap replaced by the true x0)
// the loss is zero, the Euler sampler stays on the straight path x_t = (1-t)·x0 + t·ε and lands exactly on
// x0, from noise or from an image at an intermediate level.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { rootRng } from '../engine/random.ts';
import { tinyModelConfig } from '../../test-support/tiny-run-config.ts';
import { createParams, initialValues } from '../model/params.ts';
import { flowLoss, noisyImage, velocityFromX0 } from './rectified-flow.ts';
import { sample } from './sampler.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const config = tinyModelConfig(3);
const params = createParams(config, initialValues(config, rootRng(0)));
const r = rootRng(9);
const B = 5;
const px = 16;
const x0 = tf.tensor2d(r.normalArray(B * px), [B, px]);
const eps = tf.tensor2d(r.normalArray(B * px), [B, px]);
const xa = tf.tensor2d(r.normalArray(B * px), [B, px]);
const xb = tf.tensor2d(r.normalArray(B * px), [B, px]);
const oracle = { edit: { output: () => x0 } };

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
}

describe('rectified flow', () => {
  it('x_t interpolates x0 (t = 0) and ε (t = 1), and v = (x_t - x0)/t = ε - x0', () => {
    expect(maxAbsDiff(noisyImage(x0, eps, tf.zeros([B]) as tf.Tensor1D), x0)).toBe(0);
    expect(maxAbsDiff(noisyImage(x0, eps, tf.ones([B]) as tf.Tensor1D), eps)).toBe(0);
    const t = tf.tensor1d([0.1, 0.3, 0.5, 0.7, 0.9]);
    const xt = noisyImage(x0, eps, t);
    expect(maxAbsDiff(velocityFromX0(xt, x0, t), tf.sub(eps, x0))).toBeLessThan(1e-5);
  });
  it('the loss of an oracle is 0 and of the untrained model is positive', () => {
    const t = tf.tensor1d([0.1, 0.3, 0.5, 0.7, 0.9]);
    expect(flowLoss(config, params, { xa, xb, x0, eps, t }, oracle).dataSync()[0]).toBe(0);
    expect(flowLoss(config, params, { xa, xb, x0, eps, t }).dataSync()[0]).toBeGreaterThan(0.1);
  });
  it('the sampler with an oracle follows the straight path and ends exactly at x0', () => {
    const K = 10;
    const seen: number[] = [];
    let x = eps.clone();
    const out = sample(
      config,
      params,
      { xa, xb, noise: eps },
      {
        steps: K,
        tapsAt: () => oracle,
        onStep: (i, t) => {
          seen.push(i);
          const expected = tf.add(tf.mul(1 - t, x0), tf.mul(t, eps));
          expect(maxAbsDiff(x, expected)).toBeLessThan(1e-5);
          x = tf.add(tf.mul(1 - (i - 1) / K, x0), tf.mul((i - 1) / K, eps)) as tf.Tensor2D;
        },
      },
    );
    expect(seen).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(maxAbsDiff(out, x0)).toBeLessThan(1e-5);
  });
  it('starting from an image at level t_k runs k steps and reaches the oracle x0', () => {
    const seen: number[] = [];
    const out = sample(
      config,
      params,
      { xa, xb, noise: eps },
      { steps: 50, startIndex: 20, startImage: xa, tapsAt: () => oracle, onStep: (i) => seen.push(i) },
    );
    expect(seen.length).toBe(20);
    expect(seen[0]).toBe(20);
    expect(maxAbsDiff(out, x0)).toBeLessThan(1e-5);
  });
  it('startIndex 0 returns the start image unchanged; bad steps are ModelErrors', () => {
    const out = sample(config, params, { xa, xb, noise: eps }, { steps: 5, startIndex: 0, startImage: xa });
    expect(maxAbsDiff(out, xa)).toBe(0);
    expect(() => sample(config, params, { xa, xb, noise: eps }, { steps: 0 })).toThrow(/steps must be a positive integer/);
    expect(() => sample(config, params, { xa, xb, noise: eps }, { steps: 5, startIndex: 3 })).toThrow(/needs a startImage/);
    expect(() => sample(config, params, { xa, xb, noise: eps }, { steps: 5, startIndex: 7 })).toThrow(/startIndex must be an integer in \[0, 5\]/);
  });
});
