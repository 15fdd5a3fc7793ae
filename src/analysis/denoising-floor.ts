// Reference levels for the training loss (paper Sec. 2 and 3, Figures 2 and 4): the x0-loss that the best
// affine denoiser reaches, with and without knowing which symbol c is. They say what a loss curve means
// where accuracy alone cannot: a model whose loss sits at the operand-blind level denoises c as a linear
// filter of x_t and uses neither the operands nor any class structure (the N = 256 loss plateau); a model
// that computes c and denoises affinely within the class reaches the c-aware level; with N = 1 that level
// is 0 (each symbol is one image).
//
// Definitions. Training draws t ~ U(0, 1), ε ~ N(0, I) and a target x0 from a distribution with mean μ and
// covariance C, forms x_t = (1 − t)·x0 + t·ε and scores x̂0 by the mean over the `dims` coordinates of
// (x̂0 − x0)². The best affine estimator of x0 from x_t (the linear MMSE estimator) depends only on μ and C;
// along an eigen-direction of C with variance λ its expected squared error at level t is
//   e(λ, t) = λ·t² / ((1 − t)²·λ + t²),
// exact for any distribution with that mean and covariance (not a Gaussian approximation). Averaged over t:
//   L(λ) = ∫₀¹ e(λ, t) dt = λ/(λ+1) · [1 − λ/(λ+1)·ln λ + (λ − 1)·√λ·π / (2(λ + 1))],   L(0) = 0.
// The loss reference is (1/dims)·Σ_i L(λ_i) over C's eigenvalues.
//   operand-blind: C is the covariance of the target images as training draws them (class k with weight
//     w_k, then one of its images uniformly): what a model reaches that ignores a and b and the class.
//   c-aware: Σ_k w_k · (1/dims)·Σ_i L(λ_i^(k)), with C_k the covariance of class k's images alone.
// A nonlinear model can go below either level (for instance by recalling its training images); they are
// references for reading the loss, not lower bounds. Covariances are population covariances (divide by n).

import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { MAX_COUNT, fail, flushNegligible, maxAbs, requireBlock, requireFiniteArray, requireInteger, requireLabels, requireNumber } from './validate.ts';

/** Expected squared error of the best affine estimate of one coordinate with variance λ at noise level t. */
export function affineDenoisingError(variance: number, t: number): number {
  const lambda = requireNumber(variance, 'affineDenoisingError: variance', { min: 0 });
  const level = requireNumber(t, 'affineDenoisingError: t', { min: 0, max: 1 });
  if (lambda === 0 || level === 0) return 0;
  return (lambda * level * level) / ((1 - level) ** 2 * lambda + level * level);
}

/** ∫₀¹ affineDenoisingError(λ, t) dt in closed form (see the module comment). */
export function affineDenoisingLossOfVariance(variance: number): number {
  const lambda = requireNumber(variance, 'affineDenoisingLossOfVariance: variance', { min: 0 });
  if (lambda === 0) return 0;
  const share = lambda / (lambda + 1);
  // (λ − 1)/(λ + 1) first, so that a huge variance does not overflow in (λ − 1)·√λ.
  return share * (1 - share * Math.log(lambda) + (((lambda - 1) / (lambda + 1)) * Math.sqrt(lambda) * Math.PI) / 2);
}

/**
 * Per-coordinate x0-loss of the best affine denoiser under t ~ U(0, 1), for a covariance with the given
 * eigenvalues over `dims` coordinates (eigenvalues not listed are 0). Eigenvalues within −1e-9·max of 0 (the
 * rounding of an eigen-solver) count as 0; more negative ones are an error.
 */
export function affineDenoisingLoss(eigenvalues: ArrayLike<number>, dims: number): number {
  const d = requireInteger(dims, 'affineDenoisingLoss: dims', 1, MAX_COUNT);
  const values = requireFiniteArray(eigenvalues, 'affineDenoisingLoss: eigenvalues', { minLength: 0, maxLength: d });
  let largest = 0;
  for (const v of values) largest = Math.max(largest, v);
  let sum = 0;
  values.forEach((v, i) => {
    if (v < -1e-9 * Math.max(largest, 1e-300)) {
      fail('out-of-range', `affineDenoisingLoss: eigenvalues[${i}] = ${v} is negative; a covariance has none`);
    }
    sum += affineDenoisingLossOfVariance(Math.max(0, v));
  });
  return sum / d;
}

/**
 * Eigenvalues (descending, non-negative) of the weighted population covariance Σ_r ω_r·(x_r − μ)(x_r − μ)ᵀ of
 * `rows` points in `dims` coordinates, μ = Σ_r ω_r·x_r, Σ_r ω_r = 1 (equal weights when omitted). Works on the
 * smaller of the dims × dims covariance and the rows × rows Gram matrix, which share their non-zero eigenvalues.
 */
