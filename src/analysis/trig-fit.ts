// Trig-identity reconstruction (the paper's Table 3): does the network build cos(w_k(a+b)) and sin(w_k(a+b))
// from products of single-operand features, as in cos(a+b) = cos a·cos b − sin a·sin b and
// sin(a+b) = sin a·cos b + cos a·sin b? The paper reports, for w1, cos(w1(a+b)) ≈ 138910·cos cos −
// 139849·sin sin (ratio ≈ −1) with FVE 0.95, and FVE 0.94 for the sine (PAPER.trigFitFve,
// PAPER.trigFitExampleCoefficients). Two measurements live here.
//
// A. Table 3 as the paper computes it (PRIMARY; trigReadoutFit / trigReadoutTable). The paper projects the FFN
//    pre-activation onto W′L u_k and W′L v_k: directions in neuron space derived from the WEIGHTS, not from the
//    activations (after Nanda et al. 2023, where W_L maps MLP neurons to logits and u_k, v_k are the
//    cos/sin(w_k c) directions over the output c).
//      1. W′L [P, units]: how much each unit writes towards each output class c. grokdiff's output is an image,
//         so the caller gives (a) the linear map from each unit to the output image, M [units, dims] (for the
//         DiT: FFN fc2 row → residual → final norm's linear part → out_proj → unpatchify; src/eval/readout-map.ts)
//         and (b) one output image per class, T [P, dims] (the class's mean training image: for N = 1 the image
//         itself). classReadoutMap forms W′L[c, i] = ⟨T[c] − mean_c T, M[i]⟩: the change of the nearest-image
//         score of class c (score_c(x̂0) = 2⟨x̂0, T[c]⟩ − ‖T[c]‖², the classifier that reads our outputs for
//         N ≤ 16) per unit of unit i, up to the factor 2. Centring over classes only removes the part every
//         class shares, which has no Fourier component at k ≥ 1.
//      2. u_k = Σ_c cos(w_k c)·W′L[c, :], v_k = Σ_c sin(w_k c)·W′L[c, :] (readoutFourierDirections): the
//         cos/sin(w_k c) Fourier components over c of that map, each a direction in unit space. If the class
//         scores are α·cos(w_k(a+b−c)), then u_k·x = (αP/2)·cos(w_k(a+b)) and v_k·x = (αP/2)·sin(w_k(a+b)).
//      3. p(a, b) = u_k·x(a, b) (resp. v_k), least squares IN-SAMPLE on [1, cos·cos, sin·sin, cos·sin, sin·cos]
//         over all P² pairs; FVE = R². The direction never sees the activations, so the in-sample FVE has only
//         the bias of 5 regressors on P² points (about 5/P² ≈ 0.01 for noise at P = 23), not the U/(U+P²) of B.
//      Coefficients are in (score units)·(activation units), unnormalised like the paper's ≈ 1.4e5: only their
//      ratios compare across models. Also reported: identityFve, R² of p on [1, cos(w_k(a+b)), sin(w_k(a+b))]
//      — the fit constrained to the identity (cosCos = −sinSin, cosSin = sinCos, any phase); it is ≤ FVE and
//      equals it exactly when the product coefficients obey the identity.
//
// B. Activation-covariance direction (ROBUSTNESS CHECK; trigIdentityFit), for a frequency k with both a cosine
//    and a sine (1 ≤ k < P/2) and activations X [P*P, units]:
//   1. Direction in unit space that carries the target t = cos(w_k(a+b)) (resp. sin):
//      'covariance' (default): d = X̃ᵀt, X̃ = X centred per unit — each unit weighted by its covariance with
//        the target (the projection of the activations on the target). Scale-free, needs no inversion,
//        defined for any number of units (1 included).
//      'regression': d = argmin ||X̃d − t||², minimum-norm least squares by SVD (ml-matrix); rank-deficient
//        X̃ is fine. Costs O(N·U·min(N, U)): about 6 s for N = 529, U = 512 on one core.
//      directionNorm 'unit' (default) scales d to length 1, so coefficients are in activation units;
//      'raw' keeps d = X̃ᵀt, which gives coefficients of the paper's order (≈1e5): only ratios compare.
//   2. Projected signal p = X̃·d over the P×P grid.
//   3. Least squares of p on [1, cos·cos, sin·sin, cos·sin, sin·cos] (cos·sin = cos(w_k a)·sin(w_k b)) with
//      ml-matrix's SVD; FVE = R² = 1 − SS_res/SS_tot.
// Reported: coefficients, FVE, identity ratio (cos: cosCos/sinSin, identity −1; sin: sinCos/cosSin,
// identity +1), identity alignment (cosine between the 4 coefficients and the identity's (1,−1,0,0) or
// (0,0,1,1)), and the correlation of p with the target.
// Degenerate input: if the activations carry no trace of the target (d = 0 within 1e-10 relative), the
// result is `degenerate: true` with FVE 0 and zero coefficients — never NaN.
// Caution (in-sample bias): for pure-noise activations, p = X̃X̃ᵀt keeps a share ≈ U/(U+N) of t (N = P²), so
// the in-sample FVE of noise is ≈ U/(U+N) — about 0.5 for P = 23, U = 512. Use `heldOut` (direction from one
// half of the pairs, fit on the other half) or trigFitNoiseBaseline to compare against noise.

