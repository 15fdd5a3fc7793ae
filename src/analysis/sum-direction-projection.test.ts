// Property tests of the sum-direction projections (sum-direction-projection.ts; the second reading of the
// key-frequency ablation, issue 15 part 7): the projector is symmetric and idempotent with rank 2|S|, it
// fixes exactly the cos / sin(w_k(a + b)) directions of S and annihilates everything else (other frequencies'
// sum directions, the (a − b) directions, 1-D terms, cross products, the constant), remove + projector = I,
// keep = grid mean + projector, keeping every frequency averages each anti-diagonal, and the grid reading
// (frequency-projection.ts) removes a superset.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams, seedTitle, PROPERTY } from '../../test-support/fc.ts';
import { removeFrequenciesMatrix } from './frequency-projection.ts';
import { keepSumDirectionsMatrix, removeSumDirectionsMatrix, sumDirectionProjector, sumDirections } from './sum-direction-projection.ts';
import { applyMatrix, expectAnalysisError, expectClose, maxAbsDiff } from '../../test-support/analysis-assert.ts';

const apply = applyMatrix;

function matmul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) {
      const v = a[i * n + k];
      if (v === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += v * b[k * n + j];
    }
  return out;
}

/** A grid function f(a, b) as a vector, row a·P + b. */
function grid(P: number, f: (a: number, b: number) => number): Float64Array {
  const x = new Float64Array(P * P);
  for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) x[a * P + b] = f(a, b);
  return x;
}

/** P in 3..13 and a nonempty frequency set S ⊂ 1..⌊P/2⌋ (possibly all of them). */
const arbModulusAndSet = fc.integer({ min: 3, max: 13 }).chain((P) =>
  fc
    .subarray(
      Array.from({ length: Math.floor(P / 2) }, (_, i) => i + 1),
      { minLength: 1 },
    )
    .map((S) => ({ P, S })),
);
const coef = fc.double({ min: -5, max: 5, noNaN: true });

