// The every-backend `describe`, in the spirit of tfjs-core's describeWithFlags(name, ALL_ENVS, ...): one spec
// body runs once per tfjs backend (cpu and wasm always; node / node-gpu when their optional packages are
// installed), so an engine kernel or a model layer is checked to give the same numbers everywhere it may
// train. Each block initialises its backend with `initBackend` (so gradients are registered and the wasm fast
// path is installed, as in training) before its tests; a backend that is not installed shows up as a skipped
// block that says why, not as a silent gap.

import { beforeAll, describe } from 'vitest';
import { availableBackends, initBackend, type ResolvedBackend } from '../src/engine/backend.ts';

export type TestBackend = ResolvedBackend;

/** Every backend a spec may run on; pass to describeWithBackends to run wherever possible. */
export const ALL_BACKENDS: readonly TestBackend[] = ['cpu', 'wasm', 'node', 'node-gpu'];

/** The backends that are pure JS/wasm and always present. */
export const PORTABLE_BACKENDS: readonly TestBackend[] = ['cpu', 'wasm'];

export interface BackendContext {
  /** The backend this copy of the spec body runs on. */
  readonly backend: TestBackend;
}

/**
 * Declares `describe(`${title} [${backend}]`)` once per backend in `backends`, each initialising its backend
 * in a beforeAll. Backends not installed here are declared as skipped blocks naming the reason.
 */
export function describeWithBackends(
  title: string,
  backends: readonly TestBackend[],
  fn: (ctx: BackendContext) => void,
): void {
  const availability = new Map(availableBackends().map((a) => [a.backend, a]));
  for (const backend of backends) {
    const info = availability.get(backend);
    if (!info?.available) {
      describe.skip(`${title} [${backend}: ${info?.detail ?? 'unknown backend'}]`, () => fn({ backend }));
      continue;
    }
    describe(`${title} [${backend}]`, () => {
      beforeAll(async () => {
        await initBackend(backend, { source: 'describeWithBackends' });
      });
      fn({ backend });
    });
  }
}
