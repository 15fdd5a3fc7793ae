// Reusable fast-check generators for the analysis library's property and fuzz tests: signals, activation
// grids with known Fourier content (so FVE, key frequencies and trig fits have an exact expected answer),
// distributions over frequencies, and deliberately bad input (NaN, ±Infinity, empty or mis-sized arrays,
// P < 2, non-integer sizes, junk values) for the fuzzers. Test-only: in src/ only the fuzz properties
// (src/analysis/fuzz/properties.ts, run by vitest and by `npm run fuzz`) import it.

import fc from 'fast-check';
import { fourierBasis, omega } from '../src/analysis/basis.ts';

// ---- Signals -------------------------------------------------------------------------------------------

/** A real signal with values in [−100, 100]. */
export function arbSignal(minLength = 1, maxLength = 64): fc.Arbitrary<Float64Array> {
  return fc.float64Array({ min: -100, max: 100, noNaN: true, minLength, maxLength });
}

/** A complex signal {re, im} with values in [−100, 100]. */
export function arbComplexSignal(minLength = 1, maxLength = 64): fc.Arbitrary<{ re: Float64Array; im: Float64Array }> {
  return fc.integer({ min: minLength, max: maxLength }).chain((n) =>
    fc.record({
      re: fc.float64Array({ min: -100, max: 100, noNaN: true, minLength: n, maxLength: n }),
      im: fc.float64Array({ min: -100, max: 100, noNaN: true, minLength: n, maxLength: n }),
    }),
  );
}

// ---- Activation grids with known Fourier content ------------------------------------------------------

export interface KnownFourierBlock {
  readonly P: number;
  readonly units: number;
  /** [P*P, units] row a*P + b. */
  readonly valuesByPair: Float64Array;
  /** [P*P, units] row i*P + j: the exact coefficient of φ_i(a)·φ_j(b) in the centred block. */
  readonly coefficients: Float64Array;
  /** [P*P]: the exact aggregated FVE of each 2-D basis function. */
  readonly expectedByBasisPair: Float64Array;
}

/**
 * A block [P*P, units] that is a per-unit offset plus a sum of distinct 2-D basis functions with random
 * coefficients; every unit has a non-zero first coefficient (|c| ≥ 0.1), so no unit is constant.
 */
export function arbKnownFourierBlock(opts: { minP?: number; maxP?: number; maxUnits?: number; maxTerms?: number } = {}): fc.Arbitrary<KnownFourierBlock> {
  const { minP = 2, maxP = 12, maxUnits = 4, maxTerms = 6 } = opts;
  return fc
    .record({ P: fc.integer({ min: minP, max: maxP }), units: fc.integer({ min: 1, max: maxUnits }) })
    .chain(({ P, units }) =>
      fc.record({
        P: fc.constant(P),
        units: fc.constant(units),
        pairs: fc.uniqueArray(fc.integer({ min: 1, max: P * P - 1 }), { minLength: 1, maxLength: Math.min(maxTerms, P * P - 1) }),
        firstCoefficients: fc.array(fc.tuple(fc.double({ min: 0.1, max: 3, noNaN: true }), fc.boolean()), { minLength: units, maxLength: units }),
        otherCoefficients: fc.float64Array({ min: -3, max: 3, noNaN: true, minLength: maxTerms * units, maxLength: maxTerms * units }),
        offsets: fc.float64Array({ min: -10, max: 10, noNaN: true, minLength: units, maxLength: units }),
      }),
    )
    .map(({ P, units, pairs, firstCoefficients, otherCoefficients, offsets }) => {
      const basis = fourierBasis(P);
      const coefficients = new Float64Array(P * P * units);
      pairs.forEach((pair, t) => {
        for (let u = 0; u < units; u++) {
          const [magnitude, negative] = firstCoefficients[u];
          coefficients[pair * units + u] = t === 0 ? (negative ? -magnitude : magnitude) : otherCoefficients[t * units + u] + 0;
        }
      });
      const valuesByPair = new Float64Array(P * P * units);
      for (let a = 0; a < P; a++) {
        for (let b = 0; b < P; b++) {
          for (let u = 0; u < units; u++) {
            let v = offsets[u];
            for (const pair of pairs) {
              const i = Math.floor(pair / P);
              const j = pair % P;
              v += coefficients[pair * units + u] * basis.vectors[i * P + a] * basis.vectors[j * P + b];
            }
            valuesByPair[(a * P + b) * units + u] = v;
          }
        }
      }
      const expectedByBasisPair = new Float64Array(P * P);
      let total = 0;
      for (const pair of pairs) {
        for (let u = 0; u < units; u++) expectedByBasisPair[pair] += coefficients[pair * units + u] ** 2;
        total += expectedByBasisPair[pair];
      }
      for (const pair of pairs) expectedByBasisPair[pair] /= total;
      return { P, units, valuesByPair, coefficients, expectedByBasisPair };
    });
}

