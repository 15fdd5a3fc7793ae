// A run's configuration: data (P, N, R, image side), model (see model/config.ts) and training (AdamW,
// warm-up, budget, evaluation and checkpoint cadence). Presets (src/train/presets.ts) give whole configs;
// `--set section.field=value` overrides are parsed and validated here, at the boundary, with errors that
// name the key and say what is accepted.

import { ConfigError } from '../errors.ts';
import { MODEL_FIELDS, modelShapes, OPTIONAL_MODEL_FIELDS, validateModelConfig, type ModelConfig } from '../model/config.ts';
import { paramSpecs } from '../model/params.ts';
import { SPLIT_KINDS, type SplitKind } from '../data/pairs.ts';
import { X0_OBJECTIVE, type FlowObjective } from '../flow/rectified-flow.ts';
import { PAPER } from '../paper/registry.ts';

export const DATASETS = ['emnist', 'k49'] as const;
export type Dataset = (typeof DATASETS)[number];

export interface DataConfig {
  /** Modulus / number of symbols. */
  readonly P: number;
  /** Images per symbol used in training. */
  readonly N: number;
  /** Fraction of the P² pairs used for training (paper R). */
  readonly trainingRatio: number;
  /** Data set of the symbol images: EMNIST (committed fixtures) or Kuzushiji-49 (official files given by the user). */
  readonly dataset: Dataset;
  /** Replace the c labels by a fixed random permutation of the pairs (negative control: no structure). */
  readonly shuffleTargets: boolean;
  /**
   * 'unordered' keeps a pair and its mirror (b, a) on the same side of the split (data/pairs.ts). Absent means
   * 'ordered' (the paper's split): the field is written only when it is 'unordered', so the configs of runs made
   * before it existed stay valid and unchanged.
   */
  readonly split?: 'unordered';
  /**
   * Seed of the run's data stream (the symbol images drawn, the pair split, the evaluation images) when it is to
   * differ from the run seed, which then seeds only the initialisation and the training draws: a diagnostic that
   * tells apart what a seed's data and its initialisation do (issue 27). Absent: the run seed, as always.
   */
  readonly seed?: number;
}

export interface TrainConfig {
  readonly steps: number;
  readonly lr: number;
  readonly warmupSteps: number;
  readonly weightDecay: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Evaluate generation accuracy every this many steps (and at the end). */
  readonly evalEvery: number;
  /** Write a checkpoint every this many steps (and at the end). */
  readonly checkpointEvery: number;
  /** Noise draws per pair in evaluation (paper M). */
  readonly evalDraws: number;
  /** Euler steps of the sampler in evaluation (paper K). */
  readonly samplingSteps: number;
  /** Stop once train and held-out accuracy have both held their levels for this many evaluations (0 = never). */
  readonly stopAfterGrokEvals: number;
  /**
   * Learning rate after the warm-up: absent means constant (every run made before the field existed, whose
   * configs stay valid and unchanged); 'cosine' decays it from lr to 0 at `steps` (half a cosine). Extending a
   * run with `--resume --steps N` recomputes the cosine over the new budget: the rate jumps up where it resumes.
   */
  readonly lrSchedule?: 'cosine';
  /**
   * What the loss weighs (issue 27, registry `lossWeighting`): absent = the MSE on x̂0 (every run made before the
   * field existed); 'velocity' = the loss on v = (x_t − x̂0)/t that Appendix A names, i.e. the x0 error weighted
   * by 1 / max(t, lossMinT)².
   */
  readonly lossWeighting?: 'velocity';
  /** Clip of t from below in the velocity weighting (present exactly when lossWeighting is 'velocity'). */
  readonly lossMinT?: number;
  /**
   * The law of t in training (registry `timeDistribution`): absent = U(0, 1); 'logit-normal' = sigmoid(m + s·z),
   * z ~ N(0, 1), with m = timeLocation and s = timeScale (present exactly when the law is logit-normal).
   */
  readonly timeLaw?: 'logit-normal';
  readonly timeLocation?: number;
  readonly timeScale?: number;
}

export interface RunConfig {
  readonly preset: string;
  readonly seed: number;
  readonly data: DataConfig;
  readonly model: Omit<ModelConfig, 'P'>;
  readonly train: TrainConfig;
}

