// Projection matrices over the (a, b) grid that remove or keep chosen Fourier frequencies (paper Sec. 4.3,
// the causal ablation): M = I − Σ v vᵀ over the orthonormal 2-D basis functions φ_i(a)φ_j(b) to remove.
// Removing frequency k removes every basis function with k_a = k or k_b = k (1-D terms, same-k products and
// cross products involving k). Keeping a set S removes every non-constant function with a frequency not in
// S. Rows and columns are grid cells a·P + b; applied as M·X to activations X [P², units].

import { fourierBasis } from './basis.ts';
import { requireModulus } from './validate.ts';
import { AnalysisError } from '../errors.ts';

function check(P: number, frequencies: readonly number[], what: string): void {
  const K = Math.floor(P / 2);
  for (const k of frequencies) {
    if (!Number.isInteger(k) || k < 1 || k > K)
      throw new AnalysisError('frequency-range', `${what}: frequency ${k} is not an integer in [1, ${K}] for P = ${P}`);
  }
}

function projection(P: number, drop: (ka: number, kb: number) => boolean): Float64Array {
  const basis = fourierBasis(P);
  const n = P * P;
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;
  const v = new Float64Array(n);
  for (let i = 0; i < P; i++) {
    for (let j = 0; j < P; j++) {
      if (!drop(basis.labels[i].k, basis.labels[j].k)) continue;
      for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) v[a * P + b] = basis.vectors[i * P + a] * basis.vectors[j * P + b];
      for (let r = 0; r < n; r++) {
        const vr = v[r];
        if (vr === 0) continue;
        const row = r * n;
        for (let c = 0; c < n; c++) m[row + c] -= vr * v[c];
      }
    }
  }
  return m;
}

/** [P², P²] matrix removing the given frequencies from grid activations. */
export function removeFrequenciesMatrix(P: number, frequencies: readonly number[]): Float64Array {
  requireModulus(P, 'removeFrequenciesMatrix: P');
  check(P, frequencies, 'removeFrequenciesMatrix');
  const set = new Set(frequencies);
  return projection(P, (ka, kb) => set.has(ka) || set.has(kb));
}

/** [P², P²] matrix keeping only the constant and the given frequencies. */
export function keepFrequenciesMatrix(P: number, frequencies: readonly number[]): Float64Array {
  requireModulus(P, 'keepFrequenciesMatrix: P');
  check(P, frequencies, 'keepFrequenciesMatrix');
  const set = new Set([0, ...frequencies]);
  return projection(P, (ka, kb) => !set.has(ka) || !set.has(kb));
}
