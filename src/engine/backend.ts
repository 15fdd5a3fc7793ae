// The one place that picks and initialises the tfjs backend that trains and evaluates the diffusion
// transformer. Choices: node-gpu (@tensorflow/tfjs-node-gpu, libtensorflow with CUDA), webgpu
// (@tensorflow/tfjs-backend-webgpu on Dawn from the npm package `webgpu`: any GPU with a Vulkan, Metal or D3D12
// driver; see webgpu.ts), node (tfjs-node, libtensorflow on CPU), wasm (XNNPACK; with grokdiff's matMul fast
// path and zero-copy Identity for training, and the optional native kernels of wasm-native.ts when they are
// built) and cpu (plain JS).
// tfjs-node, tfjs-node-gpu and the two webgpu packages are optional dependencies (the first two download a
// native library at install time), so they are loaded with a dynamic import and everything works without
// them. `auto` takes the first that loads in the order node-gpu, webgpu (a GPU adapter only: a CPU adapter such
// as lavapipe is used only when asked for by name), node, wasm, cpu and says on stderr which it took and why it
// skipped the others (when the active backend changes, i.e. once per process in normal use). It also makes sure tfjs's
// gradients are registered (see gradients.ts): without that, nothing can train.
//
// All state lives in tfjs itself (its engine and kernel registry); calling initBackend again is cheap and
// returns the same backend.

import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { BACKEND_CHOICES, environment, VARIABLES, type BackendChoice, type EnvironmentSettings } from '../config/environment.ts';
import { ConfigError, EngineError } from '../errors.ts';
import { ensureGradients } from './gradients.ts';
import { installWasmFastPath, isWasmFastPathInstalled, uninstallWasmFastPath, WASM_FASTPATH_ENV } from './wasm-matmul.ts';
import { installWasmIdentity, uninstallWasmIdentity } from './wasm-identity.ts';
import { installWasmNative, loadNativeAddon, NATIVE_ENV, uninstallWasmNative, wasmNativeDetails, wasmNativeInfo } from './wasm-native.ts';
import {
  describeWebGpuAdapter,
  loadWebGpu,
  missingWebGpuPackages,
  vulkanLoaderMissing,
  WEBGPU_PACKAGES,
  webgpuAdapterInfo,
  WebGpuUnavailableError,
  type WebGpuAdapterInfo,
} from './webgpu.ts';

const require = createRequire(import.meta.url);

export { BACKEND_CHOICES, type BackendChoice };
export type ResolvedBackend = Exclude<BackendChoice, 'auto'>;

/** The order `auto` tries (webgpu only with a GPU adapter, never a CPU one). */
export const AUTO_ORDER: readonly ResolvedBackend[] = ['node-gpu', 'webgpu', 'node', 'wasm', 'cpu'];
/** Environment variable used as the backend choice when no flag is given (src/config/environment.ts). */
export const BACKEND_ENV = VARIABLES.backend.name;

