// Tests of the statistics helpers (stats.ts): Wilson intervals against published values, the exact binomial
// tail against brute force, t-test p-values against t tables, the seeded bootstrap, the summary.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams, seedTitle, PROPERTY } from '../../test-support/fc.ts';
import { expectAnalysisError } from '../../test-support/analysis-assert.ts';
import { binomialTest, bootstrapMeanInterval, oneSampleTTest, summarise, wilsonInterval } from './stats.ts';

describe('stats: Wilson interval', () => {
  it('matches published values', () => {
    // Newcombe (1998), method 3: 81/263 → (0.2553, 0.3662); 0/10 → (0, 0.2775); 5/10 → (0.2366, 0.7634)
    const a = wilsonInterval(81, 263);
    expect(a.lower).toBeCloseTo(0.2553, 4);
    expect(a.upper).toBeCloseTo(0.3662, 4);
    expect(wilsonInterval(0, 10).upper).toBeCloseTo(0.2775, 4);
    expect(wilsonInterval(0, 10).lower).toBe(0);
    expect(wilsonInterval(5, 10).lower).toBeCloseTo(0.2366, 4);
  });

  it('rejects impossible counts', () => {
    expectAnalysisError(() => wilsonInterval(3, 2), 'out-of-range');
    expectAnalysisError(() => wilsonInterval(1, 0), 'out-of-range');
    expectAnalysisError(() => wilsonInterval(1.5, 4), 'not-an-integer');
  });
});

describe(seedTitle('stats: properties'), PROPERTY, () => {
  it('Wilson: 0 ≤ lower ≤ estimate ≤ upper ≤ 1', () => {
    const counts = fc.integer({ min: 1, max: 10_000 }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)));
    fc.assert(
      fc.property(counts, ([s, n]) => {
        const w = wilsonInterval(s, n);
        expect(w.lower).toBeGreaterThanOrEqual(0);
        expect(w.lower).toBeLessThanOrEqual(w.estimate + 1e-15);
        expect(w.upper).toBeGreaterThanOrEqual(w.estimate - 1e-15);
        expect(w.upper).toBeLessThanOrEqual(1);
      }),
      fcParams(100),
    );
  });

  it('binomial test: equals the brute-force tail sums', () => {
    const input = fc
      .integer({ min: 1, max: 40 })
      .chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n), fc.double({ min: 0.01, max: 0.99, noNaN: true })));
    fc.assert(
      fc.property(input, ([s, n, p]) => {
        let upper = 0;
        let lower = 0;
        let choose = 1;
        for (let i = 0; i <= n; i++) {
          const prob = choose * p ** i * (1 - p) ** (n - i);
          if (i >= s) upper += prob;
          if (i <= s) lower += prob;
          choose = (choose * (n - i)) / (i + 1);
        }
        expect(binomialTest(s, n, p, 'greater').pValue).toBeCloseTo(upper, 9);
        expect(binomialTest(s, n, p, 'less').pValue).toBeCloseTo(lower, 9);
      }),
      fcParams(100),
    );
  });

  it('bootstrap: the interval brackets the resampled means and replays with the seed', () => {
    const input = fc.record({ values: fc.float64Array({ min: -5, max: 5, noNaN: true, minLength: 1, maxLength: 12 }), seed: fc.nat() });
    fc.assert(
      fc.property(input, ({ values, seed }) => {
        const a = bootstrapMeanInterval(values, { seed, resamples: 200 });
        const b = bootstrapMeanInterval(values, { seed, resamples: 200 });
        expect(a).toEqual(b);
        expect(a.lower).toBeLessThanOrEqual(a.upper);
        expect(a.lower).toBeGreaterThanOrEqual(Math.min(...values) - 1e-12);
        expect(a.upper).toBeLessThanOrEqual(Math.max(...values) + 1e-12);
      }),
      fcParams(40),
    );
  });
});

describe('stats: t test, bootstrap and summary examples', () => {
  it('gives the one-sided p-values of t tables', () => {
    // t(0.95, 5) = 2.015, t(0.975, 10) = 2.228, t(0.99, 20) = 2.528
    const sample = (t: number, n: number): number[] => {
      // n values with mean t·sd/√n above 0 and sample sd exactly 1
      const base = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -1) * Math.sqrt((n - 1) / n));
      if (n % 2 === 1) base[n - 1] = 0;
      const m = base.reduce((s, v) => s + v, 0) / n;
      const sd = Math.sqrt(base.reduce((s, v) => s + (v - m) ** 2, 0) / (n - 1));
      return base.map((v) => (v - m) / sd + t / Math.sqrt(n));
    };
    expect(oneSampleTTest(sample(2.015, 6), 0).pValue).toBeCloseTo(0.05, 3);
    expect(oneSampleTTest(sample(2.228, 11), 0).pValue).toBeCloseTo(0.025, 3);
    expect(oneSampleTTest(sample(2.528, 21), 0).pValue).toBeCloseTo(0.01, 3);
    expect(oneSampleTTest(sample(2.015, 6), 0, 'less').pValue).toBeCloseTo(0.95, 3);
  });

  it('handles a sample with no spread by the limit', () => {
    expect(oneSampleTTest([1, 1, 1], 0.5)).toMatchObject({ t: null, pValue: 0 });
    expect(oneSampleTTest([1, 1, 1], 0.5, 'less')).toMatchObject({ t: null, pValue: 1 });
    expect(oneSampleTTest([0.1, 0.1, 0.1], 0.1)).toMatchObject({ t: null, pValue: 1 });
  });

  it('bootstraps with a user uniform source and checks its draws', () => {
    let i = 0;
    const cycle = () => (i++ * 0.37) % 1;
    const r = bootstrapMeanInterval([1, 2, 3, 4], { uniform: cycle, resamples: 50 });
    expect(r.estimate).toBe(2.5);
    expectAnalysisError(() => bootstrapMeanInterval([1, 2], { uniform: () => 1 }), 'bad-source');
    expectAnalysisError(() => bootstrapMeanInterval([1, 2], { seed: 1, uniform: cycle }), 'bad-option');
    expectAnalysisError(() => bootstrapMeanInterval([1, 2], {} as never), 'bad-option');
  });

  it('summarises a sample', () => {
    expect(summarise([2, 4, 4, 4, 5, 5, 7, 9])).toMatchObject({ n: 8, mean: 5, min: 2, max: 9, median: 4.5 });
    expect(summarise([2, 4, 4, 4, 5, 5, 7, 9]).sd).toBeCloseTo(2.138, 3);
    expect(summarise([3])).toMatchObject({ n: 1, sd: 0 });
    expectAnalysisError(() => summarise([]), 'empty');
  });
});
