// Tests of PCA (pca.ts, paper Figure 5): against the eigen-decomposition of the sample covariance,
// orthonormal directions, reconstruction from the projections, sign convention, and degenerate input.

import fc from 'fast-check';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { fcParams, seedTitle, PROPERTY } from '../../test-support/fc.ts';
import { pca } from './pca.ts';
import { expectAnalysisError } from '../../test-support/analysis-assert.ts';

// Values on a 1/100 grid: the reference (ml-matrix's EigenvalueDecomposition) crashes on subnormal input;
// pca itself meets subnormal values in the fuzz tests.
const arbPoints = fc
  .record({ n: fc.integer({ min: 2, max: 20 }), d: fc.integer({ min: 1, max: 6 }) })
  .chain(({ n, d }) =>
    fc.record({
      n: fc.constant(n),
      d: fc.constant(d),
      values: fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: n * d, maxLength: n * d }).map((v) => Float64Array.from(v, (x) => x / 100)),
    }),
  )
  .filter(({ values }) => Math.max(...values) - Math.min(...values) > 1e-3);

describe(seedTitle('pca: properties'), PROPERTY, () => {
  it('matches the covariance eigenvalues, with orthonormal directions and exact reconstruction', () => {
    fc.assert(
      fc.property(arbPoints, ({ n, d, values }) => {
        const r = pca(values, n, d);
        const m = r.components;
        expect(m).toBe(Math.min(n - 1, d));
        const X = new Matrix(n, d);
        for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) X.set(i, j, values[i * d + j] - r.mean[j]);
        const cov = X.transpose()
          .mmul(X)
          .div(n - 1);
        const eig = new EigenvalueDecomposition(cov, { assumeSymmetric: true }).realEigenvalues.sort((a, b) => b - a);
        const scale = 1 + eig[0];
        for (let c = 0; c < m; c++) expect(Math.abs(r.explainedVariance[c] - eig[c])).toBeLessThan(1e-9 * scale);
        const trace = eig.reduce((s, v) => s + Math.max(v, 0), 0);
        expect(r.totalVariance).toBeCloseTo(trace, 8);
        for (let c = 0; c < m; c++) {
          for (let e = c; e < m; e++) {
            let dot = 0;
            for (let j = 0; j < d; j++) dot += r.directions[c * d + j] * r.directions[e * d + j];
            if (r.explainedVariance[c] > 1e-9 * scale && r.explainedVariance[e] > 1e-9 * scale) expect(dot).toBeCloseTo(c === e ? 1 : 0, 9);
          }
        }
        // all components present → the projections reconstruct the centred data
        if (m === d) {
          for (let i = 0; i < n; i++) {
            for (let j = 0; j < d; j++) {
              let v = 0;
              for (let c = 0; c < m; c++) v += r.projected[i * m + c] * r.directions[c * d + j];
              expect(v).toBeCloseTo(X.get(i, j), 8);
            }
          }
        }
        const ratioSum = Array.from(r.explainedVarianceRatio).reduce((s, v) => s + v, 0);
        expect(ratioSum).toBeLessThanOrEqual(1 + 1e-9);
      }),
      fcParams(50),
    );
  });
});

describe('pca: examples', () => {
  it('finds the line that points lie on, with a positive sign convention', () => {
    const values = new Float64Array(10 * 3);
    for (let i = 0; i < 10; i++) {
      values[i * 3] = -i;
      values[i * 3 + 1] = -2 * i;
      values[i * 3 + 2] = 5;
    }
    const r = pca(values, 10, 3, { components: 1 });
    expect(r.explainedVarianceRatio[0]).toBeCloseTo(1, 12);
    const inv = 1 / Math.sqrt(5);
    expect(Array.from(r.directions)).toEqual([expect.closeTo(inv, 12), expect.closeTo(2 * inv, 12), expect.closeTo(0, 12)]);
  });

  it('stays accurate when the data hold subnormal values (ml-matrix SVD loses digits on them)', () => {
    const s = 0.013722126929674101;
    const values = Float64Array.from([0, 0, 0, 0, 0, 0, 0, s, 1.5e-323, 0, 0, 0, 5e-324, 0, 0, 0]);
    const r = pca(values, 4, 4);
    expect(Math.abs(r.explainedVariance[0] / ((s * s) / 4) - 1)).toBeLessThan(1e-12);
  });

  it('handles more features than points', () => {
    const values = Float64Array.from({ length: 4 * 30 }, (_, i) => Math.sin(i * 1.7));
    const r = pca(values, 4, 30);
    expect(r.components).toBe(3);
    expect(Array.from(r.explainedVarianceRatio).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 10);
  });

  it('rejects identical points and too few points', () => {
    expectAnalysisError(() => pca(new Float64Array(6).fill(2), 3, 2), 'zero-variance');
    expectAnalysisError(() => pca([1, 2], 1, 2), 'out-of-range');
    expectAnalysisError(() => pca([1, 2, 3, 4], 2, 2, { components: 2 }), 'out-of-range');
  });
});