describe(seedTitle('sum-direction projections over the (a, b) grid'), PROPERTY, () => {
  it('the projector is symmetric, idempotent and has rank 2|S| (Nyquist: 1)', () => {
    fc.assert(
      fc.property(arbModulusAndSet, ({ P, S }) => {
        const n = P * P;
        const q = sumDirectionProjector(P, S);
        for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(Math.abs(q[i * n + j] - q[j * n + i])).toBeLessThan(1e-14);
        expect(maxAbsDiff(matmul(q, q, n), q)).toBeLessThan(1e-12);
        let trace = 0;
        for (let i = 0; i < n; i++) trace += q[i * n + i];
        const rank = S.reduce((s, k) => s + (2 * k === P ? 1 : 2), 0);
        expect(trace).toBeCloseTo(rank, 10);
        expect(sumDirections(P, S).count).toBe(rank);
      }),
      fcParams(25),
    );
  });

  it('removes exactly the sum directions of S and nothing else', () => {
    fc.assert(
      fc.property(arbModulusAndSet, fc.array(coef, { minLength: 8, maxLength: 8 }), ({ P, S }, c) => {
        const w = (k: number) => (2 * Math.PI * k) / P;
        const K = Math.floor(P / 2);
        const others = Array.from({ length: K }, (_, i) => i + 1).filter((k) => !S.includes(k));
        const k0 = S[0];
        const j0 = others[0];
        // Inside: a combination of S's sum directions.
        const inside = grid(P, (a, b) => S.reduce((s, k, i) => s + c[i % 8] * Math.cos(w(k) * (a + b)) + c[(i + 3) % 8] * Math.sin(w(k) * (a + b)), 0));
        // Outside: the constant, 1-D terms of S, the (a − b) directions of S, cross products, other frequencies' sum directions.
        const outside = grid(P, (a, b) => {
          let v = c[0] + c[1] * Math.cos(w(k0) * a) + c[2] * Math.sin(w(k0) * b) + c[3] * Math.cos(w(k0) * (a - b)) + c[4] * Math.sin(w(k0) * (a - b));
          if (K >= 2) v += c[5] * Math.cos(w(k0) * a) * Math.cos(w(k0 === 1 ? 2 : 1) * b);
          if (j0 !== undefined) v += c[6] * Math.cos(w(j0) * (a + b)) + c[7] * Math.sin(w(j0) * (a + b));
          return v;
        });
        // For even P the Nyquist (a − b) direction equals its sum direction; keep the split exact by skipping those.
        if (P % 2 === 0 && S.includes(P / 2)) return;
        const q = sumDirectionProjector(P, S);
        const remove = removeSumDirectionsMatrix(P, S);
        expectClose(apply(q, inside), inside, 1e-10, 'Q fixes the sum directions');
        expectClose(apply(q, outside), new Float64Array(P * P), 1e-10, 'Q annihilates the rest');
        const x = inside.map((v, i) => v + outside[i]);
        expectClose(apply(remove, x), outside, 1e-10, 'removal leaves exactly the rest');
      }),
      fcParams(25),
    );
  });

  it('remove + projector = I and keep = grid mean + projector', () => {
    fc.assert(
      fc.property(arbModulusAndSet, ({ P, S }) => {
        const n = P * P;
        const q = sumDirectionProjector(P, S);
        const remove = removeSumDirectionsMatrix(P, S);
        const keep = keepSumDirectionsMatrix(P, S);
        let worstI = 0;
        let worstKeep = 0;
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            worstI = Math.max(worstI, Math.abs(remove[i * n + j] + q[i * n + j] - (i === j ? 1 : 0)));
            worstKeep = Math.max(worstKeep, Math.abs(keep[i * n + j] - q[i * n + j] - 1 / n));
          }
        }
        expect(worstI).toBeLessThan(1e-14);
        expect(worstKeep).toBeLessThan(1e-14);
        // keep is itself a projection, orthogonal to remove up to the grid mean: keep·remove = J/n.
        expect(maxAbsDiff(matmul(keep, keep, n), keep)).toBeLessThan(1e-12);
        expect(maxAbsDiff(matmul(keep, remove, n), new Float64Array(n * n).fill(1 / n))).toBeLessThan(1e-12);
      }),
      fcParams(20),
    );
  });

  it('keeping every frequency is the mean over each anti-diagonal a + b ≡ s (the functions of the sum)', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 13 })
          .chain((P) => fc.record({ P: fc.constant(P), x: fc.float64Array({ min: -10, max: 10, noNaN: true, minLength: P * P, maxLength: P * P }) })),
        ({ P, x }) => {
          const all = Array.from({ length: Math.floor(P / 2) }, (_, i) => i + 1);
          const mean = new Float64Array(P);
          for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) mean[(a + b) % P] += x[a * P + b] / P;
          expectClose(
            apply(keepSumDirectionsMatrix(P, all), x),
            grid(P, (a, b) => mean[(a + b) % P]),
            1e-10,
            'anti-diagonal means',
          );
        },
      ),
      fcParams(25),
    );
  });

  it('the grid reading removes a superset: removeFrequenciesMatrix(S)·Q_S = 0', () => {
    fc.assert(
      fc.property(arbModulusAndSet, ({ P, S }) => {
        const n = P * P;
        expect(maxAbsDiff(matmul(removeFrequenciesMatrix(P, S), sumDirectionProjector(P, S), n), new Float64Array(n * n))).toBeLessThan(1e-12);
      }),
      fcParams(15),
    );
  });

  it('the directions are orthonormal and named', () => {
    const P = 6;
    const d = sumDirections(P, [3, 1, 1]);
    expect(d.names).toEqual(['cos(w1(a+b))', 'sin(w1(a+b))', 'cos(w3(a+b))']);
    const n = P * P;
    for (let i = 0; i < d.count; i++) {
      for (let j = 0; j < d.count; j++) {
        let dot = 0;
        for (let r = 0; r < n; r++) dot += d.vectors[i * n + r] * d.vectors[j * n + r];
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    }
  });

  it('rejects bad input with an AnalysisError', () => {
    expectAnalysisError(() => sumDirectionProjector(7, [4]), 'out-of-range');
    expectAnalysisError(() => removeSumDirectionsMatrix(7, [0]), 'out-of-range');
    expectAnalysisError(() => keepSumDirectionsMatrix(7, [1.5]), 'not-an-integer');
    expectAnalysisError(() => keepSumDirectionsMatrix(7, 'x' as unknown as number[]), 'not-an-array');
    expectAnalysisError(() => sumDirectionProjector(1, [1]), 'out-of-range');
    expectAnalysisError(() => sumDirectionProjector(65, [1]), 'out-of-range');
  });
});
