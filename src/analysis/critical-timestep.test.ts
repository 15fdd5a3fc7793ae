// Tests of the critical timestep, the entropy transition and their agreement (critical-timestep.ts, paper
// Sec. 4.2 / Figure 6): step functions give the step location, invariances under monotone changes of the
// accuracies and affine changes of the entropy, monotonicity in the level, and typed errors on bad input.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams, seedTitle, PROPERTY } from '../../test-support/fc.ts';
import { PAPER } from '../paper/registry.ts';
import { CHANGE_POINT_RULES, criticalTimestep, entropyTransition, timestepAgreement } from './critical-timestep.ts';
import { expectAnalysisError } from '../../test-support/analysis-assert.ts';

const LEVEL = PAPER.rectificationCriticalLevel.value;

/** A step curve over k = 0..K: below `level` up to and including `s`, at or above it after. */
const arbStep = fc
  .integer({ min: 1, max: 60 })
  .chain((K) =>
    fc.tuple(
      fc.constant(K),
      fc.integer({ min: 0, max: K }),
      fc.float64Array({ min: 0, max: Math.fround(0.0049), noNaN: true, minLength: K + 1, maxLength: K + 1 }),
      fc.float64Array({ min: 0.005, max: 1, noNaN: true, minLength: K + 1, maxLength: K + 1 }),
    ),
  )
  .map(([K, s, low, high]) => ({ K, s, acc: Float64Array.from({ length: K + 1 }, (_, k) => (k <= s ? low[k] : high[k])) }));

const arbCurve = fc.integer({ min: 1, max: 60 }).chain((K) => fc.float64Array({ min: 0, max: 1, noNaN: true, minLength: K + 1, maxLength: K + 1 }));

