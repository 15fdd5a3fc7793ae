// Numeric assertions shared by the analysis library's tests: element-wise closeness of arrays with an
// absolute tolerance, and a check that a call throws an AnalysisError with a given code. Test-only.

import { expect } from 'vitest';
import { AnalysisError } from '../src/errors.ts';

/** Largest |a[i] − b[i]| (Infinity when the lengths differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Asserts element-wise |a − b| ≤ tolerance, naming the worst index on failure. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what = 'values'): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  if (!(worst <= tolerance)) {
    throw new Error(`${what}: |${actual[at]} − ${expected[at]}| = ${worst} at index ${at} exceeds ${tolerance}`);
  }
}

/** Asserts that `call` throws an AnalysisError with this code (and returns it for further checks). */
export function expectAnalysisError(call: () => unknown, code: string): AnalysisError {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(AnalysisError);
    expect((error as AnalysisError).code).toBe(code);
    return error as AnalysisError;
  }
  throw new Error(`expected an AnalysisError '${code}', but the call returned`);
}

/** Largest |value| of an array. */
export function peak(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/** m·x for a square row-major matrix m [n, n] (n = x.length): a projector applied to a grid signal. */
export function applyMatrix(m: Float64Array, x: Float64Array): Float64Array {
  const n = x.length;
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let c = 0; c < n; c++) s += m[r * n + c] * x[c];
    out[r] = s;
  }
  return out;
}
