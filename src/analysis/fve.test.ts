// Tests of the FVE decomposition (fve.ts, paper Sec. 4.1 / Figure 3): shares in [0, 1] that sum to 1,
// invariance to scale and offset, exact recovery of known Fourier content, pure cosines at one frequency,
// per-unit results and constant units, and the 1-D per-operand FVE.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams, seedTitle, PROPERTY } from '../../test-support/fc.ts';
import { PAPER } from '../paper/registry.ts';
import { basisPairLabels } from './basis.ts';
import { FVE_DEFINITION, type FveResult, fveByOperand, fveOfActivations, fveOfGrid } from './fve.ts';
import { arbKnownFourierBlock, arbPureCosine, arbSignal } from '../../test-support/analysis-arbitraries.ts';
import { expectAnalysisError, expectClose } from '../../test-support/analysis-assert.ts';

const sum = (x: ArrayLike<number>): number => Array.from(x).reduce((s, v) => s + v, 0);

function expectValidShares(fve: FveResult): void {
  for (const v of fve.byBasisPair) {
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(1 + 1e-12);
  }
  expect(sum(fve.byBasisPair)).toBeCloseTo(1, 12);
  expect(sum(fve.byFrequency) + fve.crossFrequency).toBeCloseTo(1, 12);
  expect(sum(fve.byFrequencySplitCross)).toBeCloseTo(1, 12);
  expect(fve.byGroup.a + fve.byGroup.b + fve.byGroup.sameFrequency + fve.byGroup.crossFrequency).toBeCloseTo(1, 12);
  expect(fve.byFrequency[0]).toBe(0);
  for (const c of fve.components) expect(c.total).toBeCloseTo(fve.byFrequency[c.k], 14);
}

const arbBlock = fc
  .record({ P: fc.integer({ min: 2, max: 13 }), units: fc.integer({ min: 1, max: 4 }) })
  .chain(({ P, units }) => fc.record({ P: fc.constant(P), units: fc.constant(units), values: arbSignal(P * P * units, P * P * units) }))
  .filter(({ values }) => Math.max(...values) - Math.min(...values) >= 1e-2);

describe(seedTitle('fve: properties'), PROPERTY, () => {
  it('gives shares in [0, 1] that sum to 1 over all components, per unit too', () => {
    fc.assert(
      fc.property(arbBlock, ({ P, units, values }) => {
        const fve = fveOfActivations(values, P, units);
        expectValidShares(fve);
        const K = fve.maxFrequency;
        for (let u = 0; u < units; u++) {
          if (fve.perUnit.constantUnits.includes(u)) continue;
          const row = fve.perUnit.byFrequency.slice(u * (K + 1), (u + 1) * (K + 1));
          expect(sum(row) + fve.perUnit.crossFrequency[u]).toBeCloseTo(1, 10);
          expect(sum(fve.perUnit.byGroup.slice(u * 4, u * 4 + 4))).toBeCloseTo(1, 10);
          expect(fve.perUnit.byGroup[u * 4 + 3]).toBeCloseTo(fve.perUnit.crossFrequency[u], 14);
        }
      }),
      fcParams(60),
    );
  });

  it('is invariant to scaling and to adding a constant per unit', () => {
    const input = arbBlock.chain((b) =>
      fc.record({
        block: fc.constant(b),
        scale: fc.double({ min: 1e-3, max: 1e3, noNaN: true }).chain((s) => fc.constantFrom(s, -s)),
        offsets: fc.float64Array({ min: -1e3, max: 1e3, noNaN: true, minLength: b.units, maxLength: b.units }),
      }),
    );
    fc.assert(
      fc.property(input, ({ block: { P, units, values }, scale, offsets }) => {
        const base = fveOfActivations(values, P, units);
        const scaled = fveOfActivations(
          values.map((v) => v * scale),
          P,
          units,
        );
        const shifted = fveOfActivations(
          values.map((v, i) => v + offsets[i % units]),
          P,
          units,
        );
        expectClose(scaled.byBasisPair, base.byBasisPair, 1e-9, 'scaled');
        expectClose(shifted.byBasisPair, base.byBasisPair, 1e-6, 'shifted');
        expect(Math.abs(scaled.totalVariance / (base.totalVariance * scale * scale) - 1)).toBeLessThan(1e-9);
      }),
      fcParams(40),
    );
  });

  it('gives FVE 1 at k to a pure cos(w_k·x + φ), x = a, b, a + b or a − b', () => {
    fc.assert(
      fc.property(arbPureCosine({ minP: 3, maxP: 31 }), (c) => {
        const fve = fveOfGrid(c.valuesByPair, c.P);
        expect(fve.byFrequency[c.k]).toBeCloseTo(1, 9);
        const group = c.operand === 'a' ? fve.byGroup.a : c.operand === 'b' ? fve.byGroup.b : fve.byGroup.sameFrequency;
        expect(group).toBeCloseTo(1, 9);
        expect(fve.perUnit.variance[0]).toBeCloseTo((c.operand === 'a' || c.operand === 'b' ? 0.5 : 0.5) * c.amplitude ** 2, 8);
      }),
      fcParams(60),
    );
  });

  it('recovers a random mix of known basis functions exactly', () => {
    fc.assert(
      fc.property(arbKnownFourierBlock({ minP: 2, maxP: 13, maxUnits: 4, maxTerms: 6 }), (known) => {
        const fve = fveOfActivations(known.valuesByPair, known.P, known.units);
        expectClose(fve.byBasisPair, known.expectedByBasisPair, 1e-9, 'byBasisPair');
        const K = fve.maxFrequency;
        const expectedByFrequency = new Float64Array(K + 1);
        let cross = 0;
        for (const pair of basisPairLabels(known.P)) {
          const share = known.expectedByBasisPair[pair.index];
          if (pair.group === 'cross-frequency') cross += share;
          else if (pair.group !== 'constant') expectedByFrequency[pair.group === 'a' ? pair.a.k : pair.b.k] += share;
        }
        expectClose(fve.byFrequency, expectedByFrequency, 1e-9, 'byFrequency');
        expect(fve.crossFrequency).toBeCloseTo(cross, 9);
      }),
      fcParams(50),
    );
  });
});

