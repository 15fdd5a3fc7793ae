// Optional native kernels for the wasm backend (issues #8, #16). tfjs-backend-wasm is single-threaded in Node
// and limited to 128-bit SIMD, which bounds a training step at about 3-4x PyTorch's time on this CPU. When the
// native addon `native/build/grokdiff_kernels.node` has been built (`npm run build:native`, also tried at
// `npm ci`; it needs a C compiler and Node's headers, nothing is downloaded), this module re-registers five
// wasm kernels so that they run natively on the very same wasm heap (no copies):
//   BatchMatMul, _FusedMatMul  → grokdiff's packed GEMM (native/gemm.c: AVX-512 or AVX2 micro-kernels, large
//                                 products split across GROKDIFF_NATIVE_THREADS threads, default all cores;
//                                 GROKDIFF_NATIVE_BLAS=openblas uses the system's OpenBLAS instead), transposes
//                                 and batch broadcasting handled in place;
//   Erf, Exp                   → glibc's vectorised erff/expf (libmvec), the costly half of the exact GeLU;
//   Sum                        → a reduction over any contiguous run of axes;
//   Add, Sub, Multiply, Transpose → split across the threads when there are several and the tensor is large
//                                 (issue 28: the attention's broadcast products and the residual and bias adds
//                                 are the large work tfjs-backend-wasm leaves on one thread); bit-identical to
//                                 the wasm kernels, which keep everything small and everything at one thread;
// and registers kernels of grokdiff's own for wasm: one fused AdamW update per parameter (adamw.ts) and the
// exact GeLU with its gradient in one pass each (gelu.ts), which replace chains of a dozen tfjs ops.
// Anything these wrappers do not handle (other dtypes, prelu activations, biases that are not [N], two batched
// operands that broadcast against each other) goes to the kernel that was registered before, i.e. the wasm
// fast path of wasm-matmul.ts or stock tfjs. The wrapped kernel is kept on the wrapper function inside tfjs's
// kernel registry (no module state), so install is idempotent and uninstall restores it.
//
// The addon is never required: without it (or with GROKDIFF_NATIVE=0) everything runs on plain wasm and the
// results agree to float32 rounding (tested in wasm-native.test.ts with the same spec as the wasm kernels).

import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { environment, VARIABLES, type EnvironmentSettings, type NativeIsaChoice } from '../config/environment.ts';
import { kernelFnOf, layerOf, registerLayer, removeLayer, sizeOf, type KernelArgs, type KernelFn, type LayerData } from './kernel-layer.ts';
import { cpuSignature } from '../../native/cpu-signature.mjs';
import { EngineError } from '../errors.ts';

export { cpuSignature };

/** Environment variable that turns the native kernels off (`0`, `false`, `off`) (src/config/environment.ts). */
export const NATIVE_ENV = VARIABLES.native.name;

/** Where native/build.mjs writes the addon. */
export const NATIVE_ADDON_PATH = fileURLToPath(new URL('../../native/build/grokdiff_kernels.node', import.meta.url));

/** The kernels this module replaces. */
export const NATIVE_KERNELS = ['BatchMatMul', '_FusedMatMul', 'Erf', 'Exp', 'Sum'] as const;

/**
 * The element-wise kernels it replaces when the addon has `binary`, `transpose` and `threads` (builds from issue
 * 28 on): natively only for float32 tensors of at least SPLIT_MIN_ELEMENTS with more than one thread, so that the
 * second core takes half; otherwise (and with an older build) the wasm kernel runs as before.
 */
export const SPLIT_KERNELS = ['Add', 'Sub', 'Multiply', 'Transpose'] as const;

/** Output elements from which SPLIT_KERNELS run natively (PARALLEL_MIN_ELEMENTS of native/grokdiff_kernels.c). */
export const SPLIT_MIN_ELEMENTS = 65536;

/** At most this many dimensions after collapsing (MAX_RANK of native/grokdiff_kernels.c). */
const SPLIT_MAX_RANK = 6;

