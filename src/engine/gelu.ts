// The exact GeLU, x·Φ(x) = 0.5·x·(1 + erf(x/√2)), as the DiT's FFN and time MLP use it (paper Section 3: the
// standard DiT block; PyTorch's nn.GELU() default). On a backend that has grokdiff's fused GeLU kernels (wasm
// with the native kernels, wasm-native.ts) it runs as one kernel forward and one backward instead of a chain
// of five ops forward and about ten backward; elsewhere it is the chain of tfjs ops. Both compute the same
// function; gelu.test.ts checks values and gradients on every backend.

import * as tf from '@tensorflow/tfjs-core';
import { GELU_GRAD_KERNEL, GELU_KERNEL } from './wasm-native.ts';

/** The exact GeLU composed of tfjs ops (every backend). */
export function composedGelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
}

const fusedGelu = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  const save = args[1] as tf.GradSaveFunc;
  save([x]);
  return {
    value: tf.engine().runKernel(GELU_KERNEL, { x }) as tf.Tensor,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(GELU_GRAD_KERNEL, { x: saved[0], dy }) as tf.Tensor,
  };
});

/** Exact GeLU, fused where the active backend has the kernels. Float32 only on the fused path. */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (x.dtype === 'float32' && tf.getKernel(GELU_KERNEL, tf.getBackend()) != null) return fusedGelu(x) as tf.Tensor;
  return composedGelu(x);
}
