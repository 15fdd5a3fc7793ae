// The wasm training fast path for matrix products. Training time on the wasm backend is dominated by the
// BatchMatMul kernel, and tfjs-backend-wasm 4.22 sends a product to XNNPACK only when neither operand is
// transposed and both batch sizes are 1 (src/cc/batch_mat_mul_impl.cc); everything else runs a blocked
// scalar loop, 10-30x slower. Every matMul gradient uses a transposed form (dA = dY·Bᵀ, dB = Aᵀ·dY), and a
// [batch, tokens, features]·[features, out] layer is batched, so without this module the backward pass and
// the 3-D forward pass are on the slow path.
//
// What it does: it re-registers the wasm `BatchMatMul` and `_FusedMatMul` kernels with wrappers that
//   1. copy a transposed operand into a row-major temporary (a cache-blocked transpose written in JS on the
//      wasm heap; measured 2.5-4x faster than the wasm Transpose kernel, which stays available as an option);
//   2. turn a product whose right operand has batch 1 into one 2-D product ([B·M, K]·[K, N]);
//   3. for two batched operands, unroll into one XNNPACK product per batch item when the items are large
//      enough to pay for XNNPACK packing each item's right operand (m·k·n >= 8192 and m >= 8, measured);
//      smaller items (attention over 3 tokens) stay on the original kernel, which is faster for them;
//   4. call the ORIGINAL kernel for each 2-D product, so XNNPACK, its operator cache and tfjs's memory
//      accounting are used exactly as upstream does.
// Intermediates are freed with backend.disposeData. The wrappers are a kernel layer (kernel-layer.ts): the
// original kernel config is kept on the wrapper function (inside tfjs's kernel registry, not in module
// state), so installing is idempotent and `uninstallWasmFastPath` restores it. GROKDIFF_WASM_FASTPATH=0 makes `initBackend` skip installing it.
//
// It also fixes two correctness bugs of tfjs-backend-wasm 4.22: (a) _FusedMatMul adds the bias wrongly on
// its scalar path (bias index min(i·N + j, N − 1): every row after the first gets bias[N − 1]), i.e. for any
// transposed or batched fused product with a bias; with the fast path every fused product with a rank-1 bias
// of length N goes through XNNPACK, which adds it correctly. (b) XNNPACK operators are cached by the right
// operand's tensor id without its shape, so using one tensor as a right operand under two shapes (x and
// reshape(x)) returns garbage for the second; the fast path copies such views to a fresh id.
//
// Limits: float32 only (other dtypes go to the original kernel); `prelu` fused activations and biases that
// are not rank-1 of length N go to the original kernel unchanged (and keep its bias bug); small batched×
// batched products keep the original scalar loop; XNNPACK caches one operator per right-operand tensor id,
// so right operands are always given fresh ids, never reused buffers. Two batched operands broadcast against
// each other ([2,1,m,k]·[1,3,k,n]) work here, although stock tfjs kernels do not support that.

import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { VARIABLES } from '../config/environment.ts';
import { ConfigError } from '../errors.ts';
import { kernelFnOf, layerOf, registerLayer, removeLayer, sizeOf, type KernelArgs, type LayerData } from './kernel-layer.ts';
import { installedNativeAddon, installWasmNative, kernelBelowNative, uninstallWasmNative } from './wasm-native.ts';

/** Environment variable that turns the fast path off (`0`, `false`, `off`) for comparisons (src/config/environment.ts). */
export const WASM_FASTPATH_ENV = VARIABLES.wasmFastPath.name;

export interface WasmFastPathOptions {
  /** How transposed operands are made row-major: a blocked copy in JS (default) or the wasm Transpose kernel. */
  transpose?: 'js' | 'kernel';
  /**
   * Batched×batched products are unrolled into one XNNPACK product per item only when the per-item work
   * m·k·n is at least this and each item has at least `unrollMinRows` rows; otherwise the original kernel
   * runs them. Measured here: unrolling wins from about 24³ (16³ is a tie), and loses for m = 3.
   */
  unrollMinWork?: number;
  /** See `unrollMinWork`. */
  unrollMinRows?: number;
}

type ResolvedOptions = Required<WasmFastPathOptions>;

const DEFAULTS: ResolvedOptions = { transpose: 'js', unrollMinWork: 8192, unrollMinRows: 8 };

/** The kernels this module wraps. */
export const FAST_PATH_KERNELS = ['BatchMatMul', '_FusedMatMul'] as const;
export type FastPathKernel = (typeof FAST_PATH_KERNELS)[number];

const MARK = Symbol.for('grokdiff.wasmFastPath');

