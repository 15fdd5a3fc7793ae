// A zero-copy Identity kernel for the wasm backend (issue #8). tfjs-backend-wasm 4.22's Identity allocates a
// new buffer and copies the tensor; the gradient tape calls it for every pass-through gradient (about 130
// times per cpu-n1 training step, 11 % of the step's kernel time once the products are native). This
// kernel shares the input's memory and counts one more reference to it, as the wasm Reshape kernel and the
// cpu backend's Identity already do; no tfjs kernel writes into an input, so sharing is safe. Installed with
// the matMul fast path (GROKDIFF_WASM_FASTPATH=0 leaves stock tfjs alone); a kernel layer (kernel-layer.ts),
// so install is idempotent and uninstall restores the stock kernel.

import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { kernelFnOf, layerOf, registerLayer, removeLayer, type KernelArgs, type LayerData } from './kernel-layer.ts';

const MARK = Symbol.for('grokdiff.wasmIdentity');

/** Whether the zero-copy Identity is installed for wasm. */
export function isWasmIdentityInstalled(): boolean {
  return layerOf(tf.getKernel('Identity', 'wasm'), MARK) != null;
}

/** Replaces the wasm Identity kernel with the zero-copy one. Idempotent; false when wasm is not registered. */
export function installWasmIdentity(): boolean {
  const current = tf.getKernel('Identity', 'wasm');
  if (current == null) return false;
  if (layerOf(current, MARK) != null) return true;
  const stock = kernelFnOf(current);
  const kernelFunc = (args: KernelArgs): tf.TensorInfo => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return stock(args);
    (args.backend as BackendWasm).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  registerLayer<LayerData>(MARK, { below: current }, kernelFunc);
  return true;
}

/** Restores the stock wasm Identity. Returns whether anything changed. */
export function uninstallWasmIdentity(): boolean {
  return removeLayer(MARK, 'Identity', 'wasm');
}