/**
 * A kernel of grokdiff's own: one fused AdamW update (inputs p, g, m, v; outputs p1, m1, v1), registered for
 * wasm only while the native kernels are installed. AdamW (adamw.ts) uses it when the active backend has it
 * and otherwise runs its chain of tfjs ops; both compute the same formula.
 */
export const ADAMW_KERNEL = 'GrokdiffAdamW';

/** grokdiff's own exact-GeLU kernels (input x; and x, dy for the gradient), wasm-native only; see gelu.ts. */
export const GELU_KERNEL = 'GrokdiffGelu';
export const GELU_GRAD_KERNEL = 'GrokdiffGeluGrad';

/** The kernels of grokdiff's own that only the native layer registers. */
const OWN_KERNELS = [ADAMW_KERNEL, GELU_KERNEL, GELU_GRAD_KERNEL] as const;

/** The attributes of ADAMW_KERNEL. */
export interface AdamWKernelAttrs {
  decayFactor: number;
  beta1: number;
  beta2: number;
  bc2Sqrt: number;
  eps: number;
  stepSize: number;
}
type NativeKernel = (typeof NATIVE_KERNELS)[number];

export interface Addon {
  gemm(
    heap: ArrayBuffer,
    batch: number,
    m: number,
    n: number,
    k: number,
    transA: number,
    transB: number,
    aOff: number,
    aStride: number,
    bOff: number,
    bStride: number,
    cOff: number,
    biasOff: number,
  ): void;
  unary(heap: ArrayBuffer, op: number, xOff: number, yOff: number, n: number): void;
  geluGrad(heap: ArrayBuffer, xOff: number, dyOff: number, dxOff: number, n: number): void;
  sum(heap: ArrayBuffer, xOff: number, yOff: number, outer: number, reduce: number, inner: number): void;
  adamw(
    heap: ArrayBuffer,
    n: number,
    pOff: number,
    gOff: number,
    mOff: number,
    vOff: number,
    p1Off: number,
    m1Off: number,
    v1Off: number,
    decayFactor: number,
    beta1: number,
    beta2: number,
    bc2Sqrt: number,
    eps: number,
    stepSize: number,
  ): void;
  info(): NativeDetails;
  /** Changes the settings read from GROKDIFF_NATIVE_BLAS / _THREADS / _ISA (see nativeSettings); returns info(). */
  configure(settings: Partial<NativeSettings>): NativeDetails;
  /** GFLOP/s of register-only FMAs on the calling thread for about `ms` ms: one core's attainable peak. */
  fmaPeak(isa: NativeIsa, ms: number): number;
  /** y = a op b (0 add, 1 subtract, 2 multiply), y contiguous of `rank` sizes, a and b read with strides; issue 28. */
  binary?(heap: ArrayBuffer, op: number, aOff: number, bOff: number, yOff: number, rank: number, ...layout: number[]): void;
  /** y (contiguous, `rank` sizes) = x read with strides: a transpose; issue 28. */
  transpose?(heap: ArrayBuffer, xOff: number, yOff: number, rank: number, ...layout: number[]): void;
  /** The threads the kernels use now. */
  threads?(): number;
}

export type NativeIsa = NativeIsaChoice;

/** What computes the products, as the addon reports it. */
export interface NativeDetails {
  /** One line, e.g. "built-in avx512 12x32, 2 threads" or "OpenBLAS 0.3.21 … Haswell …, 1 thread". */
  matmul: string;
  blas: 'built-in' | 'OpenBLAS';
  /** OpenBLAS's config when it was asked for and loaded, else null. */
  openblas: string | null;
  isa: NativeIsa;
  bestIsa: NativeIsa;
  /** Register tile of the micro-kernel, rows x columns. */
  tile: string;
  threads: number;
  /** Cores this process may run on. */
  cores: number;
  cflags: string;
}