import { Matrix, SingularValueDecomposition, solve } from 'ml-matrix';
import { rootRng } from '../engine/random.ts';
import { omega, requireProperFrequency } from './basis.ts';
import {
  fail,
  flushNegligible,
  maxAbs,
  requireBlock,
  requireChoice,
  requireInteger,
  requireModulus,
  requireNumber,
  requireOptions,
  requireSeed,
  requireUnits,
} from './validate.ts';

export interface ProductCoefficients {
  readonly intercept: number;
  /** cos(w_k a)·cos(w_k b) */
  readonly cosCos: number;
  /** sin(w_k a)·sin(w_k b) */
  readonly sinSin: number;
  /** cos(w_k a)·sin(w_k b) */
  readonly cosSin: number;
  /** sin(w_k a)·cos(w_k b) */
  readonly sinCos: number;
}

export interface ProductFit extends ProductCoefficients {
  /** R² of the fit. */
  readonly fve: number;
}

export type TrigTarget = 'cos' | 'sin';

export interface TrigFitOptions {
  readonly direction?: 'covariance' | 'regression';
  readonly directionNorm?: 'unit' | 'raw';
  /** Also compute heldOutFve: direction from a seeded random `fraction` of the pairs, fit on the rest. */
  readonly heldOut?: { readonly seed: number; readonly fraction?: number };
}

export interface TrigTargetFit {
  readonly target: TrigTarget;
  /** [units]: the direction d in unit space. */
  readonly direction: Float64Array;
  /** [P*P] row a*P + b: the projected signal p = X̃·d. */
  readonly projected: Float64Array;
  readonly fit: ProductFit;
  /** The identity's coefficients: cos → (cosCos 1, sinSin −1); sin → (sinCos 1, cosSin 1). */
  readonly identity: {
    /** cos: cosCos/sinSin (identity −1); sin: sinCos/cosSin (identity +1); null when undefined. */
    readonly ratio: number | null;
    /** Cosine between (cosCos, sinSin, cosSin, sinCos) and the identity's vector, in [−1, 1]. */
    readonly alignment: number;
  };
  /** Pearson correlation of p with the target over the grid. */
  readonly targetCorrelation: number;
  /** True when the activations carry no trace of the target (FVE reported as 0). */
  readonly degenerate: boolean;
  /** R² on the held-out pairs (null unless options.heldOut). */
  readonly heldOutFve: number | null;
}

export interface TrigFitResult {
  readonly P: number;
  readonly units: number;
  readonly k: number;
  readonly method: { readonly direction: 'covariance' | 'regression'; readonly directionNorm: 'unit' | 'raw' };
  readonly cos: TrigTargetFit;
  readonly sin: TrigTargetFit;
}

/** The design matrix [rows.length, 5] (1, cc, ss, cs, sc) at frequency k over the given grid cells. */
function productDesign(cells: Int32Array, P: number, k: number): Matrix {
  const design = new Matrix(cells.length, 5);
  for (let r = 0; r < cells.length; r++) {
    const a = Math.floor(cells[r] / P);
    const b = cells[r] % P;
    const ta = omega((k * a) % P, P);
    const tb = omega((k * b) % P, P);
    const ca = Math.cos(ta);
    const sa = Math.sin(ta);
    const cb = Math.cos(tb);
    const sb = Math.sin(tb);
    design.set(r, 0, 1);
    design.set(r, 1, ca * cb);
    design.set(r, 2, sa * sb);
    design.set(r, 3, ca * sb);
    design.set(r, 4, sa * cb);
  }
  return design;
}