const DATA_FIELDS = ['P', 'N', 'trainingRatio', 'dataset', 'shuffleTargets'] as const;
/** Data fields that may be absent (with their meaning when absent). */
const OPTIONAL_DATA_FIELDS = ['split', 'seed'] as const;
/** Train fields that may be absent (with their meaning when absent). */
const OPTIONAL_TRAIN_FIELDS = ['lrSchedule', 'lossWeighting', 'lossMinT', 'timeLaw', 'timeLocation', 'timeScale'] as const;
const LR_SCHEDULES = ['constant', 'cosine'] as const;
const TRAIN_FIELDS = [
  'steps',
  'lr',
  'warmupSteps',
  'weightDecay',
  'beta1',
  'beta2',
  'eps',
  'evalEvery',
  'checkpointEvery',
  'evalDraws',
  'samplingSteps',
  'stopAfterGrokEvals',
] as const;

// ---- Ranges (issue 31): what fits in memory and time ------------------------------------------------------
// Every numeric field has a range, checked before anything is written. The step counts are bounded by time, the
// evaluation's draws and Euler steps by the work of one evaluation, and the sizes a config implies (the
// parameters with their gradients and AdamW moments, the largest activation of a training step or an
// evaluation batch, the symbol images) by memory: runSizes computes them, checkRunSizes refuses what does not fit.

/** Most steps of a run (and of its warm-up, cadences, early stop): 100 × the paper-width budget (registry paperWidthTraining). */
export const MAX_STEPS = 100 * PAPER.paperWidthTraining.value.steps;
/** Most noise draws per pair in an evaluation (also `grokdiff eval --draws`). */
export const MAX_EVAL_DRAWS = 256;
/** Most Euler steps of the sampler (also `grokdiff eval --steps`). */
export const MAX_SAMPLING_STEPS = 10_000;
/** Most model passes of one evaluation (K Euler steps × M draws × P² pairs): 1000 × the paper's (K = 50, M = 1, P = 23; registry). */
export const MAX_EVAL_PASSES = 1000 * PAPER.samplingSteps.value * PAPER.modulus.value ** 2;
/** Largest float32 tensor a run may need: 2^28 values (1 GiB), a quarter of the wasm backend's 4 GiB memory. */
export const MAX_TENSOR_VALUES = 2 ** 28;
/** Most parameters: each is held four times in float32 (weight, gradient, AdamW's m and v), 2 GiB in all. */
export const MAX_PARAMETERS = 2 ** 27;
/** Most transformer blocks (the paper trains 1, its depth ablation 2; registry depth, depthTwoGroks). */
export const MAX_DEPTH = 64;

function int(source: string, field: string, v: unknown, min: number, max: number = Number.MAX_SAFE_INTEGER, why = ''): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}${why ? ` (${why})` : ''}`;
    throw new ConfigError('config-field', `${source}: ${field} must be an integer ${range}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** A finite number in a range: '[]' closed, '()' open, '[)' closed below and open above. */
function num(source: string, field: string, v: unknown, lo: number, hi: number, bounds: '[]' | '()' | '[)' = '[]'): number {
  const above = bounds === '()' ? (x: number) => x > lo : (x: number) => x >= lo;
  const below = bounds === '[]' ? (x: number) => x <= hi : (x: number) => x < hi;
  const ok = typeof v === 'number' && Number.isFinite(v) && above(v) && below(v);
  if (!ok) {
    const range = `in ${bounds[0]}${lo}, ${hi}${bounds[1]}`;
    throw new ConfigError('config-field', `${source}: ${field} must be a number ${range}, got ${JSON.stringify(v)}`);
  }
  return v as number;
}

function checkKeys(source: string, section: string, raw: Record<string, unknown>, known: readonly string[], optional: readonly string[] = []): void {
  for (const key of Object.keys(raw)) {
    if (!known.includes(key) && !optional.includes(key)) {
      throw new ConfigError('config-unknown-field', `${source}: unknown field "${section}.${key}"; known: ${known.map((k) => `${section}.${k}`).join(', ')}`);
    }
  }
  for (const key of known) {
    if (raw[key] === undefined) throw new ConfigError('config-missing-field', `${source}: missing field "${section}.${key}"`);
  }
}

function asObject(source: string, section: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ConfigError('config-section', `${source}: "${section}" must be an object, got ${JSON.stringify(v)}`);
  }
  return v as Record<string, unknown>;
}

function dataSeed(source: string, v: unknown): number {
  return int(source, 'data.seed', v, 0, 0xffffffff, 'a run seed');
}

