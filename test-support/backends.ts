// The every-backend `describe`, in the spirit of tfjs-core's describeWithFlags(name, ALL_ENVS, ...): one spec
// body runs once per tfjs backend (cpu and wasm always; node / node-gpu when their optional packages are
// installed; webgpu when Dawn finds an adapter, a GPU or the CPU driver lavapipe that .ci/webgpu-setup.sh
// installs), so an engine kernel or a model layer is checked to give the same numbers everywhere it may
// train; `wasm-native` is wasm with grokdiff's optional native kernels. Each block initialises its backend
// with `initBackend` (so gradients are registered and the wasm fast path is installed, as in training) before
// its tests; a backend that is not installed shows up as a skipped block that says why, not as a silent gap.

import { beforeAll, describe } from 'vitest';
import { availableBackends, initBackend, type ResolvedBackend } from '../src/engine/backend.ts';
import { loadNativeAddon } from '../src/engine/wasm-native.ts';
import { probeWebGpuSync } from '../src/engine/webgpu.ts';

/**
 * A tfjs backend, where `wasm` is plain wasm (with the matMul fast path) and `wasm-native` is wasm with
 * grokdiff's optional native kernels (src/engine/wasm-native.ts), present when `npm run build:native` built them.
 */
export type TestBackend = ResolvedBackend | 'wasm-native';

/** Every backend a spec may run on; pass to describeWithBackends to run wherever possible. */
export const ALL_BACKENDS: readonly TestBackend[] = ['cpu', 'wasm', 'wasm-native', 'node', 'node-gpu', 'webgpu'];

/** The backends that are pure JS/wasm and always present. */
export const PORTABLE_BACKENDS: readonly TestBackend[] = ['cpu', 'wasm'];

function availability(probeWebGpu: boolean): Map<TestBackend, { available: boolean; detail: string }> {
  const map = new Map<TestBackend, { available: boolean; detail: string }>(availableBackends().map((a) => [a.backend, a]));
  const wasm = map.get('wasm');
  const native = loadNativeAddon();
  map.set(
    'wasm-native',
    wasm?.available !== true
      ? { available: false, detail: 'wasm is not available' }
      : native.ok
        ? { available: true, detail: native.path }
        : { available: false, detail: native.reason },
  );
  // webgpu: installed is not enough, Dawn must find an adapter (asked in a child process, so that a test file
  // that does not run on webgpu never loads Dawn). A CPU adapter (lavapipe) counts: the specs check correctness.
  if (probeWebGpu && map.get('webgpu')?.available) {
    const probe = probeWebGpuSync();
    map.set('webgpu', { available: probe.adapter !== null, detail: probe.reason });
  }
  return map;
}

/** Whether a backend can run tests here and, if not, why (for specs that compare two backends in one block). */
export function testBackendAvailability(backend: TestBackend): { available: boolean; detail: string } {
  return availability(backend === 'webgpu').get(backend) ?? { available: false, detail: 'unknown backend' };
}

/** Initialises the backend a test block runs on. */
export async function initTestBackend(backend: TestBackend): Promise<void> {
  if (backend === 'wasm-native') await initBackend('wasm', { source: 'describeWithBackends', native: true });
  else await initBackend(backend, { source: 'describeWithBackends', native: false });
}

export interface BackendContext {
  /** The backend this copy of the spec body runs on. */
  readonly backend: TestBackend;
}

/** The tags of a block on `backend` (vitest.config.ts): engine-every-backend, and webgpu on webgpu. */
export function backendTags(backend: TestBackend): { tags: string[] } {
  return { tags: backend === 'webgpu' ? ['engine-every-backend', 'webgpu'] : ['engine-every-backend'] };
}

/**
 * Declares `describe(`${title} [${backend}]`)` once per backend in `backends`, each initialising its backend
 * in a beforeAll and tagged with backendTags. Backends not installed here are declared as skipped blocks
 * naming the reason.
 */
export function describeWithBackends(title: string, backends: readonly TestBackend[], fn: (ctx: BackendContext) => void): void {
  const known = availability(backends.includes('webgpu'));
  for (const backend of backends) {
    const info = known.get(backend);
    if (!info?.available) {
      describe.skip(`${title} [${backend}: ${info?.detail ?? 'unknown backend'}]`, backendTags(backend), () => fn({ backend }));
      continue;
    }
    describe(`${title} [${backend}]`, backendTags(backend), () => {
      beforeAll(async () => {
        await initTestBackend(backend);
      });
      fn({ backend });
    });
  }
}
