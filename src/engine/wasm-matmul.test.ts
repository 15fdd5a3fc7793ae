// The wasm matMul fast path: same numbers as the float64 reference, the original wasm kernel and the cpu
// backend for every case and every strategy option; fused products (bias, activation) correct; gradients of
// a small matMul-heavy network unchanged; no intermediate left allocated; install/uninstall idempotent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './backend.ts';
import { rootRng } from './random.ts';
import { COMBOS, GEOMETRIES, maxRelError, operands, refMatMul, SEED, tfFusedMatMul, tfMatMul, type Geometry } from '../../test-support/matmul-reference.ts';
import {
  installWasmFastPath,
  isWasmFastPathInstalled,
  originalWasmKernel,
  transposePlanes,
  uninstallWasmFastPath,
  wasmFastPathOptions,
  type WasmFastPathOptions,
} from './wasm-matmul.ts';
import { isWasmIdentityInstalled, uninstallWasmIdentity } from './wasm-identity.ts';
import { readEnvironment } from '../config/environment.ts';
import { ConfigError } from '../errors.ts';
import '@tensorflow/tfjs-backend-cpu';

const TOL = 2e-5;

/** Runs `f` on the wasm backend with the fast path set as asked, restoring the default fast path after. */
function withFastPath<T>(options: WasmFastPathOptions | 'off', f: () => T): T {
  if (options === 'off') uninstallWasmFastPath();
  else installWasmFastPath(options);
  try {
    return f();
  } finally {
    installWasmFastPath();
  }
}

async function onCpu<T>(f: () => T): Promise<T> {
  await tf.setBackend('cpu');
  try {
    return f();
  } finally {
    await tf.setBackend('wasm');
  }
}

/** Broadcasting two batched operands against each other: only the fast path supports it (tfjs does not). */
const CROSS: Geometry = { label: 'cross broadcast [2,1]·[1,3]', m: 3, k: 4, n: 2, outerA: [2, 1], outerB: [1, 3] };

const STRATEGIES: WasmFastPathOptions[] = [{}, { transpose: 'kernel' }, { unrollMinWork: 0, unrollMinRows: 0 }, { unrollMinWork: Infinity }];

