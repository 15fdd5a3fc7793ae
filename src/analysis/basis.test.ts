// Tests of the real Fourier basis of Z_P (basis.ts): orthonormality for every P in 2..64, labels, and the
// DFT-based coefficient maps against dense projections on the basis vectors.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams, seedTitle, PROPERTY } from '../../test-support/fc.ts';
import {
  angularFrequency,
  basisLabels,
  basisPairLabels,
  fourierBasis,
  fourierBasis2dVector,
  maxFrequency,
  realFourierCoefficients,
  realFourierCoefficients2dBlock,
  realFourierCoefficientsBlock,
} from './basis.ts';
import { arbSignal } from '../../test-support/analysis-arbitraries.ts';
import { expectAnalysisError, expectClose } from '../../test-support/analysis-assert.ts';

describe('basis: orthonormality and labels', () => {
  it('is orthonormal for every P in 2..64', () => {
    for (let P = 2; P <= 64; P++) {
      const { vectors } = fourierBasis(P);
      let worst = 0;
      for (let i = 0; i < P; i++) {
        for (let j = i; j < P; j++) {
          let dot = 0;
          for (let x = 0; x < P; x++) dot += vectors[i * P + x] * vectors[j * P + x];
          worst = Math.max(worst, Math.abs(dot - (i === j ? 1 : 0)));
        }
      }
      expect(worst, `P = ${P}`).toBeLessThan(1e-12);
    }
  });

  it('labels const, cos/sin for k < P/2 and the Nyquist cosine for even P', () => {
    for (const P of [2, 3, 10, 23, 24]) {
      const labels = basisLabels(P);
      expect(labels).toHaveLength(P);
      expect(labels.map((l) => l.index)).toEqual(Array.from({ length: P }, (_, i) => i));
      expect(labels.filter((l) => l.kind === 'sin')).toHaveLength(Math.floor((P - 1) / 2));
      expect(labels.filter((l) => l.nyquist)).toHaveLength(P % 2 === 0 ? 1 : 0);
      expect(Math.max(...labels.map((l) => l.k))).toBe(maxFrequency(P));
    }
    expect(basisLabels(5).map((l) => l.name)).toEqual(['const', 'cos(w1·x)', 'sin(w1·x)', 'cos(w2·x)', 'sin(w2·x)']);
    expect(basisLabels(4)[3]).toMatchObject({ kind: 'cos', k: 2, nyquist: true });
  });

  it('groups the 2-D product basis into constant, a, b, same- and cross-frequency', () => {
    for (const P of [5, 6, 23]) {
      const pairs = basisPairLabels(P);
      const count = (g: string) => pairs.filter((p) => p.group === g).length;
      const K = Math.floor(P / 2);
      const perFrequency = (k: number) => (P % 2 === 0 && k === K ? 1 : 2);
      let same = 0;
      for (let k = 1; k <= K; k++) same += perFrequency(k) ** 2;
      expect(count('constant')).toBe(1);
      expect(count('a')).toBe(P - 1);
      expect(count('b')).toBe(P - 1);
      expect(count('same-frequency')).toBe(same);
      expect(count('cross-frequency')).toBe((P - 1) ** 2 - same);
    }
    const cc = basisPairLabels(7).find((p) => p.a.index === 1 && p.b.index === 2)!;
    expect(cc).toMatchObject({ group: 'same-frequency', type: 'cos-sin', name: 'cos(w1·a)·sin(w1·b)' });
  });

  it('computes w_k = 2πk/P and rejects a non-integer k', () => {
    expect(angularFrequency(3, 23)).toBeCloseTo((2 * Math.PI * 3) / 23, 15);
    expectAnalysisError(() => angularFrequency(1.5, 23), 'not-an-integer');
    expectAnalysisError(() => fourierBasis(1), 'out-of-range');
    expectAnalysisError(() => fourierBasis2dVector(5, 5, 0), 'out-of-range');
  });
});

describe(seedTitle('basis: coefficients equal dense projections'), PROPERTY, () => {
  const withP = (rowsOf: (P: number) => number, maxUnits: number) =>
    fc
      .record({ P: fc.integer({ min: 2, max: 13 }), units: fc.integer({ min: 1, max: maxUnits }) })
      .chain(({ P, units }) => fc.record({ P: fc.constant(P), units: fc.constant(units), values: arbSignal(rowsOf(P) * units, rowsOf(P) * units) }));

  it('1-D: realFourierCoefficients(Block) = ⟨x, φ_i⟩', () => {
    fc.assert(
      fc.property(
        withP((P) => P, 4),
        ({ P, units, values }) => {
          const { vectors } = fourierBasis(P);
          const block = realFourierCoefficientsBlock(values, P, units);
          for (let u = 0; u < units; u++) {
            const x = Float64Array.from({ length: P }, (_, r) => values[r * units + u]);
            const expected = Float64Array.from({ length: P }, (_, i) => x.reduce((s, v, r) => s + v * vectors[i * P + r], 0));
            expectClose(realFourierCoefficients(x, P), expected, 1e-10, 'single');
            expectClose(
              Float64Array.from({ length: P }, (_, i) => block[i * units + u]),
              expected,
              1e-10,
              'block',
            );
          }
        },
      ),
      fcParams(40),
    );
  });

  it('2-D: realFourierCoefficients2dBlock = ⟨x, φ_i(a)·φ_j(b)⟩', () => {
    fc.assert(
      fc.property(
        withP((P) => P * P, 3),
        ({ P, units, values }) => {
          const coefficients = realFourierCoefficients2dBlock(values, P, units);
          for (let i = 0; i < P; i++) {
            for (let j = 0; j < P; j++) {
              const vector = fourierBasis2dVector(P, i, j);
              for (let u = 0; u < units; u++) {
                let dot = 0;
                for (let c = 0; c < P * P; c++) dot += vector[c] * values[c * units + u];
                expect(Math.abs(coefficients[(i * P + j) * units + u] - dot)).toBeLessThan(1e-9);
              }
            }
          }
        },
      ),
      fcParams(25),
    );
  });
});
