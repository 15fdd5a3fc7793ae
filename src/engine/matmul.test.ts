// Every backend computes matrix products and their gradients like the float64 reference: all four transpose
// combinations, 2-D and batched shapes, batch broadcasting, odd sizes. On wasm this exercises the fast path
// (installed by initBackend), on cpu and node the stock kernels. The gradients also check the
// broadcast-aware BatchMatMul gradient of gradients.ts (stock tfjs throws for a [B,M,K]·[K,N] product).
import { expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ALL_BACKENDS, describeWithBackends } from '../../test-support/backends.ts';
import { rootRng } from './random.ts';
import { COMBOS, GEOMETRIES, maxRelError, operands, refGrads, refMatMul, SEED, tfMatMul } from '../../test-support/matmul-reference.ts';

const TOL = 2e-5;

describeWithBackends('matMul equals the float64 reference', ALL_BACKENDS, () => {
  for (const g of GEOMETRIES) {
    it(`${g.label}: [${g.outerA}|${g.m}x${g.k}] · [${g.outerB}|${g.k}x${g.n}], all transposes`, () => {
      for (const [tA, tB] of COMBOS) {
        const { a, b } = operands(g, tA, tB, `${g.label}/${tA}/${tB}`);
        const ref = refMatMul(a, b, tA, tB);
        const got = tfMatMul(a, b, tA, tB);
        expect(got.shape, `shape, transposeA=${tA} transposeB=${tB}`).toEqual(ref.shape);
        expect(maxRelError(got.data, ref.data), `values, transposeA=${tA} transposeB=${tB}`).toBeLessThan(TOL);
      }
    });
  }
});

describeWithBackends('matMul gradients equal the float64 reference (with batch broadcasting)', ALL_BACKENDS, () => {
  const cases = GEOMETRIES.filter((g) =>
    ['2-D odd sizes', '3-D batched', 'batch 4 times 2-D', 'batch 4 times batch 1', 'batch 1 times batch 4'].includes(g.label),
  );
  for (const g of cases) {
    it(`${g.label}, all transposes`, () => {
      for (const [tA, tB] of COMBOS) {
        const { a, b } = operands(g, tA, tB, `grad/${g.label}/${tA}/${tB}`);
        const outShape = refMatMul(a, b, tA, tB).shape;
        const c = Float64Array.from(
          rootRng(SEED)
            .fork(`c/${g.label}`)
            .normalArray(outShape.reduce((x, d) => x * d, 1)),
        );
        const ref = refGrads(a, b, c, tA, tB);
        const ta = tf.tensor(Float32Array.from(a.data), a.shape);
        const tb = tf.tensor(Float32Array.from(b.data), b.shape);
        const tc = tf.tensor(Float32Array.from(c), outShape);
        const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, tA, tB), tc)))([ta, tb]);
        expect(ga.shape).toEqual(a.shape);
        expect(gb.shape).toEqual(b.shape);
        expect(maxRelError(ga.dataSync(), ref.da), `dA, transposeA=${tA} transposeB=${tB}`).toBeLessThan(TOL);
        expect(maxRelError(gb.dataSync(), ref.db), `dB, transposeA=${tA} transposeB=${tB}`).toBeLessThan(TOL);
        tf.dispose([ta, tb, tc, ga, gb]);
      }
    });
  }
});
