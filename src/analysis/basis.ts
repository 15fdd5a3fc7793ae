// The real orthonormal Fourier basis of Z_P and its 2-D product basis over (a, b) ∈ Z_P × Z_P, with a label
// for every basis function, and the fast map from DFT spectra to coefficients in that basis. This is the
// coordinate system in which the paper's Sec. 4.1 (Figure 3, "selective frequencies") measures the fraction
// of variance explained per frequency, and in which Table 3's products cos(w_k a)·cos(w_k b), ... live.
//
// 1-D basis, index order (w_k = 2πk/P):
//   0            const            1/√P
//   2k − 1       cos k            √(2/P)·cos(w_k x)      k = 1..⌊(P−1)/2⌋
//   2k           sin k            √(2/P)·sin(w_k x)
//   P − 1        cos P/2 (even P) (1/√P)·cos(πx) = (−1)^x/√P   — the Nyquist term, which has no sine
// Every basis function is φ_i(x) = Re(β_i·e^{i w_{k_i} x}) with β = 1/√P (const, Nyquist), √(2/P) (cos),
// −i√(2/P) (sin); so its coefficient is Re(β_i·conj X[k_i]) for the DFT X of a real signal, and in 2-D
// C[i, j] = ½·Re(β_iβ_j·conj X[k_i, k_j]) + ½·Re(β_i·conj(β_j)·conj X[k_i, −k_j]).
// The 2-D basis is the product φ_i(a)·φ_j(b), index i*P + j.

import { dft, dft2dBlock, dftBlock, type DftEngine } from './dft.ts';
import { fail, requireFiniteArray, requireInteger, requireModulus, requireUnits } from './validate.ts';

export type BasisKind = 'const' | 'cos' | 'sin';

export interface BasisLabel {
  /** Position in the 1-D basis (0..P−1). */
  readonly index: number;
  readonly kind: BasisKind;
  /** Frequency k (0 for the constant; P/2 for the Nyquist cosine). */
  readonly k: number;
  /** True for the Nyquist cosine (k = P/2, P even). */
  readonly nyquist: boolean;
  /** e.g. "const", "cos(w3·x)", "sin(w3·x)". */
  readonly name: string;
}

/**
 * How a 2-D product basis function φ_i(a)·φ_j(b) is grouped:
 * constant (both const), a (depends on a only), b (on b only), same-frequency (k_a = k_b ≥ 1: the paper's
 * "two-degree" features), cross-frequency (k_a ≠ k_b, both ≥ 1).
 */
export type ComponentGroup = 'constant' | 'a' | 'b' | 'same-frequency' | 'cross-frequency';

/** The type of a 2-D component: one operand (a-cos, ...) or a product (cos-sin = cos(w a)·sin(w b), ...). */
export type ComponentType = 'constant' | 'a-cos' | 'a-sin' | 'b-cos' | 'b-sin' | 'cos-cos' | 'cos-sin' | 'sin-cos' | 'sin-sin';

export interface BasisPairLabel {
  /** Position in the 2-D basis: i*P + j. */
  readonly index: number;
  /** The factor in a (index i). */
  readonly a: BasisLabel;
  /** The factor in b (index j). */
  readonly b: BasisLabel;
  readonly group: ComponentGroup;
  readonly type: ComponentType;
  /** e.g. "cos(w1·a)·sin(w1·b)", "sin(w2·a)", "const". */
  readonly name: string;
}

export interface FourierBasis {
  readonly P: number;
  /** K = ⌊P/2⌋, the largest frequency (the Nyquist one when P is even). */
  readonly maxFrequency: number;
  readonly labels: readonly BasisLabel[];
  /** [P, P] row-major: row i is basis vector i over x = 0..P−1. */
  readonly vectors: Float64Array;
}

/** w_k = 2πk/P for an integer frequency k (any sign) and modulus P. */
export function angularFrequency(k: number, P: number): number {
  const p = requireModulus(P, 'angularFrequency: P');
  return omega(requireInteger(k, 'angularFrequency: k', -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER), p);
}

/** Unchecked w_k = 2πk/P for internal loops. */
export function omega(k: number, P: number): number {
  return (2 * Math.PI * k) / P;
}

