// Trig-identity reconstruction (the paper's Table 3): does the network build cos(w_k(a+b)) and sin(w_k(a+b))
// from products of single-operand features, as in cos(a+b) = cos a·cos b − sin a·sin b and
// sin(a+b) = sin a·cos b + cos a·sin b? The paper reports, for w1, cos(w1(a+b)) ≈ 138910·cos cos −
// 139849·sin sin (ratio ≈ −1) with FVE 0.95, and FVE 0.94 for the sine (PAPER.trigFitFve,
// PAPER.trigFitExampleCoefficients). Three parts live here: A, the projections and their four-product fit; B, a
// robustness check; C (at the end), the fit as Table 3 prints it — two products per target, phase fixed — which
// the trig-identities claim judges (issue 32), with its bootstrap, symmetry check and negative control.
//
// A. Table 3's projections as the paper computes them (trigReadoutFit / trigReadoutTable; their four-product fit
//    is the secondary 'anyPhase' reading, part C's two-product fit of the same projections the judged one). The
//    paper projects the FFN pre-activation onto W′L u_k and W′L v_k: directions in neuron space derived from
//    the WEIGHTS, not from the activations (after Nanda et al. 2023, where W_L maps MLP neurons to logits and
//    u_k, v_k are the cos/sin(w_k c) directions over the output c).
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
import { quantileSorted } from 'simple-statistics';
import { rootRng } from '../engine/random.ts';
import { omega, requireProperFrequency } from './basis.ts';
import {
  describeValue,
  fail,
  flushNegligible,
  maxAbs,
  requireBlock,
  requireChoice,
  requireInteger,
  requireModulus,
  requireNumber,
  requireOpenInterval,
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
  /**
   * The phase φ (radians, (−π, π]) of the identity part of the four-product fit: p ≈ A·cos(w_k(a+b) + φ) (cos)
   * or A·sin(w_k(a+b) + φ) (sin); 0 for the paper's identity, null when the fit has no identity part.
   */
  readonly phase: number | null;
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
    phase: null,
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
  // Values and direction are scaled to at most 1, so |p| ≤ units; a projection below 1e-12·units of that is the
  // rounding residue of a direction with no weight on the active units (e.g. a row shared by every class, removed
  // by the centring over c up to rounding): zero, as it is without the rounding.
  if (!(maxAbs(pScaled) > 1e-12 * units)) return { ...zero, projected: new Float64Array(P * P) };
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
    phase: identityPhase(fitScaled, target),
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

/** The phase of the identity part of a four-product fit (ReadoutTargetFit.phase); null when it has none. */
function identityPhase(fit: ProductCoefficients, target: TrigTarget): number | null {
  // cos(θ + φ) = cos φ·(cc − ss) − sin φ·(cs + sc); sin(θ + φ) = cos φ·(cs + sc) + sin φ·(cc − ss), θ = w_k(a+b).
  const even = fit.cosCos - fit.sinSin;
  const odd = fit.cosSin + fit.sinCos;
  const norm = Math.hypot(fit.cosCos, fit.sinSin, fit.cosSin, fit.sinCos);
  if (!(Math.hypot(even, odd) > 1e-9 * norm)) return null;
  const phi = target === 'cos' ? Math.atan2(-odd, even) : Math.atan2(even, odd);
  return phi === -Math.PI ? Math.PI : phi;
}

// ---- C. Table 3 as the paper writes it: the phase-fixed two-product fit (issue 32) ------------------------
//
// Table 3 prints cos(w1(a+b)) ≈ 138910·cos(w1a)cos(w1b) − 139849·sin(w1a)sin(w1b): TWO products per target, the
// identity's own. A fit on all four products (part A) reaches a high FVE for cos(w_k(a+b) + φ) at any phase φ;
// the two-product fit reaches cos²φ of it, so it is the reading that tests the identity as written.
//   phaseFixedFit: least squares of a grid signal on [1, P1, P2] with (P1, P2) = (cos·cos, sin·sin) for the cos
//     target and (sin·cos, cos·sin) for the sin target; ratio P1/P2 (identity −1 / +1). The intercept is the
//     only other term: FVE is a share of VARIANCE (about the grid mean), as the paper's name says. On the full
//     P×P grid the products are orthogonal to the constant and to each other (each has Σ = 0 and Σ² = P²/4 for
//     1 ≤ k < P/2), so the intercept changes no coefficient, and the two coefficients equal part A's.
//     The ratio's interval: a seeded percentile bootstrap over the P² pairs (resampled with replacement, the
//     fit redone on each resample, intercept included); none when the resamples do not settle the denominator's
//     sign (its own interval holds 0: the ratio's would be unbounded, its percentiles ill-conditioned noise).
//   pairAsymmetry: the share of a grid's power that is antisymmetric under a ↔ b, overall and in the sin
//     products at k, where sin·cos − cos·sin = sin(w_k(a−b)) is antisymmetric and sin·cos + cos·sin =
//     sin(w_k(a+b)) symmetric: a grid with no antisymmetric content there gives every projection sinCos =
//     cosSin, so the sin ratio +1 is then forced by symmetry and says nothing about the identity.
//   phaseShiftedActivations: a synthetic pre-activation whose projections on u_k and v_k of a readout are
//     cos(w_k(a+b) + φ) and sin(w_k(a+b) + φ) exactly (the negative control of the phase-fixed reading).
//   directWriteDecoding: which class the FFN neurons' own write into the output points to, per pair.

/** The four operand products at frequency k over the grid, each [P*P] row a*P + b. */
function gridProducts(P: number, k: number): Record<ProductName, Float64Array> {
  const out = { cosCos: new Float64Array(P * P), sinSin: new Float64Array(P * P), cosSin: new Float64Array(P * P), sinCos: new Float64Array(P * P) };
  for (let a = 0; a < P; a++) {
    const ta = omega((k * a) % P, P);
    for (let b = 0; b < P; b++) {
      const tb = omega((k * b) % P, P);
      const i = a * P + b;
      out.cosCos[i] = Math.cos(ta) * Math.cos(tb);
      out.sinSin[i] = Math.sin(ta) * Math.sin(tb);
      out.cosSin[i] = Math.cos(ta) * Math.sin(tb);
      out.sinCos[i] = Math.sin(ta) * Math.cos(tb);
    }
  }
  return out;
}

export type ProductName = 'cosCos' | 'sinSin' | 'cosSin' | 'sinCos';

/** The identity's two products per target, [numerator, denominator] of its ratio, and the ratio it predicts. */
export const IDENTITY_PRODUCTS: Readonly<Record<TrigTarget, { readonly products: readonly [ProductName, ProductName]; readonly ratio: number }>> = {
  cos: { products: ['cosCos', 'sinSin'], ratio: -1 },
  sin: { products: ['sinCos', 'cosSin'], ratio: 1 },
};

export interface RatioInterval {
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
  readonly resamples: number;
  /** Resamples on which the ratio was defined (the interval is over these). */
  readonly defined: number;
}

export interface PhaseFixedFit {
  readonly target: TrigTarget;
  /** [numerator, denominator] of the ratio: cos → (cosCos, sinSin); sin → (sinCos, cosSin). */
  readonly products: readonly [ProductName, ProductName];
  /** Their coefficients, in the signal's units. */
  readonly coefficients: readonly [number, number];
  readonly intercept: number;
  /** R² of the two-product fit (about the grid mean). */
  readonly fve: number;
  /** coefficients[0] / coefficients[1] (identity: −1 for cos, +1 for sin); null when the denominator vanishes. */
  readonly ratio: number | null;
  /**
   * Percentile-bootstrap interval of the ratio over pairs; null without a ratio, or when the denominator's sign is
   * not settled: more than (1 − level)/2 of the resamples give it the other sign (or no ratio), so the interval
   * would be unbounded.
   */
  readonly ratioInterval: RatioInterval | null;
  /** True when the signal is constant over the grid (FVE 0, coefficients 0). */
  readonly degenerate: boolean;
}

export interface PhaseFixedOptions {
  /** Seed of the bootstrap's resampling stream. */
  readonly seed: number;
  /** Number of bootstrap resamples (default 1000; 0 gives no interval). */
  readonly resamples?: number;
  /** Interval level (default 0.95). */
  readonly level?: number;
}

/** Least squares of y on [1, x1, x2] over the rows `rows` (all when null): [intercept, β1, β2, ssRes, ssTot], or null when singular. */
function twoProductLeastSquares(y: Float64Array, x1: Float64Array, x2: Float64Array, rows: Int32Array | null): Float64Array | null {
  const n = rows ? rows.length : y.length;
  let my = 0;
  let m1 = 0;
  let m2 = 0;
  for (let r = 0; r < n; r++) {
    const i = rows ? rows[r] : r;
    my += y[i];
    m1 += x1[i];
    m2 += x2[i];
  }
  my /= n;
  m1 /= n;
  m2 /= n;
  let s11 = 0;
  let s12 = 0;
  let s22 = 0;
  let s1y = 0;
  let s2y = 0;
  let syy = 0;
  for (let r = 0; r < n; r++) {
    const i = rows ? rows[r] : r;
    const d1 = x1[i] - m1;
    const d2 = x2[i] - m2;
    const dy = y[i] - my;
    s11 += d1 * d1;
    s12 += d1 * d2;
    s22 += d2 * d2;
    s1y += d1 * dy;
    s2y += d2 * dy;
    syy += dy * dy;
  }
  const det = s11 * s22 - s12 * s12;
  if (!(det > 1e-12 * s11 * s22) || !(s11 > 0) || !(s22 > 0)) return null;
  const b1 = (s22 * s1y - s12 * s2y) / det;
  const b2 = (s11 * s2y - s12 * s1y) / det;
  // SS_res = SS_tot − β·(X̃ᵀỹ) for the least-squares β.
  const ssRes = Math.max(0, syy - b1 * s1y - b2 * s2y);
  return Float64Array.of(my - b1 * m1 - b2 * m2, b1, b2, ssRes, syy);
}

/** num/den for coefficients of a signal scaled to max |·| = 1; null when both are rounding (< 1e-9) or den vanishes next to num. */
function ratioOf(num: number, den: number): number | null {
  const size = Math.hypot(num, den);
  return size > 1e-9 && Math.abs(den) > 1e-9 * size ? num / den : null;
}

/**
 * Table 3's fit as printed (section C above): a grid signal `signalByPair` [P*P] (row a*P + b) fitted on the
 * identity's two products for `target` at frequency k (1 ≤ k < P/2), with the ratio's bootstrap interval.
 */
export function phaseFixedFit(signalByPair: ArrayLike<number>, P: number, k: number, target: TrigTarget, options: PhaseFixedOptions): PhaseFixedFit {
  const fn = 'phaseFixedFit';
  const p = requireModulus(P, `${fn}: P`, 3);
  const freq = requireProperFrequency(k, p, `${fn}: k`);
  const signal = requireBlock(signalByPair, `${fn}: signalByPair`, p * p, 1, '[P*P]');
  if (target !== 'cos' && target !== 'sin') fail('bad-option', `${fn}: target must be 'cos' or 'sin', got ${describeValue(target)}`);
  const t: TrigTarget = target;
  const opts = requireOptions<PhaseFixedOptions>(options, `${fn}: options`);
  const seed = requireSeed(opts.seed, `${fn}: options.seed`);
  const resamples = requireInteger(opts.resamples ?? 1000, `${fn}: options.resamples`, 0, 100_000);
  const level = requireOpenInterval(opts.level ?? 0.95, `${fn}: options.level`, 0, 1);
  if (p * p * resamples > 1e9) fail('out-of-range', `${fn}: ${resamples} resamples of ${p * p} pairs is more work than supported (P²·resamples ≤ 1e9)`);
  const { products } = IDENTITY_PRODUCTS[t];
  const degenerate: PhaseFixedFit = { target: t, products, coefficients: [0, 0], intercept: 0, fve: 0, ratio: null, ratioInterval: null, degenerate: true };
  const norm = normalisedSignal(signal);
  if (!norm) return degenerate;
  const y = Float64Array.from(norm.y);
  const grid = gridProducts(p, freq);
  const [x1, x2] = [grid[products[0]], grid[products[1]]];
  const full = twoProductLeastSquares(y, x1, x2, null);
  if (!full) return degenerate;
  const [b0, b1, b2, ssRes, ssTot] = full;
  const ratio = ratioOf(b1, b2);
  return {
    target: t,
    products,
    coefficients: [b1 * norm.scale, b2 * norm.scale],
    intercept: b0 * norm.scale,
    fve: Math.min(1, Math.max(0, 1 - ssRes / ssTot)),
    ratio,
    ratioInterval:
      ratio === null || resamples === 0 ? null : bootstrapRatio(y, x1, x2, { seed, resamples, level, name: `${t}-k${freq}`, denominatorSign: Math.sign(b2) }),
    degenerate: false,
  };
}

/** The percentile-bootstrap interval of β1/β2 over resampled rows; null when fewer than half define it. */
function bootstrapRatio(
  y: Float64Array,
  x1: Float64Array,
  x2: Float64Array,
  o: { seed: number; resamples: number; level: number; name: string; denominatorSign: number },
): RatioInterval | null {
  // One stream per target and frequency, so a row's interval does not depend on which rows were fitted before.
  const rng = rootRng(o.seed).fork(`trig-phase-fixed-ratio-${o.name}`);
  const n = y.length;
  const rows = new Int32Array(n);
  const ratios: number[] = [];
  let unresolved = 0;
  for (let r = 0; r < o.resamples; r++) {
    for (let i = 0; i < n; i++) rows[i] = rng.int(n);
    const fit = twoProductLeastSquares(y, x1, x2, rows);
    const q = fit ? ratioOf(fit[1], fit[2]) : null;
    if (q !== null && Number.isFinite(q)) ratios.push(q);
    if (q === null || !fit || Math.sign(fit[2]) !== o.denominatorSign) unresolved++;
  }
  const alpha = (1 - o.level) / 2;
  // A denominator whose sign the resamples do not settle (its own interval holds 0) makes the ratio's interval
  // unbounded: its percentiles would be ill-conditioned noise, so there is none.
  if (unresolved > alpha * o.resamples) return null;
  ratios.sort((a, b) => a - b);
  return { lower: quantileSorted(ratios, alpha), upper: quantileSorted(ratios, 1 - alpha), level: o.level, resamples: o.resamples, defined: ratios.length };
}

export interface PairAsymmetry {
  /** Share of the grid's power about each unit's mean in its part antisymmetric under a ↔ b, x(a,b) − x(b,a) over 2. */
  readonly overall: number;
  /**
   * Share of the grid's power in the sin products at k that lies in sin(w_k(a−b)) (antisymmetric) rather than
   * sin(w_k(a+b)) (symmetric), summed over units; 0 when the grid has no power there.
   */
  readonly sinProducts: number;
}

/** How far a grid [P*P, units] (row a*P + b) is from symmetric in a and b (section C above). */
export function pairAsymmetry(valuesByPair: ArrayLike<number>, P: number, units: number, k: number): PairAsymmetry {
  const fn = 'pairAsymmetry';
  const p = requireModulus(P, `${fn}: P`, 3);
  const u = requireUnits(units, `${fn}: units`);
  const freq = requireProperFrequency(k, p, `${fn}: k`);
  const raw = requireBlock(valuesByPair, `${fn}: valuesByPair`, p * p, u, '[P*P, units]');
  const scale = maxAbs(raw) || 1;
  const x = raw.map((v) => v / scale);
  const means = new Float64Array(u);
  for (let r = 0; r < p * p; r++) for (let i = 0; i < u; i++) means[i] += x[r * u + i] / (p * p);
  let total = 0;
  let anti = 0;
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      for (let i = 0; i < u; i++) {
        const v = x[(a * p + b) * u + i];
        const d = (v - x[(b * p + a) * u + i]) / 2;
        total += (v - means[i]) ** 2;
        anti += d * d;
      }
    }
  }
  const grid = gridProducts(p, freq);
  let sym = 0;
  let asym = 0;
  for (let i = 0; i < u; i++) {
    let s = 0;
    let d = 0;
    for (let r = 0; r < p * p; r++) {
      s += x[r * u + i] * (grid.sinCos[r] + grid.cosSin[r]);
      d += x[r * u + i] * (grid.sinCos[r] - grid.cosSin[r]);
    }
    sym += s * s;
    asym += d * d;
  }
  const share = (part: number, whole: number) => (whole > 1e-24 * p * p * u ? Math.min(1, Math.max(0, part / whole)) : 0);
  return { overall: share(anti, total), sinProducts: share(asym, sym + asym) };
}