describe('fve: definitions and examples', () => {
  it('implements the registry definition', () => {
    expect(PAPER.fveDefinition.value).toBe(FVE_DEFINITION);
  });

  it('splits cos(w1(a+b)) equally between cos·cos and sin·sin (the identity of Table 3)', () => {
    const P = 23;
    const w = (2 * Math.PI) / P;
    const values = Float64Array.from({ length: P * P }, (_, i) => Math.cos(w * (Math.floor(i / P) + (i % P))));
    const fve = fveOfGrid(values, P);
    expect(fve.components[0].cosCos).toBeCloseTo(0.5, 12);
    expect(fve.components[0].sinSin).toBeCloseTo(0.5, 12);
    expect(fve.components[0].cosSin).toBeCloseTo(0, 12);
  });

  it('reports cross-frequency products apart, or split half/half', () => {
    const P = 11;
    const w = (2 * Math.PI) / P;
    const values = Float64Array.from({ length: P * P }, (_, i) => Math.cos(w * Math.floor(i / P)) * Math.sin(3 * w * (i % P)));
    const fve = fveOfGrid(values, P);
    expect(fve.crossFrequency).toBeCloseTo(1, 12);
    expect(fve.crossByPair[1 * (fve.maxFrequency + 1) + 3]).toBeCloseTo(1, 12);
    expect(fve.byFrequencySplitCross[1]).toBeCloseTo(0.5, 12);
    expect(fve.byFrequencySplitCross[3]).toBeCloseTo(0.5, 12);
    expect(fve.byFrequency[1]).toBeCloseTo(0, 12);
  });

  it('handles the Nyquist frequency of even P (cosine only)', () => {
    const P = 8;
    const values = Float64Array.from({ length: P * P }, (_, i) => (Math.floor(i / P) % 2 === 0 ? 1 : -1) + 3);
    const fve = fveOfGrid(values, P);
    expect(fve.byFrequency[4]).toBeCloseTo(1, 12);
    expect(fve.components[3].aCos).toBeCloseTo(1, 12);
  });

  it('weights units by variance, lists constant units and gives them zero rows', () => {
    const P = 5;
    const w = (2 * Math.PI) / P;
    const units = 3;
    const values = new Float64Array(P * P * units);
    for (let a = 0; a < P; a++) {
      for (let b = 0; b < P; b++) {
        const i = a * P + b;
        values[i * units] = 3 * Math.cos(w * a); // variance 4.5
        values[i * units + 1] = 7; // constant
        values[i * units + 2] = Math.sin(2 * w * b); // variance 0.5
      }
    }
    const fve = fveOfActivations(values, P, units);
    expect(fve.perUnit.constantUnits).toEqual([1]);
    expect(fve.byFrequency[1]).toBeCloseTo(0.9, 12);
    expect(fve.byFrequency[2]).toBeCloseTo(0.1, 12);
    expect(fve.totalVariance).toBeCloseTo(5, 12);
    expect(Array.from(fve.perUnit.variance)).toEqual([expect.closeTo(4.5, 12), expect.closeTo(0, 12), expect.closeTo(0.5, 12)]);
    expect(Array.from(fve.perUnit.byFrequency.slice(3, 6))).toEqual([0, 0, 0]);
    expect(Array.from(fve.perUnit.byGroup)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0].map((v) => expect.closeTo(v, 12)));
  });

  it('refuses data with no variance', () => {
    expectAnalysisError(() => fveOfActivations(new Float64Array(2 * 9).fill(0.1), 3, 2), 'zero-variance');
    expectAnalysisError(() => fveByOperand(new Float64Array(5).fill(-2), 5, 1), 'zero-variance');
    expectAnalysisError(() => fveOfActivations(new Float64Array(9), 3, 0), 'out-of-range');
  });
});

describe(seedTitle('fve: per-operand 1-D FVE'), PROPERTY, () => {
  it('gives shares summing to 1 and FVE 1 at k for a pure cosine of one operand', () => {
    const input = fc.integer({ min: 3, max: 40 }).chain((P) =>
      fc.record({
        P: fc.constant(P),
        k: fc.integer({ min: 1, max: Math.floor(P / 2) }),
        phase: fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
        noise: fc.float64Array({ min: -1, max: 1, noNaN: true, minLength: P, maxLength: P }),
      }),
    );
    fc.assert(
      fc.property(input, ({ P, k, phase, noise }) => {
        const nyquist = 2 * k === P;
        const pure = Float64Array.from({ length: P }, (_, x) => Math.cos((2 * Math.PI * ((k * x) % P)) / P + (nyquist ? 0 : phase)));
        const units = 2;
        const block = new Float64Array(P * units);
        for (let x = 0; x < P; x++) {
          block[x * units] = pure[x];
          block[x * units + 1] = noise[x];
        }
        const single = fveByOperand(pure, P, 1);
        expect(single.byFrequency[k]).toBeCloseTo(1, 10);
        if (noise.some((v) => v !== noise[0])) {
          const both = fveByOperand(block, P, units);
          expect(sum(both.byBasis)).toBeCloseTo(1, 12);
          expect(sum(both.byFrequency)).toBeCloseTo(1, 12);
          expect(both.byBasis[0]).toBe(0);
        }
      }),
      fcParams(50),
    );
  });
});
