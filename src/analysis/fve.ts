// Fraction of variance explained (FVE) by the Fourier components of activations over the (a, b) grid, per
// unit and aggregated over units: the measurement behind the paper's Sec. 4.1 / Figure 3 ("selective
// frequencies": a few key frequencies carry the variance) and behind the Sec. 4.2 FVE entropy.
//
// Definition (PAPER.fveDefinition = 'centred-variance-share-in-orthonormal-fourier-basis'):
//   1. Centre each unit over the P×P grid (this removes exactly the const·const component).
//   2. Expand it in the orthonormal 2-D product basis φ_i(a)·φ_j(b) of basis.ts. By Parseval the squared
//      coefficients add up to the unit's centred sum of squares.
//   3. Aggregate over units by summing squared coefficients (units weighted by their variance), and divide
//      by the total: every basis function gets a share in [0, 1] and the shares sum to 1.
// Groups: a (φ_i(a)·const: cos/sin(w_k a) alone), b (const·φ_j(b)), same-frequency (k_a = k_b: the paper's
// "two-degree" products cos·cos, cos·sin, sin·cos, sin·sin), cross-frequency (k_a ≠ k_b, both ≥ 1).
// FVE of frequency k (`byFrequency[k]`) = the shares of every component whose frequencies are all k: the
//   1-D terms cos/sin(w_k a), cos/sin(w_k b) and the four same-k products. Cross-frequency products belong
//   to no single frequency: they are reported apart (`crossFrequency`, `crossByPair`), so that
//   Σ_k byFrequency[k] + crossFrequency = 1. `byFrequencySplitCross` instead gives each cross product half
//   to each of its two frequencies (then Σ_k = 1), for analyses that need a distribution over frequencies.
// Units whose values are constant (to rounding: CONSTANT_UNIT_TOLERANCE) have no FVE: they get zero rows in `perUnit`
// and are listed in `constantUnits`; if every unit is constant the FVE is undefined (AnalysisError).
// Fast path: the 2-D DFT (dft2dBlock), O(P² log P) per unit, rather than P² dense projections.

import { basisLabels, basisPairLabels, realFourierCoefficients2dBlock, realFourierCoefficientsBlock } from './basis.ts';
import type { DftEngine } from './dft.ts';
import { fail, requireBlock, requireFiniteArray, requireModulus, requireUnits } from './validate.ts';

/** The definition implemented here; equals PAPER.fveDefinition.value (checked by a test). */
export const FVE_DEFINITION = 'centred-variance-share-in-orthonormal-fourier-basis' as const;

/**
 * A unit counts as constant when its largest deviation from its mean is at most this times its largest
 * |value|: 64 ulps, i.e. constant up to the rounding of the (two-pass, accurate) mean.
 */
export const CONSTANT_UNIT_TOLERANCE = 64 * Number.EPSILON;

/** The FVE of frequency k split by component type (all are shares of the total variance). */
export interface FrequencyComponents {
  readonly k: number;
  readonly aCos: number;
  readonly aSin: number;
  readonly bCos: number;
  readonly bSin: number;
  /** cos(w_k a)·cos(w_k b) */
  readonly cosCos: number;
  /** cos(w_k a)·sin(w_k b) */
  readonly cosSin: number;
  /** sin(w_k a)·cos(w_k b) */
  readonly sinCos: number;
  /** sin(w_k a)·sin(w_k b) */
  readonly sinSin: number;
  /** Sum of the above = byFrequency[k]. */
  readonly total: number;
}

export interface PerUnitFve {
  /** [units]: population variance of each unit over the P×P grid (input units²). */
  readonly variance: Float64Array;
  /** [units, K+1] row-major: each unit's byFrequency (zero row for a constant unit). */
  readonly byFrequency: Float64Array;
  /** [units]: each unit's cross-frequency share. */
  readonly crossFrequency: Float64Array;
  /** [units, 4] row-major, columns (a, b, sameFrequency, crossFrequency): each unit's shares by group. */
  readonly byGroup: Float64Array;
  /** Units constant over the grid (no FVE defined; excluded from the aggregate). */
  readonly constantUnits: readonly number[];
}