/**
 * A synthetic pre-activation [P*P, units] whose projections on u_k and v_k of `readout` (W′L [P, units],
 * readoutFourierDirections) are exactly cos(w_k(a+b) + phase) and sin(w_k(a+b) + phase): x(a, b) = α·u_k + β·v_k
 * with (α, β) from the Gram matrix of u_k, v_k. AnalysisError 'zero-variance' when u_k and v_k are
 * (nearly) parallel or zero, so no such activation exists in their span.
 */
export function phaseShiftedActivations(readout: ArrayLike<number>, P: number, units: number, k: number, phase: number): Float64Array {
  const fn = 'phaseShiftedActivations';
  const p = requireModulus(P, `${fn}: P`, 3);
  const u = requireUnits(units, `${fn}: units`);
  const freq = requireProperFrequency(k, p, `${fn}: k`);
  const W = requireBlock(readout, `${fn}: readout`, p, u, '[P, units]');
  const phi = requireNumber(phase, `${fn}: phase`, { min: -8, max: 8 });
  const sW = maxAbs(W) || 1;
  const { cos: c, sin: s } = fourierDirections(
    W.map((v) => v / sW),
    p,
    u,
    freq,
  );
  let gcc = 0;
  let gcs = 0;
  let gss = 0;
  for (let i = 0; i < u; i++) {
    gcc += c[i] * c[i];
    gcs += c[i] * s[i];
    gss += s[i] * s[i];
  }
  const det = gcc * gss - gcs * gcs;
  if (!(det > 1e-12 * gcc * gss) || !(gcc > 1e-24) || !(gss > 1e-24)) {
    fail('zero-variance', `${fn}: the readout's u_k and v_k at k = ${freq} are zero or parallel; no activation has the two projections`);
  }
  const out = new Float64Array(p * p * u);
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const theta = omega((freq * (a + b)) % p, p) + phi;
      const tc = Math.cos(theta);
      const ts = Math.sin(theta);
      // Solve G·(α, β) = (tc, ts) for the scaled directions; projections on the unscaled ones divide by sW.
      const alpha = (gss * tc - gcs * ts) / det / sW;
      const beta = (gcc * ts - gcs * tc) / det / sW;
      for (let i = 0; i < u; i++) out[(a * p + b) * u + i] = alpha * c[i] + beta * s[i];
    }
  }
  if (!out.every(Number.isFinite)) fail('value-too-large', `${fn}: the activation overflows float64 (readout up to ${sW}); rescale the readout`);
  return out;
}