/** A signal scaled to max |·| = 1 and its total sum of squares about the mean; null when it is constant. */
function normalisedSignal(signal: Float64Array): { y: number[]; ssTot: number; scale: number } | null {
  const scale = maxAbs(signal);
  if (!(scale > 0)) return null;
  const y = Array.from(signal, (v) => v / scale);
  const mean = y.reduce((s, v) => s + v, 0) / y.length;
  const ssTot = y.reduce((s, v) => s + (v - mean) * (v - mean), 0);
  return ssTot > 1e-24 * y.length ? { y, ssTot, scale } : null;
}

/** Least squares of `signal` (one value per cell) on the products; null when the signal is constant. */
function fitOnCells(signal: Float64Array, cells: Int32Array, P: number, k: number): ProductFit | null {
  const norm = normalisedSignal(signal);
  if (!norm) return null;
  const { y, ssTot, scale } = norm;
  const design = productDesign(cells, P, k);
  const beta = solve(design, Matrix.columnVector(y), true).getColumn(0);
  let ssRes = 0;
  for (let r = 0; r < y.length; r++) {
    let fitted = 0;
    for (let c = 0; c < 5; c++) fitted += design.get(r, c) * beta[c];
    ssRes += (y[r] - fitted) * (y[r] - fitted);
  }
  const fve = Math.min(1, Math.max(0, 1 - ssRes / ssTot));
  return {
    intercept: beta[0] * scale,
    cosCos: beta[1] * scale,
    sinSin: beta[2] * scale,
    cosSin: beta[3] * scale,
    sinCos: beta[4] * scale,
    fve,
  };
}

function allCells(P: number): Int32Array {
  return Int32Array.from({ length: P * P }, (_, i) => i);
}

/**
 * Least squares of a signal over the grid ([P*P], row a*P + b) on 1, cos·cos, sin·sin, cos·sin, sin·cos at
 * frequency k (1 ≤ k < P/2). Exact on signals built from those products.
 */
export function fitTrigProducts(signalByPair: ArrayLike<number>, P: number, k: number): ProductFit {
  const fn = 'fitTrigProducts';
  const p = requireModulus(P, `${fn}: P`, 3);
  const freq = requireProperFrequency(k, p, `${fn}: k`);
  const signal = requireBlock(signalByPair, `${fn}: signalByPair`, p * p, 1, '[P*P]');
  const fit = fitOnCells(signal, allCells(p), p, freq);
  if (!fit) fail('zero-variance', `${fn}: signalByPair is constant over the grid; R² is undefined`);
  return fit;
}

/** The target cos(w_k(a+b)) or sin(w_k(a+b)) over the grid. */
function targetSignal(P: number, k: number, target: TrigTarget): Float64Array {
  const t = new Float64Array(P * P);
  for (let a = 0; a < P; a++) {
    for (let b = 0; b < P; b++) {
      const theta = omega((k * (a + b)) % P, P);
      t[a * P + b] = target === 'cos' ? Math.cos(theta) : Math.sin(theta);
    }
  }
  return t;
}

/** X restricted to `cells`, centred per unit over those cells: [cells.length, units] row-major. */
function centredRows(values: Float64Array, cells: Int32Array, units: number): Float64Array {
  const means = new Float64Array(units);
  for (const cell of cells) for (let u = 0; u < units; u++) means[u] += values[cell * units + u];
  for (let u = 0; u < units; u++) means[u] /= cells.length;
  const out = new Float64Array(cells.length * units);
  for (let r = 0; r < cells.length; r++) {
    for (let u = 0; u < units; u++) out[r * units + u] = values[cells[r] * units + u] - means[u];
  }
  return out;
}