export interface FveResult {
  readonly definition: typeof FVE_DEFINITION;
  readonly P: number;
  readonly units: number;
  /** K = ⌊P/2⌋. Frequencies are 1..K. */
  readonly maxFrequency: number;
  /** Σ over units of the population variance over the grid (input units²). */
  readonly totalVariance: number;
  /** [P, P] row i*P + j: share of φ_i(a)·φ_j(b) (basis order of basis.ts); sums to 1. */
  readonly byBasisPair: Float64Array;
  /** [K+1], index k: 1-D terms at k plus same-k products; index 0 (the constant) is 0. */
  readonly byFrequency: Float64Array;
  /** [K+1]: byFrequency plus half of every cross-frequency product involving k; sums to 1. */
  readonly byFrequencySplitCross: Float64Array;
  /** Component breakdown of byFrequency, entry k−1 for k = 1..K. */
  readonly components: readonly FrequencyComponents[];
  /** Share of all cross-frequency products (k_a ≠ k_b, both ≥ 1). */
  readonly crossFrequency: number;
  /** [K+1, K+1] row k_a, column k_b: share of the cross products with those frequencies (diagonal 0). */
  readonly crossByPair: Float64Array;
  /** Shares by group; a + b + sameFrequency + crossFrequency = 1. */
  readonly byGroup: { readonly a: number; readonly b: number; readonly sameFrequency: number; readonly crossFrequency: number };
  readonly perUnit: PerUnitFve;
}

/** Result of the 1-D FVE of an activation that depends on one operand ([P, units], e.g. embeddings). */
export interface OperandFveResult {
  readonly definition: typeof FVE_DEFINITION;
  readonly P: number;
  readonly units: number;
  readonly maxFrequency: number;
  readonly totalVariance: number;
  /** [P]: share of each 1-D basis function (basis order); index 0 (const) is 0; sums to 1. */
  readonly byBasis: Float64Array;
  /** [K+1]: cos + sin share at frequency k; index 0 is 0; sums to 1. */
  readonly byFrequency: Float64Array;
  readonly perUnit: {
    readonly variance: Float64Array;
    /** [units, K+1] row-major. */
    readonly byFrequency: Float64Array;
    readonly constantUnits: readonly number[];
  };
}

interface CentredBlock {
  /** Each unit centred and divided by its own largest deviation (so its values lie in [−1, 1]). */
  readonly values: Float64Array;
  /** [units]: the factor that takes the normalised unit back to input units (0 for a constant unit). */
  readonly unitScale: Float64Array;
  /** [units]: (unitScale / max unitScale)², the unit's weight in the aggregate. */
  readonly weight: Float64Array;
  readonly constant: Uint8Array;
  readonly constantUnits: number[];
}

/**
 * Normalise every unit on its own: divide by its largest |value|, centre it (two-pass mean), mark it
 * constant when its largest deviation is ≤ CONSTANT_UNIT_TOLERANCE, else divide by that deviation. Shares
 * of one unit are scale-free, so this costs nothing and keeps tiny or huge units at full precision; the
 * aggregate weights each unit by its squared scale. (Non-constant basis coefficients do not depend on the
 * mean, so centring only serves precision.)
 */