/** K = ⌊P/2⌋: the number of non-zero frequencies of Z_P (the last one is the Nyquist term when P is even). */
export function maxFrequency(P: number): number {
  return Math.floor(requireModulus(P, 'maxFrequency: P') / 2);
}

function labelsOf(P: number): BasisLabel[] {
  const labels: BasisLabel[] = [{ index: 0, kind: 'const', k: 0, nyquist: false, name: 'const' }];
  for (let k = 1; 2 * k < P; k++) {
    labels.push({ index: 2 * k - 1, kind: 'cos', k, nyquist: false, name: `cos(w${k}·x)` });
    labels.push({ index: 2 * k, kind: 'sin', k, nyquist: false, name: `sin(w${k}·x)` });
  }
  if (P % 2 === 0) labels.push({ index: P - 1, kind: 'cos', k: P / 2, nyquist: true, name: `cos(w${P / 2}·x)` });
  return labels;
}

/** The labels of the 1-D basis of Z_P, in basis order. */
export function basisLabels(P: number): BasisLabel[] {
  return labelsOf(requireModulus(P, 'basisLabels: P'));
}

/** β_i as [re, im]: φ_i(x) = Re(β_i·e^{i w_k x}). */
function betaOf(label: BasisLabel, P: number): [number, number] {
  if (label.kind === 'const' || label.nyquist) return [1 / Math.sqrt(P), 0];
  const s = Math.sqrt(2 / P);
  return label.kind === 'cos' ? [s, 0] : [0, -s];
}

/** Value of a basis function at x (angle reduced exactly: (k·x) mod P). */
function basisValue(label: BasisLabel, x: number, P: number): number {
  const [br, bi] = betaOf(label, P);
  const theta = omega((label.k * x) % P, P);
  return br * Math.cos(theta) - bi * Math.sin(theta);
}

/** The orthonormal real Fourier basis of Z_P with labels. */
export function fourierBasis(P: number): FourierBasis {
  const p = requireModulus(P, 'fourierBasis: P');
  const labels = labelsOf(p);
  const vectors = new Float64Array(p * p);
  for (const label of labels) {
    for (let x = 0; x < p; x++) vectors[label.index * p + x] = basisValue(label, x, p);
  }
  return { P: p, maxFrequency: Math.floor(p / 2), labels, vectors };
}

function pairLabel(a: BasisLabel, b: BasisLabel, P: number): BasisPairLabel {
  const index = a.index * P + b.index;
  const fa = a.name.replace('x', 'a');
  const fb = b.name.replace('x', 'b');
  if (a.kind === 'const' && b.kind === 'const') return { index, a, b, group: 'constant', type: 'constant', name: 'const' };
  if (b.kind === 'const') return { index, a, b, group: 'a', type: a.kind === 'cos' ? 'a-cos' : 'a-sin', name: fa };
  if (a.kind === 'const') return { index, a, b, group: 'b', type: b.kind === 'cos' ? 'b-cos' : 'b-sin', name: fb };
  const type = `${a.kind}-${b.kind}` as ComponentType;
  return { index, a, b, group: a.k === b.k ? 'same-frequency' : 'cross-frequency', type, name: `${fa}·${fb}` };
}

/** Labels of the 2-D product basis φ_i(a)·φ_j(b), index i*P + j. */
export function basisPairLabels(P: number): BasisPairLabel[] {
  const p = requireModulus(P, 'basisPairLabels: P');
  const labels = labelsOf(p);
  const out: BasisPairLabel[] = [];
  for (const a of labels) for (const b of labels) out.push(pairLabel(a, b, p));
  return out;
}

/** The 2-D basis vector φ_i(a)·φ_j(b) over the grid, [P*P] with row a*P + b. */
export function fourierBasis2dVector(P: number, i: number, j: number): Float64Array {
  const p = requireModulus(P, 'fourierBasis2dVector: P');
  const labels = labelsOf(p);
  const la = labels[requireInteger(i, 'fourierBasis2dVector: i', 0, p - 1)];
  const lb = labels[requireInteger(j, 'fourierBasis2dVector: j', 0, p - 1)];
  const out = new Float64Array(p * p);
  for (let a = 0; a < p; a++) {
    const va = basisValue(la, a, p);
    for (let b = 0; b < p; b++) out[a * p + b] = va * basisValue(lb, b, p);
  }
  return out;
}