/** The direction d (length U) from centred rows X̃; null when the target leaves no trace in X̃. */
function findDirection(X: Float64Array, rows: number, units: number, target: Float64Array, method: 'covariance' | 'regression'): Float64Array | null {
  const tMean = target.reduce((s, v) => s + v, 0) / rows;
  const tc = target.map((v) => v - tMean);
  const cov = new Float64Array(units);
  let sumSquares = 0;
  for (let r = 0; r < rows; r++) {
    const tr = tc[r];
    for (let u = 0, q = r * units; u < units; u++, q++) {
      cov[u] += X[q] * tr;
      sumSquares += X[q] * X[q];
    }
  }
  const tNorm = Math.sqrt(tc.reduce((s, v) => s + v * v, 0));
  const covNorm = Math.sqrt(cov.reduce((s, v) => s + v * v, 0));
  if (!(covNorm > 1e-10 * Math.sqrt(sumSquares) * tNorm)) return null;
  if (method === 'covariance') return cov;
  const design = new Matrix(rows, units);
  for (let r = 0; r < rows; r++) for (let u = 0; u < units; u++) design.set(r, u, flushNegligible(X[r * units + u]));
  const svd = new SingularValueDecomposition(design, { autoTranspose: true });
  const d = Float64Array.from(svd.solve(Matrix.columnVector(Array.from(tc))).getColumn(0));
  return d.every(Number.isFinite) && d.some((v) => v !== 0) ? d : null;
}

/** p = X̃·d for centred rows X̃ [rows, units]. */
function project(X: Float64Array, rows: number, units: number, d: Float64Array): Float64Array {
  const p = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let u = 0, q = r * units; u < units; u++, q++) s += X[q] * d[u];
    p[r] = s;
  }
  return p;
}

function pearson(x: Float64Array, y: Float64Array): number {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy))) : 0;
}

function identityOf(fit: ProductFit, target: TrigTarget): { ratio: number | null; alignment: number } {
  const v = [fit.cosCos, fit.sinSin, fit.cosSin, fit.sinCos];
  const e = target === 'cos' ? [1, -1, 0, 0] : [0, 0, 1, 1];
  const norm = Math.hypot(...v);
  if (!(norm > 0)) return { ratio: null, alignment: 0 };
  const alignment = Math.max(-1, Math.min(1, v.reduce((s, x, i) => s + x * e[i], 0) / (norm * Math.SQRT2)));
  const [num, den] = target === 'cos' ? [fit.cosCos, fit.sinSin] : [fit.sinCos, fit.cosSin];
  return { ratio: Math.abs(den) > 1e-9 * norm ? num / den : null, alignment };
}

const ZERO_FIT: ProductFit = { intercept: 0, cosCos: 0, sinSin: 0, cosSin: 0, sinCos: 0, fve: 0 };

interface Context {
  readonly values: Float64Array; // activations divided by `scale`
  readonly scale: number;
  readonly P: number;
  readonly units: number;
  readonly k: number;
  readonly direction: 'covariance' | 'regression';
  readonly directionNorm: 'unit' | 'raw';
  readonly split: { readonly fit: Int32Array; readonly direction: Int32Array } | null;
}

function fitTarget(ctx: Context, target: TrigTarget): TrigTargetFit {
  const { values, scale, P, units, k } = ctx;
  const t = targetSignal(P, k, target);
  const cells = allCells(P);
  const centred = centredRows(values, cells, units);
  const raw = findDirection(centred, P * P, units, t, ctx.direction);
  if (!raw) {
    return {
      target,
      direction: new Float64Array(units),
      projected: new Float64Array(P * P),
      fit: ZERO_FIT,
      identity: { ratio: null, alignment: 0 },
      targetCorrelation: 0,
      degenerate: true,
      heldOutFve: ctx.split ? 0 : null,
    };
  }
  // Directions and projections are computed on values/scale; convert back to input units at the end.
  const norm = Math.hypot(...raw);
  const unitNorm = ctx.directionNorm === 'unit';
  const direction = raw.map((v) => (unitNorm ? v / norm : v * (ctx.direction === 'covariance' ? scale : 1 / scale)));
  const scaledDirection = unitNorm ? direction : raw;
  const pScaled = project(centred, P * P, units, scaledDirection);
  const factor = unitNorm ? scale : ctx.direction === 'covariance' ? scale * scale : 1;
  const projected = pScaled.map((v) => v * factor);
  const fitScaled = fitOnCells(pScaled, cells, P, k);
  const fit = fitScaled ? rescaleFit(fitScaled, factor) : ZERO_FIT;
  const heldOutFve = ctx.split ? heldOut(ctx, t) : null;
  if (![...direction, ...projected, fit.intercept, fit.cosCos, fit.sinSin, fit.cosSin, fit.sinCos].every(Number.isFinite)) {
    fail(
      'value-too-large',
      `trigIdentityFit: with directionNorm 'raw' the projected signal overflows float64 for activations of magnitude ${scale}; use directionNorm 'unit'`,
    );
  }
  return {
    target,
    direction,
    projected,
    fit,
    identity: identityOf(fit, target),
    targetCorrelation: pearson(pScaled, t),
    degenerate: fitScaled === null,
    heldOutFve,
  };
}