function centreUnits(raw: Float64Array, rows: number, units: number, fn: string, what: string): CentredBlock {
  const values = new Float64Array(raw.length);
  const unitScale = new Float64Array(units);
  const constant = new Uint8Array(units);
  const constantUnits: number[] = [];
  const column = new Float64Array(rows);
  for (let u = 0; u < units; u++) {
    let peak = 0;
    for (let r = 0; r < rows; r++) peak = Math.max(peak, Math.abs(raw[r * units + u]));
    let mean = 0;
    for (let r = 0; r < rows; r++) {
      column[r] = peak > 0 ? raw[r * units + u] / peak : 0;
      mean += column[r];
    }
    mean /= rows;
    let correction = 0;
    for (let r = 0; r < rows; r++) correction += column[r] - mean;
    mean += correction / rows;
    let deviation = 0;
    for (let r = 0; r < rows; r++) {
      column[r] -= mean;
      deviation = Math.max(deviation, Math.abs(column[r]));
    }
    if (!(deviation > CONSTANT_UNIT_TOLERANCE)) {
      constant[u] = 1;
      constantUnits.push(u);
      continue;
    }
    unitScale[u] = peak * deviation;
    for (let r = 0; r < rows; r++) values[r * units + u] = column[r] / deviation;
  }
  if (constantUnits.length === units) {
    fail('zero-variance', `${fn}: every unit of ${what} is constant over the grid; the FVE (a share of variance) is undefined`);
  }
  const largest = unitScale.reduce((m, v) => Math.max(m, v), 0);
  const weight = unitScale.map((v) => (v / largest) ** 2);
  return { values, unitScale, weight, constant, constantUnits };
}

/** Group codes of the 2-D components, for the aggregation loops. */
const GROUP_A = 1;
const GROUP_B = 2;
const GROUP_SAME = 3;
const GROUP_CROSS = 4;

/**
 * FVE of activations over all (a, b) pairs. `valuesByPair` is [P*P, units] row-major with row a*P + b.
 * See the module header for the definition.
 */
export function fveOfActivations(valuesByPair: ArrayLike<number>, P: number, units: number, engine?: DftEngine): FveResult {
  const fn = 'fveOfActivations';
  const p = requireModulus(P, `${fn}: P`);
  const u = requireUnits(units, `${fn}: units`);
  const raw = requireBlock(valuesByPair, `${fn}: valuesByPair`, p * p, u, '[P*P, units]');
  const centred = centreUnits(raw, p * p, u, fn, 'valuesByPair');
  const coefficients = realFourierCoefficients2dBlock(centred.values, p, u, engine);
  coefficients.fill(0, 0, u); // the const·const row: the means, removed by centring (rounding residue only)

  const K = Math.floor(p / 2);
  const pairs = basisPairLabels(p);
  const byPair = new Float64Array(p * p);
  const unitTotal = new Float64Array(u);
  const unitByFrequency = new Float64Array(u * (K + 1));
  const unitCross = new Float64Array(u);
  const unitByGroup = new Float64Array(u * 4);
  for (const pair of pairs) {
    const group = groupCode(pair.group);
    const k = group === GROUP_A ? pair.a.k : group === GROUP_B || group === GROUP_SAME ? pair.b.k : 0;
    const base = pair.index * u;
    let sum = 0;
    for (let v = 0; v < u; v++) {
      const c = coefficients[base + v];
      const power = c * c;
      sum += centred.weight[v] * power;
      unitTotal[v] += power;
      if (group > 0) unitByGroup[v * 4 + group - 1] += power;
      if (group === GROUP_CROSS) unitCross[v] += power;
      else if (k > 0) unitByFrequency[v * (K + 1) + k] += power;
    }
    byPair[pair.index] = sum;
  }

  let total = 0;
  for (let i = 0; i < byPair.length; i++) total += byPair[i];
  for (let i = 0; i < byPair.length; i++) byPair[i] /= total; // total ≥ 1: the largest unit has weight 1 and Σ power = rows·(mean square) > 0

  const perUnit = normalisePerUnit(unitTotal, unitByFrequency, unitCross, unitByGroup, centred, p * p, K);
  const totalVariance = perUnit.variance.reduce((acc, v) => acc + v, 0);
  return { definition: FVE_DEFINITION, P: p, units: u, maxFrequency: K, totalVariance, ...summariseByPair(byPair, pairs, K), perUnit };
}

