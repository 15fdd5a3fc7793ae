// A zero-copy Identity kernel for the wasm backend (issue #8). tfjs-backend-wasm 4.22's Identity allocates a
// new buffer and copies the tensor; the gradient tape calls it for every pass-through gradient (about 130
// times per cpu-n1 training step, 11 % of the step's kernel time once the products are native). This
// kernel shares the input's memory and counts one more reference to it, as the wasm Reshape kernel and the
// cpu backend's Identity already do; no tfjs kernel writes into an input, so sharing is safe. Installed with
// the matMul fast path (GROKDIFF_WASM_FASTPATH=0 leaves stock tfjs alone); the stock kernel is kept on the
// wrapper inside tfjs's kernel registry, so install is idempotent and uninstall restores it.

import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

const MARK = Symbol.for('grokdiff.wasmIdentity');
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

function markOf(config: tf.KernelConfig | undefined): tf.KernelConfig | undefined {
  if (config == null) return undefined;
  return (config.kernelFunc as unknown as Record<symbol, tf.KernelConfig | undefined>)[MARK];
}

/** Whether the zero-copy Identity is installed for wasm. */
export function isWasmIdentityInstalled(): boolean {
  return markOf(tf.getKernel('Identity', 'wasm')) != null;
}

/** Replaces the wasm Identity kernel with the zero-copy one. Idempotent; false when wasm is not registered. */
export function installWasmIdentity(): boolean {
  const current = tf.getKernel('Identity', 'wasm');
  if (current == null) return false;
  if (markOf(current) != null) return true;
  const stock = current.kernelFunc as unknown as (args: KernelArgs) => tf.TensorInfo;
  const kernelFunc = (args: KernelArgs): tf.TensorInfo => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return stock(args);
    (args.backend as BackendWasm).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  (kernelFunc as unknown as Record<symbol, tf.KernelConfig>)[MARK] = current;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  return true;
}

/** Restores the stock wasm Identity. Returns whether anything changed. */
export function uninstallWasmIdentity(): boolean {
  const stock = markOf(tf.getKernel('Identity', 'wasm'));
  if (stock == null) return false;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel(stock);
  return true;
}