export interface DirectWriteDecoding {
  /** Pairs whose decoded class is (a + b) mod P. */
  readonly correct: number;
  readonly total: number;
  /** correct / total (chance: 1/P). */
  readonly share: number;
  /** [P*P] the decoded class per pair, row a*P + b. */
  readonly predicted: Int32Array;
}

/**
 * Decodes the FFN neurons' own write into the output (module header, A.1): for each pair, the class
 * argmax_c Σ_i W′L[c, i]·(x_i(a, b) − mean x_i), with x [P*P, units] the post-GeLU activations (row a*P + b)
 * and W′L [P, units] the readout (classReadoutMap). By default the mean over pairs is removed: it, like the
 * fc2 bias (never included), writes the same image for every pair and cannot carry c; `centre: false` keeps
 * it (the neurons' whole write). Ties go to the smallest class.
 */
export function directWriteDecoding(
  postByPair: ArrayLike<number>,
  P: number,
  units: number,
  readout: ArrayLike<number>,
  options?: { readonly centre?: boolean },
): DirectWriteDecoding {
  const fn = 'directWriteDecoding';
  const p = requireModulus(P, `${fn}: P`, 2);
  const u = requireUnits(units, `${fn}: units`);
  const raw = requireBlock(postByPair, `${fn}: postByPair`, p * p, u, '[P*P, units]');
  const Wraw = requireBlock(readout, `${fn}: readout`, p, u, '[P, units] (W′L)');
  const opts = requireOptions<{ centre: boolean }>(options, `${fn}: options`);
  if (opts.centre !== undefined && typeof opts.centre !== 'boolean')
    fail('bad-option', `${fn}: options.centre must be true or false, got ${describeValue(opts.centre)}`);
  const centre = opts.centre ?? true;
  const sx = maxAbs(raw) || 1;
  const sW = maxAbs(Wraw) || 1;
  const x = raw.map((v) => v / sx);
  const W = Wraw.map((v) => v / sW);
  const means = new Float64Array(u);
  if (centre) {
    for (let r = 0; r < p * p; r++) for (let i = 0; i < u; i++) means[i] += x[r * u + i];
    for (let i = 0; i < u; i++) means[i] /= p * p;
  }
  const predicted = new Int32Array(p * p);
  let correct = 0;
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      const row = (a * p + b) * u;
      let best = 0;
      let bestScore = -Infinity;
      for (let c = 0; c < p; c++) {
        let score = 0;
        for (let i = 0; i < u; i++) score += W[c * u + i] * (x[row + i] - means[i]);
        if (score > bestScore) {
          bestScore = score;
          best = c;
        }
      }
      predicted[a * p + b] = best;
      if (best === (a + b) % p) correct++;
    }
  }
  return { correct, total: p * p, share: correct / (p * p), predicted };
}