function rescaleFit(fit: ProductFit, factor: number): ProductFit {
  return {
    intercept: fit.intercept * factor,
    cosCos: fit.cosCos * factor,
    sinSin: fit.sinSin * factor,
    cosSin: fit.cosSin * factor,
    sinCos: fit.sinCos * factor,
    fve: fit.fve,
  };
}

/** R² on the fit half with the direction from the other half (0 when the direction or signal vanishes). */
function heldOut(ctx: Context, t: Float64Array): number {
  const split = ctx.split!;
  const d = findDirection(
    centredRows(ctx.values, split.direction, ctx.units),
    split.direction.length,
    ctx.units,
    Float64Array.from(split.direction, (c) => t[c]),
    ctx.direction,
  );
  if (!d) return 0;
  const p = project(centredRows(ctx.values, split.fit, ctx.units), split.fit.length, ctx.units, d);
  return fitOnCells(p, split.fit, ctx.P, ctx.k)?.fve ?? 0;
}

function seededSplit(P: number, seed: number, fraction: number): { fit: Int32Array; direction: Int32Array } {
  const order = rootRng(seed)
    .fork('trig-fit-held-out')
    .shuffle(Array.from({ length: P * P }, (_, i) => i));
  const cut = Math.round(fraction * P * P);
  return { direction: Int32Array.from(order.slice(0, cut)).sort(), fit: Int32Array.from(order.slice(cut)).sort() };
}

/**
 * Trig-identity fit of activations `valuesByPair` [P*P, units] (row a*P + b) at frequency k, for both
 * targets cos(w_k(a+b)) and sin(w_k(a+b)). See the module header for the method.
 */
export function trigIdentityFit(valuesByPair: ArrayLike<number>, P: number, units: number, k: number, options?: TrigFitOptions): TrigFitResult {
  const fn = 'trigIdentityFit';
  const p = requireModulus(P, `${fn}: P`, 3);
  const u = requireUnits(units, `${fn}: units`);
  const freq = requireProperFrequency(k, p, `${fn}: k`);
  const raw = requireBlock(valuesByPair, `${fn}: valuesByPair`, p * p, u, '[P*P, units]');
  const opts = requireOptions<TrigFitOptions>(options, `${fn}: options`);
  const direction = requireChoice(opts.direction, `${fn}: options.direction`, ['covariance', 'regression'] as const, 'covariance');
  const directionNorm = requireChoice(opts.directionNorm, `${fn}: options.directionNorm`, ['unit', 'raw'] as const, 'unit');
  let split: Context['split'] = null;
  if (opts.heldOut !== undefined) {
    const h = requireOptions<{ seed: number; fraction: number }>(opts.heldOut, `${fn}: options.heldOut`);
    const seed = requireSeed(h.seed, `${fn}: options.heldOut.seed`);
    const fraction = requireNumber(h.fraction ?? 0.5, `${fn}: options.heldOut.fraction`, { min: 0.1, max: 0.9 });
    split = seededSplit(p, seed, fraction);
    if (split.fit.length < 10 || split.direction.length < 2) {
      fail(
        'too-few-points',
        `${fn}: a held-out split of the ${p * p} pairs leaves ${split.direction.length} for the direction and ${split.fit.length} for the fit; needs ≥ 2 and ≥ 10 (use P ≥ 5)`,
      );
    }
  }
  const scale = maxAbs(raw);
  const values = scale > 0 ? raw.map((v) => v / scale) : raw;
  const ctx: Context = { values, scale: scale > 0 ? scale : 1, P: p, units: u, k: freq, direction, directionNorm, split };
  return { P: p, units: u, k: freq, method: { direction, directionNorm }, cos: fitTarget(ctx, 'cos'), sin: fitTarget(ctx, 'sin') };
}

