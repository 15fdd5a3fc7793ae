// The symbol CNN on the wasm backend (the default): its im2col convolution equals tf.conv2d, classify
// refuses misshapen input, augmentation shifts with background fill, training is seeded (same seed, same
// weights) and learns a tiny real-data task (P = 3, 8×8 EMNIST) in two epochs.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../engine/backend.ts';
import { rootRng } from '../engine/random.ts';
import { ConfigError, ModelError } from '../errors.ts';
import { loadEmnistPool } from '../data/pool.ts';
import { evaluateClassifier } from './classifier-evaluation.ts';
import {
  augmentBatch,
  CnnClassifier,
  cnnParamSpecs,
  conv3x3,
  defaultArchitecture,
  defaultTrainOptions,
  initialCnnWeights,
  trainCnn,
  validateArchitecture,
} from './cnn-classifier.ts';
import { poolSplitImages } from './labelled-images.ts';

const pool = loadEmnistPool();
const tinyArch = validateArchitecture({ kind: 'conv3x3-relu-maxpool', side: 8, classes: 3, pixelRange: [-1, 1], channels: [4, 8], hidden: 16 }, 'test');
const tinyOptions = { ...defaultTrainOptions(8), epochs: 2, batchSize: 64, lr: 1e-2 };

beforeAll(async () => {
  await initBackend('wasm', { source: 'cnn-classifier.test' });
});

function expectError(fn: () => unknown, cls: new (...args: never[]) => Error, code: string, ...fragments: string[]): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(cls);
    expect((err as { code: string }).code).toBe(code);
    for (const f of fragments) expect((err as Error).message).toContain(f);
    return;
  }
  throw new Error(`expected ${cls.name} ${code}`);
}

