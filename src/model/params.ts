// The DiT's parameters: names, shapes and seeded initialisation (paper Figure 7 / Appendix A). Weights are
// stored [in, out] (x·W); a PyTorch nn.Linear stores [out, in], so a converter transposes. Initial values are
// drawn in JavaScript from the run's seeded stream, so the same seed gives the same model on every backend.

import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../engine/random.ts';
import { ModelError } from '../errors.ts';
import { modelShapes, type ModelConfig } from './config.ts';
import { conditioningBufferShapes, conditioningBuffers } from './input-conditioning.ts';

export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /**
   * 'weight': N(0, (initScale/sqrt(fanIn))²); 'zeros'; 'ones'; 'embedding': N(0, (initScale/sqrt(d))²);
   * 'operand-statistics': a buffer computed from the training operand images (model/input-conditioning.ts).
   */
  readonly init: 'weight' | 'zeros' | 'ones' | 'embedding' | 'operand-statistics';
  /** Whether AdamW's weight decay applies (weights and embeddings yes; biases and norm gains no). */
  readonly decay: boolean;
  /** A buffer: saved with the weights, never trained (the input conditioning's statistics). Absent = trained. */
  readonly buffer?: true;
}

function linear(prefix: string, fanIn: number, fanOut: number): ParamSpec[] {
  return [
    { name: `${prefix}.weight`, shape: [fanIn, fanOut], init: 'weight', decay: true },
    { name: `${prefix}.bias`, shape: [fanOut], init: 'zeros', decay: false },
  ];
}

function norm(prefix: string, d: number, config: ModelConfig): ParamSpec[] {
  if (config.norm === 'none') return [];
  return [
    { name: `${prefix}.weight`, shape: [d], init: 'ones', decay: false },
    { name: `${prefix}.bias`, shape: [d], init: 'zeros', decay: false },
  ];
}

/** The full, ordered list of parameters of a model with this config. */
export function paramSpecs(config: ModelConfig): ParamSpec[] {
  const { tokens, patchPixels } = modelShapes(config);
  const d = config.dModel;
  const f = config.ffnWidth;
  const specs: ParamSpec[] = [
    ...conditioningBufferShapes(config.inputConditioning, config.imageSide * config.imageSide).map(
      ({ name, shape }): ParamSpec => ({ name, shape, init: 'operand-statistics', decay: false, buffer: true }),
    ),
    ...linear('patch_embed', patchPixels, d),
    { name: 'pos_embed', shape: [tokens, d], init: 'embedding', decay: true },
    ...linear('time_mlp.0', config.timeFeatures, d),
    ...linear('time_mlp.2', d, d),
  ];
  for (let l = 0; l < config.depth; l++) {
    const b = `blocks.${l}`;
    if (config.preAttentionFfn) {
      specs.push(...norm(`${b}.pre_ffn.norm`, d, config), ...linear(`${b}.pre_ffn.fc1`, d, f), ...linear(`${b}.pre_ffn.fc2`, f, d));
    }
    specs.push(
      ...norm(`${b}.attn.norm`, d, config),
      ...linear(`${b}.attn.q`, d, d),
      ...linear(`${b}.attn.k`, d, d),
      ...linear(`${b}.attn.v`, d, d),
      ...linear(`${b}.attn.o`, d, d),
      ...norm(`${b}.ffn.norm`, d, config),
      ...linear(`${b}.ffn.fc1`, d, f),
      ...linear(`${b}.ffn.fc2`, f, d),
    );
  }
  specs.push(...norm('final_norm', d, config), ...linear('out_proj', d, patchPixels));
  return specs;
}

export type Params = ReadonlyMap<string, tf.Variable>;

/** The names of the parameters that are trained (every one but the buffers). */
export function trainableNames(config: ModelConfig): Set<string> {
  return new Set(
    paramSpecs(config)
      .filter((s) => !s.buffer)
      .map((s) => s.name),
  );
}

/**
 * Initial values for every parameter, as plain arrays (no tfjs), from the seeded stream. A config with input
 * conditioning also needs the run's training operand images [P·N, S·S] (`operandImages`) for its buffers.
 */
export function initialValues(config: ModelConfig, rng: Rng, operandImages?: Float32Array): Map<string, Float32Array> {
  const values = new Map<string, Float32Array>();
  const pixels = config.imageSide * config.imageSide;
  const specs = paramSpecs(config);
  const buffers = specs.some((s) => s.buffer)
    ? conditioningBuffers(config.inputConditioning, requireImages(config, operandImages), pixels)
    : new Map<string, Float32Array>();
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const stream = rng.fork(spec.name);
    switch (spec.init) {
      case 'weight':
        values.set(spec.name, stream.normalArray(size, config.initScale / Math.sqrt(spec.shape[0])));
        break;
      case 'embedding':
        values.set(spec.name, stream.normalArray(size, config.initScale / Math.sqrt(config.dModel)));
        break;
      case 'zeros':
        values.set(spec.name, new Float32Array(size));
        break;
      case 'ones':
        values.set(spec.name, new Float32Array(size).fill(1));
        break;
      case 'operand-statistics': {
        const v = buffers.get(spec.name);
        if (!v || v.length !== size) throw new ModelError('param-shape', `input conditioning buffer "${spec.name}" was not computed as [${spec.shape}]`);
        values.set(spec.name, v);
        break;
      }
    }
  }
  return values;
}

function requireImages(config: ModelConfig, images: Float32Array | undefined): Float32Array {
  if (!images) {
    throw new ModelError(
      'input-conditioning',
      `inputConditioning "${config.inputConditioning}" needs the run's training operand images to compute its statistics; none were given`,
    );
  }
  return images;
}

/** tf.Variables for the given values, checked against the config's specs (names, sizes). */
export function createParams(config: ModelConfig, values: ReadonlyMap<string, Float32Array>, source = 'parameters'): Map<string, tf.Variable> {
  const specs = paramSpecs(config);
  const expected = new Set(specs.map((s) => s.name));
  for (const name of values.keys()) {
    if (!expected.has(name)) throw new ModelError('param-unexpected', `${source}: tensor "${name}" is not a parameter of this model config`);
  }
  const params = new Map<string, tf.Variable>();
  for (const spec of specs) {
    const v = values.get(spec.name);
    if (!v) throw new ModelError('param-missing', `${source}: missing tensor "${spec.name}" of shape [${spec.shape}]`);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (v.length !== size) {
      throw new ModelError('param-shape', `${source}: tensor "${spec.name}" has ${v.length} values, expected shape [${spec.shape}] (${size} values)`);
    }
    // Unnamed: tfjs variable names are global, and two models (e.g. a run and its control) must coexist.
    params.set(
      spec.name,
      tf.tidy(() => tf.variable(tf.tensor(v, spec.shape as number[], 'float32'), !spec.buffer)),
    );
  }
  return params;
}

/** Reads every parameter back to plain arrays (for checkpoints and analysis). */
export async function readParams(params: Params): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, v] of params) out.set(name, (await v.data()) as Float32Array);
  return out;
}

export function disposeParams(params: Params): void {
  for (const v of params.values()) v.dispose();
}

export function countParams(config: ModelConfig): number {
  return paramSpecs(config).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
}