export interface NoiseBaseline {
  readonly draws: number;
  readonly cos: { readonly meanFve: number; readonly maxFve: number; readonly meanHeldOutFve: number };
  readonly sin: { readonly meanFve: number; readonly maxFve: number; readonly meanHeldOutFve: number };
}

/**
 * The trig fit on standard-normal activations of the same shape (seeded): the in-sample FVE that noise
 * alone reaches, to compare a model's FVE against. Held-out FVE uses the same seed for the split.
 */
export function trigFitNoiseBaseline(
  P: number,
  units: number,
  k: number,
  options: { seed: number; draws?: number; direction?: 'covariance' | 'regression' },
): NoiseBaseline {
  const fn = 'trigFitNoiseBaseline';
  const p = requireModulus(P, `${fn}: P`, 5);
  const u = requireUnits(units, `${fn}: units`);
  requireProperFrequency(k, p, `${fn}: k`);
  const opts = requireOptions<{ seed: number; draws: number; direction: 'covariance' | 'regression' }>(options, `${fn}: options`);
  const seed = requireSeed(opts.seed, `${fn}: options.seed`);
  const draws = requireInteger(opts.draws ?? 20, `${fn}: options.draws`, 1, 10_000);
  const direction = requireChoice(opts.direction, `${fn}: options.direction`, ['covariance', 'regression'] as const, 'covariance');
  if (p * p * u * draws > 1e8) fail('out-of-range', `${fn}: ${draws} draws of a [${p * p}, ${u}] block is more work than supported (P²·units·draws ≤ 1e8)`);
  const rng = rootRng(seed).fork('trig-fit-noise');
  const acc = { cos: { sum: 0, max: 0, held: 0 }, sin: { sum: 0, max: 0, held: 0 } };
  for (let i = 0; i < draws; i++) {
    const noise = Float64Array.from({ length: p * p * u }, () => rng.normal());
    const r = trigIdentityFit(noise, p, u, k, { direction, heldOut: { seed } });
    for (const target of ['cos', 'sin'] as const) {
      acc[target].sum += r[target].fit.fve;
      acc[target].max = Math.max(acc[target].max, r[target].fit.fve);
      acc[target].held += r[target].heldOutFve ?? 0;
    }
  }
  const summary = (a: { sum: number; max: number; held: number }) => ({ meanFve: a.sum / draws, maxFve: a.max, meanHeldOutFve: a.held / draws });
  return { draws, cos: summary(acc.cos), sin: summary(acc.sin) };
}

// ---- A. Table 3 as the paper computes it: directions W′L u_k, W′L v_k from the weights ----------------------

/**
 * W′L [P, units] row c: ⟨T[c] − mean_c T, M[i]⟩ for each unit i, from the map of each unit to the output
 * `unitToOutput` M [units, dims] and one output per class `classOutputs` T [P, dims] (module header, A.1).
 */
export function classReadoutMap(unitToOutput: ArrayLike<number>, units: number, classOutputs: ArrayLike<number>, P: number, dims: number): Float64Array {
  const fn = 'classReadoutMap';
  const u = requireUnits(units, `${fn}: units`);
  const p = requireModulus(P, `${fn}: P`);
  const d = requireUnits(dims, `${fn}: dims`);
  const M = requireBlock(unitToOutput, `${fn}: unitToOutput`, u, d, '[units, dims]');
  const T = requireBlock(classOutputs, `${fn}: classOutputs`, p, d, '[P, dims]');
  // Scaled to at most 1 in magnitude, so sums of products stay finite; the scale is restored at the end.
  const sM = maxAbs(M) || 1;
  const sT = maxAbs(T) || 1;
  const mean = new Float64Array(d);
  for (let c = 0; c < p; c++) for (let j = 0; j < d; j++) mean[j] += T[c * d + j] / sT;
  for (let j = 0; j < d; j++) mean[j] /= p;
  const out = new Float64Array(p * u);
  for (let c = 0; c < p; c++) {
    for (let i = 0; i < u; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (T[c * d + j] / sT - mean[j]) * (M[i * d + j] / sM);
      out[c * u + i] = s * sM * sT;
    }
  }
  if (!out.every(Number.isFinite)) fail('value-too-large', `${fn}: the readout overflows float64 (|M| up to ${sM}, |T| up to ${sT}); rescale the inputs`);
  return out;
}

