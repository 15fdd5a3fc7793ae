// Float64 reference for batched matrix products (and their gradients) with transposes and batch
// broadcasting, plus the shared case list, used by the engine specs to check every backend and the wasm fast
// path against numbers computed outside tfjs.

import * as tf from '@tensorflow/tfjs-core';
import { rootRng } from '../src/engine/random.ts';

export interface Operand {
  shape: number[];
  data: Float64Array;
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, d) => a * d, 1);
}

/** Broadcast outer shape of two operands (numpy rules), or throws. */
export function broadcastOuter(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`cannot broadcast [${a}] and [${b}]`);
    out.push(Math.max(da, db));
  }
  return out;
}

function outerIndex(outer: number[], operandOuter: number[], flat: number): number {
  const rank = outer.length;
  const padded = [...new Array<number>(rank - operandOuter.length).fill(1), ...operandOuter];
  let rem = flat;
  let idx = 0;
  let stride = 1;
  for (let d = rank - 1; d >= 0; d--) {
    const c = rem % outer[d];
    rem = Math.floor(rem / outer[d]);
    if (padded[d] !== 1) idx += c * stride;
    stride *= padded[d];
  }
  return idx;
}

/** op(A)·op(B) for each broadcast batch item, in float64. */
export function refMatMul(a: Operand, b: Operand, transposeA: boolean, transposeB: boolean): Operand {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const outer = broadcastOuter(outerA, outerB);
  const batch = sizeOf(outer);
  const out = new Float64Array(batch * m * n);
  const planeA = m * k;
  const planeB = k * n;
  for (let bi = 0; bi < batch; bi++) {
    const oa = outerIndex(outer, outerA, bi) * planeA;
    const ob = outerIndex(outer, outerB, bi) * planeB;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = transposeA ? a.data[oa + p * m + i] : a.data[oa + i * k + p];
          const bv = transposeB ? b.data[ob + j * k + p] : b.data[ob + p * n + j];
          s += av * bv;
        }
        out[bi * m * n + i * n + j] = s;
      }
    }
  }
  return { shape: [...outer, m, n], data: out };
}

/** max |x − y| / (1 + |y|): a scale-aware error for float32 results; Infinity on NaN or length mismatch. */
export function maxRelError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i]));
    if (Number.isNaN(e)) return Infinity;
    worst = Math.max(worst, e);
  }
  return worst;
}

export const SEED = 20260417;

export interface Geometry {
  label: string;
  m: number;
  k: number;
  n: number;
  outerA: number[];
  outerB: number[];
}

/** Shapes tfjs itself supports on every backend (it does not broadcast two batched operands against each other). */
export const GEOMETRIES: Geometry[] = [
  { label: '2-D odd sizes', m: 7, k: 13, n: 5, outerA: [], outerB: [] },
  { label: '2-D across block edges', m: 33, k: 50, n: 17, outerA: [], outerB: [] },
  { label: '3-D batched', m: 6, k: 9, n: 4, outerA: [3], outerB: [3] },
  { label: '3-D batched, large items', m: 33, k: 34, n: 35, outerA: [2], outerB: [2] },
  { label: 'batch 4 times 2-D', m: 5, k: 7, n: 3, outerA: [4], outerB: [] },
  { label: 'batch 4 times batch 1', m: 5, k: 7, n: 3, outerA: [4], outerB: [1] },
  { label: 'batch 1 times batch 4', m: 5, k: 7, n: 3, outerA: [1], outerB: [4] },
  { label: '2-D times batch 4', m: 5, k: 7, n: 3, outerA: [], outerB: [4] },
  { label: '4-D batched', m: 3, k: 5, n: 2, outerA: [2, 3], outerB: [2, 3] },
];

export const COMBOS: readonly (readonly [boolean, boolean])[] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

export function operands(g: Geometry, tA: boolean, tB: boolean, seedPath: string): { a: Operand; b: Operand } {
  const rng = rootRng(SEED).fork(seedPath);
  const aShape = [...g.outerA, ...(tA ? [g.k, g.m] : [g.m, g.k])];
  const bShape = [...g.outerB, ...(tB ? [g.n, g.k] : [g.k, g.n])];
  const sz = (s: number[]) => s.reduce((x, d) => x * d, 1);
  // Values rounded to float32 so tfjs sees exactly the reference's inputs.
  return {
    a: { shape: aShape, data: Float64Array.from(rng.normalArray(sz(aShape))) },
    b: { shape: bShape, data: Float64Array.from(rng.normalArray(sz(bShape))) },
  };
}

export function tfMatMul(a: Operand, b: Operand, tA: boolean, tB: boolean): { shape: number[]; data: Float32Array } {
  const ta = tf.tensor(Float32Array.from(a.data), a.shape, 'float32');
  const tb = tf.tensor(Float32Array.from(b.data), b.shape, 'float32');
  const y = tf.matMul(ta, tb, tA, tB);
  const out = { shape: y.shape, data: Float32Array.from(y.dataSync() as Float32Array) };
  tf.dispose([ta, tb, y]);
  return out;
}

/** Float64 gradients of L = Σ (op(A)·op(B)) ∘ C with respect to A and B, in their stored layouts. */
export function refGrads(a: Operand, b: Operand, c: Float64Array, tA: boolean, tB: boolean): { da: Float64Array; db: Float64Array } {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = tA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = tA ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = tB ? b.shape[rb - 2] : b.shape[rb - 1];
  const batchA = a.data.length / (m * k);
  const batchB = b.data.length / (k * n);
  const batch = Math.max(batchA, batchB);
  const da = new Float64Array(a.data.length);
  const db = new Float64Array(b.data.length);
  for (let bi = 0; bi < batch; bi++) {
    const oa = (batchA === 1 ? 0 : bi) * m * k;
    const ob = (batchB === 1 ? 0 : bi) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const cij = c[bi * m * n + i * n + j];
        for (let p = 0; p < k; p++) {
          const ai = oa + (tA ? p * m + i : i * k + p);
          const bj = ob + (tB ? j * k + p : p * n + j);
          da[ai] += cij * b.data[bj];
          db[bj] += cij * a.data[ai];
        }
      }
    }
  }
  return { da, db };
}

/** tf.fused.matMul of the operands with a [N] bias and an activation, read back (inputs freed). */
export function tfFusedMatMul(
  a: Operand,
  b: Operand,
  tA: boolean,
  tB: boolean,
  bias: Float32Array | number[],
  activation: 'linear' | 'relu',
): { shape: number[]; data: Float32Array } {
  const y = tf.tidy(() =>
    tf.fused.matMul({
      a: tf.tensor(Float32Array.from(a.data), a.shape),
      b: tf.tensor(Float32Array.from(b.data), b.shape),
      transposeA: tA,
      transposeB: tB,
      bias: tf.tensor1d(Array.from(bias)),
      activation,
    }),
  );
  const out = { shape: y.shape, data: Float32Array.from(y.dataSync() as Float32Array) };
  y.dispose();
  return out;
}
