import { describe, expect, it } from 'vitest';
import { keepFrequenciesMatrix, removeFrequenciesMatrix } from './frequency-projection.ts';
import { fveOfActivations } from './fve.ts';
import { applyMatrix } from '../../test-support/analysis-assert.ts';
import { AnalysisError } from '../errors.ts';

const apply = (m: Float64Array, x: Float64Array, n: number): Float64Array => applyMatrix(m, x.subarray(0, n));

describe('frequency projections over the (a, b) grid', () => {
  const P = 7;
  const n = P * P;
  const w = (k: number) => (2 * Math.PI * k) / P;
  const grid = new Float64Array(n);
  for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) grid[a * P + b] = 3 * Math.cos(w(1) * (a + b)) + Math.sin(w(2) * a) + 0.5 * Math.cos(w(3) * b) + 2;
  it('removing a frequency deletes exactly its variance and keeps the rest', () => {
    const out = apply(removeFrequenciesMatrix(P, [1]), grid, n);
    const f = fveOfActivations(out, P, 1);
    expect(f.byFrequency[1]).toBeLessThan(1e-20);
    expect(f.byFrequency[2] + f.byFrequency[3]).toBeCloseTo(1, 10);
    expect(out.reduce((s, v) => s + v, 0) / n).toBeCloseTo(2, 10);
  });
  it('keeping a set deletes everything else but the constant', () => {
    const out = apply(keepFrequenciesMatrix(P, [1]), grid, n);
    for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) expect(out[a * P + b]).toBeCloseTo(3 * Math.cos(w(1) * (a + b)) + 2, 10);
  });
  it('is a symmetric idempotent projection', () => {
    const m = removeFrequenciesMatrix(P, [2, 3]);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(m[i * n + j]).toBeCloseTo(m[j * n + i], 12);
    const col = new Float64Array(n).map((_, i) => Math.sin(i));
    expect(Array.from(apply(m, apply(m, col, n), n)).map((v) => v.toFixed(9))).toEqual(Array.from(apply(m, col, n)).map((v) => v.toFixed(9)));
  });
  it('rejects frequencies outside 1..⌊P/2⌋ with an AnalysisError', () => {
    expect(() => removeFrequenciesMatrix(P, [4])).toThrow(AnalysisError);
    expect(() => keepFrequenciesMatrix(P, [0])).toThrow(/frequency 0 is not an integer in \[1, 3\]/);
    expect(() => removeFrequenciesMatrix(1.5, [1])).toThrow(AnalysisError);
  });
});