/** u_k = Σ_c cos(w_k c)·W′L[c, :] and v_k = Σ_c sin(w_k c)·W′L[c, :] (module header, A.2), each [units]. */
export function readoutFourierDirections(
  readout: ArrayLike<number>,
  P: number,
  units: number,
  k: number,
): { readonly cos: Float64Array; readonly sin: Float64Array } {
  const fn = 'readoutFourierDirections';
  const p = requireModulus(P, `${fn}: P`, 3);
  const u = requireUnits(units, `${fn}: units`);
  const freq = requireProperFrequency(k, p, `${fn}: k`);
  const W = requireBlock(readout, `${fn}: readout`, p, u, '[P, units]');
  return fourierDirections(W, p, u, freq);
}

function fourierDirections(W: Float64Array, P: number, units: number, k: number): { cos: Float64Array; sin: Float64Array } {
  const cos = new Float64Array(units);
  const sin = new Float64Array(units);
  for (let c = 0; c < P; c++) {
    const theta = omega((k * c) % P, P);
    const cc = Math.cos(theta);
    const sc = Math.sin(theta);
    for (let i = 0; i < units; i++) {
      cos[i] += cc * W[c * units + i];
      sin[i] += sc * W[c * units + i];
    }
  }
  return { cos, sin };
}

export interface ReadoutTargetFit {
  readonly target: TrigTarget;
  /** [units]: u_k (cos) or v_k (sin), unnormalised. */
  readonly direction: Float64Array;
  /** [P*P] row a*P + b: p = direction·x(a, b). */
  readonly projected: Float64Array;
  /** In-sample least squares on [1, cos·cos, sin·sin, cos·sin, sin·cos] over all pairs. */
  readonly fit: ProductFit;
  readonly identity: { readonly ratio: number | null; readonly alignment: number };
  /** R² of p on [1, cos(w_k(a+b)), sin(w_k(a+b))]: the fit constrained to the identity (≤ fit.fve). */
  readonly identityFve: number;
  /** Pearson correlation of p with the target cos/sin(w_k(a+b)). */
  readonly targetCorrelation: number;
  /** True when the direction is 0 or p is constant over the grid (FVE reported as 0). */
  readonly degenerate: boolean;
}

export interface ReadoutTrigFit {
  readonly P: number;
  readonly units: number;
  readonly k: number;
  readonly cos: ReadoutTargetFit;
  readonly sin: ReadoutTargetFit;
}

/** R² of `signal` on [1, cos(w_k(a+b)), sin(w_k(a+b))] over the grid; null when the signal is constant. */
function sumFitFve(signal: Float64Array, P: number, k: number): number | null {
  const norm = normalisedSignal(signal);
  if (!norm) return null;
  const { y, ssTot } = norm;
  const design = new Matrix(P * P, 3);
  for (let a = 0; a < P; a++) {
    for (let b = 0; b < P; b++) {
      const theta = omega((k * (a + b)) % P, P);
      design.set(a * P + b, 0, 1);
      design.set(a * P + b, 1, Math.cos(theta));
      design.set(a * P + b, 2, Math.sin(theta));
    }
  }
  const beta = solve(design, Matrix.columnVector(y), true).getColumn(0);
  let ssRes = 0;
  for (let r = 0; r < y.length; r++) {
    const fitted = beta[0] + design.get(r, 1) * beta[1] + design.get(r, 2) * beta[2];
    ssRes += (y[r] - fitted) * (y[r] - fitted);
  }
  return Math.min(1, Math.max(0, 1 - ssRes / ssTot));
}

