// Model tests: forward shapes for every config option, tap names and shapes, the intervention mechanism
// (identity edit changes nothing, zeroing changes the output), config validation errors.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { rootRng } from '../engine/random.ts';
import { ModelError } from '../errors.ts';
import { validateModelConfig, modelShapes, type ModelConfig } from './config.ts';
import { forward, patchify, unpatchify } from './dit.ts';
import { countParams, createParams, disposeParams, initialValues, paramSpecs } from './params.ts';
import { tapNames } from './taps.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const BASE = {
  P: 5,
  imageSide: 8,
  patchSize: 8,
  dModel: 16,
  heads: 2,
  ffnWidth: 32,
  depth: 1,
  preAttentionFfn: false,
  norm: 'none',
  timeFeatures: 8,
  initScale: 1,
} as const;

function cfg(over: Record<string, unknown> = {}): ModelConfig {
  return validateModelConfig({ ...BASE, ...over });
}

function inputs(config: ModelConfig, B: number, seed = 1) {
  const r = rootRng(seed);
  const px = config.imageSide ** 2;
  return {
    xa: tf.tensor2d(r.normalArray(B * px), [B, px]),
    xb: tf.tensor2d(r.normalArray(B * px), [B, px]),
    xt: tf.tensor2d(r.normalArray(B * px), [B, px]),
    t: tf.tensor1d(r.uniformArray(B)),
  };
}

const VARIANTS: Array<[string, Record<string, unknown>]> = [
  ['default (3 tokens)', {}],
  ['patches 4×4 (12 tokens)', { patchSize: 4 }],
  ['patches 2×2 (48 tokens, matMul attention)', { patchSize: 2 }],
  ['layernorm', { norm: 'layernorm' }],
  ['FFN sandwich', { preAttentionFfn: true }],
  ['depth 2 with sandwich', { depth: 2, preAttentionFfn: true }],
  ['4 heads', { heads: 4 }],
];

describe('forward shapes', () => {
  for (const [name, over] of VARIANTS) {
    it(`${name}: output [B, S*S], every tap has its documented shape`, () => {
      const config = cfg(over);
      const params = createParams(config, initialValues(config, rootRng(0).fork('init')));
      const B = 3;
      const { tokens, headDim } = modelShapes(config);
      const names = tapNames(config);
      const { output, taps } = forward(config, params, inputs(config, B), { read: names });
      expect(output.shape).toEqual([B, config.imageSide ** 2]);
      const d = config.dModel;
      const f = config.ffnWidth;
      const H = config.heads;
      for (const n of names) {
        const shape = taps.get(n)!.shape;
        const leaf = n.replace(/^block\d+\./, '');
        const expected =
          n === 'output'
            ? [B, config.imageSide ** 2]
            : /^(attn\.(q|k|v|z))$/.test(leaf)
              ? [B, H, tokens, headDim]
              : /^attn\.(scores|pattern)$/.test(leaf)
                ? [B, H, tokens, tokens]
                : /\.(pre|post)$/.test(leaf)
                  ? [B, tokens, f]
                  : [B, tokens, d];
        expect(shape, n).toEqual(expected);
      }
      for (const t of taps.values()) t.dispose();
      output.dispose();
      disposeParams(params);
    });
  }
  it('attention patterns are row-stochastic', () => {
    const config = cfg();
    const params = createParams(config, initialValues(config, rootRng(0)));
    const { output, taps } = forward(config, params, inputs(config, 2), { read: ['block0.attn.pattern'] });
    const rowSums = tf.sum(taps.get('block0.attn.pattern')!, -1).dataSync();
    for (const s of rowSums) expect(s).toBeCloseTo(1, 5);
    output.dispose();
    disposeParams(params);
  });
  it('parameter count matches the specs and the same seed gives the same weights', () => {
    const config = cfg({ preAttentionFfn: true });
    const a = initialValues(config, rootRng(4));
    const b = initialValues(config, rootRng(4));
    expect([...a.keys()]).toEqual(paramSpecs(config).map((s) => s.name));
    expect(Array.from(a.get('blocks.0.ffn.fc1.weight')!)).toEqual(Array.from(b.get('blocks.0.ffn.fc1.weight')!));
    expect([...a.values()].reduce((n, v) => n + v.length, 0)).toBe(countParams(config));
  });
});

