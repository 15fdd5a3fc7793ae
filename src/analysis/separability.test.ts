// Tests of nearest-centroid separability (separability.ts, paper Figure 5): separated clusters score 1,
// shuffled labels score near chance, the holdout split is seeded and stratified, leave-one-out counts
// singleton classes as unclassifiable.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams, seedTitle, PROPERTY } from '../../test-support/fc.ts';
import { rootRng } from '../engine/random.ts';
import { nearestCentroidHoldout, nearestCentroidLeaveOneOut } from './separability.ts';
import { expectAnalysisError } from '../../test-support/analysis-assert.ts';

/** `perClass` points around `classes` well-separated centres in `d` dimensions, plus noise of size `noise`. */
function clusters(classes: number, perClass: number, d: number, noise: number, seed: number): { values: Float64Array; labels: number[] } {
  const rng = rootRng(seed);
  const values = new Float64Array(classes * perClass * d);
  const labels: number[] = [];
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < perClass; i++) {
      const row = c * perClass + i;
      labels.push(c);
      for (let j = 0; j < d; j++) values[row * d + j] = (j === c % d ? 10 * (1 + Math.floor(c / d)) : 0) + noise * rng.normal();
    }
  }
  return { values, labels };
}

describe(seedTitle('separability: properties'), PROPERTY, () => {
  it('scores separated clusters 1 and keeps counts consistent', () => {
    fc.assert(
      fc.property(
        fc.record({ classes: fc.integer({ min: 2, max: 6 }), perClass: fc.integer({ min: 2, max: 8 }), seed: fc.nat() }),
        ({ classes, perClass, seed }) => {
          const { values, labels } = clusters(classes, perClass, 3, 0.5, seed);
          const n = classes * perClass;
          const holdout = nearestCentroidHoldout(values, n, 3, labels, { seed });
          const loo = nearestCentroidLeaveOneOut(values, n, 3, labels);
          expect(holdout.accuracy).toBe(1);
          expect(loo.accuracy).toBe(1);
          expect(loo.trials).toBe(n);
          expect(holdout.correct).toBe(holdout.trials);
          expect(holdout.chance).toBeCloseTo(1 / classes, 15);
        },
      ),
      fcParams(30),
    );
  });
});

describe('separability: examples', () => {
  it('is near chance for labels that carry no information', () => {
    const { values } = clusters(4, 50, 4, 0.1, 1);
    const labels = rootRng(2).shuffle(Array.from({ length: 200 }, (_, i) => i % 4));
    const loo = nearestCentroidLeaveOneOut(values, 200, 4, labels);
    expect(loo.accuracy).toBeLessThan(0.45);
  });

  it('splits by seed, stratified, with at least one training point per class', () => {
    const { values, labels } = clusters(3, 8, 3, 3, 4);
    const a = nearestCentroidHoldout(values, 24, 3, labels, { seed: 11 });
    const b = nearestCentroidHoldout(values, 24, 3, labels, { seed: 11 });
    expect(a).toEqual(b);
    expect(a.trials).toBe(6); // round(0.25·8) = 2 per class
    expect(nearestCentroidHoldout(values, 24, 3, labels, { seed: 11, testFraction: 0.99 }).trials).toBe(21);
  });

  it('counts a singleton class in leave-one-out as unclassifiable', () => {
    const values = [0, 0, 0.1, 0, 10, 10];
    const r = nearestCentroidLeaveOneOut(values, 3, 2, [0, 0, 1]);
    expect(r).toMatchObject({ correct: 2, trials: 3, unclassifiable: 1, classes: 2 });
  });

  it('rejects a single class, bad labels and an impossible split', () => {
    expectAnalysisError(() => nearestCentroidLeaveOneOut([1, 2, 3], 3, 1, [0, 0, 0]), 'too-few-points');
    expectAnalysisError(() => nearestCentroidLeaveOneOut([1, 2, 3], 3, 1, [0, 1.5, 0]), 'not-an-integer');
    expectAnalysisError(() => nearestCentroidHoldout([1, 2], 2, 1, [0, 1], { seed: 1 }), 'too-few-points');
    expectAnalysisError(() => nearestCentroidHoldout([1, 2, 3], 3, 1, [0, 1, 1], { seed: -1 }), 'out-of-range');
  });
});