describe('wasm matMul fast path', () => {
  beforeAll(async () => {
    // The fast path itself, without the optional native kernels on top (wasm-native.test.ts tests those).
    await initBackend('wasm', { wasmFastPath: true, native: false, source: 'test' });
  });
  afterAll(() => {
    installWasmFastPath();
  });

  it('is installed by initBackend, idempotently, and uninstall restores the original kernel', () => {
    expect(isWasmFastPathInstalled()).toBe(true);
    const first = tf.getKernel('BatchMatMul', 'wasm').kernelFunc;
    installWasmFastPath();
    expect(tf.getKernel('BatchMatMul', 'wasm').kernelFunc).toBe(first);
    const original = originalWasmKernel('BatchMatMul');
    expect(original?.kernelFunc).not.toBe(first);
    expect(uninstallWasmFastPath()).toBe(true);
    expect(uninstallWasmFastPath()).toBe(false);
    expect(tf.getKernel('BatchMatMul', 'wasm').kernelFunc).toBe(original?.kernelFunc);
    expect(tf.getKernel('_FusedMatMul', 'wasm').kernelFunc).toBe(originalWasmKernel('_FusedMatMul')?.kernelFunc);
    installWasmFastPath({ transpose: 'kernel' });
    expect(wasmFastPathOptions()?.transpose).toBe('kernel');
    installWasmFastPath();
    expect(wasmFastPathOptions()).toEqual({ transpose: 'js', unrollMinWork: 8192, unrollMinRows: 8 });
    expect(originalWasmKernel('BatchMatMul')?.kernelFunc).toBe(original?.kernelFunc);
  });

  for (const options of STRATEGIES) {
    it(`equals the reference, the original kernel and cpu for all cases, options ${JSON.stringify(options)}`, async () => {
      for (const g of GEOMETRIES) {
        for (const [tA, tB] of COMBOS) {
          const what = `${g.label}, transposeA=${tA} transposeB=${tB}`;
          const { a, b } = operands(g, tA, tB, `${g.label}/${tA}/${tB}`);
          const ref = refMatMul(a, b, tA, tB);
          const fast = withFastPath(options, () => tfMatMul(a, b, tA, tB));
          const orig = withFastPath('off', () => tfMatMul(a, b, tA, tB));
          const cpu = await onCpu(() => tfMatMul(a, b, tA, tB));
          expect(fast.shape, what).toEqual(ref.shape);
          expect(maxRelError(fast.data, ref.data), `${what} vs reference`).toBeLessThan(TOL);
          expect(maxRelError(fast.data, orig.data), `${what} vs original wasm kernel`).toBeLessThan(TOL);
          expect(maxRelError(fast.data, cpu.data), `${what} vs cpu`).toBeLessThan(TOL);
        }
      }
      for (const [tA, tB] of COMBOS) {
        const { a, b } = operands(CROSS, tA, tB, `cross/${tA}/${tB}`);
        const ref = refMatMul(a, b, tA, tB);
        const fast = withFastPath(options, () => tfMatMul(a, b, tA, tB));
        expect(fast.shape).toEqual(ref.shape);
        expect(maxRelError(fast.data, ref.data), `cross broadcast, transposeA=${tA} transposeB=${tB}`).toBeLessThan(TOL);
      }
    });
  }

  it('fused matMul (bias, relu) equals the reference for transposed and batched products', async () => {
    // The original wasm _FusedMatMul adds bias[min(i·n + j, n − 1)] on its scalar path; with the fast path
    // every such product goes through XNNPACK, which adds bias[j].
    const shapes: Geometry[] = [GEOMETRIES[0], GEOMETRIES[2], GEOMETRIES[4], GEOMETRIES[6]];
    for (const g of shapes) {
      for (const [tA, tB] of COMBOS) {
        const what = `${g.label}, transposeA=${tA} transposeB=${tB}`;
        const { a, b } = operands(g, tA, tB, `fused/${g.label}/${tA}/${tB}`);
        const bias = rootRng(SEED).fork(`bias/${g.label}`).normalArray(g.n);
        const ref = refMatMul(a, b, tA, tB);
        const expected = ref.data.map((x, i) => Math.max(0, x + bias[i % g.n]));
        const run = () => tfFusedMatMul(a, b, tA, tB, bias, 'relu');
        const fast = run();
        const cpu = await onCpu(run);
        expect(fast.shape, what).toEqual(ref.shape);
        expect(maxRelError(fast.data, expected), `${what} vs reference`).toBeLessThan(TOL);
        expect(maxRelError(cpu.data, expected), `${what}: cpu vs reference`).toBeLessThan(TOL);
      }
    }
  });

  it('leaves no intermediate tensor or wasm buffer allocated, on every path', () => {
    const cases: [Geometry, boolean, boolean, WasmFastPathOptions][] = [
      [GEOMETRIES[1], true, false, {}],
      [GEOMETRIES[4], false, true, {}],
      [GEOMETRIES[3], true, true, {}],
      [GEOMETRIES[2], true, false, { unrollMinWork: 0, unrollMinRows: 0 }],
      [GEOMETRIES[6], false, true, { transpose: 'kernel' }],
    ];
    for (const [g, tA, tB, options] of cases) {
      const { a, b } = operands(g, tA, tB, 'memory');
      withFastPath(options, () => {
        tfMatMul(a, b, tA, tB); // warm (XNNPACK operator caches are keyed by tensor ids freed below)
        const before = tf.memory();
        const ta = tf.tensor(Float32Array.from(a.data), a.shape);
        const tb = tf.tensor(Float32Array.from(b.data), b.shape);
        const y = tf.matMul(ta, tb, tA, tB);
        y.dataSync();
        const bias = tf.zeros([g.n]);
        const f = tf.fused.matMul({ a: ta, b: tb, transposeA: tA, transposeB: tB, bias });
        f.dataSync();
        tf.dispose([ta, tb, y, bias, f]);
        const after = tf.memory();
        expect(after.numTensors, g.label).toBe(before.numTensors);
        expect(after.numDataBuffers, g.label).toBe(before.numDataBuffers);
      });
    }
  });

  it('one tensor used as the right operand under two shapes gives correct products (XNNPACK cache key)', () => {
    // Upstream caches the XNNPACK operator by the right operand's id, so the second product reused the
    // first one's packed [6,4] weights: garbage.
    const x = tf.tensor(
      Float32Array.from({ length: 24 }, (_, i) => i),
      [6, 4],
    );
    const y1 = tf.matMul(tf.ones([2, 6]), x);
    const y2 = tf.matMul(tf.ones([3, 4]), tf.reshape(x, [4, 6]));
    expect(Array.from(y1.dataSync().slice(0, 4))).toEqual([60, 66, 72, 78]);
    expect(Array.from(y2.dataSync())).toEqual([36, 40, 44, 48, 52, 56, 36, 40, 44, 48, 52, 56, 36, 40, 44, 48, 52, 56]);
    const y3 = tf.matMul(tf.ones([1, 2, 4]), tf.reshape(x, [1, 4, 6]));
    expect(Array.from(y3.dataSync())).toEqual([36, 40, 44, 48, 52, 56, 36, 40, 44, 48, 52, 56]);
    tf.dispose([x, y1, y2, y3]);
  });

  it('a shape error still comes from tfjs, without leaking', () => {
    const before = tf.memory().numDataBuffers;
    const a = tf.ones([2, 3]);
    const b = tf.ones([4, 5]);
    expect(() => tf.matMul(a, b, true, false)).toThrow(/inner shapes/);
    tf.dispose([a, b]);
    expect(tf.memory().numDataBuffers).toBe(before);
  });

  it('cross-broadcast products (only the fast path supports them) leave nothing allocated', () => {
    const { a, b } = operands(CROSS, true, true, 'memory-cross');
    const before = tf.memory();
    tfMatMul(a, b, true, true);
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
  });

  it('gradients of a small matMul-heavy network equal those of the original kernel and of cpu', async () => {
    const rng = rootRng(SEED).fork('mlp');
    // Scaled like an initialised layer, so the softmax is well conditioned and float32 noise stays small.
    const xs = rng.normalArray(4 * 6 * 8, 0.5);
    const w1s = rng.normalArray(8 * 16, 0.35);
    const w2s = rng.normalArray(16 * 5, 0.25);
    const wqs = rng.normalArray(8 * 8, 0.35);
    const grads = () =>
      tf.tidy(() => {
        const x = tf.tensor(xs, [4, 6, 8]);
        const w1 = tf.tensor(w1s, [8, 16]);
        const w2 = tf.tensor(w2s, [16, 5]);
        const wq = tf.tensor(wqs, [8, 8]);
        const f = (x: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor, wq: tf.Tensor) => {
          const q = tf.matMul(x, wq); // [4,6,8]
          const att = tf.softmax(tf.matMul(q, x, false, true)); // [4,6,6], batched × batched
          const h = tf.relu(tf.matMul(tf.matMul(att, x), w1)); // [4,6,16]
          return tf.sum(tf.square(tf.matMul(h, w2))); // [4,6,5]
        };
        return tf.grads(f)([x, w1, w2, wq]);
      });
    const read = (ts: tf.Tensor[]) => {
      const out = ts.map((t) => Float32Array.from(t.dataSync() as Float32Array));
      tf.dispose(ts);
      return out;
    };
    const fast = read(grads());
    const orig = withFastPath('off', () => read(grads()));
    const cpu = await onCpu(() => read(grads()));
    for (let i = 0; i < fast.length; i++) {
      expect(maxRelError(fast[i], orig[i]), `gradient ${i} vs original wasm kernel`).toBeLessThan(TOL);
      expect(maxRelError(fast[i], cpu[i]), `gradient ${i} vs cpu`).toBeLessThan(TOL);
    }
  });

  it('transposePlanes transposes the last two dimensions of every plane', () => {
    const rows = 19;
    const cols = 35;
    const src = Float32Array.from({ length: 2 * rows * cols }, (_, i) => i);
    const dst = new Float32Array(src.length);
    transposePlanes(src, dst, 2, rows, cols);
    for (let b = 0; b < 2; b++) {
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) expect(dst[b * rows * cols + j * rows + i]).toBe(src[b * rows * cols + i * cols + j]);
      }
    }
  });
});

