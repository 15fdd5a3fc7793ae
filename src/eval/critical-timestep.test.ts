// Tests of the critical-timestep measurements (critical-timestep.ts, paper Sec. 4.2) on a tiny untrained
// model: every tensor is disposed, level 0 returns the start image (recovery 1, rectification 0), level K
// starts both from the same pure noise (recovery = rectification), the pair subset and offsets are seeded,
// the entropy path has one step per level with entropies in [0, 1], and the rectification-path entropy
// (Figure 6b) agrees with itself between full paths and single forward passes and with the from-noise path at k = K.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { allPairs } from '../data/pairs.ts';
import { rootRng } from '../engine/random.ts';
import { tinyModelConfig } from '../../test-support/tiny-run-config.ts';
import { createParams, initialValues } from '../model/params.ts';
import type { LoadedRun } from './loaded-run.ts';
import { nearestTemplateClassifier } from './classifier.ts';
import { ENTROPY_TAPS, entropyPath, pairSubset, recoveryRectification, rectificationEntropy } from './critical-timestep.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const P = 5;
const side = 4;
const px = side * side;
const model = tinyModelConfig(P);
const images = rootRng(3).normalArray(P * px);
const run = {
  model,
  params: createParams(model, initialValues(model, rootRng(0))),
  data: { symbols: { P, N: 1, side, images }, pixels: px, train: allPairs(P), heldout: [], heldoutNovel: [] },
  classifier: nearestTemplateClassifier(images, P, px),
  step: 0,
  dir: '(test)',
} as unknown as LoadedRun;

describe('recoveryRectification', () => {
  it('disposes every tensor; level 0 is the start image, level K is pure noise for both', () => {
    const before = tf.memory().numTensors;
    const r = recoveryRectification(run, { seed: 1, steps: 4, batchSize: 16 });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.levels.map((l) => l.k)).toEqual([0, 1, 2, 3, 4]);
    expect(r.levels.map((l) => l.t)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(r.pairIndices).toHaveLength(P * P);
    const first = r.levels[0];
    expect(first.recovery.accuracy).toBe(1);
    expect(first.rectification.accuracy).toBe(0);
    expect(first.kept).toBe(P * P);
    const last = r.levels[4];
    expect(last.rectification.correct).toBe(last.recovery.correct);
    for (const l of r.levels) {
      expect(l.recovery.total).toBe(P * P);
      expect(l.rectification.interval[0]).toBeLessThanOrEqual(l.rectification.accuracy);
    }
    expect(r.offsets.every((d) => Number.isInteger(d) && d >= 1 && d < P)).toBe(true);
  });

  it('is seeded: the same seed gives the same result, the batch size does not matter', () => {
    const a = recoveryRectification(run, { seed: 2, steps: 3, pairCount: 7, batchSize: 4 });
    const b = recoveryRectification(run, { seed: 2, steps: 3, pairCount: 7, batchSize: 64 });
    expect(b).toEqual(a);
    expect(a.pairIndices).toHaveLength(7);
  });

  it('pairSubset draws distinct pairs in index order and refuses a bad count', () => {
    const s = pairSubset(allPairs(P), 10, 5);
    const idx = s.map((p) => p.a * P + p.b);
    expect(new Set(idx).size).toBe(10);
    expect([...idx].sort((x, y) => x - y)).toEqual(idx);
    expect(pairSubset(allPairs(P), 100, 5)).toHaveLength(P * P);
    expect(() => pairSubset(allPairs(P), 0, 5)).toThrow(/pairCount/);
    expect(() => recoveryRectification(run, { seed: 1, steps: 0 })).toThrow(/steps/);
  });
});

describe('entropyPath', () => {
  it('one step per level, ascending in t, entropies in [0, 1]; disposes every tensor', () => {
    const before = tf.memory().numTensors;
    const e = entropyPath(run, { noiseSeed: 7, steps: 5, taps: ENTROPY_TAPS });
    expect(tf.memory().numTensors).toBe(before);
    expect(e.taps.map((t) => t.tap)).toEqual(['block0.ffn.pre', 'block0.attn.out']);
    for (const tap of e.taps) {
      expect(tap.path.map((s) => s.k)).toEqual([1, 2, 3, 4, 5]);
      expect(tap.path.map((s) => s.t)).toEqual([0.2, 0.4, 0.6, 0.8, 1]);
      for (const s of tap.path) {
        expect(s.entropy).toBeGreaterThanOrEqual(0);
        expect(s.entropy).toBeLessThanOrEqual(1);
        expect(s.shares).toHaveLength(Math.floor(P / 2));
      }
    }
    expect(entropyPath(run, { noiseSeed: 7, steps: 5 }).taps.map((t) => t.tap)).toEqual(['block0.ffn.pre']);
  });
});

describe("rectificationEntropy (Figure 6b: entropy on the paths from a wrong c')", () => {
  it('a start entropy per level and tap, full paths where asked; disposes every tensor', () => {
    const before = tf.memory().numTensors;
    const r = rectificationEntropy(run, { noiseSeed: 7, offsetSeed: 3, steps: 5, taps: ENTROPY_TAPS, fullPathLevels: [2, 5] });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.taps.map((t) => t.tap)).toEqual(['block0.ffn.pre', 'block0.attn.out']);
    for (const s of r.start) {
      expect(s).toHaveLength(5);
      for (const e of s) expect(e >= 0 && e <= 1).toBe(true);
    }
    expect(r.paths.map((p) => [p.k, p.t])).toEqual([
      [2, 0.4],
      [5, 1],
    ]);
    for (const p of r.paths) {
      expect(p.entropy.map((e) => e.length)).toEqual([p.k, p.k]);
      expect(p.accuracy.total).toBe(P * P);
      expect(p.kept).toBeGreaterThanOrEqual(0);
      expect(p.kept).toBeLessThanOrEqual(1);
    }
    expect(r.offsets).toHaveLength(P * P);
    expect(r.offsets.every((d) => Number.isInteger(d) && d >= 1 && d < P)).toBe(true);
  });

  it("a path's first step is the single-forward start entropy; the path from K is entropyPath's from-noise path", () => {
    const full = rectificationEntropy(run, { noiseSeed: 7, offsetSeed: 3, steps: 5, taps: ENTROPY_TAPS });
    const none = rectificationEntropy(run, { noiseSeed: 7, offsetSeed: 3, steps: 5, taps: ENTROPY_TAPS, fullPathLevels: [] });
    expect(none.paths).toEqual([]);
    for (let j = 0; j < 2; j++) for (let k = 0; k < 5; k++) expect(none.start[j][k]).toBeCloseTo(full.start[j][k], 5);
    const fromNoise = entropyPath(run, { noiseSeed: 7, steps: 5, taps: ENTROPY_TAPS });
    fromNoise.taps.forEach((tap, j) => {
      expect(full.paths[4].entropy[j]).toEqual(tap.path.map((s) => s.entropy));
    });
  });

  it('refuses a level outside [1, K] and an empty tap list', () => {
    expect(() => rectificationEntropy(run, { noiseSeed: 1, offsetSeed: 1, steps: 3, fullPathLevels: [4] })).toThrow(/full-path level 4/);
    expect(() => rectificationEntropy(run, { noiseSeed: 1, offsetSeed: 1, steps: 3, taps: [] })).toThrow(/no taps/);
  });
});