describe('taps and interventions', () => {
  it('an edit that returns its input changes nothing; zeroing a tap changes the output', () => {
    const config = cfg({ preAttentionFfn: true });
    const params = createParams(config, initialValues(config, rootRng(0)));
    const x = inputs(config, 4);
    const base = forward(config, params, x).output.arraySync();
    const same = forward(config, params, x, { edit: { 'block0.ffn.pre': (v) => v } }).output.arraySync();
    expect(same).toEqual(base);
    const zeroed = forward(config, params, x, { edit: { 'block0.ffn.pre': (v) => tf.zerosLike(v) } }).output.arraySync();
    expect(zeroed).not.toEqual(base);
    disposeParams(params);
  });
  it('a read tap sees the edited value', () => {
    const config = cfg();
    const params = createParams(config, initialValues(config, rootRng(0)));
    const { taps } = forward(config, params, inputs(config, 2), { read: ['block0.ffn.pre'], edit: { 'block0.ffn.pre': (v) => tf.onesLike(v) } });
    expect(Array.from(taps.get('block0.ffn.pre')!.dataSync()).every((v) => v === 1)).toBe(true);
    disposeParams(params);
  });
  it('unknown tap names and shape-changing edits are ModelErrors that name the tap', () => {
    const config = cfg();
    const params = createParams(config, initialValues(config, rootRng(0)));
    expect(() => forward(config, params, inputs(config, 2), { read: ['block0.preffn.pre'] })).toThrow(/unknown tap "block0.preffn.pre"/);
    expect(() => forward(config, params, inputs(config, 2), { edit: { 'block0.ffn.pre': (v) => tf.sum(v, -1) } })).toThrow(
      /edit of tap "block0.ffn.pre" returned shape/,
    );
    disposeParams(params);
  });
  it('no tensors leak from a forward pass', () => {
    const config = cfg();
    const params = createParams(config, initialValues(config, rootRng(0)));
    const x = inputs(config, 2);
    const before = tf.memory().numTensors;
    const { output } = forward(config, params, x);
    output.dispose();
    expect(tf.memory().numTensors).toBe(before);
    disposeParams(params);
  });
});

describe('patchify', () => {
  it('unpatchify inverts patchify', () => {
    const config = cfg({ patchSize: 4 });
    const img = tf.tensor2d(
      Float32Array.from({ length: 2 * 64 }, (_, i) => i),
      [2, 64],
    );
    expect(unpatchify(config, patchify(config, img)).arraySync()).toEqual(img.arraySync());
    const first = patchify(config, img).arraySync()[0][0];
    expect(first).toEqual([0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27]);
  });
});

describe('config validation', () => {
  it.each([
    [{ patchSize: 3 }, /imageSide 8 is not divisible by patchSize 3/],
    [{ heads: 3 }, /heads 3 does not divide dModel 16/],
    [{ dModel: 0 }, /"dModel" must be a positive integer/],
    [{ norm: 'batch' }, /norm must be "none" or "layernorm"/],
    [{ initScale: -1 }, /initScale must be a positive number/],
    [{ colour: 'red' }, /unknown field "colour"/],
  ])('%o is rejected', (over, message) => {
    expect(() => cfg(over)).toThrow(ModelError);
    expect(() => cfg(over)).toThrow(message);
  });
  it('inputs of the wrong shape are rejected with the expected shape', () => {
    const config = cfg();
    const params = createParams(config, initialValues(config, rootRng(0)));
    const x = inputs(config, 2);
    expect(() => forward(config, params, { ...x, xa: tf.zeros([2, 10]) as tf.Tensor2D })).toThrow(/xa has shape \[2,10\], expected \[2, 64\]/);
    disposeParams(params);
  });
  it('weights that do not match the config are rejected naming the tensor', () => {
    const config = cfg();
    const values = initialValues(config, rootRng(0));
    values.set('out_proj.bias', new Float32Array(3));
    expect(() => createParams(config, values)).toThrow(/"out_proj.bias" has 3 values, expected shape \[64\]/);
  });
});