describe(seedTitle('critical timestep: properties'), PROPERTY, () => {
  it('a step curve gives the step: k_crit = s, k_up = s + 1, monotone', () => {
    fc.assert(
      fc.property(arbStep, ({ K, s, acc }) => {
        const c = criticalTimestep(acc, LEVEL);
        expect(c.index).toBe(s);
        expect(c.t).toBe(s / K);
        expect(c.upperIndex).toBe(s < K ? s + 1 : null);
        expect(c.monotone).toBe(true);
        expect(c.exists).toBe(s >= 1 && s < K);
      }),
      fcParams(200),
    );
  });

  it('matches the definition by brute force, and k_crit < k_up', () => {
    fc.assert(
      fc.property(arbCurve, fc.double({ min: 0.001, max: 0.999, noNaN: true }), (acc, level) => {
        const c = criticalTimestep(acc, level);
        const K = acc.length - 1;
        const below = (k: number) => Array.from(acc.slice(0, k + 1)).every((a) => a < level);
        const above = (k: number) => Array.from(acc.slice(k)).every((a) => a >= level);
        const kCrit = [...Array(K + 1).keys()].filter(below).pop() ?? null;
        const kUp = [...Array(K + 1).keys()].find(above) ?? null;
        expect(c.index).toBe(kCrit);
        expect(c.upperIndex).toBe(kUp);
        if (c.index !== null && c.upperIndex !== null) expect(c.upperIndex).toBeGreaterThan(c.index);
      }),
      fcParams(200),
    );
  });

  it('is unchanged by a monotone map of the accuracies that keeps each on its side of the level', () => {
    fc.assert(
      fc.property(arbCurve, fc.double({ min: 0.1, max: 1, noNaN: true }), (acc, power) => {
        // a ↦ level·(a/level)^p below the level and 1 − (1 − level)·((1 − a)/(1 − level))^p above: increasing, fixes the level.
        const mapped = acc.map((a) => (a < LEVEL ? LEVEL * (a / LEVEL) ** power : 1 - (1 - LEVEL) * ((1 - a) / (1 - LEVEL)) ** power));
        const c = criticalTimestep(acc, LEVEL);
        const d = criticalTimestep(mapped, LEVEL);
        expect(d.index).toBe(c.index);
        expect(d.upperIndex).toBe(c.upperIndex);
      }),
      fcParams(150),
    );
  });

  it('k_crit does not decrease when the level rises, nor when accuracies fall', () => {
    fc.assert(
      fc.property(
        arbCurve,
        fc.double({ min: 0.001, max: 0.5, noNaN: true }),
        fc.double({ min: 0, max: 0.49, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (acc, level, extra, shrink) => {
          const base = criticalTimestep(acc, level).index ?? -1;
          expect(criticalTimestep(acc, level + extra).index ?? -1).toBeGreaterThanOrEqual(base);
          expect(
            criticalTimestep(
              acc.map((a) => a * shrink),
              level,
            ).index ?? -1,
          ).toBeGreaterThanOrEqual(base);
        },
      ),
      fcParams(150),
    );
  });
});

describe('critical timestep: examples and errors', () => {
  it('a typical rectification curve: never corrected up to t = 0.4, then mostly corrected', () => {
    const K = 50;
    const acc = Array.from({ length: K + 1 }, (_, k) => (k <= 20 ? 0 : Math.min(1, (k - 20) / 10)));
    const c = criticalTimestep(acc, LEVEL);
    expect(c).toMatchObject({ index: 20, t: 0.4, exists: true, upperIndex: 21, monotone: true, steps: 50 });
  });

  it('level 0 alone (a model that corrects at every step) is no critical timestep; nor is "never corrected"', () => {
    expect(criticalTimestep([0, 0.6, 0.9, 1], LEVEL)).toMatchObject({ index: 0, t: 0, exists: false, upperIndex: 1 });
    expect(criticalTimestep([0, 0, 0, 0.001], LEVEL)).toMatchObject({ index: 3, t: 1, exists: false, upperIndex: null, monotone: true });
    expect(criticalTimestep([0.2, 0, 1], LEVEL)).toMatchObject({ index: null, t: null, exists: false, upperIndex: 2, monotone: false });
  });

  it('a dip below the level above k_crit widens the band and is not monotone', () => {
    expect(criticalTimestep([0, 0, 0.5, 0, 0.9, 1], LEVEL)).toMatchObject({ index: 1, upperIndex: 4, monotone: false, exists: true });
  });

  it('refuses bad input with typed errors', () => {
    expectAnalysisError(() => criticalTimestep([0, NaN, 1], LEVEL), 'non-finite');
    expectAnalysisError(() => criticalTimestep([0], LEVEL), 'length-mismatch');
    expectAnalysisError(() => criticalTimestep([], LEVEL), 'empty');
    expectAnalysisError(() => criticalTimestep([0, 1.2], LEVEL), 'out-of-range');
    expectAnalysisError(() => criticalTimestep([0, -0.1], LEVEL), 'out-of-range');
    expectAnalysisError(() => criticalTimestep([0, 1], 0), 'out-of-range');
    expectAnalysisError(() => criticalTimestep([0, 1], NaN), 'non-finite');
    expectAnalysisError(() => criticalTimestep('0,1' as unknown as number[], LEVEL), 'not-an-array');
  });
});

/** A step trajectory over t_j = j/n, j = 1..n with the step after position s (low-noise segment 0..s−1), plus small noise. */
const arbEntropyStep = fc
  .integer({ min: 4, max: 60 })
  .chain((n) =>
    fc.tuple(
      fc.constant(n),
      fc.integer({ min: 1, max: n - 1 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.double({ min: 0.2, max: 0.8, noNaN: true }),
      fc.boolean(),
      fc.float64Array({ min: -0.01, max: 0.01, noNaN: true, minLength: n, maxLength: n }),
    ),
  )
  .map(([n, s, base, height, up, noise]) => ({
    n,
    s,
    levels: Float64Array.from({ length: n }, (_, j) => (j + 1) / n),
    entropy: Float64Array.from({ length: n }, (_, j) => base + (j < s ? 0 : up ? height : -height) + noise[j]),
  }));

describe(seedTitle('entropy transition: properties'), PROPERTY, () => {
  it('a noisy step gives the step under both rules: t = levels[s − 1]', () => {
    fc.assert(
      fc.property(arbEntropyStep, fc.constantFrom(...CHANGE_POINT_RULES), ({ s, levels, entropy }, rule) => {
        const tr = entropyTransition(levels, entropy, rule);
        expect(tr.index).toBe(s);
        expect(tr.t).toBe(levels[s - 1]);
        expect(tr.tAfter).toBe(levels[s]);
        expect(Math.abs(tr.jump)).toBeGreaterThan(0.15);
        expect(tr.explained).toBeGreaterThan(0.8);
      }),
      fcParams(200),
    );
  });

  it('is invariant under affine maps of the entropy (a > 0: same jump sign; a < 0: opposite)', () => {
    const seq = fc
      .array(
        fc.integer({ min: 0, max: 64 }).map((i) => i / 64),
        { minLength: 2, maxLength: 40 },
      )
      .map((v) => Float64Array.from(v));
    fc.assert(
      fc.property(seq, fc.constantFrom(0.5, 2, -1, -2), fc.constantFrom(0, 0.25, -4), fc.constantFrom(...CHANGE_POINT_RULES), (e, a, b, rule) => {
        const levels = Float64Array.from({ length: e.length }, (_, j) => (j + 1) / e.length);
        const tr = entropyTransition(levels, e, rule);
        const mapped = entropyTransition(
          levels,
          e.map((v) => a * v + b),
          rule,
        );
        // Dyadic entropies, power-of-two scales and dyadic offsets: the map is exact, so ties stay ties.
        expect(mapped.index).toBe(tr.index);
        expect(mapped.jump).toBeCloseTo(a * tr.jump, 9);
        expect(mapped.explained).toBeCloseTo(tr.explained, 9);
      }),
      fcParams(150),
    );
  });
});

describe('entropy transition and agreement: examples and errors', () => {
  it('follows the registry rule by default', () => {
    expect(CHANGE_POINT_RULES[0]).toBe(PAPER.changePointRule.value);
    expect(entropyTransition([0.1, 0.2, 0.3], [0.2, 0.2, 0.8]).rule).toBe(PAPER.changePointRule.value);
  });

  it('a constant trajectory explains nothing', () => {
    expect(entropyTransition([0.1, 0.2, 0.3], [0.5, 0.5, 0.5])).toMatchObject({ index: 1, jump: 0, explained: 0 });
  });

  it('refuses bad input with typed errors', () => {
    expectAnalysisError(() => entropyTransition([0.1, 0.2], [0.3]), 'length-mismatch');
    expectAnalysisError(() => entropyTransition([0.1, 0.2], [0.3, NaN]), 'non-finite');
    expectAnalysisError(() => entropyTransition([0.2, 0.1], [0.3, 0.4]), 'out-of-range');
    expectAnalysisError(() => entropyTransition([0.1, 0.1], [0.3, 0.4]), 'out-of-range');
    expectAnalysisError(() => entropyTransition([0.1, 1.5], [0.3, 0.4]), 'out-of-range');
    expectAnalysisError(() => entropyTransition([0.1], [0.3]), 'length-mismatch');
    expectAnalysisError(() => entropyTransition([0.1, 0.2], [0.3, 0.4], 'biggest' as never), 'bad-option');
  });

  it('agreement: within the tolerance inclusive, 5 grid steps of 1/50 count as 0.1', () => {
    expect(timestepAgreement(0.3, 0.4, 0.1)).toMatchObject({ within: true });
    expect(timestepAgreement(12 / 50, 17 / 50, PAPER.criticalTimestepTolerance.value).within).toBe(true);
    expect(timestepAgreement(12 / 50, 18 / 50, PAPER.criticalTimestepTolerance.value).within).toBe(false);
    expect(timestepAgreement(0.5, 0.2, 0.1)).toMatchObject({ within: false });
    expect(timestepAgreement(0.5, 0.2, 0.1).difference).toBeCloseTo(0.3, 15);
    expectAnalysisError(() => timestepAgreement(NaN, 0.2, 0.1), 'non-finite');
    expectAnalysisError(() => timestepAgreement(0.1, 1.2, 0.1), 'out-of-range');
  });
});