/** FVE of a single unit over the grid ([P*P], row a*P + b): fveOfActivations with units = 1. */
export function fveOfGrid(valuesByPair: ArrayLike<number>, P: number, engine?: DftEngine): FveResult {
  return fveOfActivations(valuesByPair, P, 1, engine);
}

function groupCode(group: string): number {
  switch (group) {
    case 'a':
      return GROUP_A;
    case 'b':
      return GROUP_B;
    case 'same-frequency':
      return GROUP_SAME;
    case 'cross-frequency':
      return GROUP_CROSS;
    default:
      return 0;
  }
}

type PairSummary = Pick<FveResult, 'byBasisPair' | 'byFrequency' | 'byFrequencySplitCross' | 'components' | 'crossFrequency' | 'crossByPair' | 'byGroup'>;

/** Everything aggregated from the normalised per-pair shares. */
function summariseByPair(byPair: Float64Array, pairs: ReturnType<typeof basisPairLabels>, K: number): PairSummary {
  const byFrequency = new Float64Array(K + 1);
  const split = new Float64Array(K + 1);
  const crossByPair = new Float64Array((K + 1) * (K + 1));
  const parts = Array.from({ length: K + 1 }, () => ({ aCos: 0, aSin: 0, bCos: 0, bSin: 0, cosCos: 0, cosSin: 0, sinCos: 0, sinSin: 0 }));
  const byGroup = { a: 0, b: 0, sameFrequency: 0, crossFrequency: 0 };
  for (const pair of pairs) {
    const share = byPair[pair.index];
    switch (pair.group) {
      case 'a':
        byGroup.a += share;
        parts[pair.a.k][pair.type === 'a-cos' ? 'aCos' : 'aSin'] += share;
        break;
      case 'b':
        byGroup.b += share;
        parts[pair.b.k][pair.type === 'b-cos' ? 'bCos' : 'bSin'] += share;
        break;
      case 'same-frequency': {
        byGroup.sameFrequency += share;
        const key = ({ 'cos-cos': 'cosCos', 'cos-sin': 'cosSin', 'sin-cos': 'sinCos', 'sin-sin': 'sinSin' } as const)[pair.type as 'cos-cos'];
        parts[pair.a.k][key] += share;
        break;
      }
      case 'cross-frequency':
        byGroup.crossFrequency += share;
        crossByPair[pair.a.k * (K + 1) + pair.b.k] += share;
        split[pair.a.k] += share / 2;
        split[pair.b.k] += share / 2;
        break;
      default:
        break; // the constant: zero after centring
    }
  }
  const components: FrequencyComponents[] = [];
  for (let k = 1; k <= K; k++) {
    const c = parts[k];
    const total = c.aCos + c.aSin + c.bCos + c.bSin + c.cosCos + c.cosSin + c.sinCos + c.sinSin;
    byFrequency[k] = total;
    split[k] += total;
    components.push({ k, ...c, total });
  }
  return { byBasisPair: byPair, byFrequency, byFrequencySplitCross: split, components, crossFrequency: byGroup.crossFrequency, crossByPair, byGroup };
}

function normalisePerUnit(
  unitTotal: Float64Array,
  unitByFrequency: Float64Array,
  unitCross: Float64Array,
  unitByGroup: Float64Array,
  centred: CentredBlock,
  cells: number,
  K: number,
): PerUnitFve {
  const units = unitTotal.length;
  const variance = new Float64Array(units);
  for (let v = 0; v < units; v++) {
    const t = unitTotal[v];
    variance[v] = (t * centred.unitScale[v] * centred.unitScale[v]) / cells;
    if (centred.constant[v] || !(t > 0)) {
      unitByFrequency.fill(0, v * (K + 1), (v + 1) * (K + 1));
      unitByGroup.fill(0, v * 4, (v + 1) * 4);
      unitCross[v] = 0;
      continue;
    }
    for (let k = 0; k <= K; k++) unitByFrequency[v * (K + 1) + k] /= t;
    for (let g = 0; g < 4; g++) unitByGroup[v * 4 + g] /= t;
    unitCross[v] /= t;
  }
  return { variance, byFrequency: unitByFrequency, crossFrequency: unitCross, byGroup: unitByGroup, constantUnits: centred.constantUnits };
}

