// The exact GeLU (gelu.ts) on every backend: values against a float64 reference (erf from its series and continued
// fraction), gradients against the analytic derivative Φ(x) + x·φ(x), and the fused kernel (wasm-native)
// against the composed ops. Category: engine op tests, one spec per backend like tfjs-core's.
import { expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ALL_BACKENDS, describeWithBackends } from '../../test-support/backends.ts';
import { composedGelu, gelu } from './gelu.ts';
import { GELU_KERNEL } from './wasm-native.ts';

/** erf(x) in float64: the Maclaurin series for |x| < 3, the continued fraction of erfc beyond (both converge
 * to double precision there). */
function erf64(x: number): number {
  const z = Math.abs(x);
  if (z >= 3) {
    // erfc z = exp(−z²)/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + …)))), evaluated from the bottom.
    let k = z;
    for (let n = 80; n >= 1; n--) k = z + n / 2 / k;
    return Math.sign(x) * (1 - Math.exp(-z * z) / (Math.sqrt(Math.PI) * k));
  }
  // erf x = 2/√π Σ (−1)^n x^(2n+1) / (n! (2n+1)).
  let sum = 0;
  let term = x;
  for (let n = 0; n < 200; n++) {
    sum += term / (2 * n + 1);
    term *= (-x * x) / (n + 1);
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
const gelu64 = (x: number): number => 0.5 * x * (1 + erf64(x / Math.SQRT2));
const dgelu64 = (x: number): number => 0.5 * (1 + erf64(x / Math.SQRT2)) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI);

const XS = Float32Array.from({ length: 161 }, (_, i) => -8 + i * 0.1);

describeWithBackends('exact GeLU', ALL_BACKENDS, ({ backend }) => {
  it('equals x·Φ(x) in float64 to float32 precision', () => {
    const y = tf.tidy(() => gelu(tf.tensor1d(XS)));
    const got = y.dataSync();
    y.dispose();
    XS.forEach((x, i) => {
      expect(Math.abs(got[i] - gelu64(x)), `x = ${x}`).toBeLessThan(2e-6 * (1 + Math.abs(x)));
    });
  });

  it('has the gradient Φ(x) + x·φ(x), and the fused kernel is used exactly on wasm-native', () => {
    expect(tf.getKernel(GELU_KERNEL, tf.getBackend()) != null).toBe(backend === 'wasm-native');
    const dys = Float32Array.from(XS, (_, i) => 1 + (i % 7) * 0.25);
    const g = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(gelu(x), tf.tensor1d(dys))))(tf.tensor1d(XS)));
    const got = g.dataSync();
    g.dispose();
    XS.forEach((x, i) => {
      expect(Math.abs(got[i] - dys[i] * dgelu64(x)), `x = ${x}`).toBeLessThan(1e-5 * dys[i] * (1 + Math.abs(x)));
    });
    const c = tf.tidy(() => composedGelu(tf.tensor1d(XS)));
    const f = tf.tidy(() => gelu(tf.tensor1d(XS)));
    const cv = c.dataSync();
    f.dataSync().forEach((v, i) => {
      expect(Math.abs(v - cv[i])).toBeLessThan(2e-6 * (1 + Math.abs(XS[i])));
    });
    tf.dispose([c, f]);
  });
});