/** The tfjs name each choice registers under. */
const TFJS_NAME: Record<ResolvedBackend, string> = { 'node-gpu': 'tensorflow', webgpu: 'webgpu', node: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

const NODE_PACKAGE = { 'node-gpu': '@tensorflow/tfjs-node-gpu', node: '@tensorflow/tfjs-node' } as const;

const INSTALL_HINT: Record<ResolvedBackend, string> = {
  'node-gpu':
    'To use it: `npm install @tensorflow/tfjs-node-gpu@4.22.0` (it downloads libtensorflow 2.9 with GPU support at ' +
    'install time, so it needs internet), on Linux x64 with an NVIDIA GPU and exactly CUDA 11.2 and cuDNN 8.1 ' +
    '(libcudart.so.11.0, libcudnn.so.8 on LD_LIBRARY_PATH). Otherwise choose webgpu, node, wasm or cpu.',
  webgpu:
    'To use it: `npm install` (the optional dependencies webgpu@0.6.2 and @tensorflow/tfjs-backend-webgpu@4.22.0 come ' +
    'from the npm registry, prebuilt) and a GPU driver Dawn can use: Vulkan on Linux (NVIDIA: the proprietary ' +
    "driver's Vulkan ICD plus the loader libvulkan1), Metal on macOS, D3D12 on Windows. Without a GPU, " +
    '.ci/webgpu-setup.sh installs the CPU Vulkan driver (lavapipe; slow, for checking correctness). Otherwise ' +
    'choose node, wasm or cpu.',
  node:
    'To use it: `npm install @tensorflow/tfjs-node@4.22.0` (it downloads libtensorflow 2.9 at install time, so it ' +
    'needs internet; prebuilt for Linux x64, macOS and Windows). Otherwise choose wasm or cpu.',
  wasm:
    'It needs WebAssembly (any Node >= 20) and @tensorflow/tfjs-backend-wasm with its .wasm files in ' +
    'node_modules/@tensorflow/tfjs-backend-wasm/dist; reinstall dependencies with `npm ci`.',
  cpu: 'It needs @tensorflow/tfjs-backend-cpu; reinstall dependencies with `npm ci`.',
};

/** Validates a backend name from a flag or environment variable; `source` names it in the error. */
export function parseBackendChoice(text: string, source: string): BackendChoice {
  const v = text.trim().toLowerCase();
  if ((BACKEND_CHOICES as readonly string[]).includes(v)) return v as BackendChoice;
  throw new ConfigError('backend-unknown', `${source}: unknown backend ${JSON.stringify(text)}; expected one of ${BACKEND_CHOICES.join(', ')}`);
}

export interface InitBackendOptions {
  /** Where the auto choice is reported; default: one line on stderr. */
  log?: (line: string) => void;
  /**
   * The auto choice as one short line (backend and threads: the default, issue 29) or, when verbose, the long one
   * (fast path, native kernels, every backend skipped and why; `grokdiff env` and `--verbose`).
   */
  verbose?: boolean;
  /** Where `choice` came from, for error messages (e.g. '--backend'). */
  source?: string;
  /** Install the wasm matMul fast path; default: GROKDIFF_WASM_FASTPATH (on unless 0). */
  wasmFastPath?: boolean;
  /** Install the optional native kernels on wasm when they are built; default: GROKDIFF_NATIVE (on unless 0). */
  native?: boolean;
  /** Settings to take GROKDIFF_BACKEND, GROKDIFF_WASM_FASTPATH and GROKDIFF_NATIVE from; default environment(). */
  settings?: EnvironmentSettings;
}

class BackendLoadError extends Error {
  constructor(
    readonly backend: ResolvedBackend,
    readonly reason: string,
    readonly notInstalled: boolean,
    options?: { cause?: unknown },
  ) {
    super(reason, options);
  }
}

/** The tfjs backend that is active now, without triggering tfjs's lazy default initialisation. */
function activeTfjsBackend(): string | null {
  const e = tf.engine() as unknown as { backendName?: string; backendInstance?: unknown };
  return e.backendInstance != null && e.backendName ? e.backendName : null;
}

function isInstalled(pkg: string): boolean {
  try {
    require.resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
}

function packageVersion(pkg: string): string | null {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

type TensorflowBackend = { isGPUPackage?: boolean; isUsingGpuDevice?: boolean };

function tensorflowBackendInstance(): TensorflowBackend | null {
  if (tf.findBackendFactory('tensorflow') == null) return null;
  return (tf.findBackend('tensorflow') as unknown as TensorflowBackend | null) ?? null;
}

async function importOptional(pkg: string, backend: ResolvedBackend): Promise<void> {
  if (!isInstalled(pkg)) throw new BackendLoadError(backend, `${pkg} is not installed`, true);
  try {
    const spec: string = pkg; // a variable specifier: the package is optional and may have no types here
    await import(spec);
  } catch (err) {
    throw new BackendLoadError(backend, `${pkg} is installed but failed to load: ${(err as Error).message}`, false, { cause: err });
  }
}

async function setTfjsBackend(backend: ResolvedBackend): Promise<void> {
  const name = TFJS_NAME[backend];
  if (tf.findBackendFactory(name) == null) throw new BackendLoadError(backend, `tfjs backend "${name}" is not registered`, false);
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (err) {
    throw new BackendLoadError(backend, `tf.setBackend('${name}') threw: ${(err as Error).message}`, false, { cause: err });
  }
  if (!ok) throw new BackendLoadError(backend, `tf.setBackend('${name}') failed (tfjs printed the cause above)`, false);
  await tf.ready();
}

/** Loads and activates one backend, or throws BackendLoadError with the reason. */
async function loadBackend(backend: ResolvedBackend, wasmFastPath: boolean, native: boolean, auto: boolean): Promise<void> {
  switch (backend) {
    case 'webgpu': {
      try {
        // An explicit choice may use a CPU adapter (lavapipe, for testing); auto only a GPU.
        await loadWebGpu({ allowFallback: !auto });
      } catch (err) {
        if (err instanceof WebGpuUnavailableError) throw new BackendLoadError('webgpu', err.reason, err.notInstalled, { cause: err });
        throw err;
      }
      await setTfjsBackend('webgpu');
      return;
    }
    case 'node-gpu':
    case 'node': {
      const existing = tensorflowBackendInstance();
      if (existing != null && Boolean(existing.isGPUPackage) !== (backend === 'node-gpu')) {
        const other = existing.isGPUPackage ? 'node-gpu' : 'node';
        throw new BackendLoadError(backend, `the ${other} backend is already loaded in this process and both register as "tensorflow"`, false);
      }
      if (existing == null) await importOptional(NODE_PACKAGE[backend], backend);
      await setTfjsBackend(backend);
      return;
    }
    case 'wasm': {
      if (typeof (globalThis as { WebAssembly?: unknown }).WebAssembly !== 'object')
        throw new BackendLoadError('wasm', 'this runtime has no WebAssembly', false);
      try {
        await import('@tensorflow/tfjs-backend-wasm');
      } catch (err) {
        throw new BackendLoadError(
          'wasm',
          `@tensorflow/tfjs-backend-wasm failed to load: ${(err as Error).message}`,
          !isInstalled('@tensorflow/tfjs-backend-wasm'),
          { cause: err },
        );
      }
      if (wasmFastPath) {
        installWasmFastPath();
        installWasmIdentity();
      } else {
        uninstallWasmFastPath();
        uninstallWasmIdentity();
      }
      uninstallWasmNative();
      if (native) {
        const load = loadNativeAddon();
        if (load.ok) installWasmNative(load.addon);
      }
      await setTfjsBackend('wasm');
      return;
    }
    case 'cpu': {
      try {
        await import('@tensorflow/tfjs-backend-cpu');
      } catch (err) {
        throw new BackendLoadError(
          'cpu',
          `@tensorflow/tfjs-backend-cpu failed to load: ${(err as Error).message}`,
          !isInstalled('@tensorflow/tfjs-backend-cpu'),
          { cause: err },
        );
      }
      await setTfjsBackend('cpu');
      // The cpu backend prints a "install tfjs-node to speed things up" banner on first use; the auto choice
      // already reports why node was not used, so silence it.
      const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
      if (cpu != null && 'firstUse' in cpu) cpu.firstUse = false;
      return;
    }
  }
}

/** "on (OpenBLAS …)" or "off (why)", for the backend report line. */
function nativeDescription(wanted: boolean): string {
  const info = wasmNativeInfo();
  if (info != null) return `on (matMul: ${info.matmul})`;
  if (!wanted) return `off (${NATIVE_ENV}=0 or native: false)`;
  const load = loadNativeAddon();
  return `off (${load.ok ? 'not installed' : load.reason})`;
}

/** "2 threads" for the products of the active backend where grokdiff knows it (wasm: the native kernels' threads, or one), else ''. */
function threadsText(backend: ResolvedBackend): string {
  if (backend === 'cpu') return '1 thread';
  if (backend !== 'wasm') return '';
  const threads = wasmNativeDetails()?.threads ?? 1;
  return `${threads} thread${threads === 1 ? '' : 's'}`;
}

/** The short start line: backend and threads (and the WebGPU adapter), with where the details are. */
function shortBackendLine(backend: ResolvedBackend, adapter: string | null): string {
  const threads = threadsText(backend);
  return `grokdiff: backend ${backend}${threads ? `, ${threads}` : ''}${adapter ? ` on ${adapter}` : ''} (details: grokdiff env, or --verbose)`;
}

/** The backend that is active now, in grokdiff's names (null before initBackend). */
export function currentBackend(): ResolvedBackend | null {
  const name = activeTfjsBackend();
  if (name === 'wasm' || name === 'cpu' || name === 'webgpu') return name;
  if (name === 'tensorflow') return tensorflowBackendInstance()?.isGPUPackage ? 'node-gpu' : 'node';
  return null;
}

/**
 * Picks, loads and activates the tfjs backend; registers gradients; installs the wasm fast path when the
 * backend is wasm (unless GROKDIFF_WASM_FASTPATH=0). `choice` defaults to GROKDIFF_BACKEND, then 'auto'.
 * Returns the backend in use. An explicit choice that cannot load throws EngineError('backend-unavailable')
 * saying why and how to get it.
 */
export async function initBackend(choice?: BackendChoice, options: InitBackendOptions = {}): Promise<ResolvedBackend> {
  const settings = options.settings ?? environment();
  let source = options.source ?? 'initBackend()';
  let resolved = choice;
  if (resolved === undefined) {
    resolved = settings.backend;
    source = BACKEND_ENV;
  }
  if (!(BACKEND_CHOICES as readonly string[]).includes(resolved)) {
    throw new ConfigError('backend-unknown', `${source}: unknown backend ${JSON.stringify(resolved)}; expected one of ${BACKEND_CHOICES.join(', ')}`);
  }
  const fastPath = options.wasmFastPath ?? settings.wasmFastPath;
  const native = options.native ?? settings.native;
  const before = activeTfjsBackend();

  let picked: ResolvedBackend;
  if (resolved === 'auto') {
    const skipped: string[] = [];
    let found: ResolvedBackend | null = null;
    for (const candidate of AUTO_ORDER) {
      try {
        await loadBackend(candidate, fastPath, native, true);
        found = candidate;
        break;
      } catch (err) {
        if (!(err instanceof BackendLoadError)) throw err;
        skipped.push(`${candidate}: ${err.reason}`);
      }
    }
    if (found === null) {
      throw new EngineError('backend-unavailable', `no tfjs backend could be loaded (${skipped.join('; ')})`);
    }
    picked = found;
    await ensureGradients();
    if (activeTfjsBackend() !== before) {
      const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
      let line = `grokdiff: tfjs backend ${picked} (auto)`;
      if (picked === 'wasm') {
        line += `, matMul fast path ${isWasmFastPathInstalled() ? 'on' : `off (${WASM_FASTPATH_ENV}=0 or wasmFastPath: false)`}`;
        line += `, native kernels ${nativeDescription(native)}`;
      }
      if (picked === 'node-gpu' && tensorflowBackendInstance()?.isUsingGpuDevice === false) line += ', but no GPU device is visible';
      const adapter = picked === 'webgpu' ? webgpuAdapterInfo() : null;
      if (adapter !== null) line += ` on ${describeWebGpuAdapter(adapter)}`;
      if (skipped.length > 0) line += `; skipped ${skipped.join('; ')}`;
      log(options.verbose ? line : shortBackendLine(picked, adapter !== null ? describeWebGpuAdapter(adapter) : null));
    }
  } else {
    try {
      await loadBackend(resolved, fastPath, native, false);
    } catch (err) {
      if (!(err instanceof BackendLoadError)) throw err;
      throw new EngineError('backend-unavailable', `backend "${resolved}" (from ${source}) cannot be used: ${err.reason}. ${INSTALL_HINT[resolved]}`, {
        cause: err,
      });
    }
    picked = resolved;
    await ensureGradients();
    const adapter = picked === 'webgpu' ? webgpuAdapterInfo() : null;
    if (adapter !== null && activeTfjsBackend() !== before) {
      // Which GPU (or CPU driver) it runs on is not obvious from the choice: say it once, as auto does.
      const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
      const on = `${describeWebGpuAdapter(adapter)}${adapter.fallback ? ' (a CPU driver: correct but slow)' : ''}`;
      log(options.verbose ? `grokdiff: tfjs backend webgpu on ${on}` : shortBackendLine('webgpu', on));
    }
  }
  return picked;
}

export interface BackendAvailability {
  backend: ResolvedBackend;
  /** Installed (and, for wasm, WebAssembly present). A native package can still fail at load time. */
  available: boolean;
  detail: string;
}

/** Which backends this installation has, without loading any of them (for reports and benchmarks). */
export function availableBackends(): BackendAvailability[] {
  const loadedTf = tensorflowBackendInstance();
  return AUTO_ORDER.map((backend): BackendAvailability => {
    if (backend === 'node-gpu' || backend === 'node') {
      const pkg = NODE_PACKAGE[backend];
      if (loadedTf != null && Boolean(loadedTf.isGPUPackage) === (backend === 'node-gpu')) {
        return { backend, available: true, detail: `${pkg} loaded` };
      }
      return isInstalled(pkg)
        ? { backend, available: true, detail: `${pkg} ${packageVersion(pkg)} installed (native library checked when loaded)` }
        : { backend, available: false, detail: `${pkg} is not installed` };
    }
    if (backend === 'webgpu') {
      const loaded = webgpuAdapterInfo();
      if (loaded !== null) return { backend, available: true, detail: `Dawn adapter ${describeWebGpuAdapter(loaded)}` };
      const missing = missingWebGpuPackages();
      if (missing.length > 0) return { backend, available: false, detail: `${missing.join(' and ')} not installed` };
      const noVulkan = vulkanLoaderMissing();
      if (noVulkan !== null) return { backend, available: false, detail: noVulkan };
      return {
        backend,
        available: true,
        detail: `${WEBGPU_PACKAGES.map((p) => `${p} ${packageVersion(p)}`).join(' + ')} installed (adapter checked when loaded)`,
      };
    }
    const pkg = backend === 'wasm' ? '@tensorflow/tfjs-backend-wasm' : '@tensorflow/tfjs-backend-cpu';
    if (!isInstalled(pkg)) return { backend, available: false, detail: `${pkg} is not installed` };
    if (backend === 'wasm' && typeof (globalThis as { WebAssembly?: unknown }).WebAssembly !== 'object')
      return { backend, available: false, detail: 'no WebAssembly' };
    return { backend, available: true, detail: `${pkg} ${packageVersion(pkg)}` };
  });
}

export interface EngineInfo {
  /** The active backend in grokdiff's names, or null before initBackend. */
  backend: ResolvedBackend | null;
  /** tfjs's name for it ('tensorflow' for node and node-gpu). */
  tfjsBackend: string | null;
  /** Whether the wasm matMul fast path is installed (it only acts when the backend is wasm). */
  wasmFastPath: boolean;
  /** The native wasm kernels when installed: what computes the products (OpenBLAS or built-in) and the flags. */
  wasmNative: { matmul: string; cflags: string } | null;
  /** The WebGPU adapter (GPU or CPU driver) when the webgpu backend is active, else null. */
  webgpuAdapter: WebGpuAdapterInfo | null;
  /** Versions of the tfjs packages that are installed. */
  versions: Record<string, string>;
  node: string;
}

const TFJS_PACKAGES = [
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  '@tensorflow/tfjs-backend-webgpu',
  'webgpu',
] as const;

/** Backend and package versions, for checkpoint provenance. */
export function engineInfo(): EngineInfo {
  const versions: Record<string, string> = {};
  for (const pkg of TFJS_PACKAGES) {
    const v = packageVersion(pkg);
    if (v !== null) versions[pkg] = v;
  }
  return {
    backend: currentBackend(),
    tfjsBackend: activeTfjsBackend(),
    wasmFastPath: tf.getKernel('BatchMatMul', 'wasm') != null && isWasmFastPathInstalled(),
    wasmNative: wasmNativeInfo(),
    webgpuAdapter: activeTfjsBackend() === 'webgpu' ? webgpuAdapterInfo() : null,
    versions,
    node: process.version,
  };
}
