// Kernel layers over tfjs's kernel registry (issue #8): the wasm matMul fast path (wasm-matmul.ts), the
// native kernels (wasm-native.ts) and the zero-copy Identity (wasm-identity.ts) each replace a registered
// kernel with a wrapper. The wrapper function carries, under its layer's symbol, the kernel it replaced (the
// kernel "below") and the layer's settings, inside tfjs's registry rather than in module state. So installing
// is idempotent, layers stack (native over the fast path over stock tfjs), and removing a layer restores
// exactly the kernel below it. Also the kernel-function types and the element count these kernels share.

import * as tf from '@tensorflow/tfjs-core';

export type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
export type KernelFn = (args: KernelArgs) => tf.TensorInfo;

/** What a layer keeps on its wrapper: the kernel below it, and whatever settings the layer adds. */
export interface LayerData {
  readonly below: tf.KernelConfig;
}

/** The data of layer `mark` on the kernel `config`, or undefined when `config` is not that layer's wrapper. */
export function layerOf<T extends LayerData>(config: tf.KernelConfig | undefined, mark: symbol): T | undefined {
  if (config == null) return undefined;
  return (config.kernelFunc as unknown as Record<symbol, T | undefined>)[mark];
}

/** A registered kernel's function, typed for a wrapper to call. */
export function kernelFnOf(config: tf.KernelConfig): KernelFn {
  return config.kernelFunc as unknown as KernelFn;
}

/**
 * Registers `kernelFunc` under the name and backend of `data.below` with `data` attached under `mark`,
 * replacing whatever is registered there now (the kernel below, or an older wrapper of the same layer).
 * The setup and dispose functions of the kernel below are kept.
 */
export function registerLayer<T extends LayerData>(mark: symbol, data: T, kernelFunc: KernelFn): void {
  const { kernelName, backendName, setupFunc, disposeFunc } = data.below;
  (kernelFunc as unknown as Record<symbol, T>)[mark] = data;
  if (tf.getKernel(kernelName, backendName) != null) tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ kernelName, backendName, setupFunc, disposeFunc, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}

/** Takes layer `mark` off kernel `name` of `backend`, restoring the kernel below. Returns whether it was there. */
export function removeLayer(mark: symbol, name: string, backend: string): boolean {
  const data = layerOf(tf.getKernel(name, backend), mark);
  if (!data) return false;
  tf.unregisterKernel(name, backend);
  tf.registerKernel(data.below);
  return true;
}

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
