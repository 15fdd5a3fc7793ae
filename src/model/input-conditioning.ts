// Operand conditioning before the patch embedding (issue 27; the paper is silent on it, so every treatment is
// our choice, registry `inputConditioning`): the statistics each treatment needs, computed once from the run's
// training operand images on the host and kept as buffers of the model (input_cond.*, never trained or decayed),
// and how a batch of operand images is transformed with them. Every treatment is an affine map of the pixels,
// so it changes nothing the model can represent (W·(A·x + m) + b is another patch embedding): it changes what
// weight decay and the optimiser see — the geometry in which a periodic embedding of the symbols is cheap.

import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { ModelError } from '../errors.ts';
import type { InputConditioning } from './config.ts';

/** Floor added to each pixel's variance ('standardised'), in squared pixel units of the [−1, 1] range. */
export const STANDARDISE_VARIANCE_FLOOR = 1e-2;
/** ZCA regulariser: ε = this × the mean non-zero eigenvalue of the operand covariance. */
export const ZCA_RELATIVE_EPSILON = 1e-2;

/** The buffer names and shapes a treatment needs (pixels = S·S). */
export function conditioningBufferShapes(kind: InputConditioning | undefined, pixels: number): { name: string; shape: number[] }[] {
  switch (kind) {
    case undefined:
    case 'unit':
      return [];
    case 'centered':
      return [{ name: 'input_cond.mean', shape: [pixels] }];
    case 'standardised':
      return [
        { name: 'input_cond.mean', shape: [pixels] },
        { name: 'input_cond.scale', shape: [pixels] },
      ];
    case 'zca':
      return [
        { name: 'input_cond.mean', shape: [pixels] },
        { name: 'input_cond.whiten', shape: [pixels, pixels] },
      ];
  }
}

/** Per-pixel mean of `images` [rows, pixels]. */
export function pixelMean(images: Float32Array, pixels: number): Float64Array {
  const rows = checkImages(images, pixels);
  const mean = new Float64Array(pixels);
  for (let r = 0; r < rows; r++) for (let j = 0; j < pixels; j++) mean[j] += images[r * pixels + j];
  for (let j = 0; j < pixels; j++) mean[j] /= rows;
  return mean;
}

function checkImages(images: Float32Array, pixels: number): number {
  if (pixels < 1 || images.length === 0 || images.length % pixels !== 0) {
    throw new ModelError('input-conditioning', `input conditioning needs the training operand images as [rows, ${pixels}], got ${images.length} values`);
  }
  return images.length / pixels;
}

/**
 * The buffers of a treatment from the training operand images [rows, pixels] (rows = P·N). ZCA:
 * W = U (Λ + ε)^(−1/2) Uᵀ over the covariance's eigenvectors, with ε^(−1/2) on the directions the training
 * images do not span; computed through the rows × rows Gram matrix when there are fewer images than pixels.
 */
export function conditioningBuffers(kind: InputConditioning | undefined, images: Float32Array, pixels: number): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  if (kind === undefined || kind === 'unit') return out;
  const mean = pixelMean(images, pixels);
  out.set('input_cond.mean', Float32Array.from(mean));
  if (kind === 'centered') return out;
  const rows = images.length / pixels;
  if (kind === 'standardised') {
    const scale = new Float32Array(pixels);
    for (let j = 0; j < pixels; j++) {
      let v = 0;
      for (let r = 0; r < rows; r++) v += (images[r * pixels + j] - mean[j]) ** 2;
      scale[j] = 1 / Math.sqrt(v / rows + STANDARDISE_VARIANCE_FLOOR);
    }
    out.set('input_cond.scale', scale);
    return out;
  }
  out.set('input_cond.whiten', zcaMatrix(images, mean, pixels));
  return out;
}

/** The ZCA whitening matrix [pixels, pixels] (symmetric), row-major. */
function zcaMatrix(images: Float32Array, mean: Float64Array, pixels: number): Float32Array {
  const rows = images.length / pixels;
  const X = new Matrix(rows, pixels);
  for (let r = 0; r < rows; r++) for (let j = 0; j < pixels; j++) X.set(r, j, images[r * pixels + j] - mean[j]);
  // Eigenvectors U [pixels, k] and eigenvalues λ of the covariance XᵀX / rows, for its non-zero part.
  let U: Matrix;
  let lambda: number[];
  if (rows < pixels) {
    const gram = new EigenvalueDecomposition(X.mmul(X.transpose()), { assumeSymmetric: true });
    const keep = gram.realEigenvalues.map((g, i) => [g, i] as const).filter(([g]) => g > 1e-9 * Math.max(1, ...gram.realEigenvalues));
    U = new Matrix(pixels, keep.length);
    lambda = [];
    keep.forEach(([g, i], col) => {
      const u = X.transpose()
        .mmul(gram.eigenvectorMatrix.getColumnVector(i))
        .mul(1 / Math.sqrt(g));
      for (let j = 0; j < pixels; j++) U.set(j, col, u.get(j, 0));
      lambda.push(g / rows);
    });
  } else {
    const cov = new EigenvalueDecomposition(
      X.transpose()
        .mmul(X)
        .mul(1 / rows),
      { assumeSymmetric: true },
    );
    const all = cov.realEigenvalues;
    const keep = all.map((l, i) => [l, i] as const).filter(([l]) => l > 1e-9 * Math.max(1e-12, ...all));
    U = new Matrix(pixels, keep.length);
    lambda = [];
    keep.forEach(([l, i], col) => {
      for (let j = 0; j < pixels; j++) U.set(j, col, cov.eigenvectorMatrix.get(j, i));
      lambda.push(l);
    });
  }
  if (lambda.length === 0) throw new ModelError('input-conditioning', 'ZCA conditioning: the training operand images are all identical');
  const eps = (ZCA_RELATIVE_EPSILON * lambda.reduce((a, b) => a + b, 0)) / lambda.length;
  const outside = 1 / Math.sqrt(eps);
  // W = outside·I + U diag(1/sqrt(λ+ε) − outside) Uᵀ.
  const scaled = U.clone();
  for (let col = 0; col < lambda.length; col++) {
    const f = 1 / Math.sqrt(lambda[col] + eps) - outside;
    for (let j = 0; j < pixels; j++) scaled.set(j, col, scaled.get(j, col) * f);
  }
  const W = scaled.mmul(U.transpose());
  const out = new Float32Array(pixels * pixels);
  for (let i = 0; i < pixels; i++) {
    for (let j = 0; j < pixels; j++) out[i * pixels + j] = W.get(i, j) + (i === j ? outside : 0);
  }
  return out;
}