interface FastMark extends LayerData {
  readonly options: ResolvedOptions;
}

type Info = tf.TensorInfo;

function markOf(config: tf.KernelConfig | undefined): FastMark | undefined {
  return layerOf<FastMark>(config, MARK);
}

function resolveOptions(options: WasmFastPathOptions): ResolvedOptions {
  const transpose = options.transpose ?? DEFAULTS.transpose;
  const unrollMinWork = options.unrollMinWork ?? DEFAULTS.unrollMinWork;
  const unrollMinRows = options.unrollMinRows ?? DEFAULTS.unrollMinRows;
  if (transpose !== 'js' && transpose !== 'kernel') {
    throw new ConfigError('wasm-fastpath-option', `transpose must be 'js' or 'kernel', got ${JSON.stringify(transpose)}`);
  }
  if (!(unrollMinWork >= 0)) {
    throw new ConfigError('wasm-fastpath-option', `unrollMinWork must be a number >= 0, got ${unrollMinWork}`);
  }
  if (!(unrollMinRows >= 0)) {
    throw new ConfigError('wasm-fastpath-option', `unrollMinRows must be a number >= 0, got ${unrollMinRows}`);
  }
  return { transpose, unrollMinWork, unrollMinRows };
}

/** True when the wasm kernels are registered (the wasm backend module has been imported). */
function wasmKernelsRegistered(): boolean {
  return tf.getKernel('BatchMatMul', 'wasm') != null;
}

/** Whether the fast path is installed for the wasm BatchMatMul kernel. */
export function isWasmFastPathInstalled(): boolean {
  return markOf(kernelBelowNative('BatchMatMul')) != null;
}

/** The options of the installed fast path, or null when it is not installed. */
export function wasmFastPathOptions(): Readonly<ResolvedOptions> | null {
  return markOf(kernelBelowNative('BatchMatMul'))?.options ?? null;
}

/** The kernel config tfjs-backend-wasm registered for `name` (the original, whether or not we wrapped it). */
export function originalWasmKernel(name: FastPathKernel): tf.KernelConfig | undefined {
  const current = kernelBelowNative(name);
  return markOf(current)?.below ?? current;
}

/**
 * Replaces the wasm BatchMatMul and _FusedMatMul kernels with the fast-path wrappers. Idempotent; calling it
 * again with other options re-wraps the original kernels. Returns false when the wasm backend module has not
 * been imported (nothing to wrap). Safe before or after `tf.setBackend('wasm')`.
 */
export function installWasmFastPath(options: WasmFastPathOptions = {}): boolean {
  const opts = resolveOptions(options);
  if (!wasmKernelsRegistered()) return false;
  return underNative(() => installFastPathKernels(opts));
}

function installFastPathKernels(opts: ResolvedOptions): boolean {
  for (const name of FAST_PATH_KERNELS) {
    const current = tf.getKernel(name, 'wasm');
    if (current == null) continue;
    const mark = markOf(current);
    if (
      mark &&
      mark.options.transpose === opts.transpose &&
      mark.options.unrollMinWork === opts.unrollMinWork &&
      mark.options.unrollMinRows === opts.unrollMinRows
    ) {
      continue;
    }
    const below = mark?.below ?? current;
    const fused = name === '_FusedMatMul';
    const original = kernelFnOf(below);
    registerLayer<FastMark>(MARK, { below, options: opts }, (args) => fastMatMul(args, original, fused, opts));
  }
  return true;
}

/** Restores the original wasm kernels. Idempotent; returns whether anything was restored. */
export function uninstallWasmFastPath(): boolean {
  return underNative(uninstallFastPathKernels);
}

/**
 * Runs `change` with the native kernels (wasm-native.ts, which wrap the fast path when installed) taken off
 * and puts them back after, so the fast path is always changed in its own layer.
 */
function underNative<T>(change: () => T): T {
  const addon = installedNativeAddon();
  if (addon == null) return change();
  uninstallWasmNative();
  try {
    return change();
  } finally {
    installWasmNative(addon);
  }
}

function uninstallFastPathKernels(): boolean {
  let restored = false;
  for (const name of FAST_PATH_KERNELS) restored = removeLayer(MARK, name, 'wasm') || restored;
  return restored;
}

// ---------------------------------------------------------------------------------------------------------
// The kernel.

interface Ctx {
  backend: BackendWasm;
  opts: ResolvedOptions;
  temps: Info[];
}

function alloc(ctx: Ctx, shape: number[]): Info {
  const t = ctx.backend.makeOutput(shape, 'float32');
  ctx.temps.push(t);
  return t;
}

