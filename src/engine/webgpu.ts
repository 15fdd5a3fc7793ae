// The WebGPU backend in Node: @tensorflow/tfjs-backend-webgpu 4.22 on Dawn, the WebGPU implementation Chrome uses,
// through the npm package `webgpu` (a prebuilt dawn.node inside the package: no download at install time, no
// CUDA; Dawn drives the GPU through Vulkan on Linux, Metal on macOS, D3D12 on Windows). Both packages are optional
// dependencies; backend.ts loads this module's `loadWebGpu` only when the webgpu backend is asked for (or tried by
// `auto`). Three things make tfjs's browser backend work in Node:
//
// 1. Adapter choice. tfjs's own registration (at import, when `navigator.gpu` exists) requests whatever adapter it
//    is given and cannot say which one it got. Here the adapter is requested first, described (vendor,
//    architecture, device, driver) and refused when it is a CPU adapter (Mesa's lavapipe / llvmpipe, SwiftShader:
//    `info.isFallbackAdapter`) and the caller did not ask for that explicitly; the backend is then registered with
//    that device. Node 20 has no `navigator`: the WebGPUBackend constructor checks `navigator.gpu`, so it is set
//    from the `webgpu` package just for the constructor and removed afterwards (a `navigator.gpu` left behind
//    keeps Dawn, and the process, alive; the package's README says so). It is not set while the backend module is
//    imported, so tfjs does not register a second factory with an adapter of its own choosing.
//
// 2. Synchronous reads. tfjs reads GPU tensors synchronously (`dataSync`, which grokdiff's training step,
//    sampler and evaluation use) through an OffscreenCanvas, which Node does not have. Dawn completes a buffer
//    mapping only when its instance processes events, which dawn.node schedules with the global `setImmediate`
//    (dawn/src/dawn/node/binding/AsyncRunner.cpp: `env.Global().Get("setImmediate")`). This module wraps
//    `setImmediate` so that it knows the pending Dawn tick and can run it itself: a read copies the tensor's
//    buffer to a staging buffer, maps it and runs Dawn's ticks (sleeping briefly between them) until the mapping
//    is done, all without returning to the event loop. The async `read` (tensor.data()) uses the same path. A
//    tick run here is not run again by the event loop (the wrapper skips it), and the wrapper passes every other
//    callback straight through.
//
// 3. Kernels. Every kernel the model, flow loss, training step, sampler, classifier and analysis taps run exists
//    in tfjs-backend-webgpu 4.22 (checked against the kernels a cpu-n1 training step, sampling, taps and the CNN
//    classifier call; see webgpu.test.ts); grokdiff's own kernels (fused GeLU, AdamW) exist only on wasm with the
//    native library, and gelu.ts / adamw.ts use composed tfjs ops on every other backend, webgpu included.

import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { environment } from '../config/environment.ts';
import { EngineError } from '../errors.ts';

const require = createRequire(import.meta.url);

// Just the WebGPU API this module touches (the full types, @webgpu/types, come only with the optional package).
interface GPUBuffer {
  readonly size: number;
  readonly mapState: 'unmapped' | 'pending' | 'mapped';
  mapAsync(mode: number): Promise<void>;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
}
interface GPUCommandEncoder {
  copyBufferToBuffer(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, size: number): void;
}
type GPUDevice = object;
interface GPUAdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface GPUAdapter {
  readonly info: GPUAdapterInfo;
  readonly features: { has(name: string): boolean };
  readonly limits: Record<string, number>;
  requestDevice(descriptor: { requiredFeatures: string[]; requiredLimits: Record<string, number> }): Promise<GPUDevice>;
}
interface GPU {
  requestAdapter(options: { powerPreference: 'high-performance' | 'low-power' }): Promise<GPUAdapter | null>;
}
/** WebGPU's constants (GPUMapMode.READ, GPUBufferUsage.COPY_DST | MAP_READ), fixed by the specification. */
const MAP_MODE_READ = 0x1;
const USAGE_MAP_READ = 0x1;
const USAGE_COPY_DST = 0x8;

/** The npm packages the webgpu backend needs (both optional dependencies). */
export const WEBGPU_PACKAGES = ['webgpu', '@tensorflow/tfjs-backend-webgpu'] as const;

