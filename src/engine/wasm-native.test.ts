// The optional native kernels on the wasm backend (wasm-native.ts). Category: engine kernel tests, like
// tfjs-core's (matmul.test.ts and adamw.test.ts also run their whole spec on `wasm-native` through
// describeWithBackends). Here: what only the native layer has, each checked against plain wasm or a float64
// reference: Sum over every axis set (contiguous runs natively, others falling back), Erf and Exp, the fused
// AdamW kernel against AdamW's chain of ops, the environment variables of the products, bounds checks in C,
// layering with the wasm fast path, memory, and three DiT training steps on each code path of the products
// (wasm-native-gemm.test.ts checks the product itself). Skipped, saying why, when the addon is not built
// (`npm run build:native`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from './backend.ts';
import { rootRng } from './random.ts';
import { AdamW } from './adamw.ts';
import { gelu } from './gelu.ts';
import { COMBOS, GEOMETRIES, maxRelError, operands, refMatMul, SEED, tfFusedMatMul, tfMatMul } from '../../test-support/matmul-reference.ts';
import { isWasmFastPathInstalled, uninstallWasmFastPath, installWasmFastPath } from './wasm-matmul.ts';
import {
  ADAMW_KERNEL,
  broadcastLayout,
  collapseLayout,
  configureFromEnv,
  cpuSignature,
  installWasmNative,
  isWasmNativeInstalled,
  loadNativeAddon,
  NATIVE_ADDON_PATH,
  nativeSettings,
  SPLIT_KERNELS,
  transposeLayout,
  uninstallWasmNative,
  wasmNativeDetails,
  wasmNativeInfo,
  type NativeSettings,
} from './wasm-native.ts';
import { readEnvironment } from '../config/environment.ts';
import { ConfigError } from '../errors.ts';

const load = loadNativeAddon();
const TOL = 2e-5;

/** Runs `f` with the native kernels off, then puts them back. */
function plainWasm<T>(f: () => T): T {
  uninstallWasmNative();
  try {
    return f();
  } finally {
    if (load.ok) installWasmNative(load.addon);
  }
}

function values(t: tf.Tensor): Float32Array {
  const out = Float32Array.from(t.dataSync() as Float32Array);
  t.dispose();
  return out;
}

