// Principal component analysis of activations (points × features), with ml-matrix's SVD. Serves the paper's
// Figure 5: the pre-attention FFN output clusters by class while its input is entangled — seen in the PCA
// projection and scored by separability.ts.
//
// Definition: centre each feature over the points; X̃ = U·S·Vᵀ. Components are the rows of Vᵀ (unit
// vectors in feature space, sign fixed so that each component's largest-magnitude entry is positive);
// explained variance_i = s_i²/(n − 1) (sample variance); ratio_i = s_i² / Σ_j s_j²; projected = X̃·V.
// At most min(n − 1, features) components exist (centring removes one degree of freedom). Data are scaled
// to a largest |value| of 1 and negligible entries (< 1e-200) flushed to 0 before the SVD.

import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { MAX_COUNT, fail, flushNegligible, maxAbs, requireBlock, requireInteger, requireOptions } from './validate.ts';

export interface PcaResult {
  /** Number of points (rows). */
  readonly points: number;
  /** Number of features (columns). */
  readonly features: number;
  /** Number of components m returned. */
  readonly components: number;
  /** [features]: the per-feature mean that was subtracted. */
  readonly mean: Float64Array;
  /** [m, features] row-major: unit principal directions, by decreasing variance. */
  readonly directions: Float64Array;
  /** [m]: variance along each direction (sample variance, n − 1). */
  readonly explainedVariance: Float64Array;
  /** [m]: share of the total variance along each direction. */
  readonly explainedVarianceRatio: Float64Array;
  /** Total variance Σ over features of the sample variance. */
  readonly totalVariance: number;
  /** [points, m] row-major: coordinates of the centred points on the directions. */
  readonly projected: Float64Array;
}

/**
 * PCA of `valuesByPoint` [points, features] row-major. `options.components` (default: all,
 * min(points − 1, features)) limits how many directions are returned.
 */
export function pca(valuesByPoint: ArrayLike<number>, points: number, features: number, options?: { components?: number }): PcaResult {
  const fn = 'pca';
  const n = requireInteger(points, `${fn}: points`, 2, MAX_COUNT);
  const d = requireInteger(features, `${fn}: features`, 1, MAX_COUNT);
  if (n * d > 1 << 24) fail('out-of-range', `${fn}: [${n}, ${d}] is larger than the supported ${1 << 24} values`);
  const raw = requireBlock(valuesByPoint, `${fn}: valuesByPoint`, n, d, '[points, features]');
  const opts = requireOptions<{ components: number }>(options, `${fn}: options`);
  const available = Math.min(n - 1, d);
  const m = requireInteger(opts.components ?? available, `${fn}: options.components`, 1, available);

  const scale = maxAbs(raw);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += raw[i * d + j] / n;
  const centred = new Matrix(n, d);
  let totalSquares = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const x = scale > 0 ? flushNegligible((raw[i * d + j] - mean[j]) / scale) : 0;
      centred.set(i, j, x);
      totalSquares += x * x;
    }
  }
  if (!(totalSquares > 1e-24 * n * d)) fail('zero-variance', `${fn}: all ${n} points are identical; principal directions are undefined`);

  const svd = new SingularValueDecomposition(centred, { autoTranspose: true, computeLeftSingularVectors: false });
  const singular = svd.diagonal;
  const V = svd.rightSingularVectors; // [d, r]
  const directions = new Float64Array(m * d);
  const explainedVariance = new Float64Array(m);
  const explainedVarianceRatio = new Float64Array(m);
  for (let c = 0; c < m; c++) {
    let peak = 0;
    for (let j = 0; j < d; j++) if (Math.abs(V.get(j, c)) > Math.abs(peak)) peak = V.get(j, c);
    const sign = peak < 0 ? -1 : 1;
    for (let j = 0; j < d; j++) directions[c * d + j] = sign * V.get(j, c);
    const s2 = (singular[c] ?? 0) ** 2;
    explainedVariance[c] = (s2 * scale * scale) / (n - 1);
    explainedVarianceRatio[c] = Math.min(1, s2 / totalSquares);
  }
  const projected = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < m; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += centred.get(i, j) * directions[c * d + j];
      projected[i * m + c] = s * scale;
    }
  }
  return {
    points: n,
    features: d,
    components: m,
    mean,
    directions,
    explainedVariance,
    explainedVarianceRatio,
    totalVariance: (totalSquares * scale * scale) / (n - 1),
    projected,
  };
}
