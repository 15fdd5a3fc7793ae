// The DiT's configuration (paper Figure 7, Appendix A): image side, patch size, width, heads, FFN width,
// depth, the optional "FFN sandwich" (an extra FFN between embedding and attention, paper Sec. 4 for
// N = 256), normalisation and how time enters. Validated here, at the boundary, with errors that name the
// field and say what would fit.

import { ModelError } from '../errors.ts';

export type NormKind = 'none' | 'layernorm';

/**
 * How the operand images a and b are conditioned before the patch embedding (issue 27; the paper is silent).
 * Absent: the raw pixels in the registry's range [−1, 1] (every model made before the field existed). 'unit':
 * pixels mapped to [0, 1] (background 0). 'centered': the mean training operand image removed. 'standardised':
 * per-pixel mean removed and divided by the per-pixel standard deviation (plus a floor). 'zca': ZCA-whitened on
 * the training images (a diagnostic at N = 1: it turns the 23 images into near-orthogonal codes). The noisy
 * image of c and the target are never conditioned. The statistics are buffers of the model (input_cond.*),
 * computed once from the run's training images (model/input-conditioning.ts) and saved with the weights.
 */
export const INPUT_CONDITIONINGS = ['unit', 'centered', 'standardised', 'zca'] as const;
export type InputConditioning = (typeof INPUT_CONDITIONINGS)[number];

export interface ModelConfig {
  /** Modulus: number of symbols; the model itself only needs it for provenance and checks. */
  readonly P: number;
  /** Side of each (square) symbol image in pixels. */
  readonly imageSide: number;
  /** Side of a square patch; imageSide when each image is one token (three tokens a, b, c). */
  readonly patchSize: number;
  readonly dModel: number;
  readonly heads: number;
  readonly ffnWidth: number;
  /** Number of transformer blocks (paper: 1; depth ablation: 2). */
  readonly depth: number;
  /** The paper's "FFN sandwich": an extra FFN (with residual) before attention in each block. */
  readonly preAttentionFfn: boolean;
  /** Pre-normalisation inside the block ('none' keeps the residual stream linear for analysis). */
  readonly norm: NormKind;
  /** Width of the sinusoidal timestep features fed to the time MLP. */
  readonly timeFeatures: number;
  /** Multiplier on the default init std (1/sqrt(fan_in)); a grokking lever. */
  readonly initScale: number;
  /** Operand conditioning before the patch embedding; absent = raw pixels (see INPUT_CONDITIONINGS). */
  readonly inputConditioning?: InputConditioning;
}

export const MODEL_FIELDS: ReadonlyArray<keyof ModelConfig> = [
  'P',
  'imageSide',
  'patchSize',
  'dModel',
  'heads',
  'ffnWidth',
  'depth',
  'preAttentionFfn',
  'norm',
  'timeFeatures',
  'initScale',
];

/** Model fields that may be absent (the configs of runs made before they existed stay valid and unchanged). */
export const OPTIONAL_MODEL_FIELDS: ReadonlyArray<keyof ModelConfig> = ['inputConditioning'];

function positiveInt(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ModelError('config-field', `model config field "${field}" must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Validates a model config (from a preset, overrides or a checkpoint's JSON) and returns it typed. */
export function validateModelConfig(raw: Record<string, unknown>, source = 'model config'): ModelConfig {
  for (const key of Object.keys(raw)) {
    if (!(MODEL_FIELDS as readonly string[]).includes(key) && !(OPTIONAL_MODEL_FIELDS as readonly string[]).includes(key)) {
      throw new ModelError(
        'config-unknown-field',
        `${source}: unknown field "${key}"; known fields: ${[...MODEL_FIELDS, ...OPTIONAL_MODEL_FIELDS].join(', ')}`,
      );
    }
  }
  for (const key of MODEL_FIELDS) {
    if (raw[key] === undefined) throw new ModelError('config-missing-field', `${source}: missing field "${key}"`);
  }
  const P = positiveInt('P', raw.P);
  if (P < 2) throw new ModelError('config-field', `${source}: P must be at least 2, got ${P}`);
  const imageSide = positiveInt('imageSide', raw.imageSide);
  const patchSize = positiveInt('patchSize', raw.patchSize);
  if (imageSide % patchSize !== 0) {
    throw new ModelError(
      'config-patch',
      `${source}: imageSide ${imageSide} is not divisible by patchSize ${patchSize}; choose a patch size that divides ${imageSide} (e.g. ${divisors(imageSide).join(', ')})`,
    );
  }
  const dModel = positiveInt('dModel', raw.dModel);
  const heads = positiveInt('heads', raw.heads);
  if (dModel % heads !== 0) {
    throw new ModelError(
      'config-heads',
      `${source}: heads ${heads} does not divide dModel ${dModel}; use one of ${divisors(dModel)
        .filter((h) => h <= 64)
        .join(', ')}`,
    );
  }
  const norm = raw.norm;
  if (norm !== 'none' && norm !== 'layernorm') {
    throw new ModelError('config-field', `${source}: norm must be "none" or "layernorm", got ${JSON.stringify(norm)}`);
  }
  if (typeof raw.preAttentionFfn !== 'boolean') {
    throw new ModelError('config-field', `${source}: preAttentionFfn must be true or false, got ${JSON.stringify(raw.preAttentionFfn)}`);
  }
  const timeFeatures = positiveInt('timeFeatures', raw.timeFeatures);
  if (timeFeatures % 2 !== 0) throw new ModelError('config-field', `${source}: timeFeatures must be even, got ${timeFeatures}`);
  const initScale = raw.initScale;
  if (typeof initScale !== 'number' || !Number.isFinite(initScale) || initScale <= 0) {
    throw new ModelError('config-field', `${source}: initScale must be a positive number, got ${JSON.stringify(initScale)}`);
  }
  const conditioning = raw.inputConditioning;
  if (conditioning !== undefined && conditioning !== 'raw' && !(INPUT_CONDITIONINGS as readonly unknown[]).includes(conditioning)) {
    throw new ModelError(
      'config-field',
      `${source}: inputConditioning must be one of "raw", ${INPUT_CONDITIONINGS.map((x) => `"${x}"`).join(', ')}, got ${JSON.stringify(conditioning)}`,
    );
  }
  return {
    P,
    imageSide,
    patchSize,
    dModel,
    heads,
    ffnWidth: positiveInt('ffnWidth', raw.ffnWidth),
    depth: positiveInt('depth', raw.depth),
    preAttentionFfn: raw.preAttentionFfn,
    norm,
    timeFeatures,
    initScale,
    // "raw" is accepted as the explicit name of the default and stored as absent, so a config means one thing.
    ...(conditioning !== undefined && conditioning !== 'raw' ? { inputConditioning: conditioning as InputConditioning } : {}),
  };
}

function divisors(n: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= n; d++) if (n % d === 0) out.push(d);
  return out;
}

/** Derived shapes: tokens per image, tokens in all, pixels per patch, per-head width. */
export function modelShapes(config: ModelConfig): {
  patchesPerImage: number;
  tokens: number;
  patchPixels: number;
  headDim: number;
  pixels: number;
} {
  const perSide = config.imageSide / config.patchSize;
  const patchesPerImage = perSide * perSide;
  return {
    patchesPerImage,
    tokens: 3 * patchesPerImage,
    patchPixels: config.patchSize * config.patchSize,
    headDim: config.dModel / config.heads,
    pixels: config.imageSide * config.imageSide,
  };
}