export interface PureCosine {
  readonly P: number;
  readonly k: number;
  readonly phase: number;
  readonly amplitude: number;
  readonly offset: number;
  /** What the cosine is a function of: a, b, a + b or a − b. */
  readonly operand: 'a' | 'b' | 'sum' | 'difference';
  /** [P*P] row a*P + b: offset + amplitude·cos(w_k·operand + phase). */
  readonly valuesByPair: Float64Array;
}

/** A single unit amplitude·cos(w_k x + φ) + offset with 1 ≤ k < P/2 (so cos and sin both exist). */
export function arbPureCosine(opts: { minP?: number; maxP?: number } = {}): fc.Arbitrary<PureCosine> {
  const { minP = 3, maxP = 24 } = opts;
  return fc
    .integer({ min: minP, max: maxP })
    .chain((P) =>
      fc.record({
        P: fc.constant(P),
        k: fc.integer({ min: 1, max: Math.floor((P - 1) / 2) }),
        phase: fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
        amplitude: fc.double({ min: 0.1, max: 10, noNaN: true }),
        offset: fc.double({ min: -10, max: 10, noNaN: true }),
        operand: fc.constantFrom('a' as const, 'b' as const, 'sum' as const, 'difference' as const),
      }),
    )
    .map((c) => {
      const values = new Float64Array(c.P * c.P);
      for (let a = 0; a < c.P; a++) {
        for (let b = 0; b < c.P; b++) {
          const x = c.operand === 'a' ? a : c.operand === 'b' ? b : c.operand === 'sum' ? a + b : a - b + c.P;
          values[a * c.P + b] = c.offset + c.amplitude * Math.cos(omega((c.k * x) % c.P, c.P) + c.phase);
        }
      }
      return { ...c, valuesByPair: values };
    });
}

export interface ProductBlock {
  readonly P: number;
  readonly k: number;
  readonly units: number;
  /** [units, 4]: coefficients of (cos·cos, sin·sin, cos·sin, sin·cos) at k for each unit. */
  readonly gamma: Float64Array;
  /** [units]: per-unit intercepts. */
  readonly intercepts: Float64Array;
  /** [P*P, units] row a*P + b. */
  readonly valuesByPair: Float64Array;
}

/** The four products at frequency k over the grid, [4][P*P]: cc, ss, cs, sc. */
export function productColumns(P: number, k: number): Float64Array[] {
  const cols = [0, 1, 2, 3].map(() => new Float64Array(P * P));
  for (let a = 0; a < P; a++) {
    for (let b = 0; b < P; b++) {
      const ta = omega((k * a) % P, P);
      const tb = omega((k * b) % P, P);
      const i = a * P + b;
      cols[0][i] = Math.cos(ta) * Math.cos(tb);
      cols[1][i] = Math.sin(ta) * Math.sin(tb);
      cols[2][i] = Math.cos(ta) * Math.sin(tb);
      cols[3][i] = Math.sin(ta) * Math.cos(tb);
    }
  }
  return cols;
}

/**
 * Activations that are exact linear combinations of the four products at k (plus intercepts). Coefficients
 * are 0 or of magnitude ≥ 1e-3, so the product structure stands far above float64 rounding of the values.
 */
export function arbProductBlock(opts: { minP?: number; maxP?: number; maxUnits?: number } = {}): fc.Arbitrary<ProductBlock> {
  const { minP = 3, maxP = 17, maxUnits = 5 } = opts;
  return fc
    .record({ P: fc.integer({ min: minP, max: maxP }), units: fc.integer({ min: 1, max: maxUnits }) })
    .chain(({ P, units }) =>
      fc.record({
        P: fc.constant(P),
        units: fc.constant(units),
        k: fc.integer({ min: 1, max: Math.floor((P - 1) / 2) }),
        gamma: fc.float64Array({ min: -5, max: 5, noNaN: true, minLength: 4 * units, maxLength: 4 * units }),
        intercepts: fc.float64Array({ min: -5, max: 5, noNaN: true, minLength: units, maxLength: units }),
      }),
    )
    .map(({ P, units, k, gamma: rawGamma, intercepts }) => {
      const gamma = rawGamma.map((g) => (Math.abs(g) < 1e-3 ? 0 : g));
      const cols = productColumns(P, k);
      const valuesByPair = new Float64Array(P * P * units);
      for (let i = 0; i < P * P; i++) {
        for (let u = 0; u < units; u++) {
          let v = intercepts[u];
          for (let c = 0; c < 4; c++) v += gamma[u * 4 + c] * cols[c][i];
          valuesByPair[i * units + u] = v;
        }
      }
      return { P, k, units, gamma, intercepts, valuesByPair };
    });
}

