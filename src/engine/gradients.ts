// Registers tfjs's gradient functions (and chained tensor methods) so that training can differentiate. Why
// this module exists: the Node entry point of @tensorflow/tfjs-core (dist/tf-core.node.js) registers NO
// gradients: `tf.grad` fails with "gradient function not found for Sum". The registrations ship in the
// @tensorflow/tfjs umbrella package (its Node bundle registers every gradient of the same tfjs-core version);
// tfjs keeps its engine and its kernel/gradient registries on globalThis, so loading that package once makes
// the gradients available to our tfjs-core import too. (An earlier version bundled tfjs-core's ES-module
// registration files with esbuild at run time; the maintained package does the same job with no build step.)
//
// It also replaces the BatchMatMul gradient with one that handles batch broadcasting: tfjs 4.22's returns a
// gradient of shape [B, K, N] for a [K, N] weight multiplied by a [B, M, K] activation, and the engine then
// throws "The gradient of input 'b' has shape '4,16,5', which does not match the shape of the input '16,5'".

import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { EngineError } from '../errors.ts';

const require = createRequire(import.meta.url);

/** Where the gradient registrations came from on this call. */
export type GradientSource = 'already-registered' | '@tensorflow/tfjs';

/** Marks our BatchMatMul gradient function (kept on the function, i.e. inside tfjs's registry). */
const BROADCAST_GRAD_MARK = Symbol.for('grokdiff.batchMatMulBroadcastGrad');

/** True when tfjs's gradient registry already holds the upstream gradients (ours, tfjs-node's or tfjs's). */
export function gradientsRegistered(): boolean {
  return tf.getGradient('Sum') != null && tf.getGradient('BatchMatMul') != null && tf.getGradient('Erf') != null;
}

/**
 * Makes every tfjs-core gradient available (idempotent; cheap after the first call in a process) and
 * installs the broadcast-aware BatchMatMul gradient. Called by `initBackend`; call it yourself only when you
 * use tfjs without `initBackend`.
 */
export async function ensureGradients(): Promise<GradientSource> {
  let source: GradientSource = 'already-registered';
  if (!gradientsRegistered()) source = loadUpstreamGradients();
  if (!gradientsRegistered()) {
    throw new EngineError(
      'gradients-missing',
      '@tensorflow/tfjs was loaded but the gradients of "Sum"/"BatchMatMul"/"Erf" are still missing: it did ' +
        'not share the engine registry. Check that only one @tensorflow/tfjs-core version is installed ' +
        '(npm ls @tensorflow/tfjs-core).',
    );
  }
  installBroadcastMatMulGradient();
  return source;
}

function loadUpstreamGradients(): GradientSource {
  try {
    require('@tensorflow/tfjs');
  } catch (err) {
    throw new EngineError(
      'gradients-unavailable',
      `tfjs-core registers no gradients in Node, and @tensorflow/tfjs (which registers them) could not be loaded: ${String(err)}. Run npm ci.`,
      { cause: err },
    );
  }
  return '@tensorflow/tfjs';
}

// ---------------------------------------------------------------------------------------------------------
// Broadcast-aware BatchMatMul gradient.

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function outerSize(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length - 2; i++) n *= shape[i];
  return n;
}

/** Sums `g` over the batch dimensions that `shape` broadcast, then reshapes it to `shape`. */
function reduceToShape(g: tf.Tensor, shape: readonly number[]): tf.Tensor {
  if (sameShape(g.shape, shape)) return g;
  const padded = [...new Array<number>(Math.max(0, g.rank - shape.length)).fill(1), ...shape];
  const axes: number[] = [];
  for (let i = 0; i < g.rank - 2; i++) if (padded[i] === 1 && g.shape[i] !== 1) axes.push(i);
  const summed = axes.length > 0 ? tf.sum(g, axes, true) : g;
  return tf.reshape(summed, [...shape]);
}

type MatMulAttrs = { transposeA: boolean; transposeB: boolean };

/**
 * The upstream formulas (tfjs-core gradients/BatchMatMul_grad.ts), followed by a sum over broadcast batch
 * dimensions. When `b` is broadcast against a batched, non-transposed `a` (a linear layer applied to
 * [batch, tokens, features]), db is computed directly as one 2-D product over the flattened batch.
 */
function batchMatMulGrad(dy: tf.Tensor, saved: tf.Tensor[], attrs: tf.NamedAttrMap): { a: () => tf.Tensor; b: () => tf.Tensor } {
  const [a, b] = saved;
  const { transposeA, transposeB } = attrs as unknown as MatMulAttrs;
  const bBroadcast = outerSize(b.shape) === 1 && outerSize(dy.shape) > 1;
  const flatDb = bBroadcast && !transposeA && outerSize(a.shape) === outerSize(dy.shape);
  let da: () => tf.Tensor;
  let db: () => tf.Tensor;
  if (!transposeA && !transposeB) {
    da = () => tf.matMul(dy, b, false, true);
    db = () => tf.matMul(a, dy, true, false);
  } else if (!transposeA && transposeB) {
    da = () => tf.matMul(dy, b, false, false);
    db = () => tf.matMul(dy, a, true, false);
  } else if (transposeA && !transposeB) {
    da = () => tf.matMul(b, dy, false, true);
    db = () => tf.matMul(a, dy, false, false);
  } else {
    da = () => tf.matMul(b, dy, true, true);
    db = () => tf.matMul(dy, a, true, true);
  }
  if (flatDb) {
    db = () => {
      const k = a.shape[a.rank - 1];
      const n = dy.shape[dy.rank - 1];
      const aFlat = tf.reshape(a, [-1, k]);
      const dyFlat = tf.reshape(dy, [-1, n]);
      const g = transposeB ? tf.matMul(dyFlat, aFlat, true, false) : tf.matMul(aFlat, dyFlat, true, false);
      return tf.reshape(g, b.shape);
    };
  }
  return { a: () => reduceToShape(da(), a.shape), b: () => reduceToShape(db(), b.shape) };
}

(batchMatMulGrad as unknown as Record<symbol, boolean>)[BROADCAST_GRAD_MARK] = true;

/** True when the registered BatchMatMul gradient is the broadcast-aware one from this module. */
export function broadcastMatMulGradientInstalled(): boolean {
  const g = tf.getGradient('BatchMatMul');
  return g != null && (g.gradFunc as unknown as Record<symbol, boolean>)[BROADCAST_GRAD_MARK] === true;
}

/** Registers the broadcast-aware BatchMatMul gradient (idempotent). */
export function installBroadcastMatMulGradient(): void {
  if (broadcastMatMulGradientInstalled()) return;
  tf.registerGradient({
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: batchMatMulGrad as unknown as tf.GradConfig['gradFunc'],
  });
}