/** Environment variables of the native products. */
export const NATIVE_BLAS_ENV = VARIABLES.nativeBlas.name;
export const NATIVE_THREADS_ENV = VARIABLES.nativeThreads.name;
export const NATIVE_ISA_ENV = VARIABLES.nativeIsa.name;

/** The native products' settings (native/grokdiff_kernels.c). */
export interface NativeSettings {
  /** builtin: grokdiff's packed GEMM (default); openblas: the system's OpenBLAS when it loads. */
  blas: 'builtin' | 'openblas';
  /** Threads for large products; small ones stay on the calling thread. */
  threads: number;
  /** Micro-kernel (forced; the default is the best this CPU runs). */
  isa: NativeIsa | null;
}

/**
 * The native products' settings from GROKDIFF_NATIVE_BLAS, GROKDIFF_NATIVE_THREADS (unset → `cores`) and
 * GROKDIFF_NATIVE_ISA (unset → null: the best one), as validated by src/config/environment.ts.
 */
export function nativeSettings(cores: number, settings: EnvironmentSettings = environment()): NativeSettings {
  return { blas: settings.nativeBlas, threads: settings.nativeThreads ?? cores, isa: settings.nativeIsa };
}

/** The addon's `binary` op codes (native/grokdiff_kernels.c). */
const BINARY_OP = { Add: 0, Sub: 1, Multiply: 2 } as const;

/** A tensor walk for the split kernels: the output's sizes and, for each operand, the stride of each dimension. */
export interface StridedLayout {
  readonly shape: number[];
  readonly strides: number[][];
}

/**
 * The smallest walk equal to `layout`: dimensions of size 1 dropped, and neighbours merged where every operand
 * steps through them as through one dimension (stride[d] = stride[d + 1] · size[d + 1], broadcast 0s included).
 */
export function collapseLayout(layout: StridedLayout): StridedLayout {
  const shape: number[] = [];
  const strides: number[][] = layout.strides.map(() => []);
  layout.shape.forEach((size, d) => {
    if (size === 1) return;
    const last = shape.length - 1;
    if (last >= 0 && layout.strides.every((s, o) => strides[o][last] === s[d] * size)) {
      shape[last] *= size;
      layout.strides.forEach((s, o) => {
        strides[o][last] = s[d];
      });
      return;
    }
    shape.push(size);
    layout.strides.forEach((s, o) => {
      strides[o].push(s[d]);
    });
  });
  if (shape.length === 0) return { shape: [1], strides: layout.strides.map(() => [0]) };
  return { shape, strides };
}

/** Row-major strides of a contiguous tensor. */
function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

/** The walk of an element-wise op over `out` (the broadcast shape) reading contiguous operands of `shapes` (numpy broadcasting). */
export function broadcastLayout(out: readonly number[], shapes: readonly (readonly number[])[]): StridedLayout {
  const strides = shapes.map((shape) => {
    const own = contiguousStrides(shape);
    return out.map((_size, d) => {
      const k = d - (out.length - shape.length);
      return k < 0 || shape[k] === 1 ? 0 : own[k];
    });
  });
  return collapseLayout({ shape: [...out], strides });
}

/** The walk of a transpose of a contiguous tensor of `shape` by `perm`: output size perm[d] reads stride perm[d]. */
export function transposeLayout(shape: readonly number[], perm: readonly number[]): StridedLayout {
  const own = contiguousStrides(shape);
  return collapseLayout({ shape: perm.map((p) => shape[p]), strides: [perm.map((p) => own[p])] });
}

/** The addon's `unary` op codes (native/grokdiff_kernels.c). */
const UNARY_OP = { Erf: 0, Exp: 1, Gelu: 2 } as const;

/** The outcome of loading the addon: it, or why not. */
export type NativeLoad = { ok: true; addon: Addon; path: string } | { ok: false; reason: string };