/**
 * 1-D FVE of an activation that depends on one operand: `valuesBySymbol` [P, units] row-major with row x
 * (e.g. the embeddings of symbol a). Same definition in the 1-D basis: centred per unit, squared
 * coefficients summed over units; FVE of frequency k = cos(w_k x) + sin(w_k x).
 */
export function fveByOperand(valuesBySymbol: ArrayLike<number>, P: number, units: number, engine?: DftEngine): OperandFveResult {
  const fn = 'fveByOperand';
  const p = requireModulus(P, `${fn}: P`);
  const u = requireUnits(units, `${fn}: units`);
  const raw = requireBlock(valuesBySymbol, `${fn}: valuesBySymbol`, p, u, '[P, units]');
  const centred = centreUnits(raw, p, u, fn, 'valuesBySymbol');
  const coefficients = realFourierCoefficientsBlock(centred.values, p, u, engine);
  coefficients.fill(0, 0, u);
  const K = Math.floor(p / 2);
  const labels = basisLabels(p);
  const byBasis = new Float64Array(p);
  const unitTotal = new Float64Array(u);
  const unitByFrequency = new Float64Array(u * (K + 1));
  for (const label of labels) {
    const base = label.index * u;
    for (let v = 0; v < u; v++) {
      const c = coefficients[base + v];
      byBasis[label.index] += centred.weight[v] * c * c;
      unitTotal[v] += c * c;
      if (label.k > 0) unitByFrequency[v * (K + 1) + label.k] += c * c;
    }
  }
  let total = 0;
  for (let i = 0; i < p; i++) total += byBasis[i];
  const byFrequency = new Float64Array(K + 1);
  for (const label of labels) {
    byBasis[label.index] /= total;
    if (label.k > 0) byFrequency[label.k] += byBasis[label.index];
  }
  const perUnit = normalisePerUnit(unitTotal, unitByFrequency, new Float64Array(u), new Float64Array(u * 4), centred, p, K);
  return {
    definition: FVE_DEFINITION,
    P: p,
    units: u,
    maxFrequency: K,
    totalVariance: perUnit.variance.reduce((acc, v) => acc + v, 0),
    byBasis,
    byFrequency,
    perUnit: { variance: perUnit.variance, byFrequency: perUnit.byFrequency, constantUnits: perUnit.constantUnits },
  };
}

/**
 * Validate a per-frequency FVE array (index = frequency k, index 0 = the constant and must be ≈ 0) as
 * produced by fveOfActivations / fveByOperand. Used by key-frequencies.ts and entropy.ts.
 */
export function requireFrequencyShares(value: unknown, name: string, options: { maxSum?: number } = {}): Float64Array {
  const shares = requireFiniteArray(value, name, { minLength: 2, shape: '[K+1] indexed by frequency k (index 0 = constant)' });
  let sum = 0;
  for (let k = 0; k < shares.length; k++) {
    if (shares[k] < 0) fail('out-of-range', `${name}[${k}] = ${shares[k]}; FVE shares must be ≥ 0`);
    sum += shares[k];
  }
  if (Math.abs(shares[0]) > 1e-9 * Math.max(1, sum)) {
    fail(
      'out-of-range',
      `${name}[0] = ${shares[0]}; index 0 is the constant term (removed by centring) and must be 0 — is the array indexed by frequency k = 0..K?`,
    );
  }
  if (options.maxSum !== undefined && sum > options.maxSum * (1 + 1e-9)) {
    fail('out-of-range', `${name} sums to ${sum}; FVE shares must sum to at most ${options.maxSum}`);
  }
  shares[0] = 0;
  return shares;
}