/** Validates a whole run config (from a preset with overrides, or a checkpoint's config.json). */
export function validateRunConfig(raw: unknown, source = 'run config'): RunConfig {
  const top = asObject(source, 'config', raw);
  checkKeys(source, 'config', top, ['preset', 'seed', 'data', 'model', 'train']);
  if (typeof top.preset !== 'string' || top.preset === '') throw new ConfigError('config-field', `${source}: preset must be a non-empty string`);
  const seed = int(source, 'seed', top.seed, 0);
  if (seed > 0xffffffff) throw new ConfigError('config-field', `${source}: seed must be < 2^32, got ${seed}`);

  const d = asObject(source, 'data', top.data);
  checkKeys(source, 'data', d, DATA_FIELDS, OPTIONAL_DATA_FIELDS);
  if (d.split !== undefined && !SPLIT_KINDS.includes(d.split as SplitKind)) {
    throw new ConfigError(
      'config-field',
      `${source}: data.split must be one of ${SPLIT_KINDS.map((x) => `"${x}"`).join(', ')}, got ${JSON.stringify(d.split)}`,
    );
  }
  if (!DATASETS.includes(d.dataset as Dataset)) {
    throw new ConfigError(
      'config-field',
      `${source}: data.dataset must be one of ${DATASETS.map((x) => `"${x}"`).join(', ')}, got ${JSON.stringify(d.dataset)}`,
    );
  }
  if (typeof d.shuffleTargets !== 'boolean') throw new ConfigError('config-field', `${source}: data.shuffleTargets must be true or false`);
  const data: DataConfig = {
    P: int(source, 'data.P', d.P, 2),
    N: int(source, 'data.N', d.N, 1),
    trainingRatio: num(source, 'data.trainingRatio', d.trainingRatio, 0, 1, '()'),
    dataset: d.dataset as Dataset,
    shuffleTargets: d.shuffleTargets,
    ...(d.split === 'unordered' ? { split: 'unordered' as const } : {}),
    ...(d.seed !== undefined ? { seed: dataSeed(source, d.seed) } : {}),
  };

  const m = asObject(source, 'model', top.model);
  if ('P' in m) throw new ConfigError('config-unknown-field', `${source}: model.P is not a field; set data.P`);
  const model = validateModelConfig({ ...m, P: data.P }, `${source} (model)`);
  const { P: _p, ...modelWithoutP } = model;

  const t = asObject(source, 'train', top.train);
  checkKeys(source, 'train', t, TRAIN_FIELDS, OPTIONAL_TRAIN_FIELDS);
  if (t.lrSchedule !== undefined && !LR_SCHEDULES.includes(t.lrSchedule as (typeof LR_SCHEDULES)[number])) {
    throw new ConfigError(
      'config-field',
      `${source}: train.lrSchedule must be one of ${LR_SCHEDULES.map((x) => `"${x}"`).join(', ')}, got ${JSON.stringify(t.lrSchedule)}`,
    );
  }
  const steps = (field: string, v: unknown, min: number): number =>
    int(source, field, v, min, MAX_STEPS, '100 × the paper-width budget, registry paperWidthTraining');
  const train: TrainConfig = {
    steps: steps('train.steps', t.steps, 1),
    lr: num(source, 'train.lr', t.lr, 0, 10, '()'),
    warmupSteps: steps('train.warmupSteps', t.warmupSteps, 0),
    weightDecay: num(source, 'train.weightDecay', t.weightDecay, 0, 100),
    // AdamW divides by 1 − β^t: β = 1 cannot run (engine/adamw.ts).
    beta1: num(source, 'train.beta1', t.beta1, 0, 1, '[)'),
    beta2: num(source, 'train.beta2', t.beta2, 0, 1, '[)'),
    eps: num(source, 'train.eps', t.eps, 0, 1, '()'),
    evalEvery: steps('train.evalEvery', t.evalEvery, 1),
    checkpointEvery: steps('train.checkpointEvery', t.checkpointEvery, 1),
    evalDraws: int(source, 'train.evalDraws', t.evalDraws, 1, MAX_EVAL_DRAWS),
    samplingSteps: int(source, 'train.samplingSteps', t.samplingSteps, 1, MAX_SAMPLING_STEPS),
    stopAfterGrokEvals: steps('train.stopAfterGrokEvals', t.stopAfterGrokEvals, 0),
    ...(t.lrSchedule === 'cosine' ? { lrSchedule: 'cosine' as const } : {}),
    ...lossFields(source, t),
    ...timeLawFields(source, t),
  };
  const config: RunConfig = { preset: top.preset, seed, data, model: modelWithoutP, train };
  checkRunSizes(config, source);
  return config;
}