/** A fresh Float32Array view of a tensor's heap memory. Take it AFTER every allocation: the heap can grow. */
function heapOf(ctx: Ctx, info: Info, size: number): Float32Array {
  return ctx.backend.typedArrayFromHeap({ dataId: info.dataId, shape: [size], dtype: 'float32' }) as Float32Array;
}

function view(info: Info, shape: number[]): Info {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/** Cache-blocked transpose of the last two dims of `batch` row-major [rows, cols] planes. */
export function transposePlanes(src: Float32Array, dst: Float32Array, batch: number, rows: number, cols: number): void {
  const plane = rows * cols;
  if (rows === 1 || cols === 1) {
    dst.set(src.subarray(0, batch * plane));
    return;
  }
  const BS = 16;
  for (let b = 0; b < batch; b++) {
    const o = b * plane;
    for (let i0 = 0; i0 < rows; i0 += BS) {
      const i1 = Math.min(i0 + BS, rows);
      for (let j0 = 0; j0 < cols; j0 += BS) {
        const j1 = Math.min(j0 + BS, cols);
        for (let i = i0; i < i1; i++) {
          const s = o + i * cols;
          for (let j = j0; j < j1; j++) dst[o + j * rows + i] = src[s + j];
        }
      }
    }
  }
}

/**
 * `x` viewed as [batch, rows, cols]; returns it row-major as [batch, cols, rows] when `transpose`, else as is
 * (a view, no copy).
 */
function materialise(ctx: Ctx, x: Info, batch: number, rows: number, cols: number, transpose: boolean): Info {
  if (!transpose) return view(x, [batch, rows, cols]);
  if (ctx.opts.transpose === 'kernel') {
    const t = tf.getKernel('Transpose', 'wasm');
    const out = (t.kernelFunc as unknown as (a: KernelArgs) => Info)({
      inputs: { x: view(x, [batch, rows, cols]) },
      backend: ctx.backend,
      attrs: { perm: [0, 2, 1] },
    });
    ctx.temps.push(out);
    return view(out, [batch, cols, rows]);
  }
  const out = alloc(ctx, [batch, cols, rows]);
  const n = batch * rows * cols;
  transposePlanes(heapOf(ctx, x, n), heapOf(ctx, out, n), batch, rows, cols);
  return out;
}

/** Copies item `index` (size `len`) of a row-major batched tensor into a fresh tensor of `shape`. */
function sliceItem(ctx: Ctx, x: Info, batch: number, index: number, shape: number[]): Info {
  const len = sizeOf(shape);
  const out = alloc(ctx, shape);
  const src = heapOf(ctx, x, batch * len);
  heapOf(ctx, out, len).set(src.subarray(index * len, (index + 1) * len));
  return out;
}

/** Whether the tensor behind `x` was created with last two dimensions [rows, cols]. */
function storedAs(ctx: Ctx, x: Info, rows: number, cols: number): boolean {
  const stored = ctx.backend.dataIdMap.get(x.dataId)?.shape;
  return stored != null && stored.length >= 2 && stored[stored.length - 2] === rows && stored[stored.length - 1] === cols;
}

/** For each flat index of the broadcast outer shape, the flat index into an operand's outer shape. */
function broadcastIndex(outer: number[], operandOuter: number[]): Int32Array {
  const rank = outer.length;
  const padded = [...new Array<number>(rank - operandOuter.length).fill(1), ...operandOuter];
  const total = sizeOf(outer);
  const map = new Int32Array(total);
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    strides[d] = padded[d] === 1 ? 0 : s;
    s *= padded[d];
  }
  for (let i = 0; i < total; i++) {
    let rem = i;
    let idx = 0;
    for (let d = rank - 1; d >= 0; d--) {
      const c = rem % outer[d];
      rem = Math.floor(rem / outer[d]);
      idx += c * strides[d];
    }
    map[i] = idx;
  }
  return map;
}