export function covarianceEigenvalues(valuesByRow: ArrayLike<number>, rows: number, dims: number, weights?: ArrayLike<number>): Float64Array {
  const fn = 'covarianceEigenvalues';
  const n = requireInteger(rows, `${fn}: rows`, 1, MAX_COUNT);
  const d = requireInteger(dims, `${fn}: dims`, 1, MAX_COUNT);
  const x = requireBlock(valuesByRow, `${fn}: valuesByRow`, n, d, '[rows, dims]');
  const w =
    weights === undefined
      ? new Float64Array(n).fill(1 / n)
      : normalised(requireFiniteArray(weights, `${fn}: weights`, { length: n, shape: `[rows] = [${n}]` }), `${fn}: weights`);
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) mean[j] += w[r] * x[r * d + j];
  // Centred rows scaled by √ω: Y = diag(√ω)(X − 1μᵀ), covariance = YᵀY, Gram = YYᵀ.
  for (let r = 0; r < n; r++) {
    const s = Math.sqrt(w[r]);
    for (let j = 0; j < d; j++) x[r * d + j] = s * (x[r * d + j] - mean[j]);
  }
  // ml-matrix's eigen-solver fails on subnormal entries (see pca.ts): scale to a largest |value| of 1 and flush
  // negligible entries; eigenvalues scale back by scale².
  const scale = maxAbs(x);
  if (scale === 0) return new Float64Array(Math.min(n, d));
  for (let i = 0; i < x.length; i++) x[i] = flushNegligible(x[i] / scale);
  const side = Math.min(n, d);
  const m = new Float64Array(side * side);
  if (n <= d) {
    for (let a = 0; a < n; a++) {
      for (let b = a; b < n; b++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += x[a * d + j] * x[b * d + j];
        m[a * n + b] = s;
        m[b * n + a] = s;
      }
    }
  } else {
    for (let r = 0; r < n; r++) {
      const o = r * d;
      for (let a = 0; a < d; a++) {
        const ya = x[o + a];
        if (ya === 0) continue;
        for (let b = a; b < d; b++) m[a * d + b] += ya * x[o + b];
      }
    }
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) m[a * d + b] = m[b * d + a];
  }
  const rowsOfM: number[][] = [];
  for (let a = 0; a < side; a++) rowsOfM.push(Array.from(m.subarray(a * side, (a + 1) * side)));
  const eig = new EigenvalueDecomposition(new Matrix(rowsOfM), { assumeSymmetric: true });
  return Float64Array.from(eig.realEigenvalues, (v) => Math.max(0, v) * scale * scale)
    .sort()
    .reverse();
}

/** Non-negative weights (already checked finite), divided by their sum; `name` is how errors call them. */
function normalised(w: Float64Array, name: string): Float64Array {
  let total = 0;
  w.forEach((v, i) => {
    if (v < 0) fail('out-of-range', `${name}[${i}] = ${v}; weights must be non-negative`);
    total += v;
  });
  if (!(total > 0)) fail('zero-variance', `${name}: the weights sum to 0`);
  return w.map((v) => v / total);
}

export interface DenoisingLossReferences {
  /** Loss of the best affine denoiser that ignores the operands and the class of c. */
  readonly operandBlind: number;
  /** Loss of a model that knows c and denoises affinely within its class (Σ_k w_k · class loss). */
  readonly cAware: number;
  /** Per-class affine loss in label order 0..classes−1 (null for a class with weight 0, which is not computed). */
  readonly byClass: ReadonlyArray<number | null>;
  readonly classes: number;
  readonly dims: number;
}

/**
 * The two loss references of a training set: target images `imagesByRow` [rows, dims] with the class of
 * each row, and the share w_k of training examples whose target is class k (`classWeights`, [classes],
 * normalised here). Within a class every image is equally likely, as in training.
 */
export function denoisingLossReferences(
  imagesByRow: ArrayLike<number>,
  rows: number,
  dims: number,
  classOfRow: ArrayLike<number>,
  classWeights: ArrayLike<number>,
): DenoisingLossReferences {
  const fn = 'denoisingLossReferences';
  const n = requireInteger(rows, `${fn}: rows`, 1, MAX_COUNT);
  const d = requireInteger(dims, `${fn}: dims`, 1, MAX_COUNT);
  const images = requireBlock(imagesByRow, `${fn}: imagesByRow`, n, d, '[rows, dims]');
  const labels = requireLabels(classOfRow, `${fn}: classOfRow`, n);
  const weights = normalised(requireFiniteArray(classWeights, `${fn}: classWeights`), `${fn}: classWeights`);
  const K = weights.length;
  const members: number[][] = Array.from({ length: K }, () => []);
  labels.forEach((k, r) => {
    if (k >= K) fail('out-of-range', `${fn}: classOfRow[${r}] = ${k}, but classWeights has only ${K} classes`);
    members[k].push(r);
  });
  const rowWeight = new Float64Array(n);
  const byClass = new Array<number | null>(K).fill(null);
  let cAware = 0;
  for (let k = 0; k < K; k++) {
    if (weights[k] === 0) continue;
    if (members[k].length === 0) fail('too-few-points', `${fn}: class ${k} has weight ${weights[k]} but no image`);
    const block = new Float64Array(members[k].length * d);
    members[k].forEach((r, i) => {
      block.set(images.subarray(r * d, (r + 1) * d), i * d);
      rowWeight[r] = weights[k] / members[k].length;
    });
    const loss = affineDenoisingLoss(covarianceEigenvalues(block, members[k].length, d), d);
    byClass[k] = loss;
    cAware += weights[k] * loss;
  }
  const operandBlind = affineDenoisingLoss(covarianceEigenvalues(images, n, d, rowWeight), d);
  return { operandBlind, cAware, byClass, classes: K, dims: d };
}
