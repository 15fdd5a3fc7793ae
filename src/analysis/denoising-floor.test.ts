// Tests of the loss references (denoising-floor.ts, paper Sec. 2-3): the closed-form t-integral against
// quadrature, the affine-denoiser loss against a Monte-Carlo run of the estimator itself, the two ways of
// computing covariance eigenvalues against ml-matrix on the explicit covariance, the order blind ≥ c-aware,
// and bad input.

import fc from 'fast-check';
import { EigenvalueDecomposition, Matrix, inverse } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { fcParams, seedTitle, PROPERTY } from '../../test-support/fc.ts';
import { rootRng } from '../engine/random.ts';
import { affineDenoisingError, affineDenoisingLoss, affineDenoisingLossOfVariance, covarianceEigenvalues, denoisingLossReferences } from './denoising-floor.ts';
import { expectAnalysisError } from '../../test-support/analysis-assert.ts';

/** Composite Simpson rule with 2·m intervals. */
function simpson(f: (t: number) => number, m = 20000): number {
  const h = 1 / (2 * m);
  let s = f(0) + f(1);
  for (let i = 1; i < 2 * m; i++) s += (i % 2 ? 4 : 2) * f(i * h);
  return (s * h) / 3;
}

const arbRows = fc.record({ n: fc.integer({ min: 2, max: 12 }), d: fc.integer({ min: 1, max: 6 }) }).chain(({ n, d }) =>
  fc.record({
    n: fc.constant(n),
    d: fc.constant(d),
    values: fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: n * d, maxLength: n * d }).map((v) => Float64Array.from(v, (x) => x / 500)),
  }),
);

function explicitCovariance(values: Float64Array, n: number, d: number): number[][] {
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) mean[j] += values[r * d + j] / n;
  const c = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let r = 0; r < n; r++)
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) c[a][b] += ((values[r * d + a] - mean[a]) * (values[r * d + b] - mean[b])) / n;
  return c;
}

describe('affine denoising error and its t-integral', () => {
  it('is 0 without variance or noise, and e(1, t) + e(1, 1 − t) = 1', () => {
    expect(affineDenoisingError(0, 0.5)).toBe(0);
    expect(affineDenoisingError(2, 0)).toBe(0);
    expect(affineDenoisingError(2, 1)).toBe(2); // pure noise: the estimate is the mean, the error the variance
    for (const t of [0.1, 0.3, 0.5, 0.77]) expect(affineDenoisingError(1, t) + affineDenoisingError(1, 1 - t)).toBeCloseTo(1, 14);
    expect(affineDenoisingLossOfVariance(1)).toBeCloseTo(0.5, 14);
    expect(affineDenoisingLossOfVariance(0)).toBe(0);
  });
});

describe(seedTitle('affine denoising loss: properties'), PROPERTY, () => {
  it('the closed form equals Simpson quadrature of the error over t ∈ [0, 1]', () => {
    fc.assert(
      fc.property(fc.double({ min: -6, max: 4, noNaN: true }), (log10) => {
        const lambda = 10 ** log10;
        const exact = affineDenoisingLossOfVariance(lambda);
        const numeric = simpson((t) => affineDenoisingError(lambda, t));
        expect(Math.abs(exact - numeric)).toBeLessThanOrEqual(1e-6 * Math.max(exact, 1e-6));
      }),
      fcParams(60),
    );
  });

  it('is increasing in the variance and below it', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-4, max: 1e3, noNaN: true }), fc.double({ min: 1.01, max: 10, noNaN: true }), (lambda, factor) => {
        expect(affineDenoisingLossOfVariance(lambda * factor)).toBeGreaterThan(affineDenoisingLossOfVariance(lambda));
        expect(affineDenoisingLossOfVariance(lambda)).toBeLessThan(lambda);
      }),
      fcParams(100),
    );
  });

  it('covariance eigenvalues match ml-matrix on the explicit covariance (Gram and covariance sides)', () => {
    fc.assert(
      fc.property(arbRows, ({ n, d, values }) => {
        const got = covarianceEigenvalues(values, n, d);
        const want = Array.from(new EigenvalueDecomposition(new Matrix(explicitCovariance(values, n, d)), { assumeSymmetric: true }).realEigenvalues)
          .map((v) => Math.max(0, v))
          .sort((x, y) => y - x);
        expect(got.length).toBe(Math.min(n, d));
        for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-10 * Math.max(1, want[0]));
        for (let i = got.length; i < want.length; i++) expect(want[i]).toBeLessThan(1e-10 * Math.max(1, want[0]));
      }),
      fcParams(80),
    );
  });

  it('a row of weight 2 counts as the row twice', () => {
    fc.assert(
      fc.property(arbRows, ({ n, d, values }) => {
        const weights = Array.from({ length: n }, (_, r) => (r === 0 ? 2 : 1));
        const doubled = new Float64Array((n + 1) * d);
        doubled.set(values);
        doubled.set(values.subarray(0, d), n * d);
        const a = affineDenoisingLoss(covarianceEigenvalues(values, n, d, weights), d);
        const b = affineDenoisingLoss(covarianceEigenvalues(doubled, n + 1, d), d);
        expect(Math.abs(a - b)).toBeLessThan(1e-10 * Math.max(1, a));
      }),
      fcParams(60),
    );
  });

  it('the operand-blind reference is never below the c-aware one, and one image per class makes c-aware 0', () => {
    fc.assert(
      fc.property(arbRows, fc.integer({ min: 1, max: 4 }), ({ n, d, values }, K) => {
        const classes = Math.min(K, n);
        const labels = Array.from({ length: n }, (_, r) => r % classes);
        const refs = denoisingLossReferences(values, n, d, labels, new Array(classes).fill(1));
        expect(refs.operandBlind).toBeGreaterThanOrEqual(refs.cAware - 1e-12);
        const single = denoisingLossReferences(
          values,
          n,
          d,
          Array.from({ length: n }, (_, r) => r),
          new Array(n).fill(1),
        );
        expect(single.cAware).toBe(0);
      }),
      fcParams(60),
    );
  });
});