/** What the adapter in use (or found) is, for provenance and the backend report line. */
export interface WebGpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation (lavapipe, SwiftShader): correct but slow; `auto` never picks it. */
  fallback: boolean;
  /** The `webgpu` (dawn.node) package version. */
  dawnNode: string | null;
}

/** One line: "NVIDIA GeForce RTX 4090 (nvidia, ada)" or "llvmpipe: Mesa 25.0.7 … (CPU adapter)". */
export function describeWebGpuAdapter(info: WebGpuAdapterInfo): string {
  const name = info.description || info.device || 'unnamed adapter';
  const kind = [info.vendor, info.architecture].filter((s) => s !== '').join(', ');
  return `${name}${kind ? ` (${kind})` : ''}${info.fallback ? ' [CPU adapter]' : ''}`;
}

/** Why the webgpu backend cannot be used; `notInstalled` when its npm packages are missing. */
export class WebGpuUnavailableError extends Error {
  constructor(
    readonly reason: string,
    readonly notInstalled: boolean,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
  }
}

function packageVersion(pkg: string): string | null {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

/** The missing webgpu packages (empty when both are installed). */
export function missingWebGpuPackages(): string[] {
  return WEBGPU_PACKAGES.filter((pkg) => packageVersion(pkg) === null);
}

const VULKAN_LOADER = 'libvulkan.so.1';
const STANDARD_LIB_DIRS = [
  '/lib/x86_64-linux-gnu',
  '/usr/lib/x86_64-linux-gnu',
  '/lib/aarch64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/lib64',
  '/usr/lib',
  '/lib',
  '/usr/local/lib',
];

/**
 * On Linux Dawn needs the Vulkan loader (libvulkan.so.1); without it Dawn prints a warning and finds no adapter.
 * Returns why it is missing, or null (found, or not Linux). Checked before Dawn is loaded so that `auto` on a
 * machine without Vulkan says why in one line and Dawn prints nothing.
 */
export function vulkanLoaderMissing(searchPath: readonly string[] = environment().ldLibraryPath): string | null {
  if (process.platform !== 'linux') return null;
  const dirs = [...searchPath, ...STANDARD_LIB_DIRS];
  if (dirs.some((d) => existsSync(join(d, VULKAN_LOADER)))) return null;
  for (const ldconfig of ['/sbin/ldconfig', '/usr/sbin/ldconfig']) {
    if (!existsSync(ldconfig)) continue;
    try {
      if (execFileSync(ldconfig, ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).includes(VULKAN_LOADER)) return null;
    } catch {
      // fall through: treat as missing
    }
  }
  return (
    `no Vulkan loader (${VULKAN_LOADER}) on this machine, which Dawn needs on Linux: install your GPU's Vulkan ` +
    'driver and the loader (Debian/Ubuntu: libvulkan1; NVIDIA: the driver ships the Vulkan ICD), or run ' +
    '.ci/webgpu-setup.sh for the CPU driver (lavapipe) and source the env file it writes'
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Dawn's event processing, runnable synchronously.

type Immediate = ReturnType<typeof setImmediate>;
type SetImmediate = (callback: (...args: unknown[]) => void, ...args: unknown[]) => Immediate;

const dawnTicks = new Set<() => void>();
let realSetImmediate: SetImmediate | null = null;
const nativeSource = Function.prototype.toString;

/** dawn.node passes an anonymous native function with no arguments; nothing else in a Node process does. */
function isDawnTick(fn: unknown, args: readonly unknown[]): fn is () => void {
  return typeof fn === 'function' && args.length === 0 && fn.name === '' && nativeSource.call(fn).includes('[native code]');
}

function installDawnTickHook(): void {
  if (realSetImmediate !== null) return;
  const real = globalThis.setImmediate as unknown as SetImmediate;
  realSetImmediate = real;
  const wrapped = function setImmediate(callback: (...args: unknown[]) => void, ...args: unknown[]): Immediate {
    if (!isDawnTick(callback, args)) return real(callback, ...args);
    dawnTicks.add(callback);
    return real(() => {
      if (dawnTicks.delete(callback)) callback();
    });
  };
  // Keep setImmediate's own properties (util.promisify.custom among them).
  for (const key of Reflect.ownKeys(real)) {
    if (key === 'name' || key === 'length' || key === 'prototype') continue;
    const d = Object.getOwnPropertyDescriptor(real, key);
    if (d) Object.defineProperty(wrapped, key, d);
  }
  (globalThis as { setImmediate: unknown }).setImmediate = wrapped;
}

/** Runs the Dawn ticks that are waiting for the event loop (each processes Dawn's events once). */
function runDawnTicks(): void {
  const ticks = [...dawnTicks];
  dawnTicks.clear();
  for (const tick of ticks) tick();
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

/** How long a read waits for the GPU before it gives up (a paper-width step is well under a second on a GPU). */
const READ_TIMEOUT_MS = 600_000;

/** Maps `buffer` for reading without returning to the event loop. */
function mapForReadSync(buffer: GPUBuffer): void {
  let failure: unknown = null;
  buffer.mapAsync(MAP_MODE_READ).catch((err: unknown) => {
    failure = err;
  });
  const t0 = performance.now();
  let rounds = 0;
  while (buffer.mapState === 'pending') {
    runDawnTicks();
    if (buffer.mapState !== 'pending') break;
    rounds++;
    // Spin briefly (small reads finish within microseconds), then sleep so that the GPU driver's threads
    // (lavapipe computes on the CPU) get the cores.
    if (rounds > 50) sleepMs(rounds > 1000 ? 1 : 0.05);
    if (performance.now() - t0 > READ_TIMEOUT_MS) {
      throw new EngineError(
        'webgpu-read-timeout',
        `webgpu: reading a tensor back from the GPU took more than ${READ_TIMEOUT_MS / 1000} s; the device may be lost`,
      );
    }
  }
  if (buffer.mapState !== 'mapped') {
    throw new EngineError('webgpu-read', `webgpu: mapping a staging buffer to read a tensor failed${failure ? `: ${String(failure)}` : ' (device lost?)'}`);
  }
}

// The parts of tfjs's WebGPUBackend the read path uses (tfjs-backend-webgpu/dist/backend_webgpu.js, 4.22.0).
interface TensorData {
  values: tf.backend_util.BackendValues | null;
  dtype: tf.DataType;
  resource: GPUBuffer | unknown;
  complexTensorInfos?: { real: { dataId: object }; imag: { dataId: object } };
}
interface WebGpuBackendInternals {
  tensorMap: { get(dataId: object): TensorData; has(dataId: object): boolean };
  bufferManager: { acquireBuffer(size: number, usage: number): GPUBuffer; releaseBuffer(buffer: GPUBuffer): void };
  commandEncoder: GPUCommandEncoder;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  convertAndCacheOnCPU(dataId: object, values: tf.backend_util.BackendValues): tf.backend_util.BackendValues;
  readSync(dataId: object): tf.backend_util.BackendValues;
  read(dataId: object): Promise<tf.backend_util.BackendValues>;
}

function readBufferSync(backend: WebGpuBackendInternals, buffer: GPUBuffer): ArrayBuffer {
  const size = buffer.size;
  const staging = backend.bufferManager.acquireBuffer(size, USAGE_COPY_DST | USAGE_MAP_READ);
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.commandEncoder.copyBufferToBuffer(buffer, 0, staging, 0, size);
  backend.submitQueue();
  mapForReadSync(staging);
  const values = staging.getMappedRange().slice(0);
  staging.unmap();
  backend.bufferManager.releaseBuffer(staging);
  return values;
}

/** Replaces the backend's OffscreenCanvas readSync (absent in Node) and its async read with the path above. */
function installSyncRead(backend: WebGpuBackendInternals): void {
  backend.readSync = function readSync(this: WebGpuBackendInternals, dataId: object): tf.backend_util.BackendValues {
    const data = this.tensorMap.get(dataId);
    if (data.values != null || data.dtype === 'string') return data.values as tf.backend_util.BackendValues;
    let values: tf.backend_util.BackendValues;
    if (data.dtype === 'complex64') {
      const real = this.readSync(data.complexTensorInfos!.real.dataId) as Float32Array;
      const imag = this.readSync(data.complexTensorInfos!.imag.dataId) as Float32Array;
      values = tf.backend_util.mergeRealAndImagArrays(real, imag);
    } else {
      values = tf.util.convertBackendValuesAndArrayBuffer(readBufferSync(this, data.resource as GPUBuffer), data.dtype);
    }
    return this.convertAndCacheOnCPU(dataId, values);
  };
  backend.read = async function read(this: WebGpuBackendInternals, dataId: object): Promise<tf.backend_util.BackendValues> {
    if (!this.tensorMap.has(dataId))
      throw new EngineError(
        'webgpu-unknown-tensor',
        `webgpu read: tensor ${String((dataId as { id?: number }).id)} was not registered with the backend (disposed, or made on another backend)`,
      );
    return this.readSync(dataId);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Loading.

interface DawnState {
  gpu: GPU;
  adapter: GPUAdapter;
  info: WebGpuAdapterInfo;
  device: GPUDevice | null;
}

let dawn: DawnState | null = null;
let dawnFailure: WebGpuUnavailableError | null = null;
let registered = false;

function adapterInfo(adapter: GPUAdapter): WebGpuAdapterInfo {
  const i = adapter.info;
  const legacy = (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const architecture = i.architecture ?? '';
  return {
    vendor: i.vendor ?? '',
    architecture,
    device: i.device ?? '',
    description: i.description ?? '',
    fallback: Boolean(i.isFallbackAdapter ?? legacy) || architecture === 'software',
    dawnNode: packageVersion('webgpu'),
  };
}

/** Loads dawn.node and requests the high-performance adapter (once per process). */
/** Remembers why Dawn could not open (later calls rethrow it without retrying) and returns the error. */
function failDawn(error: WebGpuUnavailableError): WebGpuUnavailableError {
  dawnFailure = error;
  return error;
}

async function openDawn(): Promise<DawnState> {
  if (dawn !== null) return dawn;
  if (dawnFailure !== null) throw dawnFailure;
  const missing = missingWebGpuPackages();
  if (missing.length > 0) throw new WebGpuUnavailableError(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed`, true);
  const noVulkan = vulkanLoaderMissing();
  if (noVulkan !== null) throw failDawn(new WebGpuUnavailableError(noVulkan, false));
  installDawnTickHook();
  let mod: { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
  try {
    const spec: string = 'webgpu';
    mod = (await import(spec)) as typeof mod;
  } catch (err) {
    throw failDawn(new WebGpuUnavailableError(`the webgpu package (dawn.node) failed to load: ${(err as Error).message}`, false, { cause: err }));
  }
  // GPUBufferUsage, GPUMapMode, GPUShaderStage, … as the browser has them (tfjs uses them as globals).
  for (const [name, value] of Object.entries(mod.globals)) {
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, writable: true, configurable: true });
  }
  const gpu = mod.create([]);
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (err) {
    throw failDawn(new WebGpuUnavailableError(`Dawn's requestAdapter failed: ${(err as Error).message}`, false, { cause: err }));
  }
  if (adapter == null) {
    throw failDawn(
      new WebGpuUnavailableError(
        'Dawn found no WebGPU adapter (no GPU with a Vulkan / Metal / D3D12 driver; for the CPU driver run .ci/webgpu-setup.sh and source the env file it writes)',
        false,
      ),
    );
  }
  dawn = { gpu, adapter, info: adapterInfo(adapter), device: null };
  return dawn;
}

/** Requests the device with the features and limits tfjs's own registration asks for (tfjs-backend-webgpu base.ts). */
async function openDevice(state: DawnState): Promise<GPUDevice> {
  if (state.device !== null) return state.device;
  const { adapter } = state;
  const requiredFeatures: string[] = [];
  if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
  if (adapter.features.has('bgra8unorm-storage')) requiredFeatures.push('bgra8unorm-storage');
  const l = adapter.limits;
  state.device = await adapter.requestDevice({
    requiredFeatures,
    requiredLimits: {
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    },
  });
  return state.device;
}

/** Runs `fn` with `navigator.gpu` set (the WebGPUBackend constructor checks it), then removes it again. */
function withNavigatorGpu<T>(gpu: GPU, fn: () => T): T {
  const g = globalThis as { navigator?: { gpu?: unknown } };
  const hadNavigator = g.navigator !== undefined;
  if (!hadNavigator) Object.defineProperty(globalThis, 'navigator', { value: {}, writable: true, configurable: true });
  const nav = g.navigator as { gpu?: unknown };
  const hadGpu = Object.hasOwn(nav, 'gpu');
  const before = nav.gpu;
  nav.gpu = gpu;
  try {
    return fn();
  } finally {
    if (hadGpu) nav.gpu = before;
    else delete nav.gpu;
    if (!hadNavigator) delete g.navigator;
  }
}

/**
 * Makes the tfjs backend 'webgpu' available (registers it; backend.ts activates it). Refuses a CPU adapter
 * unless `allowFallback` (an explicit `--backend webgpu`). Returns the adapter. Throws WebGpuUnavailableError.
 */
export async function loadWebGpu(options: { allowFallback: boolean }): Promise<WebGpuAdapterInfo> {
  const state = await openDawn();
  if (state.info.fallback && !options.allowFallback) {
    throw new WebGpuUnavailableError(
      `the only WebGPU adapter is a CPU one (${describeWebGpuAdapter(state.info)}); auto never picks it, ask for it with --backend webgpu`,
      false,
    );
  }
  if (registered && tf.findBackendFactory('webgpu') != null) return state.info;
  let device: GPUDevice;
  try {
    device = await openDevice(state);
  } catch (err) {
    throw new WebGpuUnavailableError(`requestDevice on ${describeWebGpuAdapter(state.info)} failed: ${(err as Error).message}`, false, { cause: err });
  }
  let WebGPUBackend: new (device: GPUDevice, adapterInfo?: GPUAdapterInfo) => tf.KernelBackend;
  try {
    // navigator.gpu is not set here, so the module's own registerBackend (which picks its own adapter) is skipped.
    const spec: string = '@tensorflow/tfjs-backend-webgpu';
    ({ WebGPUBackend } = (await import(spec)) as { WebGPUBackend: typeof WebGPUBackend });
  } catch (err) {
    throw new WebGpuUnavailableError(`@tensorflow/tfjs-backend-webgpu failed to load: ${(err as Error).message}`, false, { cause: err });
  }
  tf.registerBackend(
    'webgpu',
    () => {
      const backend = withNavigatorGpu(state.gpu, () => new WebGPUBackend(device, state.adapter.info));
      installSyncRead(backend as unknown as WebGpuBackendInternals);
      return backend;
    },
    0, // never the default: only an explicit setBackend (initBackend) activates it
  );
  registered = true;
  return state.info;
}

/** The adapter the webgpu backend uses, or null when it was never loaded in this process. */
export function webgpuAdapterInfo(): WebGpuAdapterInfo | null {
  return dawn?.info ?? null;
}

/**
 * Whether a WebGPU adapter exists here, found in a child process (Dawn stays out of this one): for test
 * declarations and reports that must know synchronously. Null adapter with the reason when there is none.
 */
export function probeWebGpuSync(): { adapter: WebGpuAdapterInfo | null; reason: string } {
  const missing = missingWebGpuPackages();
  if (missing.length > 0) return { adapter: null, reason: `${missing.join(' and ')} not installed` };
  const noVulkan = vulkanLoaderMissing();
  if (noVulkan !== null) return { adapter: null, reason: noVulkan };
  const script = [
    `const { create } = require(${JSON.stringify(require.resolve('webgpu'))});`,
    'const gpu = create([]);',
    "gpu.requestAdapter({ powerPreference: 'high-performance' }).then((a) => {",
    '  const i = a && a.info;',
    "  process.stdout.write('\\n@@' + JSON.stringify(a ? { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, fallback: Boolean(i.isFallbackAdapter) || i.architecture === 'software' } : null) + '\\n');",
    '  process.exit(0);',
    "}, (e) => { process.stdout.write('\\n@@' + JSON.stringify({ error: String(e) }) + '\\n'); process.exit(0); });",
  ].join('\n');
  let out: string;
  try {
    out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
  } catch (err) {
    return { adapter: null, reason: `probing for a WebGPU adapter failed: ${(err as Error).message.split('\n')[0]}` };
  }
  const line = out.split('\n').find((l) => l.startsWith('@@'));
  const parsed = line ? (JSON.parse(line.slice(2)) as Omit<WebGpuAdapterInfo, 'dawnNode'> | { error: string } | null) : undefined;
  if (parsed === undefined) return { adapter: null, reason: 'probing for a WebGPU adapter printed nothing' };
  if (parsed === null)
    return { adapter: null, reason: 'Dawn found no WebGPU adapter (no GPU with a Vulkan / Metal / D3D12 driver; see .ci/webgpu-setup.sh for the CPU driver)' };
  if ('error' in parsed) return { adapter: null, reason: `Dawn's requestAdapter failed: ${parsed.error}` };
  const adapter = { ...parsed, dawnNode: packageVersion('webgpu') };
  return { adapter, reason: describeWebGpuAdapter(adapter) };
}