/** Coefficients of a real signal on Z_P in the 1-D basis (length P, basis order), via the DFT. */
export function realFourierCoefficients(values: ArrayLike<number>, P: number, engine?: DftEngine): Float64Array {
  const p = requireModulus(P, 'realFourierCoefficients: P');
  const x = requireFiniteArray(values, 'realFourierCoefficients: values', { length: p, shape: `[P] = [${p}]` });
  const spectrum = dft(x, engine);
  const out = new Float64Array(p);
  for (const label of labelsOf(p)) {
    const [br, bi] = betaOf(label, p);
    out[label.index] = br * spectrum.re[label.k] + bi * spectrum.im[label.k];
  }
  return out;
}

/**
 * Per-unit 1-D basis coefficients of a real block `valuesBySymbol` [P, units] (row = symbol x).
 * Returns [P, units] with row = basis index.
 */
export function realFourierCoefficientsBlock(valuesBySymbol: ArrayLike<number>, P: number, units: number, engine?: DftEngine): Float64Array {
  const p = requireModulus(P, 'realFourierCoefficientsBlock: P');
  const u = requireUnits(units, 'realFourierCoefficientsBlock: units');
  const spectrum = dftBlock(valuesBySymbol, p, u, engine);
  const out = new Float64Array(p * u);
  for (const label of labelsOf(p)) {
    const [br, bi] = betaOf(label, p);
    const src = label.k * u;
    const dst = label.index * u;
    for (let v = 0; v < u; v++) out[dst + v] = br * spectrum.re[src + v] + bi * spectrum.im[src + v];
  }
  return out;
}

/**
 * Per-unit 2-D basis coefficients of a real block `valuesByPair` [P*P, units] (row a*P + b), computed from
 * the 2-D DFT. Returns [P*P, units] with row i*P + j: the coefficient of φ_i(a)·φ_j(b).
 */
export function realFourierCoefficients2dBlock(valuesByPair: ArrayLike<number>, P: number, units: number, engine?: DftEngine): Float64Array {
  const p = requireModulus(P, 'realFourierCoefficients2dBlock: P');
  const u = requireUnits(units, 'realFourierCoefficients2dBlock: units');
  const X = dft2dBlock(valuesByPair, p, u, engine);
  return coefficientsFromSpectrum2d(X.re, X.im, p, u);
}

/** The 2-D map from spectrum [P*P, units] to basis coefficients [P*P, units] (see the header). */
function coefficientsFromSpectrum2d(re: Float64Array, im: Float64Array, P: number, units: number): Float64Array {
  const labels = labelsOf(P);
  const out = new Float64Array(P * P * units);
  for (const la of labels) {
    const [ar, ai] = betaOf(la, P);
    for (const lb of labels) {
      const [br, bi] = betaOf(lb, P);
      // A = β_a β_b, B = β_a conj(β_b); C = ½(Re(A conj X1) + Re(B conj X2)), Re(Z conj X) = Zr Xr + Zi Xi
      const Ar = (ar * br - ai * bi) / 2;
      const Ai = (ar * bi + ai * br) / 2;
      const Br = (ar * br + ai * bi) / 2;
      const Bi = (ai * br - ar * bi) / 2;
      const cell1 = (la.k * P + lb.k) * units;
      const cell2 = (la.k * P + ((P - lb.k) % P)) * units;
      const dst = (la.index * P + lb.index) * units;
      for (let v = 0; v < units; v++) {
        out[dst + v] = Ar * re[cell1 + v] + Ai * im[cell1 + v] + Br * re[cell2 + v] + Bi * im[cell2 + v];
      }
    }
  }
  return out;
}

/** Guard used by modules that need a non-Nyquist frequency 1 ≤ k < P/2 (both cos and sin exist). */
export function requireProperFrequency(k: unknown, P: number, name: string): number {
  const K = Math.floor((P - 1) / 2);
  if (K < 1) fail('out-of-range', `${name}: P = ${P} has no frequency with both a cosine and a sine (needs P ≥ 3)`);
  return requireInteger(k, `${name} (a frequency with both cos and sin: 1 ≤ k < P/2)`, 1, K);
}
