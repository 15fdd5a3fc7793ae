// Tests of the FVE entropy and the change-point helpers (entropy.ts, paper Sec. 4.2 critical timestep):
// entropy bounds 0 ≤ H ≤ log K, the extremes, and change points checked against brute force.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams, seedTitle, PROPERTY } from '../../test-support/fc.ts';
import { fveEntropy, largestJump, twoSegmentChangePoint } from './entropy.ts';
import { arbFrequencyShares } from '../../test-support/analysis-arbitraries.ts';
import { expectAnalysisError } from '../../test-support/analysis-assert.ts';

describe(seedTitle('entropy: properties'), PROPERTY, () => {
  it('lies in [0, log K] and its normalised form in [0, 1]', () => {
    fc.assert(
      fc.property(arbFrequencyShares(1, 40), (shares) => {
        const e = fveEntropy(shares);
        const K = shares.length - 1;
        expect(e.frequencies).toBe(K);
        expect(e.maxEntropy).toBeCloseTo(Math.log(K), 15);
        expect(e.entropy).toBeGreaterThanOrEqual(0);
        expect(e.entropy).toBeLessThanOrEqual(Math.log(K) + 1e-12);
        expect(e.normalised).toBeGreaterThanOrEqual(0);
        expect(e.normalised).toBeLessThanOrEqual(1);
        expect(Array.from(e.distribution).reduce((a, v) => a + v, 0)).toBeCloseTo(1, 12);
      }),
      fcParams(100),
    );
  });

  it('is 0 for one frequency and log K for uniform shares, whatever the total', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 1e-6, max: 1, noNaN: true }), (K, mass) => {
        const one = new Float64Array(K + 1);
        one[1 + ((K * 7) % K)] = mass;
        expect(fveEntropy(one).entropy).toBe(0);
        const uniform = new Float64Array(K + 1).fill(mass / K);
        uniform[0] = 0;
        const e = fveEntropy(uniform);
        expect(e.entropy).toBeCloseTo(Math.log(K), 12);
        expect(e.normalised).toBeCloseTo(K > 1 ? 1 : 0, 12);
      }),
      fcParams(60),
    );
  });
});

describe('entropy: examples and errors', () => {
  it('computes −Σ p log p', () => {
    const e = fveEntropy([0, 0.5, 0.25, 0.25]);
    expect(e.entropy).toBeCloseTo(1.5 * Math.log(2), 15);
    expect(e.normalised).toBeCloseTo((1.5 * Math.log(2)) / Math.log(3), 15);
  });

  it('refuses an all-zero or mis-indexed distribution', () => {
    expectAnalysisError(() => fveEntropy([0, 0, 0]), 'zero-variance');
    expectAnalysisError(() => fveEntropy([0.3, 0.7]), 'out-of-range');
    expectAnalysisError(() => fveEntropy([0, NaN]), 'non-finite');
  });
});

describe(seedTitle('change points'), PROPERTY, () => {
  const sequence = fc.float64Array({ min: -50, max: 50, noNaN: true, minLength: 2, maxLength: 60 });

  it('largestJump finds the first largest |Δ|', () => {
    fc.assert(
      fc.property(sequence, (s) => {
        const j = largestJump(s);
        const deltas = Array.from(s.slice(1), (v, i) => Math.abs(v - s[i]));
        const best = Math.max(...deltas);
        expect(j.magnitude).toBe(best);
        expect(j.index).toBe(deltas.indexOf(best) + 1);
        expect(j.jump).toBe(s[j.index] - s[j.index - 1]);
      }),
      fcParams(100),
    );
  });

  it('twoSegmentChangePoint minimises the two-level squared error (brute force)', () => {
    fc.assert(
      fc.property(sequence, (s) => {
        const cp = twoSegmentChangePoint(s);
        const n = s.length;
        const sse = (i: number): number => {
          const m1 = s.slice(0, i).reduce((a, v) => a + v, 0) / i;
          const m2 = s.slice(i).reduce((a, v) => a + v, 0) / (n - i);
          return s.reduce((a, v, j) => a + (v - (j < i ? m1 : m2)) ** 2, 0);
        };
        const best = Math.min(...Array.from({ length: n - 1 }, (_, i) => sse(i + 1)));
        expect(cp.sse).toBeLessThanOrEqual(best + 1e-9 * (1 + cp.totalSse));
        expect(cp.sse).toBeLessThanOrEqual(cp.totalSse);
        expect(cp.explained).toBeGreaterThanOrEqual(0);
        expect(cp.explained).toBeLessThanOrEqual(1);
      }),
      fcParams(100),
    );
  });

  it('finds a step exactly, and reports a constant sequence as explaining nothing', () => {
    const step = [3, 3, 3, 3, 1, 1, 1];
    expect(twoSegmentChangePoint(step)).toMatchObject({ index: 4, meanBefore: 3, meanAfter: 1, explained: 1 });
    expect(largestJump(step)).toMatchObject({ index: 4, jump: -2 });
    expect(twoSegmentChangePoint([2, 2, 2])).toMatchObject({ index: 1, explained: 0, sse: 0 });
    expectAnalysisError(() => twoSegmentChangePoint([1]), 'length-mismatch');
  });
});