/** Why the addon whose build record is `infoPath` must not run on this CPU, or null when it may. */
function cpuMismatch(infoPath: string): string | null {
  let recorded: { cpu?: { model?: string; flags?: string } };
  try {
    recorded = JSON.parse(readFileSync(infoPath, 'utf8')) as typeof recorded;
  } catch {
    return `${infoPath} (the CPU it was built for) is missing or unreadable`;
  }
  const here = cpuSignature();
  if (recorded.cpu?.model !== here.model || recorded.cpu?.flags !== here.flags) {
    return `it was compiled for another CPU (${recorded.cpu?.model ?? 'unknown'}; this one is ${here.model}) and could crash here`;
  }
  return null;
}

/** Loads the addon from `path` (default: native/build), or says why it cannot. Never throws. */
export function loadNativeAddon(path: string = NATIVE_ADDON_PATH): NativeLoad {
  if (!existsSync(path)) return { ok: false, reason: `${path} is not built (run \`npm run build:native\`)` };
  const mismatch = cpuMismatch(path.replace(/\.node$/, '.json'));
  if (mismatch !== null) return { ok: false, reason: `${path}: ${mismatch}; rebuild it here with \`npm run build:native\`` };
  try {
    const addon = createRequire(import.meta.url)(path) as Addon;
    const missing = (['gemm', 'unary', 'geluGrad', 'sum', 'adamw', 'info', 'configure', 'fmaPeak'] as const).filter((f) => typeof addon[f] !== 'function');
    if (missing.length > 0) {
      return { ok: false, reason: `${path} lacks ${missing.join(', ')} (an older build?); rebuild it with \`npm run build:native\`` };
    }
    return { ok: true, addon, path };
  } catch (err) {
    return { ok: false, reason: `${path} failed to load: ${(err as Error).message}; rebuild it with \`npm run build:native\`` };
  }
}

const MARK = Symbol.for('grokdiff.wasmNative');
interface NativeMark extends LayerData {
  readonly addon: Addon;
}
type Info = tf.TensorInfo;
type Func = KernelFn;

function markOf(config: tf.KernelConfig | undefined): NativeMark | undefined {
  return layerOf<NativeMark>(config, MARK);
}

/** The addon whose kernels are installed on the wasm backend, or null. */
export function installedNativeAddon(): Addon | null {
  return markOf(tf.getKernel('BatchMatMul', 'wasm'))?.addon ?? null;
}

/** The wasm kernel `name` as registered beneath the native layer (the current one when native is not installed). */
export function kernelBelowNative(name: string): tf.KernelConfig | undefined {
  const current = tf.getKernel(name, 'wasm');
  return markOf(current)?.below ?? current;
}

/** Whether the native kernels are installed on the wasm backend. */
export function isWasmNativeInstalled(): boolean {
  return installedNativeAddon() != null;
}

/** What the installed addon uses for products ("built-in avx512 12x32, 2 threads" or "OpenBLAS …"), or null. */
export function wasmNativeInfo(): { matmul: string; cflags: string } | null {
  const info = installedNativeAddon()?.info();
  return info == null ? null : { matmul: info.matmul, cflags: info.cflags };
}

/** Everything the installed addon reports about its products (ISA, threads, OpenBLAS), or null. */
export function wasmNativeDetails(): NativeDetails | null {
  return installedNativeAddon()?.info() ?? null;
}

/** Applies GROKDIFF_NATIVE_BLAS / _THREADS / _ISA (nativeSettings) to the addon; returns what it chose. */
export function configureFromEnv(addon: Addon, settings: EnvironmentSettings = environment()): NativeDetails {
  const info = addon.info();
  const s = nativeSettings(info.cores, settings);
  return addon.configure({ blas: s.blas, threads: s.threads, isa: s.isa ?? info.bestIsa });
}

/**
 * Wraps the wasm BatchMatMul, _FusedMatMul, Erf, Exp and Sum kernels with native ones and registers grokdiff's
 * own kernels (see the module comment).
 * Install the wasm fast path first: it becomes the fallback. Idempotent. Returns false when the wasm kernels
 * are not registered. Applies GROKDIFF_NATIVE_BLAS / _THREADS / _ISA to the addon (a ConfigError when one is
 * not understood); `addon.configure` changes them afterwards.
 */