/** What a run's config implies in memory and time (issue 31); checkRunSizes holds each to its limit. */
export interface RunSizes {
  /** Parameters and buffers of the model. */
  readonly parameters: number;
  /** Float32 values of the symbol images (P · N images of side² pixels). */
  readonly symbolValues: number;
  /** Float32 values of the largest activation of one example (tokens × widest layer, or the attention scores). */
  readonly valuesPerExample: number;
  /** Examples in a full-batch training step (the training pairs: at most P²). */
  readonly trainExamples: number;
  /** Examples in one evaluation batch (pairs × evalDraws: at most P² · M). */
  readonly evalExamples: number;
  /** Model passes of one evaluation: K Euler steps × M draws × P² pairs. */
  readonly evalPasses: number;
}

/** The sizes a config implies (see RunSizes); bounds P² by all pairs, so it never depends on the split. */
export function runSizes(config: RunConfig): RunSizes {
  const model = runModelConfig(config);
  const { tokens, patchPixels, pixels } = modelShapes(model);
  const pairs = config.data.P * config.data.P;
  const widest = Math.max(model.dModel, model.ffnWidth, patchPixels, model.timeFeatures);
  return {
    parameters: paramSpecs(model).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0),
    symbolValues: config.data.P * config.data.N * pixels,
    valuesPerExample: Math.max(tokens * widest, model.heads * tokens * tokens, pixels),
    trainExamples: pairs,
    evalExamples: pairs * config.train.evalDraws,
    evalPasses: config.train.samplingSteps * config.train.evalDraws * pairs,
  };
}

/** Refuses a config whose sizes (runSizes) do not fit: a ConfigError 'config-size' that names the fields and the size. */
function checkRunSizes(config: RunConfig, source: string): void {
  const tooBig = (what: string): ConfigError => new ConfigError('config-size', `${source}: ${what}; nothing was written`);
  if (config.model.depth > MAX_DEPTH) throw tooBig(`model.depth ${config.model.depth} is above ${MAX_DEPTH} blocks`);
  const s = runSizes(config);
  const { P, N } = config.data;
  const { evalDraws: M, samplingSteps: K } = config.train;
  if (s.parameters > MAX_PARAMETERS) {
    throw tooBig(
      `the model has ${s.parameters} parameters (model.dModel, ffnWidth, depth, imageSide, patchSize, timeFeatures), above the ${MAX_PARAMETERS} that fit in memory (each is held as weight, gradient and two AdamW moments)`,
    );
  }
  if (s.symbolValues > MAX_TENSOR_VALUES) {
    throw tooBig(
      `data.P ${P} × data.N ${N} symbol images of ${config.model.imageSide}² pixels are ${s.symbolValues} values, above the ${MAX_TENSOR_VALUES} that fit in one tensor`,
    );
  }
  const perExample = `${s.valuesPerExample} values of the largest activation per example (model.dModel, ffnWidth, heads, imageSide / patchSize)`;
  if (s.trainExamples * s.valuesPerExample > MAX_TENSOR_VALUES) {
    throw tooBig(
      `a training step over up to data.P² = ${s.trainExamples} pairs × ${perExample} needs ${s.trainExamples * s.valuesPerExample}, above the ${MAX_TENSOR_VALUES} that fit in one tensor`,
    );
  }
  if (s.evalExamples * s.valuesPerExample > MAX_TENSOR_VALUES) {
    const fit = Math.max(0, Math.floor(MAX_TENSOR_VALUES / (s.trainExamples * s.valuesPerExample)));
    throw tooBig(
      `an evaluation batch of up to data.P² = ${s.trainExamples} pairs × train.evalDraws ${M} × ${perExample} needs ${s.evalExamples * s.valuesPerExample}, above the ${MAX_TENSOR_VALUES} that fit in one tensor (at most ${fit} draws fit this model)`,
    );
  }
  if (s.evalPasses > MAX_EVAL_PASSES) {
    throw tooBig(
      `one evaluation would make train.samplingSteps ${K} × train.evalDraws ${M} × data.P² ${P * P} = ${s.evalPasses} model passes, above ${MAX_EVAL_PASSES} (1000 × the paper's K = ${PAPER.samplingSteps.value} steps over P² = ${PAPER.modulus.value ** 2} pairs)`,
    );
  }
}

/** The default clip of t in the velocity weighting when `train.lossMinT` is not given (registry lossWeighting). */
const DEFAULT_LOSS_MIN_T = PAPER.lossWeighting.value.minT;
/** The logit-normal law's defaults when not given (registry timeDistribution: SD3's m = 0, s = 1). */
const DEFAULT_LOGIT_NORMAL = PAPER.timeDistribution.value.logitNormal;