/** A non-negative per-frequency array (index 0 = 0) with K in [minK, maxK] and at least one positive entry. */
export function arbFrequencyShares(minK = 1, maxK = 30): fc.Arbitrary<Float64Array> {
  return fc
    .integer({ min: minK, max: maxK })
    .chain((K) =>
      fc.tuple(
        fc.float64Array({ min: 0, max: 1, noNaN: true, minLength: K, maxLength: K }),
        fc.integer({ min: 1, max: K }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
      ),
    )
    .map(([values, k, floor]) => {
      const out = new Float64Array(values.length + 1);
      out.set(values, 1);
      out[k] = Math.max(out[k], floor);
      return out;
    });
}

// ---- Bad input for the fuzzers ------------------------------------------------------------------------

/** Values that are not acceptable where a size, count or index is expected. */
export const BAD_SCALARS: readonly unknown[] = [NaN, Infinity, -Infinity, -1, 0, 0.5, 1.5, 2 ** 40, -0.0001, '3', null, undefined, {}, [], true];

/** Junk where an array is expected. */
export const BAD_ARRAYS: readonly unknown[] = [
  null,
  undefined,
  'abc',
  42,
  {},
  [1, 'x', 3],
  [NaN],
  [Infinity],
  [],
  new Float32Array(0),
  [1e200, 1],
  { length: 3 },
];

/** A small integer from `valid` most of the time, otherwise a bad scalar. */
export function fuzzInteger(valid: fc.Arbitrary<number>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 4, arbitrary: valid }, { weight: 2, arbitrary: fc.constantFrom(...BAD_SCALARS) });
}

/** A modulus: mostly 2..12, sometimes P < 2, non-integer, non-finite or not a number. */
export const fuzzModulus: fc.Arbitrary<unknown> = fuzzInteger(fc.integer({ min: 2, max: 12 }));

/** A unit count: mostly 1..4, sometimes 0, negative, fractional or junk. */
export const fuzzUnits: fc.Arbitrary<unknown> = fuzzInteger(fc.integer({ min: 1, max: 4 }));

/** Whether a fuzzed size is a usable small non-negative integer (then arrays are sized to match it). */
export function isSmallCount(x: unknown, max = 64): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= max;
}

/**
 * An array meant to have `length` finite values: valid most of the time (sometimes constant), otherwise
 * with NaN / ±Infinity / a too-large value injected, empty, one too long or short, or junk that is not an
 * array at all.
 */
export function fuzzArray(length: number, valueRange = 10): fc.Arbitrary<unknown> {
  const valid = fc.float64Array({ min: -valueRange, max: valueRange, noNaN: true, minLength: length, maxLength: length });
  const corrupt = fc.tuple(valid, fc.nat(), fc.constantFrom(NaN, Infinity, -Infinity, 1e200, -1e300)).map(([v, at, bad]) => {
    if (v.length === 0) return [bad];
    const out = Array.from(v);
    out[at % out.length] = bad;
    return out;
  });
  const wrongLength = fc
    .tuple(fc.constantFrom(-1, 1, 5), valid)
    .map(([delta, v]) => (delta < 0 ? v.slice(0, Math.max(0, v.length - 1)) : Float64Array.from([...v, ...new Array(delta).fill(0.5)])));
  const constant = fc.double({ min: -valueRange, max: valueRange, noNaN: true }).map((v) => new Float64Array(length).fill(v));
  return fc.oneof(
    { weight: 5, arbitrary: valid },
    { weight: 1, arbitrary: constant },
    { weight: 2, arbitrary: corrupt },
    { weight: 1, arbitrary: wrongLength },
    { weight: 1, arbitrary: fc.constant(new Float64Array(0)) },
    { weight: 1, arbitrary: fc.constantFrom(...BAD_ARRAYS) },
  );
}

/** A block [rows(P), units] with fuzzed P and units and an array sized to match when they are usable. */
export function fuzzBlock(rowsOf: (P: number) => number): fc.Arbitrary<{ P: unknown; units: unknown; values: unknown }> {
  return fc.tuple(fuzzModulus, fuzzUnits).chain(([P, units]) => {
    const length = isSmallCount(P) && isSmallCount(units) ? rowsOf(P) * units : 7;
    return fuzzArray(length).map((values) => ({ P, units, values }));
  });
}

/** An options object: the valid ones given, or junk / objects with bad fields. */
export function fuzzOptions(valid: fc.Arbitrary<unknown>, badFields: Record<string, readonly unknown[]> = {}): fc.Arbitrary<unknown> {
  const bad = Object.entries(badFields).map(([key, values]) => fc.constantFrom(...values).map((v) => ({ [key]: v })));
  return fc.oneof(
    { weight: 4, arbitrary: valid },
    { weight: 1, arbitrary: fc.constantFrom(undefined, null, 42, 'options', [], NaN) },
    ...bad.map((arbitrary) => ({ weight: 1, arbitrary })),
  );
}