export function installWasmNative(addon: Addon): boolean {
  if (tf.getKernel('BatchMatMul', 'wasm') == null) return false;
  configureFromEnv(addon);
  for (const name of NATIVE_KERNELS) {
    const current = tf.getKernel(name, 'wasm');
    if (current == null) continue;
    const mark = markOf(current);
    if (mark?.addon === addon) continue;
    const below = mark?.below ?? current;
    registerLayer<NativeMark>(MARK, { below, addon }, makeKernel(name, kernelFnOf(below), addon));
  }
  if (hasSplitKernels(addon)) {
    for (const name of SPLIT_KERNELS) {
      const current = tf.getKernel(name, 'wasm');
      if (current == null) continue;
      const mark = markOf(current);
      if (mark?.addon === addon) continue;
      const below = mark?.below ?? current;
      registerLayer<NativeMark>(MARK, { below, addon }, makeSplitKernel(name, kernelFnOf(below), addon));
    }
  } else {
    for (const name of SPLIT_KERNELS) removeLayer(MARK, name, 'wasm');
  }
  const own: Record<(typeof OWN_KERNELS)[number], Func> = {
    [ADAMW_KERNEL]: adamwKernel(addon),
    [GELU_KERNEL]: geluKernel(addon),
    [GELU_GRAD_KERNEL]: geluGradKernel(addon),
  };
  for (const name of OWN_KERNELS) {
    if (tf.getKernel(name, 'wasm') != null) tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: own[name] as unknown as tf.KernelFunc });
  }
  return true;
}

/** Restores the kernels that were registered before `installWasmNative`. Returns whether anything changed. */
export function uninstallWasmNative(): boolean {
  let restored = false;
  for (const name of [...NATIVE_KERNELS, ...SPLIT_KERNELS]) restored = removeLayer(MARK, name, 'wasm') || restored;
  for (const name of OWN_KERNELS) if (tf.getKernel(name, 'wasm') != null) tf.unregisterKernel(name, 'wasm');
  return restored;
}

// ---------------------------------------------------------------------------------------------------------

/** The tensor's place on the heap, in floats. */
function floatOffset(backend: BackendWasm, info: Info): number {
  const data = backend.dataIdMap.get(info.dataId);
  if (data == null) throw new EngineError('native-no-memory', `wasm-native: tensor ${String(info.dataId)} has no wasm memory`);
  return data.memoryOffset / 4;
}