/** lossWeighting and its lossMinT: 'x0' (or absent) stores nothing; lossMinT without 'velocity' is an error. */
function lossFields(source: string, t: Record<string, unknown>): Pick<TrainConfig, 'lossWeighting' | 'lossMinT'> {
  const kind = t.lossWeighting ?? 'x0';
  if (kind !== 'x0' && kind !== 'velocity') {
    throw new ConfigError('config-field', `${source}: train.lossWeighting must be "x0" or "velocity", got ${JSON.stringify(t.lossWeighting)}`);
  }
  if (kind === 'x0') {
    if (t.lossMinT !== undefined) throw new ConfigError('config-field', `${source}: train.lossMinT applies only with train.lossWeighting = "velocity"`);
    return {};
  }
  const minT = t.lossMinT ?? DEFAULT_LOSS_MIN_T;
  if (typeof minT !== 'number' || !Number.isFinite(minT) || minT <= 0 || minT > 1) {
    throw new ConfigError(
      'config-field',
      `${source}: train.lossMinT must be a number in (0, 1] (0 would make the weight 1 / max(t, lossMinT)² unbounded), got ${JSON.stringify(t.lossMinT)}`,
    );
  }
  return { lossWeighting: 'velocity', lossMinT: minT };
}

/** timeLaw and its parameters: 'uniform' (or absent) stores nothing; parameters without 'logit-normal' are errors. */
function timeLawFields(source: string, t: Record<string, unknown>): Pick<TrainConfig, 'timeLaw' | 'timeLocation' | 'timeScale'> {
  const law = t.timeLaw ?? 'uniform';
  if (law !== 'uniform' && law !== 'logit-normal') {
    throw new ConfigError('config-field', `${source}: train.timeLaw must be "uniform" or "logit-normal", got ${JSON.stringify(t.timeLaw)}`);
  }
  if (law === 'uniform') {
    if (t.timeLocation !== undefined || t.timeScale !== undefined) {
      throw new ConfigError('config-field', `${source}: train.timeLocation and train.timeScale apply only with train.timeLaw = "logit-normal"`);
    }
    return {};
  }
  return {
    timeLaw: 'logit-normal',
    timeLocation: num(source, 'train.timeLocation', t.timeLocation ?? DEFAULT_LOGIT_NORMAL.location, -5, 5),
    timeScale: num(source, 'train.timeScale', t.timeScale ?? DEFAULT_LOGIT_NORMAL.scale, 0, 5, '()'),
  };
}

/** The flow objective a run trains with (flow/rectified-flow.ts). */
export function runObjective(train: TrainConfig): FlowObjective {
  return train.lossWeighting === 'velocity' ? { lossWeighting: 'velocity', minT: train.lossMinT ?? DEFAULT_LOSS_MIN_T } : X0_OBJECTIVE;
}

/** The model config of a run (model fields plus data.P). */
export function runModelConfig(run: RunConfig): ModelConfig {
  return { ...run.model, P: run.data.P };
}

const SECTIONS: Record<string, readonly string[]> = {
  data: [...DATA_FIELDS, ...OPTIONAL_DATA_FIELDS],
  model: [...MODEL_FIELDS, ...OPTIONAL_MODEL_FIELDS].filter((f) => f !== 'P'),
  train: [...TRAIN_FIELDS, ...OPTIONAL_TRAIN_FIELDS],
};

/** Parses one `section.field=value` override; value is JSON when it parses as JSON, else a string. */
export function parseOverride(text: string): { section: string; field: string; value: unknown } {
  const m = /^([a-zA-Z]+)\.([a-zA-Z0-9]+)=(.*)$/.exec(text);
  if (!m) throw new ConfigError('override-syntax', `override "${text}" must look like section.field=value (e.g. train.lr=0.001)`);
  const [, section, field, rawValue] = m;
  const known = SECTIONS[section];
  if (!known) throw new ConfigError('override-unknown', `override "${text}": unknown section "${section}"; use data, model or train`);
  if (!known.includes(field)) {
    throw new ConfigError(
      'override-unknown',
      `override "${text}": unknown field "${section}.${field}"; known: ${known.map((k) => `${section}.${k}`).join(', ')}`,
    );
  }
  let value: unknown = rawValue;
  try {
    value = JSON.parse(rawValue);
  } catch {
    /* keep as string */
  }
  return { section, field, value };
}

/** Applies overrides to a config and validates the result. */
export function applyOverrides(base: RunConfig, overrides: readonly string[], extra: { seed?: number } = {}): RunConfig {
  const raw = JSON.parse(JSON.stringify(base)) as Record<string, Record<string, unknown>> & { seed: number };
  for (const text of overrides) {
    const { section, field, value } = parseOverride(text);
    raw[section][field] = value;
  }
  if (extra.seed !== undefined) raw.seed = extra.seed;
  return validateRunConfig(raw, `preset "${base.preset}" with overrides`);
}