describe('GROKDIFF_WASM_FASTPATH', () => {
  it('is on unless set to 0/false/off, and rejects other values', () => {
    const wanted = (env: NodeJS.ProcessEnv) => readEnvironment(env).wasmFastPath;
    expect(wanted({})).toBe(true);
    expect(wanted({ GROKDIFF_WASM_FASTPATH: '1' })).toBe(true);
    expect(wanted({ GROKDIFF_WASM_FASTPATH: '' })).toBe(true);
    expect(wanted({ GROKDIFF_WASM_FASTPATH: '0' })).toBe(false);
    expect(wanted({ GROKDIFF_WASM_FASTPATH: 'off' })).toBe(false);
    expect(() => wanted({ GROKDIFF_WASM_FASTPATH: 'fast' })).toThrow(ConfigError);
    expect(() => wanted({ GROKDIFF_WASM_FASTPATH: 'fast' })).toThrow(/GROKDIFF_WASM_FASTPATH/);
  });

  it('initBackend honours it', async () => {
    await initBackend('wasm', { settings: readEnvironment({ GROKDIFF_WASM_FASTPATH: '0' }), native: false });
    expect(isWasmFastPathInstalled()).toBe(false);
    await initBackend('wasm', { settings: readEnvironment({}), native: false });
    expect(isWasmFastPathInstalled()).toBe(true);
  });
});

describe('zero-copy wasm Identity', () => {
  it('is installed with the fast path, shares memory, and frees it only with the last reference', async () => {
    await initBackend('wasm', { native: false, settings: readEnvironment({}) });
    expect(isWasmIdentityInstalled()).toBe(true);
    const before = tf.memory().numDataBuffers;
    const x = tf.tensor([1, 2, 3]);
    const y = tf.clone(x); // runs the Identity kernel
    expect(tf.memory().numDataBuffers).toBe(before + 1);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    y.dispose();
    expect(tf.memory().numDataBuffers).toBe(before);
    // Gradients through identities equal those of the stock kernel.
    const f = (a: tf.Tensor) => tf.sum(tf.mul(tf.clone(a), tf.clone(a)));
    const g1 = tf.grad(f)(tf.tensor([1, -2, 3]));
    uninstallWasmIdentity();
    expect(isWasmIdentityInstalled()).toBe(false);
    const g2 = tf.grad(f)(tf.tensor([1, -2, 3]));
    expect(Array.from(g1.dataSync())).toEqual(Array.from(g2.dataSync()));
    await initBackend('wasm', { settings: readEnvironment({ GROKDIFF_WASM_FASTPATH: '0' }), native: false });
    expect(isWasmIdentityInstalled()).toBe(false);
    await initBackend('wasm', { settings: readEnvironment({}), native: false });
    expect(isWasmIdentityInstalled()).toBe(true);
  });
});
