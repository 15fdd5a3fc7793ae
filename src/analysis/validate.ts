// Input validation for the pure Fourier-analysis library (src/analysis). Every exported analysis function
// checks its arguments here first, so bad input (NaN, ±Infinity, empty or mis-sized arrays, P < 2,
// non-integer sizes, units = 0, bad options) always ends in one typed AnalysisError whose message names the
// argument, what was received and what was expected, and never in a NaN result or an exception thrown from
// inside fft.js / ml-matrix / simple-statistics. Serves every analysis of the paper (Sec. 4.1, 4.2, Table 3,
// Figure 5) by guarding the data on its way in.

import { AnalysisError } from '../errors.ts';

/** The stable error codes of the analysis layer. */
export type AnalysisErrorCode =
  | 'not-an-array' //     an argument that must be an array of numbers is something else
  | 'not-a-number' //     an element or scalar that is not of type number
  | 'non-finite' //       NaN or ±Infinity
  | 'value-too-large' //  |x| > MAX_ABS_VALUE (squared sums would overflow float64)
  | 'empty' //            an array that must not be empty
  | 'length-mismatch' //  an array whose length does not match the declared shape
  | 'not-an-integer' //   P, units, counts, frequencies, labels, seeds
  | 'out-of-range' //     a number outside its allowed interval
  | 'bad-option' //       an options object or field of the wrong type / value
  | 'zero-variance' //    a quantity defined as a share of variance, on data with none
  | 'too-few-points' //   not enough samples for the statistic (PCA, splits, t-test)
  | 'bad-source'; //      a user-supplied random source that returned something outside [0, 1)

/** Largest magnitude accepted anywhere: squares and sums of squares of the data must stay finite. */
export const MAX_ABS_VALUE = 1e100;
/** Largest modulus P accepted (grids are P×P; P² must stay a sane allocation). */
export const MAX_MODULUS = 4096;
/** Largest 1-D transform length accepted (Bluestein pads to a power of two ≥ 2n − 1). */
export const MAX_SIGNAL_LENGTH = 1 << 22;
/** Largest count of units / samples / trials accepted in one call. */
export const MAX_COUNT = 1 << 26;

/** Throw the analysis layer's typed error. */
export function fail(code: AnalysisErrorCode, message: string): never {
  throw new AnalysisError(code, message);
}

/** A short, safe description of any value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value)}`;
  if (typeof value === 'bigint') return `the bigint ${value}n`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return `a value of type ${typeof value}`;
}

/** A finite number, optionally within [min, max]. */
export function requireNumber(value: unknown, name: string, range: { min?: number; max?: number } = {}): number {
  if (typeof value !== 'number') fail('not-a-number', `${name} must be a number, got ${describeValue(value)}`);
  if (!Number.isFinite(value)) fail('non-finite', `${name} must be finite, got ${describeValue(value)}`);
  const { min = -Infinity, max = Infinity } = range;
  if (value < min || value > max) fail('out-of-range', `${name} must lie in [${min}, ${max}], got ${value}`);
  return value;
}

/** A finite number strictly inside (lo, hi). */
export function requireOpenInterval(value: unknown, name: string, lo: number, hi: number): number {
  const x = requireNumber(value, name);
  if (!(x > lo && x < hi)) fail('out-of-range', `${name} must lie strictly between ${lo} and ${hi}, got ${x}`);
  return x;
}

/** An integer within [min, max]. */
export function requireInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number') fail('not-a-number', `${name} must be an integer, got ${describeValue(value)}`);
  if (!Number.isFinite(value)) fail('non-finite', `${name} must be a finite integer, got ${describeValue(value)}`);
  if (!Number.isInteger(value)) fail('not-an-integer', `${name} must be an integer, got ${value}`);
  if (value < min || value > max) fail('out-of-range', `${name} must be an integer in [${min}, ${max}], got ${value}`);
  return value;
}

/** The modulus P of Z_P: an integer in [min, MAX_MODULUS] (min 2 unless a function needs more). */
export function requireModulus(value: unknown, name = 'P', min = 2): number {
  return requireInteger(value, `${name} (the modulus of Z_P)`, min, MAX_MODULUS);
}

/** A count of units (columns of an activation block): an integer ≥ 1. */
export function requireUnits(value: unknown, name = 'units'): number {
  return requireInteger(value, `${name} (number of units)`, 1, MAX_COUNT);
}

/** A 32-bit unsigned seed. */
export function requireSeed(value: unknown, name = 'seed'): number {
  return requireInteger(value, name, 0, 0xffffffff);
}

/** An optional options object: undefined/null → {}, any other non-object is an error. */
export function requireOptions<T extends object>(value: unknown, name: string): Partial<T> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value) || ArrayBuffer.isView(value)) {
    fail('bad-option', `${name} must be an options object, got ${describeValue(value)}`);
  }
  return value as Partial<T>;
}

/** One of a fixed set of string choices (undefined → the default). */
export function requireChoice<T extends string>(value: unknown, name: string, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    fail('bad-option', `${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${describeValue(value)}`);
  }
  return value as T;
}