describe('symbol CNN', () => {
  it('conv3x3 (im2col + matMul) equals tf.conv2d with the same [3, 3, in, out] filter', () => {
    const rng = rootRng(5);
    const [x, w, b] = [rng.normalArray(2 * 5 * 6 * 3), rng.normalArray(3 * 3 * 3 * 4), rng.normalArray(4)];
    const [ours, ref] = tf.tidy(() => {
      const xt = tf.tensor4d(x, [2, 5, 6, 3]);
      const wt = tf.tensor4d(w, [3, 3, 3, 4]);
      const bt = tf.tensor1d(b);
      return [conv3x3(xt, wt, bt).arraySync(), tf.add(tf.conv2d(xt, wt, 1, 'same'), bt).arraySync()];
    });
    const flatOurs = (ours as number[][][][]).flat(3);
    const flatRef = (ref as number[][][][]).flat(3);
    expect(flatOurs.length).toBe(2 * 5 * 6 * 4);
    flatOurs.forEach((v, i) => {
      expect(v).toBeCloseTo(flatRef[i], 4);
    });
  });

  it('has the parameter shapes of its architecture (side 16: two pools to 4×4)', () => {
    const specs = cnnParamSpecs(defaultArchitecture(23, 16, [-1, 1]));
    expect(specs.map((s) => `${s.name}:${s.shape.join('x')}`)).toEqual([
      'conv0.weight:3x3x1x16',
      'conv0.bias:16',
      'conv1.weight:3x3x16x32',
      'conv1.bias:32',
      'fc.weight:512x128',
      'fc.bias:128',
      'out.weight:128x23',
      'out.bias:23',
    ]);
    expect(cnnParamSpecs(defaultArchitecture(23, 28, [-1, 1])).find((s) => s.name === 'fc.weight')!.shape).toEqual([7 * 7 * 32, 128]);
  });

  it('classify refuses images of the wrong size, naming both sizes; no tensor outlives dispose()', () => {
    const before = tf.memory().numTensors;
    const c = new CnnClassifier(tinyArch, initialCnnWeights(tinyArch, rootRng(1)), 'test');
    try {
      expect(c.classify(new Float32Array(2 * 64), 2)).toHaveLength(2);
      expect(c.classify(new Float32Array(0), 0)).toHaveLength(0);
      expectError(() => c.classify(new Float32Array(2 * 63), 2), ModelError, 'classifier-shape', '126 values', '2·64');
      expectError(() => c.classify(new Float32Array(64), 1.5), ModelError, 'classifier-shape');
    } finally {
      c.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    expectError(() => c.classify(new Float32Array(64), 1), ModelError, 'classifier-disposed');
  });

  it('refuses weights that do not fit the architecture, naming the tensor', () => {
    const w = initialCnnWeights(tinyArch, rootRng(1));
    w.set('fc.weight', new Float32Array(3));
    expect(() => new CnnClassifier(tinyArch, w, 'my weights')).toThrow(/my weights: tensor "fc.weight" has 3 values; the architecture needs \[32, 16\]/);
    w.delete('fc.weight');
    expect(() => new CnnClassifier(tinyArch, w, 'my weights')).toThrow(/tensor "fc.weight" is missing/);
    expectError(() => validateArchitecture({ ...tinyArch, channels: [] }, 'arch.json'), ConfigError, 'classifier-architecture', 'arch.json', 'channels');
  });

  it('augmentation shifts each image with background fill and adds seeded noise', () => {
    const side = 4;
    const image = Float32Array.from({ length: 16 }, (_, i) => i);
    const shifted = augmentBatch(image, [0, 0, 0, 0, 0, 0, 0, 0], side, [-1, 1], { maxShift: 1, noiseStd: 0 }, rootRng(2));
    for (let k = 0; k < 8; k++) {
      const out = shifted.subarray(k * 16, (k + 1) * 16);
      // Every pixel is either background or a source pixel displaced by the same (dy, dx) in [-1, 1]².
      const moved = [...out].map((v, p) => (v === -1 ? null : p - v)).filter((d) => d !== null);
      expect(new Set(moved).size).toBe(1);
      expect([-5, -4, -3, -1, 0, 1, 3, 4, 5]).toContain(moved[0]);
    }
    const noisy = augmentBatch(image, [0], side, [-1, 1], { maxShift: 0, noiseStd: 0.5 }, rootRng(3));
    expect(noisy).toEqual(augmentBatch(image, [0], side, [-1, 1], { maxShift: 0, noiseStd: 0.5 }, rootRng(3)));
    expect([...noisy].some((v, i) => v !== image[i])).toBe(true);
  });

  it('trains reproducibly from the seed and learns P = 3 at 8×8 in two epochs', () => {
    const train = poolSplitImages(pool, 'train', 3, 8);
    const test = poolSplitImages(pool, 'test', 3, 8);
    const before = tf.memory().numTensors;
    const a = trainCnn(tinyArch, train, tinyOptions, rootRng(7).fork('cnn'));
    const b = trainCnn(tinyArch, train, tinyOptions, rootRng(7).fork('cnn'));
    try {
      const wa = a.classifier.readWeights();
      const wb = b.classifier.readWeights();
      for (const [name, v] of wa) expect(Array.from(wb.get(name)!)).toEqual(Array.from(v));
      expect(a.epochs).toHaveLength(2);
      expect(a.epochs[0].loss).toBeLessThan(Math.log(3));
      // Real held-out images of 0, 1, 2: far above chance (1/3) after two epochs.
      expect(evaluateClassifier(a.classifier, test).accuracy.accuracy).toBeGreaterThan(0.7);
    } finally {
      a.classifier.dispose();
      b.classifier.dispose();
    }
    expect(tf.memory().numTensors).toBe(before); // training leaves nothing behind (optimizer state included)
  });

  it('refuses training data of another P or side, and bad options', () => {
    const train = poolSplitImages(pool, 'test', 3, 8);
    expectError(() => trainCnn({ ...tinyArch, side: 16 }, train, tinyOptions, rootRng(1)), ConfigError, 'classifier-data', 'side 8');
    expectError(() => trainCnn(tinyArch, train, { ...tinyOptions, epochs: 0 }, rootRng(1)), ConfigError, 'classifier-train-option', 'epochs');
    expectError(() => trainCnn(tinyArch, train, { ...tinyOptions, lr: Number.NaN }, rootRng(1)), ConfigError, 'classifier-train-option', 'lr');
  });
});