function readoutTarget(
  values: Float64Array,
  sV: number,
  dirScaled: Float64Array,
  sD: number,
  P: number,
  units: number,
  k: number,
  target: TrigTarget,
): ReadoutTargetFit {
  const direction = dirScaled.map((v) => v * sD);
  const zero: ReadoutTargetFit = {
    target,
    direction,
    projected: new Float64Array(P * P),
    fit: ZERO_FIT,
    identity: { ratio: null, alignment: 0 },
    identityFve: 0,
    targetCorrelation: 0,
    degenerate: true,
  };
  if (!dirScaled.some((v) => v !== 0)) return zero;
  const pScaled = new Float64Array(P * P);
  for (let r = 0; r < P * P; r++) {
    let s = 0;
    for (let i = 0, q = r * units; i < units; i++, q++) s += values[q] * dirScaled[i];
    pScaled[r] = s;
  }
  const fitScaled = fitOnCells(pScaled, allCells(P), P, k);
  if (!fitScaled) return { ...zero, projected: pScaled.map((v) => v * sV * sD) };
  const factor = sV * sD;
  const fit = rescaleFit(fitScaled, factor);
  const projected = pScaled.map((v) => v * factor);
  if (![fit.intercept, fit.cosCos, fit.sinSin, fit.cosSin, fit.sinCos, ...projected, ...direction].every(Number.isFinite)) {
    fail('value-too-large', `trigReadoutFit: the projection overflows float64 (activations up to ${sV}, readout directions up to ${sD}); rescale the inputs`);
  }
  return {
    target,
    direction,
    projected,
    fit,
    identity: identityOf(fit, target),
    identityFve: Math.min(fitScaled.fve, sumFitFve(pScaled, P, k) ?? 0),
    targetCorrelation: pearson(pScaled, targetSignal(P, k, target)),
    degenerate: false,
  };
}

interface ReadoutInputs {
  readonly p: number;
  readonly u: number;
  readonly values: Float64Array; // activations / sV
  readonly sV: number;
  readonly readout: Float64Array; // W′L / sW
  readonly sW: number;
}

function readoutInputs(fn: string, valuesByPair: ArrayLike<number>, P: number, units: number, readout: ArrayLike<number>): ReadoutInputs {
  const p = requireModulus(P, `${fn}: P`, 3);
  const u = requireUnits(units, `${fn}: units`);
  const raw = requireBlock(valuesByPair, `${fn}: valuesByPair`, p * p, u, '[P*P, units]');
  const W = requireBlock(readout, `${fn}: readout`, p, u, '[P, units] (W′L, e.g. from classReadoutMap)');
  const sV = maxAbs(raw) || 1;
  const sW = maxAbs(W) || 1;
  return { p, u, values: raw.map((v) => v / sV), sV, readout: W.map((v) => v / sW), sW };
}

function readoutFitAt(x: ReadoutInputs, k: number): ReadoutTrigFit {
  const dirs = fourierDirections(x.readout, x.p, x.u, k);
  // Directions are scaled to at most 1 before projecting; sD restores their units.
  // A direction below 1e-12·P of the (scaled, ≤ 1) readout is rounding of a readout with no component at k: zero.
  const fitOne = (target: TrigTarget) => {
    const d = dirs[target];
    const sd = maxAbs(d);
    if (!(sd > 1e-12 * x.p)) return readoutTarget(x.values, x.sV, new Float64Array(x.u), x.sW, x.p, x.u, k, target);
    return readoutTarget(
      x.values,
      x.sV,
      d.map((v) => v / sd),
      sd * x.sW,
      x.p,
      x.u,
      k,
      target,
    );
  };
  return { P: x.p, units: x.u, k, cos: fitOne('cos'), sin: fitOne('sin') };
}

/**
 * Table 3 as the paper computes it (module header, A): activations `valuesByPair` [P*P, units] (row a*P + b)
 * projected on u_k and v_k of the readout W′L [P, units], each fitted in-sample on the four products at k.
 */
export function trigReadoutFit(valuesByPair: ArrayLike<number>, P: number, units: number, readout: ArrayLike<number>, k: number): ReadoutTrigFit {
  const fn = 'trigReadoutFit';
  const x = readoutInputs(fn, valuesByPair, P, units, readout);
  return readoutFitAt(x, requireProperFrequency(k, x.p, `${fn}: k`));
}

/** trigReadoutFit at every frequency with a cosine and a sine, k = 1 .. ⌈P/2⌉ − 1 (Table 3's rows, key and non-key). */
export function trigReadoutTable(valuesByPair: ArrayLike<number>, P: number, units: number, readout: ArrayLike<number>): ReadoutTrigFit[] {
  const x = readoutInputs('trigReadoutTable', valuesByPair, P, units, readout);
  const rows: ReadoutTrigFit[] = [];
  for (let k = 1; 2 * k < x.p; k++) rows.push(readoutFitAt(x, k));
  return rows;
}