describe('affine denoising loss against a Monte-Carlo run of the estimator', () => {
  it('agrees within four standard errors on a correlated 3-D data set', () => {
    const rng = rootRng(7);
    const n = 40;
    const d = 3;
    const values = new Float64Array(n * d);
    const z = rng.normalArray(n * d);
    for (let r = 0; r < n; r++) {
      values[r * d] = 1.5 * z[r * d];
      values[r * d + 1] = 0.8 * z[r * d] + 0.3 * z[r * d + 1];
      values[r * d + 2] = 0.05 * z[r * d + 2] + 0.5;
    }
    const c = new Matrix(explicitCovariance(values, n, d));
    const mean = [0, 1, 2].map((j) => values.filter((_, i) => i % d === j).reduce((s, v) => s + v, 0) / n);
    const draws = 20000;
    const ts = rng.fork('t').uniformArray(draws);
    const rows = rng.fork('row').uniformArray(draws);
    const eps = rng.fork('eps').normalArray(draws * d);
    let sum = 0;
    let sumSq = 0;
    for (let s = 0; s < draws; s++) {
      const t = Math.max(1e-6, ts[s]);
      const r = Math.floor(rows[s] * n);
      const x0 = [0, 1, 2].map((j) => values[r * d + j]);
      const xt = x0.map((v, j) => (1 - t) * v + t * eps[s * d + j]);
      // x̂0 = μ + (1 − t)·C·((1 − t)²C + t²I)⁻¹·(x_t − (1 − t)μ)
      const gain = c.mmul(inverse(Matrix.add(Matrix.mul(c, (1 - t) ** 2), Matrix.eye(d).mul(t * t)))).mul(1 - t);
      const resid = Matrix.columnVector(xt.map((v, j) => v - (1 - t) * mean[j]));
      const est = gain
        .mmul(resid)
        .to1DArray()
        .map((v, j) => v + mean[j]);
      const err = est.reduce((acc, v, j) => acc + (v - x0[j]) ** 2, 0) / d;
      sum += err;
      sumSq += err * err;
    }
    const mc = sum / draws;
    const se = Math.sqrt((sumSq / draws - mc * mc) / draws);
    const exact = affineDenoisingLoss(covarianceEigenvalues(values, n, d), d);
    expect(Math.abs(mc - exact)).toBeLessThan(4 * se);
  });
});

function expectError(call: () => unknown, code: string, message: RegExp): void {
  expect(expectAnalysisError(call, code).message).toMatch(message);
}

describe('loss references: bad input names the argument', () => {
  it('rejects shapes, labels and weights', () => {
    expectError(() => covarianceEigenvalues([1, 2, 3], 2, 2), 'length-mismatch', /valuesByRow/);
    expectError(() => covarianceEigenvalues([1, 2, 3, 4], 2, 2, [0, 0]), 'zero-variance', /weights sum to 0/);
    expectError(() => covarianceEigenvalues([1, 2, 3, 4], 2, 2, [1, -1]), 'out-of-range', /weights\[1\]/);
    expectError(() => affineDenoisingLoss([1, -1], 2), 'out-of-range', /eigenvalues\[1\]/);
    expectError(() => affineDenoisingLoss([1, 1, 1], 2), 'out-of-range', /eigenvalues/);
    expectError(() => denoisingLossReferences([1, 2, 3, 4], 2, 2, [0, 3], [1, 1]), 'out-of-range', /classOfRow\[1\] = 3/);
    expectError(() => denoisingLossReferences([1, 2, 3, 4], 2, 2, [0, 0], [1, 1]), 'too-few-points', /class 1/);
    expectError(() => denoisingLossReferences([1, 2, 3, Number.NaN], 2, 2, [0, 1], [1, 1]), 'non-finite', /imagesByRow\[3\]/);
  });
  it('all-equal rows have no variance and a loss of 0', () => {
    expect(affineDenoisingLoss(covarianceEigenvalues([1, 2, 1, 2], 2, 2), 2)).toBe(0);
  });
});
