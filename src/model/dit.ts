// The Diffusion Transformer of the paper (Figure 7, Appendix A): the images of a and b and the noisy image
// of c are patchified and linearly embedded (one token per image by default: a, b, c), with learned
// positional embeddings and a timestep embedding added to every token; then `depth` blocks of
// [optional pre-attention FFN (the "FFN sandwich")] → self-attention → FFN (GeLU), each with a residual;
// then a projection back to pixels at the positions of c. The output is x̂0, the predicted clean image of c
// (x0-parameterisation, paper Sec. 2). Every intermediate passes through a named tap (see taps.ts).

import * as tf from '@tensorflow/tfjs-core';
import { ModelError } from '../errors.ts';
import { gelu as engineGelu } from '../engine/gelu.ts';
import { PAPER } from '../paper/registry.ts';
import { modelShapes, type ModelConfig } from './config.ts';
import type { Params } from './params.ts';
import { TapContext, validateTapSet, type TapSet } from './taps.ts';

export interface ForwardInputs {
  /** Image of operand a, [B, S*S] in the registry's pixel range. */
  readonly xa: tf.Tensor2D;
  /** Image of operand b, [B, S*S]. */
  readonly xb: tf.Tensor2D;
  /** Noisy image of the result c at level t, [B, S*S]. */
  readonly xt: tf.Tensor2D;
  /** Noise level per example, [B], in [0, 1] (1 = pure noise). */
  readonly t: tf.Tensor1D;
}

export interface ForwardResult {
  /** x̂0: predicted clean image of c, [B, S*S]. */
  readonly output: tf.Tensor2D;
  /** Values of the taps named in TapSet.read (caller disposes). */
  readonly taps: Map<string, tf.Tensor>;
}

/** Below this many tokens, attention products are broadcast-multiply-sums (no batched matMul kernel). */
const SMALL_TOKEN_COUNT = 16;

/** Runs the model. Returns x̂0 and the read taps; all other intermediates are disposed. */
export function forward(config: ModelConfig, params: Params, inputs: ForwardInputs, taps?: TapSet): ForwardResult {
  validateTapSet(config, taps);
  checkInputs(config, inputs);
  const ctx = new TapContext(taps);
  const output = tf.tidy(() => {
    const p = (name: string): tf.Tensor => {
      const v = params.get(name);
      if (!v) throw new ModelError('param-missing', `parameter "${name}" is missing from the model`);
      return v;
    };
    let h = ctx.tap('embed', embed(config, p, inputs));
    for (let l = 0; l < config.depth; l++) h = block(config, p, ctx, l, h);
    return ctx.tap('output', readOut(config, p, h));
  });
  return { output: output as tf.Tensor2D, taps: ctx.captured };
}

function checkInputs(config: ModelConfig, inputs: ForwardInputs): void {
  const { pixels } = modelShapes(config);
  const B = inputs.t.shape[0];
  for (const key of ['xa', 'xb', 'xt'] as const) {
    const shape = inputs[key].shape;
    if (shape.length !== 2 || shape[0] !== B || shape[1] !== pixels) {
      throw new ModelError('input-shape', `forward input ${key} has shape [${shape}], expected [${B}, ${pixels}] (batch of t, S*S = ${config.imageSide}²)`);
    }
  }
  if (inputs.t.rank !== 1) throw new ModelError('input-shape', `forward input t has shape [${inputs.t.shape}], expected [B]`);
}

type Getter = (name: string) => tf.Tensor;

/** x·W + b over the last axis, for any leading shape. */
function dense(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const inDim = x.shape[x.shape.length - 1];
  const lead = x.shape.slice(0, -1);
  const y = tf.add(tf.matMul(tf.reshape(x, [-1, inDim]) as tf.Tensor2D, w as tf.Tensor2D), b);
  return tf.reshape(y, [...lead, w.shape[1] as number]);
}

