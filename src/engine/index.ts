// The engine's public API: backend choice and initialisation (with tfjs gradient registration), the wasm
// matMul fast path for training, AdamW, and the seeded random streams. Other layers import from here.
// Call `await initBackend()` once before any tfjs work: it picks the backend, installs the wasm fast path and
// registers the gradients that @tensorflow/tfjs-core alone does not.

export {
  AUTO_ORDER,
  BACKEND_CHOICES,
  BACKEND_ENV,
  availableBackends,
  currentBackend,
  engineInfo,
  initBackend,
  parseBackendChoice,
} from './backend.ts';
export type { BackendAvailability, BackendChoice, EngineInfo, InitBackendOptions, ResolvedBackend } from './backend.ts';

export {
  FAST_PATH_KERNELS,
  WASM_FASTPATH_ENV,
  installWasmFastPath,
  isWasmFastPathInstalled,
  originalWasmKernel,
  uninstallWasmFastPath,
  wasmFastPathOptions,
} from './wasm-matmul.ts';
export type { FastPathKernel, WasmFastPathOptions } from './wasm-matmul.ts';

export { broadcastMatMulGradientInstalled, ensureGradients, gradientsRegistered, installBroadcastMatMulGradient } from './gradients.ts';
export type { GradientSource } from './gradients.ts';

export { AdamW, decayExcept, decayMatricesOnly } from './adamw.ts';
export type { AdamWOptions, AdamWState, DecayRule, GradSet, LrSchedule, ParamSet } from './adamw.ts';

export { Rng, rootRng } from './random.ts';

export { describeWebGpuAdapter, probeWebGpuSync, webgpuAdapterInfo } from './webgpu.ts';
export type { WebGpuAdapterInfo } from './webgpu.ts';
