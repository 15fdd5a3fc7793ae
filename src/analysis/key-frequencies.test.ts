// Tests of key-frequency selection (key-frequencies.ts, paper Sec. 4.1): the cumulative rule from the
// registry (smallest set reaching the level), the uniform-multiple rule, "few", ties and bad input.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams, seedTitle, PROPERTY } from '../../test-support/fc.ts';
import { PAPER } from '../paper/registry.ts';
import { fveOfActivations, fveOfGrid } from './fve.ts';
import { frequencySetCoverage, selectKeyFrequencies } from './key-frequencies.ts';
import { arbFrequencyShares, arbKnownFourierBlock } from '../../test-support/analysis-arbitraries.ts';
import { expectAnalysisError } from '../../test-support/analysis-assert.ts';

describe('key frequencies: examples', () => {
  it('takes the smallest set by decreasing FVE that reaches the registry level', () => {
    const sel = selectKeyFrequencies([0, 0.1, 0.5, 0.3, 0.05, 0.05]);
    expect(sel.rule).toBe('cumulative');
    expect(sel.level).toBe(PAPER.keyFrequencyRule.value.cumulativeLevel);
    expect(sel.maxCount).toBe(PAPER.keyFrequencyRule.value.maxCount);
    expect(sel.frequencies).toEqual([2, 3]);
    expect(sel.explained).toBeCloseTo(0.8, 15);
    expect(sel.reached).toBe(true);
    expect(sel.few).toBe(true);
    expect(sel.ranking.map((r) => r.k)).toEqual([2, 3, 1, 4, 5]);
  });

  it('reports when the level cannot be reached (variance left in cross products)', () => {
    const sel = selectKeyFrequencies([0, 0.2, 0.2, 0.1], { level: 0.8 });
    expect(sel.reached).toBe(false);
    expect(sel.few).toBe(false);
    expect(sel.frequencies).toEqual([1, 2, 3]);
  });

  it('calls a set that needs more than maxCount frequencies not few', () => {
    const uniform = [0, ...new Array(10).fill(0.1)];
    const sel = selectKeyFrequencies(uniform, { level: 0.8, maxCount: 6 });
    expect(sel.frequencies).toHaveLength(8);
    expect(sel.reached).toBe(true);
    expect(sel.few).toBe(false);
  });

  it('breaks ties towards the smaller frequency', () => {
    expect(selectKeyFrequencies([0, 0.25, 0.5, 0.25], { level: 0.7 }).frequencies).toEqual([2, 1]);
  });

  it('selects by the uniform-multiple rule', () => {
    // K = 4: uniform share 0.25 of the attributed FVE; m = 2 keeps shares > 0.5
    const sel = selectKeyFrequencies([0, 0.6, 0.2, 0.1, 0.05], { rule: 'uniform-multiple', multiple: 2 });
    expect(sel.frequencies).toEqual([1]);
    expect(sel.explained).toBeCloseTo(0.6, 15);
    expect(sel.few).toBe(true);
    expect(selectKeyFrequencies([0, 0.25, 0.25, 0.25, 0.25], { rule: 'uniform-multiple', multiple: 1 }).reached).toBe(false);
  });

  it('finds the frequencies of a model-like grid (w1 and w3 in P = 23)', () => {
    const P = 23;
    const w = (2 * Math.PI) / P;
    const values = Float64Array.from({ length: P * P }, (_, i) => {
      const a = Math.floor(i / P);
      const b = i % P;
      return 2 * Math.cos(w * (a + b)) + Math.sin(3 * w * a) + 0.1 * Math.cos(5 * w * b);
    });
    expect(selectKeyFrequencies(fveOfGrid(values, P).byFrequency).frequencies).toEqual([1, 3]);
  });

  it('rejects arrays that are not per-frequency FVE', () => {
    expectAnalysisError(() => selectKeyFrequencies([0.5, 0.5]), 'out-of-range');
    expectAnalysisError(() => selectKeyFrequencies([0, 0.7, 0.6]), 'out-of-range');
    expectAnalysisError(() => selectKeyFrequencies([0, -0.1, 0.6]), 'out-of-range');
    expectAnalysisError(() => selectKeyFrequencies([0]), 'length-mismatch');
    expectAnalysisError(() => selectKeyFrequencies([0, 1], { rule: 'median' as never }), 'bad-option');
    expectAnalysisError(() => selectKeyFrequencies([0, 1], { level: 1.5 }), 'out-of-range');
  });
});

describe(seedTitle('key frequencies: properties'), PROPERTY, () => {
  const normalised = fc.tuple(arbFrequencyShares(1, 30), fc.double({ min: 0.05, max: 1, noNaN: true })).map(([s, mass]) => {
    const total = s.reduce((a, v) => a + v, 0);
    return s.map((v) => (v / total) * mass);
  });

  it('returns a minimal set, sorted by decreasing FVE, whose explained share is its sum', () => {
    fc.assert(
      fc.property(normalised, fc.double({ min: 0.05, max: 1, noNaN: true }), (shares, level) => {
        const sel = selectKeyFrequencies(shares, { level });
        const fves = sel.frequencies.map((k) => shares[k]);
        expect(sel.explained).toBeCloseTo(
          fves.reduce((a, v) => a + v, 0),
          12,
        );
        for (let i = 1; i < fves.length; i++) expect(fves[i]).toBeLessThanOrEqual(fves[i - 1]);
        if (sel.reached && fves.length > 0) expect(sel.explained - fves[fves.length - 1]).toBeLessThan(level);
        const rest = Array.from(shares).filter((_, k) => k > 0 && !sel.frequencies.includes(k));
        for (const v of rest) if (fves.length > 0) expect(v).toBeLessThanOrEqual(fves[fves.length - 1]);
        expect(sel.few).toBe(sel.reached && sel.frequencies.length >= 1 && sel.frequencies.length <= sel.maxCount);
      }),
      fcParams(100),
    );
  });
});

