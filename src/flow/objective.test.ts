// The training objective (issue 27, registry lossWeighting): the velocity weighting is the loss on
// v = (x_t − x̂0)/t that Appendix A names — checked against ‖v̂ − v‖² computed from its definition —, bounded by
// the clip minT, and minT = 1 gives the x0 loss back.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { rootRng } from '../engine/random.ts';
import { tinyModelConfig } from '../../test-support/tiny-run-config.ts';
import { forward } from '../model/dit.ts';
import { createParams, initialValues } from '../model/params.ts';
import { flowLoss, noisyImage, velocityFromX0 } from './rectified-flow.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const config = tinyModelConfig(3);
const params = createParams(config, initialValues(config, rootRng(0)));
const r = rootRng(11);
const B = 4;
const px = 16;
const batch = {
  xa: tf.tensor2d(r.normalArray(B * px), [B, px]),
  xb: tf.tensor2d(r.normalArray(B * px), [B, px]),
  x0: tf.tensor2d(r.normalArray(B * px), [B, px]),
  eps: tf.tensor2d(r.normalArray(B * px), [B, px]),
  t: tf.tensor1d([0.02, 0.2, 0.6, 0.95]),
};
const value = (s: tf.Scalar): number => s.dataSync()[0];

describe('flowLoss objectives', () => {
  it('velocity with a clip below every t is the mean squared velocity error of the definition v = (x_t − x0)/t', () => {
    const t = tf.tensor1d([0.1, 0.2, 0.6, 0.95]);
    const b = { ...batch, t };
    const xt = noisyImage(b.x0, b.eps, t);
    const x0hat = forward(config, params, { xa: b.xa, xb: b.xb, xt, t }).output;
    const vHat = velocityFromX0(xt, x0hat, t);
    const v = velocityFromX0(xt, b.x0, t);
    const expected = value(tf.mean(tf.mean(tf.squaredDifference(vHat, v), 1)) as tf.Scalar);
    expect(value(flowLoss(config, params, b, undefined, { lossWeighting: 'velocity', minT: 0.05 }))).toBeCloseTo(expected, 4);
  });
  it('the clip bounds the weight: t below minT weighs as minT', () => {
    const low = { ...batch, t: tf.tensor1d([0.001, 0.001, 0.001, 0.001]) };
    const atClip = { ...batch, t: tf.tensor1d([0.05, 0.05, 0.05, 0.05]) };
    const lossLow = value(flowLoss(config, params, low, undefined, { lossWeighting: 'velocity', minT: 0.05 }));
    const x0Low = value(flowLoss(config, params, low));
    expect(lossLow).toBeCloseTo(x0Low * 400, 1);
    expect(Number.isFinite(value(flowLoss(config, params, atClip, undefined, { lossWeighting: 'velocity', minT: 0.05 })))).toBe(true);
  });
  it('minT = 1 is the x0 loss; the x0 objective is the default', () => {
    const x0Loss = value(flowLoss(config, params, batch));
    expect(value(flowLoss(config, params, batch, undefined, { lossWeighting: 'velocity', minT: 1 }))).toBeCloseTo(x0Loss, 6);
    expect(value(flowLoss(config, params, batch, undefined, { lossWeighting: 'x0' }))).toBe(x0Loss);
  });
});