function linear(p: Getter, prefix: string, x: tf.Tensor): tf.Tensor {
  return dense(x, p(`${prefix}.weight`), p(`${prefix}.bias`));
}

/** Exact GeLU: x·Φ(x) = 0.5·x·(1 + erf(x/√2)) (one fused kernel where the backend has it; engine/gelu.ts). */
export const gelu = engineGelu;

function normalise(config: ModelConfig, p: Getter, prefix: string, x: tf.Tensor): tf.Tensor {
  if (config.norm === 'none') return x;
  const { mean, variance } = tf.moments(x, -1, true);
  const xhat = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
  return tf.add(tf.mul(xhat, p(`${prefix}.weight`)), p(`${prefix}.bias`));
}

/** [B, S*S] → [B, patchesPerImage, patch*patch], row-major patches. */
export function patchify(config: ModelConfig, images: tf.Tensor2D): tf.Tensor3D {
  const S = config.imageSide;
  const q = config.patchSize;
  const n = S / q;
  const B = images.shape[0];
  if (n === 1) return tf.reshape(images, [B, 1, S * S]);
  return tf.reshape(tf.transpose(tf.reshape(images, [B, n, q, n, q]), [0, 1, 3, 2, 4]), [B, n * n, q * q]);
}

/** Inverse of patchify: [B, patchesPerImage, patch*patch] → [B, S*S]. */
export function unpatchify(config: ModelConfig, patches: tf.Tensor3D): tf.Tensor2D {
  const S = config.imageSide;
  const q = config.patchSize;
  const n = S / q;
  const B = patches.shape[0];
  if (n === 1) return tf.reshape(patches, [B, S * S]);
  return tf.reshape(tf.transpose(tf.reshape(patches, [B, n, n, q, q]), [0, 1, 3, 2, 4]), [B, S * S]);
}

/** Sinusoidal features of t (scaled to 0..1000 as in DiT), [B] → [B, timeFeatures]. */
export function timeFeatures(config: ModelConfig, t: tf.Tensor1D): tf.Tensor2D {
  const half = config.timeFeatures / 2;
  const freqs = new Float32Array(half);
  for (let i = 0; i < half; i++) freqs[i] = Math.exp((-Math.log(10000) * i) / half);
  const args = tf.mul(tf.reshape(tf.mul(t, 1000), [-1, 1]), tf.tensor2d(freqs, [1, half]));
  return tf.concat([tf.cos(args), tf.sin(args)], 1) as tf.Tensor2D;
}

/** The operand images as the patch embedding sees them (model/input-conditioning.ts; raw when absent). */
function conditionOperand(config: ModelConfig, p: Getter, x: tf.Tensor2D): tf.Tensor2D {
  switch (config.inputConditioning) {
    case undefined:
      return x;
    case 'unit': {
      const [lo, hi] = PAPER.pixelRange.value;
      return tf.mul(tf.sub(x, lo), 1 / (hi - lo)) as tf.Tensor2D;
    }
    case 'centered':
      return tf.sub(x, p('input_cond.mean')) as tf.Tensor2D;
    case 'standardised':
      return tf.mul(tf.sub(x, p('input_cond.mean')), p('input_cond.scale')) as tf.Tensor2D;
    case 'zca':
      return tf.matMul(tf.sub(x, p('input_cond.mean')) as tf.Tensor2D, p('input_cond.whiten') as tf.Tensor2D);
  }
}

function embed(config: ModelConfig, p: Getter, inputs: ForwardInputs): tf.Tensor {
  const xa = conditionOperand(config, p, inputs.xa);
  const xb = conditionOperand(config, p, inputs.xb);
  const tokens = tf.concat([patchify(config, xa), patchify(config, xb), patchify(config, inputs.xt)], 1);
  const patchEmb = linear(p, 'patch_embed', tokens); // [B, T, d]
  const timeEmb = linear(p, 'time_mlp.2', gelu(linear(p, 'time_mlp.0', timeFeatures(config, inputs.t)))); // [B, d]
  return tf.add(tf.add(patchEmb, p('pos_embed')), tf.expandDims(timeEmb, 1));
}

