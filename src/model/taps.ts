// Activation taps: the one mechanism for reading and editing named activations during a forward pass
// (paper Sec. 4: the Fourier analyses read taps over the (a, b) grid; the causal ablations of Sec. 4.3
// edit them). Capture, ablation, patching and activation replacement are all uses of a TapSet; the
// forward pass has no other hooks.
//
// Tap names and shapes (B = batch, T = tokens = 3·patchesPerImage in the order a, b, c; H heads; dh head
// width; d = dModel; f = ffnWidth; l = block index):
//   embed                   [B, T, d]   patch embedding + position + time embedding (the residual stream in)
//   block{l}.preffn.in      [B, T, d]   input of the pre-attention FFN (after its norm, if any)
//   block{l}.preffn.pre     [B, T, f]   its pre-GeLU activation
//   block{l}.preffn.post    [B, T, f]   its post-GeLU activation
//   block{l}.preffn.out     [B, T, d]   residual stream after the pre-attention FFN (the "Pre-SA-FFN output")
//   block{l}.attn.in        [B, T, d]   attention input (after its norm, if any)
//   block{l}.attn.q|k|v     [B, H, T, dh]
//   block{l}.attn.scores    [B, H, T, T] pre-softmax scores (already scaled by 1/sqrt(dh)); query × key
//   block{l}.attn.pattern   [B, H, T, T] softmax of the scores
//   block{l}.attn.z         [B, H, T, dh] pattern-weighted values per head
//   block{l}.attn.out       [B, T, d]   attention output after the output projection
//   block{l}.resid.mid      [B, T, d]   residual stream after attention
//   block{l}.ffn.in         [B, T, d]   FFN input (after its norm, if any)
//   block{l}.ffn.pre        [B, T, f]   FFN pre-GeLU (paper: the trig identities live here)
//   block{l}.ffn.post       [B, T, f]   FFN post-GeLU
//   block{l}.ffn.out        [B, T, d]   FFN output projection (before the residual add)
//   block{l}.resid.out      [B, T, d]   residual stream after the block
//   output                  [B, S*S]    predicted clean image of c (x̂0)

import * as tf from '@tensorflow/tfjs-core';
import { ModelError } from '../errors.ts';
import type { ModelConfig } from './config.ts';

/** An edit replaces the value at a tap; it must return a tensor of the same shape. */
export type TapEdit = (value: tf.Tensor, name: string) => tf.Tensor;

export interface TapSet {
  /** Names whose values are returned (kept outside the forward's tidy; the caller disposes them). */
  readonly read?: Iterable<string>;
  /** Names whose values are replaced by edit(value) before the forward continues. */
  readonly edit?: Readonly<Record<string, TapEdit>>;
}

const BLOCK_TAPS = [
  'preffn.in',
  'preffn.pre',
  'preffn.post',
  'preffn.out',
  'attn.in',
  'attn.q',
  'attn.k',
  'attn.v',
  'attn.scores',
  'attn.pattern',
  'attn.z',
  'attn.out',
  'resid.mid',
  'ffn.in',
  'ffn.pre',
  'ffn.post',
  'ffn.out',
  'resid.out',
] as const;

/** Every tap name a model of this config exposes. */
export function tapNames(config: ModelConfig): string[] {
  const names = ['embed'];
  for (let l = 0; l < config.depth; l++) {
    for (const t of BLOCK_TAPS) {
      if (t.startsWith('preffn.') && !config.preAttentionFfn) continue;
      names.push(`block${l}.${t}`);
    }
  }
  names.push('output');
  return names;
}

/** Throws a ModelError listing the valid names when a TapSet names a tap this config lacks. */
export function validateTapSet(config: ModelConfig, taps: TapSet | undefined): void {
  if (!taps) return;
  const valid = new Set(tapNames(config));
  const asked = [...(taps.read ?? []), ...Object.keys(taps.edit ?? {})];
  for (const name of asked) {
    if (!valid.has(name)) {
      throw new ModelError('tap-unknown', `unknown tap "${name}"; this model has: ${[...valid].join(', ')}`);
    }
  }
}

/**
 * Per-forward tap state: applies edits and keeps read values. Created by the forward pass, one per call,
 * so nothing is shared between calls.
 */
export class TapContext {
  private readonly reads: Set<string>;
  private readonly edits: Readonly<Record<string, TapEdit>>;
  readonly captured = new Map<string, tf.Tensor>();

  constructor(taps: TapSet | undefined) {
    this.reads = new Set(taps?.read ?? []);
    this.edits = taps?.edit ?? {};
  }

  /** Passes `value` through the tap `name`: edited if asked, captured if asked (after the edit). */
  tap<T extends tf.Tensor>(name: string, value: T): T {
    let out: tf.Tensor = value;
    const edit = this.edits[name];
    if (edit) {
      // Cloned so an edit may return a tensor the caller owns (e.g. a patch source) without the forward
      // pass, or its consumer, disposing the caller's tensor.
      out = tf.clone(edit(value, name));
      if (!shapesEqual(out.shape, value.shape)) {
        throw new ModelError('tap-edit-shape', `edit of tap "${name}" returned shape [${out.shape}], expected [${value.shape}]`);
      }
    }
    if (this.reads.has(name)) this.captured.set(name, tf.keep(out));
    return out as T;
  }
}

function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
