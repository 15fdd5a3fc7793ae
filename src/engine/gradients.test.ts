// tfjs-core alone registers no gradients in Node; ensureGradients brings in tfjs's own (once, idempotently)
// and the broadcast-aware BatchMatMul gradient. The numeric checks of that gradient are in matmul.test.ts.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { broadcastMatMulGradientInstalled, ensureGradients, gradientsRegistered } from './gradients.ts';

/** Kernels a diffusion transformer's loss differentiates through. */
const NEEDED = [
  'Add',
  'AddN',
  'Sub',
  'Multiply',
  'RealDiv',
  'Neg',
  'Square',
  'SquaredDifference',
  'Sqrt',
  'Rsqrt',
  'Pow',
  'Exp',
  'Log',
  'Erf',
  'Tanh',
  'Sigmoid',
  'Relu',
  'Softmax',
  'Sum',
  'Mean',
  'Max',
  'Maximum',
  'Minimum',
  'Reshape',
  'Transpose',
  'BatchMatMul',
  'Concat',
  'Slice',
  'GatherV2',
  'Pack',
  'Unpack',
  'SplitV',
  'Tile',
  'BroadcastTo',
  'Cast',
  'Identity',
  'Cos',
  'Sin',
  'ClipByValue',
  'Select',
];

describe('ensureGradients', () => {
  it('registers every gradient a transformer needs, idempotently', async () => {
    await ensureGradients();
    expect(gradientsRegistered()).toBe(true);
    const missing = NEEDED.filter((k) => tf.getGradient(k) == null);
    expect(missing).toEqual([]);
    expect(broadcastMatMulGradientInstalled()).toBe(true);
    const grad = tf.getGradient('BatchMatMul');
    expect(await ensureGradients()).toBe('already-registered');
    expect(tf.getGradient('BatchMatMul')).toBe(grad);
  });

  it('makes tf.grad work, and chained tensor methods available', async () => {
    await ensureGradients();
    await tf.setBackend('cpu');
    const x = tf.tensor1d([0.5, -1, 2]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.erf(v), v)))(x);
    const xs = [0.5, -1, 2];
    // d/dx [x·erf(x)] = erf(x) + x·(2/√π)·exp(−x²); erf values from Abramowitz–Stegun tables.
    const erf = [0.5204998778, -0.8427007929, 0.995322265];
    const expected = xs.map((v, i) => erf[i] + v * (2 / Math.sqrt(Math.PI)) * Math.exp(-v * v));
    const got = Array.from(g.dataSync());
    for (let i = 0; i < 3; i++) expect(got[i]).toBeCloseTo(expected[i], 5);
    expect((x as unknown as { reshape(s: number[]): tf.Tensor }).reshape([3, 1]).shape).toEqual([3, 1]);
    tf.dispose([x, g]);
  });
});
