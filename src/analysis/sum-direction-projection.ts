// Sum-direction projections over the (a, b) grid (the second reading of the key-frequency ablation, issue 15
// part 7; serves the reviewer-requested causal test of the paper's Sec. 4.1 mechanism and Table 3, where the
// FFN pre-activation at c is read on the cos / sin(w_k(a + b)) directions). As in Nanda et al. (2023)'s
// excluded / restricted loss, only the two "sum directions" of a frequency are acted on:
//
//     u_k^cos[a·P + b] = (√2 / P)·cos(w_k (a + b)),   u_k^sin[a·P + b] = (√2 / P)·sin(w_k (a + b)),   w_k = 2πk/P,
//
// unit vectors of R^{P²}, orthogonal to each other, to the constant and to every other frequency's pair (for
// even P the Nyquist frequency k = P/2 has one direction, (1/P)·(−1)^{a+b}). For a frequency set S:
//
//     Q_S = Σ_{k∈S} (u_k^cos u_k^cosᵀ + u_k^sin u_k^sinᵀ)      the projector onto S's sum directions,
//     removeSumDirectionsMatrix(P, S) = I − Q_S               ("excluded": remove S's sum directions only),
//     keepSumDirectionsMatrix(P, S)   = J/P² + Q_S            ("restricted": keep the grid mean and S's sum
//                                                             directions, remove everything else).
//
// Entry (r, c) of Q_S depends only on the difference of the cells' sums, d = (s_r − s_c) mod P with
// s = a + b: Q_S[r, c] = Σ_{k∈S} (γ_k / P²)·cos(w_k d), γ_k = 2 (γ = 1 for the Nyquist frequency); that closed
// form is what is built. With S = every frequency 1..⌊P/2⌋, keepSumDirectionsMatrix is the projection onto the
// functions of (a + b) mod P: the mean over each anti-diagonal a + b ≡ s.
//
// The first reading, frequency-projection.ts, removes every product basis function that touches k (1-D terms,
// same-k products including the (a − b) directions, cross products with other frequencies): its removal
// subspace contains this one. Rows and columns are grid cells a·P + b; applied as M·X to activations
// X [P², units]. Pure float64; no tfjs.

import { fail, requireModulus } from './validate.ts';

/** Largest modulus for which the dense [P², P²] matrices are built (P = 64: 134 MB). */
export const MAX_SUM_PROJECTION_MODULUS = 64;

function frequencySet(P: number, frequencies: readonly number[], fn: string): number[] {
  requireModulus(P, `${fn}: P`);
  if (P > MAX_SUM_PROJECTION_MODULUS)
    fail('out-of-range', `${fn}: P = ${P}; the dense [P², P²] projection is built only for P ≤ ${MAX_SUM_PROJECTION_MODULUS}`);
  if (!Array.isArray(frequencies)) fail('not-an-array', `${fn}: frequencies must be an array of integers in [1, ${Math.floor(P / 2)}]`);
  const K = Math.floor(P / 2);
  for (const k of frequencies) {
    if (typeof k !== 'number' || !Number.isInteger(k)) fail('not-an-integer', `${fn}: frequency ${String(k)} is not an integer in [1, ${K}] for P = ${P}`);
    if (k < 1 || k > K) fail('out-of-range', `${fn}: frequency ${k} is not an integer in [1, ${K}] for P = ${P}`);
  }
  return [...new Set(frequencies)].sort((a, b) => a - b);
}

/** Q_S[r, c] as a function of d = (s_r − s_c) mod P (module header): entry d of the result, d = 0..P−1. */
function differenceKernel(P: number, set: readonly number[]): Float64Array {
  const q = new Float64Array(P);
  const P2 = P * P;
  for (const k of set) {
    const gamma = 2 * k === P ? 1 : 2;
    for (let d = 0; d < P; d++) q[d] += (gamma / P2) * Math.cos((2 * Math.PI * k * d) / P);
  }
  return q;
}

/** The dense [P², P²] matrix M[r, c] = diagonal·[r = c] + constant + q[(s_r − s_c) mod P]. */
function denseFromKernel(P: number, q: Float64Array, diagonal: number, constant: number): Float64Array {
  const n = P * P;
  const m = new Float64Array(n * n);
  for (let r = 0; r < n; r++) {
    const sr = Math.floor(r / P) + (r % P);
    const row = r * n;
    for (let c = 0; c < n; c++) {
      const sc = Math.floor(c / P) + (c % P);
      m[row + c] = constant + q[(((sr - sc) % P) + P) % P];
    }
    m[row + r] += diagonal;
  }
  return m;
}

/** The orthonormal sum directions of S as rows [directions, P²] (cos then sin per frequency; Nyquist: one row). */
export function sumDirections(P: number, frequencies: readonly number[]): { readonly vectors: Float64Array; readonly count: number; readonly names: string[] } {
  const set = frequencySet(P, frequencies, 'sumDirections');
  const n = P * P;
  const rows: Float64Array[] = [];
  const names: string[] = [];
  for (const k of set) {
    const w = (2 * Math.PI * k) / P;
    const nyquist = 2 * k === P;
    const scale = nyquist ? 1 / P : Math.SQRT2 / P;
    const cos = new Float64Array(n);
    const sin = new Float64Array(n);
    for (let a = 0; a < P; a++) {
      for (let b = 0; b < P; b++) {
        const s = (a + b) % P;
        cos[a * P + b] = scale * Math.cos(w * s);
        sin[a * P + b] = scale * Math.sin(w * s);
      }
    }
    rows.push(cos);
    names.push(`cos(w${k}(a+b))`);
    if (!nyquist) {
      rows.push(sin);
      names.push(`sin(w${k}(a+b))`);
    }
  }
  const vectors = new Float64Array(rows.length * n);
  rows.forEach((r, i) => {
    vectors.set(r, i * n);
  });
  return { vectors, count: rows.length, names };
}

/** [P², P²] projector Q_S onto the sum directions of the frequencies S (module header). */
export function sumDirectionProjector(P: number, frequencies: readonly number[]): Float64Array {
  const set = frequencySet(P, frequencies, 'sumDirectionProjector');
  return denseFromKernel(P, differenceKernel(P, set), 0, 0);
}

/** [P², P²] matrix I − Q_S: removes only the cos / sin(w_k(a + b)) directions of the given frequencies. */
export function removeSumDirectionsMatrix(P: number, frequencies: readonly number[]): Float64Array {
  const set = frequencySet(P, frequencies, 'removeSumDirectionsMatrix');
  const q = differenceKernel(P, set).map((v) => -v);
  return denseFromKernel(P, q, 1, 0);
}

/** [P², P²] matrix J/P² + Q_S: keeps only the grid mean and the sum directions of the given frequencies. */
export function keepSumDirectionsMatrix(P: number, frequencies: readonly number[]): Float64Array {
  const set = frequencySet(P, frequencies, 'keepSumDirectionsMatrix');
  return denseFromKernel(P, differenceKernel(P, set), 0, 1 / (P * P));
}