describe('key frequencies relative to the attributed power, and set coverage: examples', () => {
  it("'attributed' takes the level of Σ_k FVE_k, so a cross share neither counts nor pulls in minor frequencies", () => {
    // cross share 0.2: by the total the level 0.8 needs every frequency; of the attributed 0.8 it needs {2, 3}
    const shares = [0, 0.05, 0.4, 0.3, 0.05];
    expect(selectKeyFrequencies(shares, { level: 0.8 }).frequencies).toEqual([2, 3, 1, 4]);
    const sel = selectKeyFrequencies(shares, { level: 0.8, relativeTo: 'attributed' });
    expect(sel.frequencies).toEqual([2, 3]);
    expect(sel.relativeTo).toBe('attributed');
    expect(sel.attributed).toBeCloseTo(0.8, 15);
    expect(sel.explained).toBeCloseTo(0.7, 15);
    expect(sel.reached).toBe(true);
  });

  it('splits no cross product: inside the set when both frequencies are in it, else outside', () => {
    const K = 3;
    const cross = new Float64Array((K + 1) * (K + 1));
    cross[1 * 4 + 2] = 0.1; // k_a = 1, k_b = 2
    cross[3 * 4 + 1] = 0.05; // k_a = 3, k_b = 1
    const c = frequencySetCoverage([0, 0.4, 0.3, 0.15], cross, [2, 1]);
    expect(c.frequencies).toEqual([1, 2]);
    expect(c.own).toBeCloseTo(0.7, 15);
    expect(c.crossWithin).toBeCloseTo(0.1, 15);
    expect(c.crossOutside).toBeCloseTo(0.05, 15);
    expect(c.covered).toBeCloseTo(0.8, 15);
  });

  it('rejects bad sets, mis-sized cross tables and shares that exceed 1', () => {
    const cross = new Float64Array(16);
    expectAnalysisError(() => frequencySetCoverage([0, 0.5, 0.5, 0], cross, [4]), 'out-of-range');
    expectAnalysisError(() => frequencySetCoverage([0, 0.5, 0.5, 0], cross, [1.5]), 'not-an-integer');
    expectAnalysisError(() => frequencySetCoverage([0, 0.5, 0.5, 0], cross.subarray(1), [1]), 'length-mismatch');
    expectAnalysisError(() => frequencySetCoverage([0, 0.5, 0.5, 0], cross, 'all' as never), 'not-an-array');
    const big = new Float64Array(16);
    big[1 * 4 + 2] = 0.3;
    expectAnalysisError(() => frequencySetCoverage([0, 0.5, 0.4, 0], big, [1]), 'out-of-range');
    expectAnalysisError(() => selectKeyFrequencies([0, 1], { relativeTo: 'cross' as never }), 'bad-option');
  });
});

describe(seedTitle('key frequencies relative to the attributed power, and set coverage: properties'), PROPERTY, () => {
  it("'attributed' is invariant to the cross share: scaling every FVE_k by m ∈ (0, 1] keeps the set", () => {
    // m a power of 2, so the scaling is exact and creates no ties by rounding
    fc.assert(
      fc.property(
        arbFrequencyShares(1, 20),
        fc.constantFrom(1, 0.5, 0.25, 0.125, 0.0625),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        (raw, m, level) => {
          const total = raw.reduce((a, v) => a + v, 0);
          const full = raw.map((v) => v / total);
          const shrunk = full.map((v) => v * m);
          const a = selectKeyFrequencies(full, { level, relativeTo: 'attributed' });
          const b = selectKeyFrequencies(shrunk, { level, relativeTo: 'attributed' });
          expect(b.frequencies).toEqual(a.frequencies);
          expect(b.reached).toBe(true);
          // with no cross share it is the 'total' rule
          expect(selectKeyFrequencies(full, { level }).frequencies).toEqual(a.frequencies);
        },
      ),
      fcParams(100),
    );
  });

  it('on an FVE result: own + cross inside + cross outside + the other frequencies = 1; the full set covers 1, the empty set 0; coverage grows with the set', () => {
    fc.assert(
      fc.property(
        arbKnownFourierBlock({ minP: 3, maxP: 11 }).chain((b) =>
          fc.record({
            b: fc.constant(b),
            set: fc.uniqueArray(fc.integer({ min: 1, max: Math.floor(b.P / 2) }), { maxLength: Math.floor(b.P / 2) }),
            extra: fc.integer({ min: 1, max: Math.floor(b.P / 2) }),
          }),
        ),
        ({ b, set, extra }) => {
          const f = fveOfActivations(b.valuesByPair, b.P, b.units);
          const K = f.maxFrequency;
          const c = frequencySetCoverage(f.byFrequency, f.crossByPair, set);
          const others = Array.from(f.byFrequency).reduce((s, v, k) => s + (k > 0 && !set.includes(k) ? v : 0), 0);
          expect(c.own + c.crossWithin + c.crossOutside + others).toBeCloseTo(1, 10);
          expect(c.crossTotal).toBeCloseTo(f.crossFrequency, 10);
          const all = Array.from({ length: K }, (_, i) => i + 1);
          expect(frequencySetCoverage(f.byFrequency, f.crossByPair, all).covered).toBeCloseTo(1, 10);
          expect(frequencySetCoverage(f.byFrequency, f.crossByPair, []).covered).toBe(0);
          expect(frequencySetCoverage(f.byFrequency, f.crossByPair, [...set, extra]).covered).toBeGreaterThanOrEqual(c.covered - 1e-12);
        },
      ),
      fcParams(60),
    );
  });
});
