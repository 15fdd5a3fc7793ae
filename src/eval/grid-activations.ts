// Activations over the (a, b) grid (paper Sec. 4.1): for every pair (a, b) — the first image of each
// symbol — run the model at one timestep with one shared noise image for c, read named taps, and return
// the values at the result position c as plain float64 arrays [P*P, units] (row index a·P + b), ready for
// the Fourier analysis. Taps edited here apply to this forward only.

import * as tf from '@tensorflow/tfjs-core';
import { ModelError } from '../errors.ts';
import { rootRng } from '../engine/random.ts';
import { noisyImage } from '../flow/rectified-flow.ts';
import { forward } from '../model/dit.ts';
import { modelShapes } from '../model/config.ts';
import type { TapSet } from '../model/taps.ts';
import type { LoadedRun } from './loaded-run.ts';

/** How to reduce a tap to the units of position c. */
export type GridView =
  /** [B, T, d] → d units at the c tokens (mean over c's patches when an image has several). */
  | { readonly kind: 'token-c' }
  /** [B, H, T, dh] → H·dh units at the c tokens (heads concatenated). */
  | { readonly kind: 'heads-c' }
  /** [B, H, T, T] → H units: query c, key a (or b). */
  | { readonly kind: 'scores-c'; readonly key: 'a' | 'b' };

export interface GridActivationsOptions {
  /** Noise level t in [0, 1] (1 = pure noise: the model must compute the sum from a and b alone). */
  readonly t: number;
  /** Seed of the single noise image shared by all pairs. */
  readonly noiseSeed: number;
  /** Taps to edit during this forward (ablations). */
  readonly edit?: TapSet['edit'];
}

export interface GridActivations {
  readonly P: number;
  readonly units: number;
  /** [P*P, units], row a·P + b. */
  readonly valuesByPair: Float64Array;
}

/** Inputs for all P² pairs at level t with one shared noise image: xa, xb, xt [P², S*S], t [P²]. */
export function gridInputs(
  run: LoadedRun,
  t: number,
  noiseSeed: number,
): { xa: tf.Tensor2D; xb: tf.Tensor2D; xt: tf.Tensor2D; x0: tf.Tensor2D; t: tf.Tensor1D } {
  const P = run.model.P;
  const px = run.data.pixels;
  const N = run.data.symbols.N;
  const imgs = run.data.symbols.images;
  const B = P * P;
  const xa = new Float32Array(B * px);
  const xb = new Float32Array(B * px);
  const x0 = new Float32Array(B * px);
  for (let a = 0; a < P; a++) {
    for (let b = 0; b < P; b++) {
      const i = a * P + b;
      xa.set(imgs.subarray(a * N * px, (a * N + 1) * px), i * px);
      xb.set(imgs.subarray(b * N * px, (b * N + 1) * px), i * px);
      const c = (a + b) % P;
      x0.set(imgs.subarray(c * N * px, (c * N + 1) * px), i * px);
    }
  }
  const noise1 = rootRng(noiseSeed).fork('grid-noise').normalArray(px);
  const noise = new Float32Array(B * px);
  for (let i = 0; i < B; i++) noise.set(noise1, i * px);
  return tf.tidy(() => {
    const tv = tf.fill([B], t) as tf.Tensor1D;
    const x0t = tf.tensor2d(x0, [B, px]);
    return { xa: tf.tensor2d(xa, [B, px]), xb: tf.tensor2d(xb, [B, px]), x0: x0t, t: tv, xt: noisyImage(x0t, tf.tensor2d(noise, [B, px]), tv) };
  });
}

/**
 * The mean over the tokens of one image (operand a, operand b or the result c) of a tap value [B, T, d]:
 * [B, d]. The caller disposes it (or calls it inside a tidy).
 */
export function tokenMean(run: Pick<LoadedRun, 'model'>, name: string, value: tf.Tensor, image: 'a' | 'b' | 'c'): tf.Tensor2D {
  const { patchesPerImage: n } = modelShapes(run.model);
  if (value.rank !== 3) throw new ModelError('grid-view', `tap "${name}" has rank ${value.rank}; the tokens of ${image} need [B, T, d]`);
  const start = { a: 0, b: n, c: 2 * n }[image];
  return tf.tidy(() => tf.mean(tf.slice(value, [0, start, 0], [-1, n, -1]), 1) as tf.Tensor2D);
}

/** Reduces a tap value [B, …] to the units of position c, [B, units] (see GridView); the caller disposes it. */
export function reduceToC(run: Pick<LoadedRun, 'model'>, name: string, value: tf.Tensor, view: GridView): tf.Tensor2D {
  const { patchesPerImage: n } = modelShapes(run.model);
  const cStart = 2 * n;
  return tf.tidy(() => {
    switch (view.kind) {
      case 'token-c': {
        if (value.rank !== 3) throw new ModelError('grid-view', `tap "${name}" has rank ${value.rank}; view token-c needs [B, T, d]`);
        return tokenMean(run, name, value, 'c');
      }
      case 'heads-c': {
        if (value.rank !== 4) throw new ModelError('grid-view', `tap "${name}" has rank ${value.rank}; view heads-c needs [B, H, T, dh]`);
        const [B, H, , dh] = value.shape;
        return tf.reshape(tf.mean(tf.slice(value, [0, 0, cStart, 0], [-1, -1, n, -1]), 2), [B, H * dh]) as tf.Tensor2D;
      }
      case 'scores-c': {
        if (value.rank !== 4 || value.shape[2] !== value.shape[3])
          throw new ModelError('grid-view', `tap "${name}" is not an attention score/pattern tensor [B, H, T, T]`);
        const keyStart = view.key === 'a' ? 0 : n;
        const block = tf.slice(value, [0, 0, cStart, keyStart], [-1, -1, n, n]);
        return tf.mean(tf.mean(block, 3), 2) as tf.Tensor2D;
      }
    }
  });
}

/** The key of a tap and view in gridActivations' result, e.g. "block0.ffn.pre:token-c". */
export function gridViewKey(tap: string, view: GridView): string {
  return `${tap}:${view.kind}${view.kind === 'scores-c' ? `-${view.key}` : ''}`;
}

/** Reads taps over the (a, b) grid; returns one [P*P, units] float64 array per requested tap. */
export function gridActivations(
  run: LoadedRun,
  requests: ReadonlyArray<{ tap: string; view: GridView }>,
  options: GridActivationsOptions,
): Map<string, GridActivations> {
  const inputs = gridInputs(run, options.t, options.noiseSeed);
  const names = [...new Set(requests.map((r) => r.tap))];
  const { output, taps } = forward(run.model, run.params, inputs, { read: names, ...(options.edit ? { edit: options.edit } : {}) });
  const out = new Map<string, GridActivations>();
  try {
    for (const r of requests) {
      const reduced = reduceToC(run, r.tap, taps.get(r.tap)!, r.view);
      const units = reduced.shape[1];
      out.set(gridViewKey(r.tap, r.view), { P: run.model.P, units, valuesByPair: Float64Array.from(reduced.dataSync()) });
      reduced.dispose();
    }
  } finally {
    tf.dispose([output, ...taps.values(), inputs.xa, inputs.xb, inputs.xt, inputs.x0, inputs.t]);
  }
  return out;
}