function fastMatMul(args: KernelArgs, original: (args: KernelArgs) => Info, fused: boolean, opts: ResolvedOptions): Info {
  const { inputs, attrs } = args;
  const a = inputs.a as Info;
  const b = inputs.b as Info;
  const transposeA = Boolean(attrs?.transposeA);
  const transposeB = Boolean(attrs?.transposeB);
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return original(args);
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb || m * n * k === 0) return original(args); // the original raises tfjs's own shape error
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  let outer: number[];
  try {
    outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch {
    return original(args);
  }
  const batchA = sizeOf(outerA);
  const batchB = sizeOf(outerB);
  const batch = sizeOf(outer);
  const outShape = [...outer, m, n];

  let bias: Info | undefined;
  let activation = 'linear';
  let leakyreluAlpha = 0;
  if (fused) {
    const act = attrs?.activation as string | undefined;
    activation = act ?? 'linear';
    leakyreluAlpha = (attrs?.leakyreluAlpha as number | undefined) ?? 0;
    bias = inputs.bias as Info | undefined;
    if (inputs.preluActivationWeights != null || activation === 'prelu') return original(args);
    if (bias != null && (bias.shape.length !== 1 || bias.shape[0] !== n || bias.dtype !== 'float32')) return original(args);
  }
  const ctx: Ctx = { backend: args.backend as BackendWasm, opts, temps: [] };
  // XNNPACK caches its operator (with the packed right operand and its dimensions) by the right operand's
  // tensor id alone, so the same data used as a right operand under two shapes (a reshape) would reuse a
  // stale operator: upstream returns garbage. A right operand is passed under its own id only in the shape it
  // was created with; any other view of it is copied to a fresh id first.
  const bCanonical = transposeB || storedAs(ctx, b, k, n);
  // Already XNNPACK's case: leave it to the original kernel untouched.
  if (!transposeA && !transposeB && batchA === 1 && batchB === 1 && bCanonical) return original(args);

  /** One 2-D product through the original kernel's XNNPACK path; the caller owns the result. */
  const product2d = (x: Info, rows: number, y: Info): Info => {
    if (!fused) {
      return original({
        inputs: { a: view(x, [rows, k]), b: view(y, [k, n]) },
        backend: ctx.backend,
        attrs: { transposeA: false, transposeB: false },
      });
    }
    const fusedInputs: tf.NamedTensorInfoMap = { a: view(x, [1, rows, k]), b: view(y, [1, k, n]) };
    if (bias != null) fusedInputs.bias = bias;
    return original({
      inputs: fusedInputs,
      backend: ctx.backend,
      attrs: { transposeA: false, transposeB: false, activation, leakyreluAlpha },
    });
  };

  let out: Info | null = null;
  try {
    // A as [batchA, m, k] and B as [batchB, k, n], both row-major.
    if (batchB === 1) {
      const A = materialise(ctx, a, batchA, transposeA ? k : m, transposeA ? m : k, transposeA);
      const B = bCanonical ? materialise(ctx, b, 1, transposeB ? n : k, transposeB ? k : n, transposeB) : sliceItem(ctx, b, 1, 0, [k, n]);
      const r = product2d(A, batchA * m, B);
      return { dataId: r.dataId, shape: outShape, dtype: 'float32' };
    }
    // Two batched operands. The original kernel adds a fused bias wrongly on its scalar path, and it cannot
    // broadcast two batched operands against each other ([2,1]·[1,3]): those are always unrolled; otherwise
    // small items stay on the original kernel.
    const crossBroadcast = batch > Math.max(batchA, batchB);
    const mustUnroll = (fused && bias != null) || crossBroadcast;
    if (!mustUnroll && (m * k * n < opts.unrollMinWork || m < opts.unrollMinRows)) return original(args);
    // Unroll: one XNNPACK product per output batch item.
    const A = materialise(ctx, a, batchA, transposeA ? k : m, transposeA ? m : k, transposeA);
    const B = materialise(ctx, b, batchB, transposeB ? n : k, transposeB ? k : n, transposeB);
    const mapA = broadcastIndex(outer, outerA);
    const mapB = broadcastIndex(outer, outerB);
    out = ctx.backend.makeOutput(outShape, 'float32');
    const aItems = new Map<number, Info>();
    const bItems = new Map<number, Info>();
    const item = m * n;
    for (let i = 0; i < batch; i++) {
      const ia = mapA[i];
      const ib = mapB[i];
      let ai = aItems.get(ia);
      if (ai === undefined) {
        ai = batchA === 1 ? view(A, [m, k]) : sliceItem(ctx, A, batchA, ia, [m, k]);
        aItems.set(ia, ai);
      }
      let bi = bItems.get(ib);
      if (bi === undefined) {
        // Always a fresh tensor id: XNNPACK caches packed weights per right-operand id.
        bi = sliceItem(ctx, B, batchB, ib, [k, n]);
        bItems.set(ib, bi);
      }
      const r = product2d(ai, m, bi);
      heapOf(ctx, out, batch * item).set(heapOf(ctx, r, item), i * item);
      ctx.backend.disposeData(r.dataId);
    }
    const result = out;
    out = null;
    return result;
  } finally {
    if (out != null) ctx.backend.disposeData(out.dataId);
    for (const t of ctx.temps) ctx.backend.disposeData(t.dataId);
  }
}