function ffn(config: ModelConfig, p: Getter, ctx: TapContext, name: string, prefix: string, h: tf.Tensor): tf.Tensor {
  const x = ctx.tap(`${name}.in`, normalise(config, p, `${prefix}.norm`, h));
  const pre = ctx.tap(`${name}.pre`, linear(p, `${prefix}.fc1`, x));
  const post = ctx.tap(`${name}.post`, gelu(pre));
  return linear(p, `${prefix}.fc2`, post);
}

function block(config: ModelConfig, p: Getter, ctx: TapContext, l: number, hIn: tf.Tensor): tf.Tensor {
  const tag = `block${l}`;
  const prefix = `blocks.${l}`;
  let h = hIn;
  if (config.preAttentionFfn) {
    h = ctx.tap(`${tag}.preffn.out`, tf.add(h, ffn(config, p, ctx, `${tag}.preffn`, `${prefix}.pre_ffn`, h)));
  }
  h = ctx.tap(`${tag}.resid.mid`, tf.add(h, ctx.tap(`${tag}.attn.out`, attention(config, p, ctx, tag, `${prefix}.attn`, h))));
  const f = ctx.tap(`${tag}.ffn.out`, ffn(config, p, ctx, `${tag}.ffn`, `${prefix}.ffn`, h));
  return ctx.tap(`${tag}.resid.out`, tf.add(h, f));
}

function attention(config: ModelConfig, p: Getter, ctx: TapContext, tag: string, prefix: string, h: tf.Tensor): tf.Tensor {
  const [B, T, d] = h.shape;
  const H = config.heads;
  const dh = d / H;
  const x = ctx.tap(`${tag}.attn.in`, normalise(config, p, `${prefix}.norm`, h));
  const heads = (name: string): tf.Tensor => tf.transpose(tf.reshape(linear(p, `${prefix}.${name}`, x), [B, T, H, dh]), [0, 2, 1, 3]);
  const q = ctx.tap(`${tag}.attn.q`, heads('q'));
  const k = ctx.tap(`${tag}.attn.k`, heads('k'));
  const v = ctx.tap(`${tag}.attn.v`, heads('v'));
  const scale = 1 / Math.sqrt(dh);
  const rawScores =
    T <= SMALL_TOKEN_COUNT
      ? tf.sum(tf.mul(tf.expandDims(q, 3), tf.expandDims(k, 2)), -1) // [B,H,T,1,dh]·[B,H,1,T,dh] → [B,H,T,T]
      : tf.matMul(q as tf.Tensor4D, k as tf.Tensor4D, false, true);
  const scores = ctx.tap(`${tag}.attn.scores`, tf.mul(rawScores, scale));
  const pattern = ctx.tap(`${tag}.attn.pattern`, tf.softmax(scores, -1));
  const z = ctx.tap(
    `${tag}.attn.z`,
    T <= SMALL_TOKEN_COUNT
      ? tf.sum(tf.mul(tf.expandDims(pattern, 4), tf.expandDims(v, 2)), 3) // [B,H,T,T,1]·[B,H,1,T,dh] → [B,H,T,dh]
      : tf.matMul(pattern as tf.Tensor4D, v as tf.Tensor4D),
  );
  const merged = tf.reshape(tf.transpose(z, [0, 2, 1, 3]), [B, T, d]);
  return linear(p, `${prefix}.o`, merged);
}

function readOut(config: ModelConfig, p: Getter, h: tf.Tensor): tf.Tensor2D {
  const { patchesPerImage } = modelShapes(config);
  const [B, , d] = h.shape;
  const cTokens = tf.slice(normalise(config, p, 'final_norm', h), [0, 2 * patchesPerImage, 0], [B, patchesPerImage, d]);
  return unpatchify(config, linear(p, 'out_proj', cTokens) as tf.Tensor3D);
}