function isNumericArrayLike(value: unknown): value is ArrayLike<number> {
  if (Array.isArray(value)) return true;
  return ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array);
}

export interface ArrayShape {
  /** Exact length required; with `shape`, used in the message. */
  readonly length?: number;
  /** Human-readable layout, e.g. "[P*P, units] = [25, 3]". */
  readonly shape?: string;
  /** Minimum length (default 1: arrays are never allowed to be empty). */
  readonly minLength?: number;
  /** Maximum length (default MAX_SIGNAL_LENGTH·16). */
  readonly maxLength?: number;
}

/**
 * A copy, as Float64Array, of an array of finite numbers with |x| ≤ MAX_ABS_VALUE, of the given length.
 * The copy means later in-place work never touches the caller's data.
 */
export function requireFiniteArray(value: unknown, name: string, spec: ArrayShape = {}): Float64Array {
  if (!isNumericArrayLike(value)) fail('not-an-array', `${name} must be an array of numbers, got ${describeValue(value)}`);
  const n = value.length;
  const { length, shape, minLength = 1, maxLength = MAX_SIGNAL_LENGTH * 16 } = spec;
  if (length !== undefined && n !== length) {
    fail('length-mismatch', `${name} has length ${n}, expected ${length}${shape ? ` for the shape ${shape}` : ''}`);
  }
  if (n === 0 && minLength > 0) fail('empty', `${name} is empty, expected at least ${minLength} value(s)${shape ? ` (shape ${shape})` : ''}`);
  if (n < minLength) fail('length-mismatch', `${name} has length ${n}, expected at least ${minLength}`);
  if (n > maxLength) fail('out-of-range', `${name} has length ${n}, more than the supported ${maxLength}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = value[i];
    if (typeof x !== 'number') fail('not-a-number', `${name}[${i}] must be a number, got ${describeValue(x)}`);
    if (!Number.isFinite(x)) fail('non-finite', `${name}[${i}] is ${describeValue(x)}; every value must be finite`);
    if (Math.abs(x) > MAX_ABS_VALUE) {
      fail('value-too-large', `${name}[${i}] = ${x} exceeds ±${MAX_ABS_VALUE}; squared sums would overflow float64`);
    }
    out[i] = x;
  }
  return out;
}

/** An activation block `[rows, units]` row-major: checks the sizes first, then the values. */
export function requireBlock(value: unknown, name: string, rows: number, units: number, layout: string): Float64Array {
  const length = rows * units;
  return requireFiniteArray(value, name, { length, shape: `${layout} = [${rows}, ${units}] (${length} values)` });
}

/** A complex array {re, im} of equal, non-empty lengths (optionally a given length). */
export function requireComplex(value: unknown, name: string, spec: ArrayShape = {}): { re: Float64Array; im: Float64Array } {
  if (value === null || typeof value !== 'object' || !('re' in value) || !('im' in value)) {
    fail('not-an-array', `${name} must be a complex array {re, im}, got ${describeValue(value)}`);
  }
  const v = value as { re: unknown; im: unknown };
  const re = requireFiniteArray(v.re, `${name}.re`, spec);
  const im = requireFiniteArray(v.im, `${name}.im`, { ...spec, length: re.length });
  return { re, im };
}

/** Non-negative integer labels, one per point. */
export function requireLabels(value: unknown, name: string, count: number): Int32Array {
  const values = requireFiniteArray(value, name, { length: count, shape: `[n] = [${count}]` });
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const x = values[i];
    if (!Number.isInteger(x) || x < 0 || x > 0x7fffffff) {
      fail('not-an-integer', `${name}[${i}] = ${x}; labels must be non-negative integers`);
    }
    out[i] = x;
  }
  return out;
}

/**
 * Wraps a user-supplied uniform source so that every draw is checked to lie in [0, 1); a bad draw ends in
 * AnalysisError('bad-source') rather than an out-of-range index or NaN.
 */
export function requireUniformSource(value: unknown, name: string): () => number {
  if (typeof value !== 'function') fail('bad-option', `${name} must be a function () => number in [0, 1), got ${describeValue(value)}`);
  const source = value as () => unknown;
  return () => {
    const u = source();
    if (typeof u !== 'number' || !(u >= 0 && u < 1)) {
      fail('bad-source', `${name}() returned ${describeValue(u)}; a uniform source must return numbers in [0, 1)`);
    }
    return u;
  };
}

/** Largest absolute value of an array (0 for an all-zero array). */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]);
    if (a > m) m = a;
  }
  return m;
}

/**
 * Values below this (after scaling the data to a largest |value| of 1) are set to 0 before an ml-matrix
 * decomposition: they carry no information at float64 precision, and subnormal entries were seen to cost
 * ml-matrix's SVD five digits of accuracy.
 */
export const NEGLIGIBLE_SCALED_VALUE = 1e-200;

/** x, or 0 when |x| < NEGLIGIBLE_SCALED_VALUE (for data already scaled to a largest |value| of 1). */
export function flushNegligible(x: number): number {
  return Math.abs(x) < NEGLIGIBLE_SCALED_VALUE ? 0 : x;
}