describe('GROKDIFF_NATIVE', () => {
  it('is on unless set to 0/false/off, and rejects other values naming the variable', () => {
    const wanted = (env: NodeJS.ProcessEnv) => readEnvironment(env).native;
    expect(wanted({})).toBe(true);
    expect(wanted({ GROKDIFF_NATIVE: '1' })).toBe(true);
    expect(wanted({ GROKDIFF_NATIVE: '0' })).toBe(false);
    expect(wanted({ GROKDIFF_NATIVE: 'off' })).toBe(false);
    expect(() => wanted({ GROKDIFF_NATIVE: 'maybe' })).toThrow(ConfigError);
    expect(() => wanted({ GROKDIFF_NATIVE: 'maybe' })).toThrow(/GROKDIFF_NATIVE/);
  });

  it('GROKDIFF_NATIVE_BLAS / _THREADS / _ISA: defaults, accepted values, and errors naming the variable', () => {
    const settings = (cores: number, env: NodeJS.ProcessEnv) => nativeSettings(cores, readEnvironment(env));
    expect(settings(2, {})).toEqual({ blas: 'builtin', threads: 2, isa: null });
    expect(settings(2, { GROKDIFF_NATIVE_BLAS: 'OpenBLAS', GROKDIFF_NATIVE_THREADS: ' 1 ', GROKDIFF_NATIVE_ISA: 'AVX2' })).toEqual({
      blas: 'openblas',
      threads: 1,
      isa: 'avx2',
    });
    expect(settings(4, { GROKDIFF_NATIVE_BLAS: '0', GROKDIFF_NATIVE_THREADS: '' })).toEqual({ blas: 'builtin', threads: 4, isa: null });
    for (const [name, value] of [
      ['GROKDIFF_NATIVE_BLAS', 'mkl'],
      ['GROKDIFF_NATIVE_THREADS', '0'],
      ['GROKDIFF_NATIVE_THREADS', '1.5'],
      ['GROKDIFF_NATIVE_THREADS', 'all'],
      ['GROKDIFF_NATIVE_ISA', 'sse4'],
    ]) {
      expect(() => settings(2, { [name]: value }), `${name}=${value}`).toThrow(ConfigError);
      expect(() => settings(2, { [name]: value }), `${name}=${value}`).toThrow(new RegExp(name));
    }
  });

  it('a missing addon is a reason, not a crash', () => {
    const missing = loadNativeAddon('/nonexistent/grokdiff_kernels.node');
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.reason).toMatch(/not built.*build:native/);
  });

  it.skipIf(!load.ok)('an addon compiled for another CPU (or without its record) is refused, never loaded', () => {
    const dir = mkdtempSync(join(tmpdir(), 'grokdiff-native-'));
    try {
      const copy = join(dir, 'grokdiff_kernels.node');
      copyFileSync(NATIVE_ADDON_PATH, copy);
      const noRecord = loadNativeAddon(copy);
      expect(noRecord.ok).toBe(false);
      if (!noRecord.ok) expect(noRecord.reason).toMatch(/missing or unreadable.*build:native/);
      writeFileSync(join(dir, 'grokdiff_kernels.json'), JSON.stringify({ cpu: { ...cpuSignature(), model: 'Some Other CPU' } }));
      const other = loadNativeAddon(copy);
      expect(other.ok).toBe(false);
      if (!other.ok) expect(other.reason).toMatch(/compiled for another CPU \(Some Other CPU/);
      writeFileSync(join(dir, 'grokdiff_kernels.json'), JSON.stringify({ cpu: cpuSignature() }));
      expect(loadNativeAddon(copy).ok).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the walks of the split element-wise kernels (issue 28)', () => {
  it('collapse the attention products, the bias adds and the head transposes of a paper-n1 step to a few dimensions', () => {
    expect(
      broadcastLayout(
        [476, 4, 3, 3, 128],
        [
          [476, 4, 3, 1, 128],
          [476, 4, 1, 3, 128],
        ],
      ),
    ).toEqual({
      shape: [1904, 3, 3, 128],
      strides: [
        [384, 128, 0, 1],
        [384, 0, 128, 1],
      ],
    });
    expect(broadcastLayout([1428, 512], [[1428, 512], [512]])).toEqual({
      shape: [1428, 512],
      strides: [
        [512, 1],
        [0, 1],
      ],
    });
    expect(
      broadcastLayout(
        [476, 3, 512],
        [
          [476, 3, 512],
          [476, 3, 512],
        ],
      ),
    ).toEqual({ shape: [731136], strides: [[1], [1]] });
    expect(broadcastLayout([476, 1024], [[], [476, 1024]])).toEqual({ shape: [487424], strides: [[0], [1]] });
    expect(
      broadcastLayout(
        [476, 4, 3, 3, 128],
        [
          [476, 4, 3, 3, 1],
          [476, 4, 3, 3, 128],
        ],
      ),
    ).toEqual({
      shape: [17136, 128],
      strides: [
        [1, 0],
        [128, 1],
      ],
    });
    expect(transposeLayout([476, 3, 4, 128], [0, 2, 1, 3])).toEqual({ shape: [476, 4, 3, 128], strides: [[1536, 128, 512, 1]] });
    expect(transposeLayout([2, 3, 4], [0, 1, 2])).toEqual({ shape: [24], strides: [[1]] });
    expect(collapseLayout({ shape: [1, 1], strides: [[0, 0]] })).toEqual({ shape: [1], strides: [[0]] });
  });

  it('walk every element of the operands as numpy broadcasting does', () => {
    const rng = rootRng(SEED).fork('walks');
    const wrong: string[] = [];
    for (let trial = 0; trial < 200; trial++) {
      const rank = 1 + Math.floor(rng.uniform() * 5);
      const out = Array.from({ length: rank }, () => 1 + Math.floor(rng.uniform() * 4));
      const shapes = [0, 1].map(() => out.slice(Math.floor(rng.uniform() * rank)).map((d) => (rng.uniform() < 0.4 ? 1 : d)));
      const layout = broadcastLayout(out, shapes);
      // Offsets of each output element by the walk, and by the definition.
      const total = out.reduce((x, y) => x * y, 1);
      for (let e = 0; e < total; e++) {
        let rest = e;
        const index = out.map(() => 0);
        for (let d = rank - 1; d >= 0; d--) {
          index[d] = rest % out[d];
          rest = Math.floor(rest / out[d]);
        }
        shapes.forEach((shape, o) => {
          let expected = 0;
          shape.forEach((size, k) => {
            expected = expected * size + (size === 1 ? 0 : index[k + rank - shape.length]);
          });
          let walked = 0;
          let r = e;
          for (let d = layout.shape.length - 1; d >= 0; d--) {
            walked += (r % layout.shape[d]) * layout.strides[o][d];
            r = Math.floor(r / layout.shape[d]);
          }
          if (walked !== expected) wrong.push(`${JSON.stringify(out)} ← ${JSON.stringify(shape)}, element ${e}: ${walked} ≠ ${expected}`);
        });
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });
});

describe.skipIf(!load.ok)(`native wasm kernels${load.ok ? '' : ` (skipped: ${load.ok ? '' : load.reason})`}`, () => {
  beforeAll(async () => {
    await initBackend('wasm', { native: true, wasmFastPath: true, source: 'test' });
  });
  afterAll(async () => {
    await initBackend('wasm', { native: true, wasmFastPath: true, source: 'test' });
  });

  it('initBackend installs them over the fast path; each layer installs and uninstalls on its own', async () => {
    expect(isWasmNativeInstalled()).toBe(true);
    expect(isWasmFastPathInstalled()).toBe(true);
    expect(wasmNativeInfo()?.matmul).toMatch(/^(OpenBLAS|built-in (avx512|avx2|scalar))/);
    expect(tf.getKernel(ADAMW_KERNEL, 'wasm')).toBeDefined();
    const top = tf.getKernel('BatchMatMul', 'wasm').kernelFunc;
    // Changing the fast path beneath keeps the native layer on top.
    uninstallWasmFastPath();
    expect(isWasmFastPathInstalled()).toBe(false);
    expect(isWasmNativeInstalled()).toBe(true);
    installWasmFastPath();
    expect(isWasmFastPathInstalled()).toBe(true);
    if (load.ok) installWasmNative(load.addon);
    expect(tf.getKernel('BatchMatMul', 'wasm').kernelFunc).not.toBe(undefined);
    expect(isWasmNativeInstalled()).toBe(true);
    expect(uninstallWasmNative()).toBe(true);
    expect(uninstallWasmNative()).toBe(false);
    expect(tf.getKernel(ADAMW_KERNEL, 'wasm')).toBeUndefined();
    expect(tf.getKernel('BatchMatMul', 'wasm').kernelFunc).not.toBe(top);
    await initBackend('wasm', { native: false, source: 'test' });
    expect(isWasmNativeInstalled()).toBe(false);
    await initBackend('wasm', { native: true, source: 'test' });
    expect(isWasmNativeInstalled()).toBe(true);
  });

  it('products equal the float64 reference for every geometry and transpose, and plain wasm', () => {
    for (const g of GEOMETRIES) {
      for (const [tA, tB] of COMBOS) {
        const what = `${g.label}, transposeA=${tA} transposeB=${tB}`;
        const { a, b } = operands(g, tA, tB, `native/${g.label}/${tA}/${tB}`);
        const ref = refMatMul(a, b, tA, tB);
        const native = tfMatMul(a, b, tA, tB);
        const wasm = plainWasm(() => tfMatMul(a, b, tA, tB));
        expect(native.shape, what).toEqual(ref.shape);
        expect(maxRelError(native.data, ref.data), `${what} vs reference`).toBeLessThan(TOL);
        expect(maxRelError(native.data, wasm.data), `${what} vs plain wasm`).toBeLessThan(TOL);
      }
    }
  });

  it('fused products add a [N] bias natively and pass other activations to the kernel beneath', () => {
    const g = GEOMETRIES[3];
    for (const activation of ['linear', 'relu'] as const) {
      for (const [tA, tB] of COMBOS) {
        const { a, b } = operands(g, tA, tB, `native-fused/${tA}/${tB}`);
        const bias = rootRng(SEED).fork('native-bias').normalArray(g.n);
        const ref = refMatMul(a, b, tA, tB);
        const expected = ref.data.map((x, i) => (activation === 'relu' ? Math.max(0, x + bias[i % g.n]) : x + bias[i % g.n]));
        const y = tfFusedMatMul(a, b, tA, tB, bias, activation);
        expect(maxRelError(y.data, expected), `${activation}, transposeA=${tA} transposeB=${tB}`).toBeLessThan(TOL);
      }
    }
  });

  it('the C side reads GROKDIFF_NATIVE_BLAS / _THREADS / _ISA (the built-in product unless openblas is asked for)', () => {
    // Separate processes: the addon reads its environment once per process.
    const script = `
      const addon = require(${JSON.stringify(NATIVE_ADDON_PATH)});
      const info = addon.info();
      // 0·NaN is NaN, as in BLAS: a zero in A must not skip B's row.
      const z = new Float32Array(3 * 16 * 16);
      z[256] = NaN;
      addon.gemm(z.buffer, 1, 16, 16, 16, 0, 0, 0, 0, 256, 0, 512, -1);
      console.log(JSON.stringify({ blas: info.blas, threads: info.threads, isa: info.isa, nan: Number.isNaN(z[512]) }));`;
    const run = (env: Record<string, string>) => {
      const clean = { ...process.env };
      for (const k of ['GROKDIFF_NATIVE_BLAS', 'GROKDIFF_NATIVE_THREADS', 'GROKDIFF_NATIVE_ISA']) delete clean[k];
      const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...clean, ...env } });
      expect(r.stderr).toBe('');
      return JSON.parse(r.stdout) as { blas: string; threads: number; isa: string; nan: boolean };
    };
    const cores = load.ok ? load.addon.info().cores : 1;
    expect(run({})).toMatchObject({ blas: 'built-in', threads: cores, nan: true });
    expect(run({ GROKDIFF_NATIVE_BLAS: '0', GROKDIFF_NATIVE_THREADS: '1', GROKDIFF_NATIVE_ISA: 'avx2' })).toMatchObject({
      blas: 'built-in',
      threads: 1,
      nan: true,
    });
    const withBlas = run({ GROKDIFF_NATIVE_BLAS: 'openblas', GROKDIFF_NATIVE_THREADS: '2' });
    expect(withBlas).toMatchObject({ threads: 2, nan: true });
    expect(['built-in', 'OpenBLAS']).toContain(withBlas.blas);
  });

  it('Sum over every axis set equals plain wasm (contiguous runs natively, others beneath), keepDims too', () => {
    const shape = [3, 4, 5, 6];
    const xs = rootRng(SEED)
      .fork('sum')
      .normalArray(3 * 4 * 5 * 6);
    const axisSets: (number | number[])[] = [0, 1, 2, 3, -1, [1, 2], [2, 3], [0, 1, 2], [0, 1, 2, 3], [0, 2], [1, 3], [3, 1]];
    for (const axis of axisSets) {
      for (const keepDims of [false, true]) {
        const run = () => tf.tidy(() => tf.sum(tf.tensor(xs, shape), axis, keepDims));
        const native = run();
        const wasm = plainWasm(run);
        expect(native.shape, `axis ${JSON.stringify(axis)} keepDims ${keepDims}`).toEqual(wasm.shape);
        expect(maxRelError(values(native), values(wasm)), `axis ${JSON.stringify(axis)}`).toBeLessThan(TOL);
      }
    }
    const ints = tf.tensor([1, 2, 3, 4], [2, 2], 'int32');
    const s = tf.sum(ints, 1);
    expect(s.dtype).toBe('int32');
    expect(Array.from(s.dataSync())).toEqual([3, 7]);
    tf.dispose([ints, s]);
  });

  it('Erf and Exp equal plain wasm to float32 precision, on the exact GeLU range', () => {
    const xs = Float32Array.from({ length: 4001 }, (_, i) => -20 + i * 0.01);
    for (const op of [tf.erf, tf.exp] as const) {
      const run = () => tf.tidy(() => op(tf.tensor1d(xs)));
      const native = values(run());
      const wasm = values(plainWasm(run));
      expect(maxRelError(native, wasm), op.name).toBeLessThan(1e-5);
    }
  });

  it("the fused AdamW kernel follows the same trajectory as AdamW's chain of ops (decay on and off)", () => {
    const rng = rootRng(SEED).fork('adamw');
    const shapes: Record<string, number[]> = { w: [17, 9], b: [9] };
    const init = Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, rng.normalArray(s.reduce((x, y) => x * y, 1))]));
    const gradSeq = Array.from({ length: 4 }, () =>
      Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, rng.normalArray(s.reduce((x, y) => x * y, 1))])),
    );
    const trajectory = (): Float32Array[] => {
      const params = new Map(Object.entries(shapes).map(([k, s]) => [k, tf.tidy(() => tf.variable(tf.tensor(init[k], s), true))]));
      const opt = new AdamW({ lr: 3e-3, weightDecay: 1, betas: [0.9, 0.98], decay: (_n, s) => s.length >= 2 });
      for (const g of gradSeq) {
        const grads = new Map(Object.entries(shapes).map(([k, s]) => [k, tf.tensor(g[k], s)]));
        opt.step(params, grads);
        tf.dispose([...grads.values()]);
      }
      const out: Float32Array[] = [...params.values()].map((p) => Float32Array.from(p.dataSync() as Float32Array));
      const state = opt.getState();
      out.push(...[...state.m.values()], ...[...state.v.values()]);
      opt.dispose();
      tf.dispose([...params.values()]);
      return out;
    };
    const before = tf.memory().numTensors;
    const fused = trajectory();
    expect(tf.memory().numTensors).toBe(before);
    const chain = plainWasm(trajectory);
    for (let i = 0; i < fused.length; i++) expect(maxRelError(fused[i], chain[i]), `tensor ${i}`).toBeLessThan(1e-5);
  });

  it('NaN and ∞ propagate as in plain wasm (the addon is compiled with -ffast-math, so this is checked)', () => {
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor1d([NaN, Infinity, -Infinity, 1]);
        const m = tf.tensor2d(
          Float32Array.from({ length: 64 * 64 }, (_, i) => (i === 5 ? NaN : 0.01)),
          [64, 64],
        );
        return [tf.erf(x), tf.exp(x), tf.sum(x), tf.sum(tf.matMul(m, m), 1), gelu(x)].map((t) => Array.from(t.dataSync()));
      });
    const native = run();
    const wasm = plainWasm(run);
    expect(native).toEqual(wasm);
    expect(native[3].some(Number.isNaN)).toBe(true);
  });

  it('element-wise kernels and Sum split across threads give exactly the one-thread results', () => {
    if (!load.ok) return;
    const addon = load.addon;
    const n = 300_001; // above the threshold for threads, not a multiple of the chunk
    const heap = new Float32Array(8 * n);
    const rng = rootRng(SEED).fork('native-threads');
    heap.set(rng.normalArray(4 * n), 0);
    for (let i = 3 * n; i < 4 * n; i++) heap[i] = Math.abs(heap[i]); // second moments
    const results = (threads: number): Float32Array[] => {
      addon.configure({ threads });
      const out: Float32Array[] = [];
      const take = (off: number, len: number) => out.push(heap.slice(off, off + len));
      for (const op of [0, 1, 2]) {
        addon.unary(heap.buffer, op, 0, 4 * n, n);
        take(4 * n, n);
      }
      addon.geluGrad(heap.buffer, 0, n, 4 * n, n);
      take(4 * n, n);
      addon.adamw(heap.buffer, n, 0, n, 2 * n, 3 * n, 4 * n, 5 * n, 6 * n, 0.99, 0.9, 0.98, 0.7, 1e-8, 1e-3);
      for (const k of [4, 5, 6]) take(k * n, n);
      for (const [outer, reduce, inner] of [
        [1, 3, 100_000],
        [100_000, 3, 1],
        [7, 1000, 40],
        [3000, 50, 2],
        [1, 300_000, 1],
      ]) {
        addon.sum(heap.buffer, 0, 4 * n, outer, reduce, inner);
        take(4 * n, outer * inner);
      }
      return out;
    };
    const one = results(1);
    const two = results(2);
    configureFromEnv(addon);
    expect(two.length).toBe(one.length);
    const differing = (x: Float32Array, y: Float32Array): number => {
      let count = x.length === y.length ? 0 : Infinity;
      for (let j = 0; j < x.length && count < Infinity; j++) if (!Object.is(x[j], y[j])) count++;
      return count;
    };
    for (let i = 0; i < one.length; i++) expect(differing(two[i], one[i]), `result ${i}: elements that differ`).toBe(0);
    expect(one[0].some((x) => x !== 0)).toBe(true);
  });

  it('Add, Sub, Multiply and Transpose split across two threads give exactly the results of plain wasm (issue 28)', () => {
    if (!load.ok || typeof load.addon.threads !== 'function') return;
    for (const name of SPLIT_KERNELS) {
      const kernel = tf.getKernel(name, 'wasm')?.kernelFunc as unknown as Record<symbol, unknown> | undefined;
      expect(kernel?.[Symbol.for('grokdiff.wasmNative')], name).toBeDefined();
    }
    // The same operands in every run: each run draws them from a fresh stream.
    let rng = rootRng(SEED).fork('split-kernels');
    const t = (shape: number[]) => tf.tensor(rng.normalArray(shape.reduce((x, y) => x * y, 1)), shape);
    const cases: [number[], number[]][] = [
      [
        [95, 4, 3, 1, 128],
        [95, 4, 1, 3, 128],
      ],
      [
        [95, 4, 3, 3, 1],
        [95, 4, 3, 3, 128],
      ],
      [[700, 512], [512]],
      [
        [300, 3, 512],
        [300, 1, 512],
      ],
      [[], [300, 1024]],
      [
        [300, 1],
        [300, 1024],
      ],
      [
        [100, 700],
        [100, 700],
      ],
    ];
    const run = () => {
      rng = rootRng(SEED).fork('split-kernels');
      return tf.tidy(() => [
        ...cases.flatMap(([sa, sb]) => {
          const [a, b] = [t(sa), t(sb)];
          return [tf.add(a, b), tf.sub(a, b), tf.sub(b, a), tf.mul(a, b)];
        }),
        tf.transpose(t([200, 3, 4, 128]), [0, 2, 1, 3]),
        tf.transpose(t([300, 512]), [1, 0]),
        tf.transpose(t([7, 11, 13, 17, 5]), [4, 2, 0, 3, 1]),
      ]);
    };
    const values = (threads: number): { shape: number[]; data: Float32Array }[] => {
      load.addon.configure({ threads });
      return run().map((x) => {
        const out = { shape: x.shape, data: Float32Array.from(x.dataSync() as Float32Array) };
        x.dispose();
        return out;
      });
    };
    const two = values(2);
    const one = values(1);
    configureFromEnv(load.addon);
    const wasm = plainWasm(() => values(1));
    const differing = (x: Float32Array, y: Float32Array): number => {
      let count = x.length === y.length ? 0 : Infinity;
      for (let j = 0; j < x.length && count < Infinity; j++) if (!Object.is(x[j], y[j])) count++;
      return count;
    };
    expect(two.length).toBe(wasm.length);
    for (let i = 0; i < wasm.length; i++) {
      expect(two[i].shape).toEqual(wasm[i].shape);
      expect(differing(two[i].data, wasm[i].data), `result ${i} ${JSON.stringify(wasm[i].shape)}, two threads: elements that differ`).toBe(0);
      expect(differing(one[i].data, wasm[i].data), `result ${i}, one thread: elements that differ`).toBe(0);
    }
    // Small, integer and 1-thread tensors go to the kernel beneath: still the same results.
    const small = () => tf.tidy(() => Array.from(tf.add(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([4, 5, 6], 'int32')).dataSync()));
    expect(small()).toEqual([5, 7, 9]);
  });

  it('the split kernels write only their output: direct calls at two threads against a JavaScript reference', () => {
    if (!load.ok || typeof load.addon.binary !== 'function' || typeof load.addon.transpose !== 'function') return;
    const addon = load.addon;
    addon.configure({ threads: 2 });
    const rows = 1000;
    const len = 130;
    const heap = new Float32Array(rows * len * 3 + 16);
    const rng = rootRng(SEED).fork('split-direct');
    heap.set(rng.normalArray(rows * len * 2), 0);
    heap.fill(7, rows * len * 2);
    const yOff = rows * len * 2 + 8;
    addon.binary?.(heap.buffer, 2, 0, rows * len, yOff, 2, rows, len, len, 1, 0, 1); // a[r, j] · b[j]
    let bad = 0;
    for (let r = 0; r < rows; r++) for (let j = 0; j < len; j++) if (heap[yOff + r * len + j] !== Math.fround(heap[r * len + j] * heap[rows * len + j])) bad++;
    expect(bad).toBe(0);
    expect(Array.from(heap.subarray(yOff - 8, yOff))).toEqual(new Array(8).fill(7));
    expect(Array.from(heap.subarray(yOff + rows * len))).toEqual(new Array(8).fill(7));
    addon.transpose?.(heap.buffer, 0, yOff, 2, len, rows, 1, len); // y[j, r] = x[r, j]
    for (let r = 0; r < rows; r++) for (let j = 0; j < len; j++) if (heap[yOff + j * rows + r] !== heap[r * len + j]) bad++;
    expect(bad).toBe(0);
    expect(() => addon.binary?.(heap.buffer, 0, 0, 0, heap.length - 10, 1, 11, 1, 1)).toThrow(/output is outside/);
    expect(() => addon.binary?.(heap.buffer, 0, heap.length - 5, 0, 0, 2, 2, 5, 5, 1, 0, 1)).toThrow(/operand a is outside/);
    expect(() => addon.binary?.(heap.buffer, 3, 0, 0, 0, 1, 1, 1, 1)).toThrow(/unknown binary op/);
    expect(() => addon.binary?.(heap.buffer, 0, 0, 0, 0, 7, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)).toThrow(/rank/);
    expect(() => addon.transpose?.(heap.buffer, 0, 0, 2, 2, 3, -1, 1)).toThrow(/strides/);
    expect(() => addon.transpose?.(heap.buffer, heap.length, 0, 1, 2, 1)).toThrow(/input is outside/);
    configureFromEnv(addon);
  });

  it('rejects offsets outside the heap in C with a RangeError naming the operand', () => {
    if (!load.ok) return;
    const heap = new ArrayBuffer(64 * 4);
    expect(() => load.addon.gemm(heap, 1, 4, 4, 4, 0, 0, 0, 0, 16, 0, 60, -1)).toThrow(/output is outside the heap/);
    expect(() => load.addon.gemm(heap, 2, 4, 4, 4, 0, 0, 0, 50, 16, 0, 32, -1)).toThrow(/operand a is outside/);
    expect(() => load.addon.unary(heap, 0, -1, 0, 4)).toThrow(/input is outside/);
    expect(() => load.addon.sum(heap, 0, 62, 1, 4, 4)).toThrow(/output is outside/);
    expect(() => load.addon.adamw(heap, 20, 0, 20, 40, 60, 0, 0, 0, 1, 0.9, 0.99, 1, 1e-8, 1e-3)).toThrow(/second moment is outside/);
    expect(() => load.addon.gemm(new Float32Array(4) as unknown as ArrayBuffer, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, -1)).toThrow(/wasm heap/);
  });

  // The products' code paths (issue 16): the best micro-kernel on all cores (the default), the AVX2 one on one
  // thread, and paper width (large products split across the threads) with the default.
  const ISA_RANK = { scalar: 0, avx2: 1, avx512: 2 } as const;
  const trainCases: { preset: string; settings: Partial<NativeSettings> }[] = [
    { preset: 'cpu-n1', settings: {} },
    { preset: 'cpu-n1', settings: { isa: 'avx2', threads: 1 } },
    { preset: 'paper-n1', settings: {} },
  ];
  for (const { preset, settings } of trainCases) {
    const skip = load.ok && settings.isa != null && ISA_RANK[settings.isa] > ISA_RANK[load.addon.info().bestIsa];
    it.skipIf(skip)(
      `three DiT training steps (${preset}, full batch, products ${JSON.stringify(settings)}) give the losses and weights of plain wasm`,
      async () => {
        const { getPreset } = await import('../train/presets.ts');
        const { applyOverrides, runModelConfig } = await import('../train/config.ts');
        const { prepareRunData, stepBatch } = await import('../train/run-data.ts');
        const { loadEmnistPool } = await import('../data/pool.ts');
        const { createParams, disposeParams, initialValues } = await import('../model/params.ts');
        const { fullBatchStep } = await import('../train/step.ts');
        const { makeOptimizer } = await import('../train/trainer.ts');
        const config = applyOverrides(getPreset(preset), [], { seed: 1 });
        const model = runModelConfig(config);
        const rng = rootRng(1);
        const data = prepareRunData(config, rng.fork('data'), loadEmnistPool());
        const init = initialValues(model, rng.fork('init'));
        const run = () => {
          const params = createParams(model, init);
          const optimizer = makeOptimizer(config, model);
          const losses: number[] = [];
          for (let step = 1; step <= 3; step++) {
            losses.push(fullBatchStep(model, params, optimizer, data.symbols.images, stepBatch(data, rootRng(1).fork('train'), step), config.train.lr));
          }
          const weights = [...params.values()].map((p) => Float32Array.from(p.dataSync() as Float32Array));
          optimizer.dispose();
          disposeParams(params);
          return { losses, weights };
        };
        if (load.ok) load.addon.configure(settings);
        const used = wasmNativeDetails();
        const native = run();
        const wasm = plainWasm(run); // reinstalling afterwards restores the settings of the environment
        if (settings.isa != null) expect(used?.isa).toBe(settings.isa);
        if (settings.threads != null) expect(used?.threads).toBe(settings.threads);
        for (let i = 0; i < 3; i++) expect(Math.abs(native.losses[i] - wasm.losses[i]) / wasm.losses[i], `loss of step ${i + 1}`).toBeLessThan(1e-4);
        for (let i = 0; i < native.weights.length; i++) expect(maxRelError(native.weights[i], wasm.weights[i]), `weight tensor ${i}`).toBeLessThan(1e-3);
      },
    );
  }

  it('leaves no tensor or wasm buffer allocated', () => {
    const { a, b } = operands(GEOMETRIES[3], true, false, 'native-memory');
    tfMatMul(a, b, true, false);
    const before = tf.memory();
    tfMatMul(a, b, true, false);
    const s = tf.tidy(() => tf.sum(tf.ones([4, 5, 6]), [1, 2]));
    const e = tf.tidy(() => tf.erf(tf.ones([7])));
    tf.dispose([s, e]);
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
  });
});