/** The heap as an ArrayBuffer. Take it AFTER every allocation: the heap can grow (a new buffer). */
function heapOf(backend: BackendWasm): ArrayBuffer {
  return (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer as ArrayBuffer;
}

function makeKernel(name: NativeKernel, previous: Func, addon: Addon): Func {
  if (name === 'Erf' || name === 'Exp') {
    const op = UNARY_OP[name];
    return (args) => {
      const x = args.inputs.x as Info;
      return x.dtype === 'float32' ? nativeUnary(args.backend as BackendWasm, addon, op, x) : previous(args);
    };
  }
  if (name === 'Sum') return (args) => nativeSum(args, previous, addon);
  const fused = name === '_FusedMatMul';
  return (args) => nativeMatMul(args, previous, fused, addon);
}

type SplitAddon = Addon & Required<Pick<Addon, 'binary' | 'transpose' | 'threads'>>;

/** Whether the addon has the split element-wise kernels (a build from issue 28 on). */
function hasSplitKernels(addon: Addon): addon is SplitAddon {
  return typeof addon.binary === 'function' && typeof addon.transpose === 'function' && typeof addon.threads === 'function';
}

/** A split kernel: natively for large float32 tensors when the addon runs more than one thread, else the previous kernel. */
function makeSplitKernel(name: (typeof SPLIT_KERNELS)[number], previous: Func, addon: SplitAddon): Func {
  if (name === 'Transpose') {
    return (args) => {
      const x = args.inputs.x as Info;
      const perm = (args.attrs?.perm as number[] | undefined) ?? [];
      if (x.dtype !== 'float32' || perm.length !== x.shape.length || sizeOf(x.shape) < SPLIT_MIN_ELEMENTS || addon.threads() <= 1) return previous(args);
      const layout = transposeLayout(x.shape, perm);
      if (layout.shape.length > SPLIT_MAX_RANK) return previous(args);
      const backend = args.backend as BackendWasm;
      const out = backend.makeOutput(
        perm.map((p) => x.shape[p]),
        'float32',
      );
      addon.transpose(heapOf(backend), floatOffset(backend, x), floatOffset(backend, out), layout.shape.length, ...layout.shape, ...layout.strides[0]);
      return out;
    };
  }
  const op = BINARY_OP[name];
  return (args) => {
    const { a, b } = args.inputs as Record<'a' | 'b', Info>;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return previous(args);
    let shape: number[];
    try {
      shape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
    } catch {
      return previous(args); // tfjs's own error
    }
    if (sizeOf(shape) < SPLIT_MIN_ELEMENTS || addon.threads() <= 1) return previous(args);
    const layout = broadcastLayout(shape, [a.shape, b.shape]);
    if (layout.shape.length > SPLIT_MAX_RANK) return previous(args);
    const backend = args.backend as BackendWasm;
    const out = backend.makeOutput(shape, 'float32');
    addon.binary(
      heapOf(backend),
      op,
      floatOffset(backend, a),
      floatOffset(backend, b),
      floatOffset(backend, out),
      layout.shape.length,
      ...layout.shape,
      ...layout.strides[0],
      ...layout.strides[1],
    );
    return out;
  };
}

/** Sum over a contiguous run of axes ([outer, reduce, inner]); other axis sets go to the previous kernel. */
function nativeSum(args: KernelArgs, previous: Func, addon: Addon): Info {
  const x = args.inputs.x as Info;
  if (x.dtype !== 'float32' || x.shape.length === 0) return previous(args);
  const axes = tf.util.parseAxisParam(args.attrs?.axis as number | number[], x.shape).sort((p, q) => p - q);
  if (axes.length === 0) return previous(args);
  for (let i = 1; i < axes.length; i++) if (axes[i] !== axes[i - 1] + 1) return previous(args);
  const first = axes[0];
  const last = axes[axes.length - 1];
  const outer = sizeOf(x.shape.slice(0, first));
  const reduce = sizeOf(x.shape.slice(first, last + 1));
  const inner = sizeOf(x.shape.slice(last + 1));
  if (outer * reduce * inner === 0) return previous(args);
  const keepDims = Boolean(args.attrs?.keepDims);
  const outShape = keepDims ? x.shape.map((d, i) => (i >= first && i <= last ? 1 : d)) : [...x.shape.slice(0, first), ...x.shape.slice(last + 1)];
  const backend = args.backend as BackendWasm;
  const out = backend.makeOutput(outShape, 'float32');
  addon.sum(heapOf(backend), floatOffset(backend, x), floatOffset(backend, out), outer, reduce, inner);
  return out;
}

/** y = f(x) for one of the addon's element-wise ops, into a fresh float32 tensor. */
function nativeUnary(backend: BackendWasm, addon: Addon, op: number, x: Info): Info {
  const out = backend.makeOutput(x.shape, 'float32');
  const n = sizeOf(x.shape);
  if (n > 0) addon.unary(heapOf(backend), op, floatOffset(backend, x), floatOffset(backend, out), n);
  return out;
}

function float32Input(kernel: string, what: string, t: Info, n: number): void {
  if (t.dtype !== 'float32' || sizeOf(t.shape) !== n)
    throw new EngineError('native-input-shape', `${kernel}: input ${what} has shape [${t.shape}] (${t.dtype}); float32 with ${n} values expected`);
}

function geluKernel(addon: Addon): Func {
  return (args) => {
    const x = args.inputs.x as Info;
    float32Input(GELU_KERNEL, 'x', x, sizeOf(x.shape));
    return nativeUnary(args.backend as BackendWasm, addon, UNARY_OP.Gelu, x);
  };
}

function geluGradKernel(addon: Addon): Func {
  return (args) => {
    const { x, dy } = args.inputs as Record<'x' | 'dy', Info>;
    const n = sizeOf(x.shape);
    float32Input(GELU_GRAD_KERNEL, 'x', x, n);
    float32Input(GELU_GRAD_KERNEL, 'dy', dy, n);
    const backend = args.backend as BackendWasm;
    const out = backend.makeOutput(x.shape, 'float32');
    if (n > 0) addon.geluGrad(heapOf(backend), floatOffset(backend, x), floatOffset(backend, dy), floatOffset(backend, out), n);
    return out;
  };
}

function adamwKernel(addon: Addon): Func {
  return (args) => {
    const { p, g, m, v } = args.inputs as Record<'p' | 'g' | 'm' | 'v', Info>;
    const n = sizeOf(p.shape);
    for (const [what, t] of [
      ['g', g],
      ['m', m],
      ['v', v],
    ] as const)
      float32Input(ADAMW_KERNEL, what, t, n);
    const a = args.attrs as unknown as AdamWKernelAttrs;
    const backend = args.backend as BackendWasm;
    const p1 = backend.makeOutput(p.shape, 'float32');
    const m1 = backend.makeOutput(p.shape, 'float32');
    const v1 = backend.makeOutput(p.shape, 'float32');
    const off = (t: Info): number => floatOffset(backend, t);
    addon.adamw(heapOf(backend), n, off(p), off(g), off(m), off(v), off(p1), off(m1), off(v1), a.decayFactor, a.beta1, a.beta2, a.bc2Sqrt, a.eps, a.stepSize);
    return [p1, m1, v1] as unknown as Info;
  };
}

function nativeMatMul(args: KernelArgs, previous: Func, fused: boolean, addon: Addon): Info {
  const { inputs, attrs } = args;
  const a = inputs.a as Info;
  const b = inputs.b as Info;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return previous(args);
  const transA = Boolean(attrs?.transposeA);
  const transB = Boolean(attrs?.transposeB);
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb || m * n * k === 0) return previous(args); // tfjs's own shape error, or an empty product
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = sizeOf(outerA);
  const batchB = sizeOf(outerB);
  let outer: number[];
  try {
    outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch {
    return previous(args);
  }
  const batch = sizeOf(outer);
  // Natively: equal batches, or one operand broadcast whole ([B,m,k]·[k,n]). An operand whose batch size equals
  // the broadcast batch size matches it dimension by dimension, so item i of it is item i of the output.
  // Two operands that broadcast against each other ([2,1]·[1,3]) go to the previous kernel.
  if (!((batchA === batch || batchA === 1) && (batchB === batch || batchB === 1))) return previous(args);
  let bias: Info | undefined;
  if (fused) {
    const activation = (attrs?.activation as string | undefined) ?? 'linear';
    bias = inputs.bias as Info | undefined;
    if (activation !== 'linear' || inputs.preluActivationWeights != null) return previous(args);
    if (bias != null && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== n)) return previous(args);
  }
  const backend = args.backend as BackendWasm;
  const out = backend.makeOutput([...outer, m, n], 'float32');
  // Products with batchA = batch and batchB = 1 and no transposed A are one [batch·m, k]·[k, n] product.
  const flatten = batch > 1 && batchB === 1 && batchA === batch && !transA;
  addon.gemm(
    heapOf(backend),
    flatten ? 1 : batch,
    flatten ? batch * m : m,
    n,
    k,
    transA ? 1 : 0,
    transB ? 1 : 0,
    floatOffset(backend, a),
    batchA === 1 ? 0 : m * k,
    floatOffset(backend, b),
    batchB === 1 ? 0 : k * n,
    floatOffset(backend, out),
    bias == null ? -1 : floatOffset(backend, bias),
  );
  return out;
}
