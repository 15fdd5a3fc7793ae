// The PyTorch layout of a grokdiff model (issue 30, "bring your own model"; docs/BRING-YOUR-OWN.md): the same
// tensor names as grokdiff's (src/model/params.ts: the state_dict keys of the module in docs/pytorch/), with
// every nn.Linear weight stored [out, in] as PyTorch does (grokdiff stores [in, out]); everything else (biases,
// norm gains, pos_embed [tokens, d], the input-conditioning buffers input_cond.*) has one layout in both. A file
// may carry `reference.x0hat`: the module's x̂0 on the documented reference input (referenceInput), which the
// import compares with grokdiff's own forward pass (eval/function-check.ts), because a transposed square matrix
// has the right shape. Also the JSON config that travels with such a file (its model and data fields, and the
// user's own training pairs when the novel pairs are defined by their split). Pure: no tfjs.

import { CheckpointError, ConfigError } from '../errors.ts';
import { fromHalfArray } from '../io/half-precision.ts';
import type { SafetensorsFile, TensorMap } from '../io/safetensors.ts';
import type { ModelConfig } from '../model/config.ts';
import { paramSpecs, type ParamSpec } from '../model/params.ts';
import { pairAt, type Pair } from '../data/pairs.ts';
import { validateRunConfig, type RunConfig } from './config.ts';
import { getPreset } from './presets.ts';

/** The `format` of the JSON config beside a PyTorch-layout file (written by export, read by import). */
export const PYTORCH_CONFIG_FORMAT = 'grokdiff-pytorch-v1';
/** The preset name of an imported run's config (it was not made from a preset). */
export const IMPORTED_PRESET = 'imported';
/** The preset whose train section fills the train fields an import config leaves out (they are recorded, never used to train). */
export const IMPORT_TRAIN_DEFAULTS_PRESET = 'paper-n1';

/** The optional tensor with the module's x̂0 on the reference input, [REFERENCE_BATCH, S·S]. */
export const REFERENCE_TENSOR = 'reference.x0hat';
/** Noise levels of the reference input's examples (one each). */
export const REFERENCE_T: readonly number[] = [0.95, 0.6, 0.3, 0.05];
export const REFERENCE_BATCH = REFERENCE_T.length;

export interface ReferenceInput {
  /** [REFERENCE_BATCH, pixels] each, row-major. */
  readonly xa: Float32Array;
  readonly xb: Float32Array;
  readonly xt: Float32Array;
  /** [REFERENCE_BATCH]. */
  readonly t: Float32Array;
}

/**
 * The fixed input on which a file's reference output is computed (docs/BRING-YOUR-OWN.md gives the same
 * formulas in Python): for example i and pixel j, computed in float64 and rounded to float32,
 *   xa[i, j] = sin(0.37·(j + 1) + 1.3·i),  xb[i, j] = cos(0.23·(j + 1) − 0.7·i),  xt[i, j] = sin(0.11·(j + 1)·(i + 1)),
 * and t = REFERENCE_T.
 */
export function referenceInput(pixels: number): ReferenceInput {
  const B = REFERENCE_BATCH;
  const xa = new Float32Array(B * pixels);
  const xb = new Float32Array(B * pixels);
  const xt = new Float32Array(B * pixels);
  for (let i = 0; i < B; i++) {
    for (let j = 0; j < pixels; j++) {
      xa[i * pixels + j] = Math.sin(0.37 * (j + 1) + 1.3 * i);
      xb[i * pixels + j] = Math.cos(0.23 * (j + 1) - 0.7 * i);
      xt[i * pixels + j] = Math.sin(0.11 * (j + 1) * (i + 1));
    }
  }
  return { xa, xb, xt, t: Float32Array.from(REFERENCE_T) };
}

/** Whether PyTorch stores this parameter transposed: an nn.Linear weight ([out, in] there, [in, out] in grokdiff). */
export function transposedInPytorch(spec: ParamSpec): boolean {
  return spec.init === 'weight';
}

/** A parameter's shape in the PyTorch layout. */
export function pytorchShape(spec: ParamSpec): number[] {
  return transposedInPytorch(spec) ? [spec.shape[1], spec.shape[0]] : [...spec.shape];
}

/** The transpose of a row-major [rows, cols] matrix (a new array, [cols, rows]). */
export function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/** A model's weights (grokdiff layout) as PyTorch-layout F32 tensors, in the order of the parameter specs. */
export function toPytorchTensors(model: ModelConfig, weights: ReadonlyMap<string, Float32Array>): TensorMap {
  const out: TensorMap = {};
  for (const spec of paramSpecs(model)) {
    const data = weights.get(spec.name);
    if (!data) throw new CheckpointError('export-missing', `cannot export: parameter "${spec.name}" has no value`);
    out[spec.name] = {
      dtype: 'F32',
      shape: pytorchShape(spec),
      data: transposedInPytorch(spec) ? transpose(data, spec.shape[0], spec.shape[1]) : Float32Array.from(data),
    };
  }
  return out;
}

/** What a PyTorch-layout file holds, converted: the weights in grokdiff's layout and the reference output, if any. */
export interface ConvertedWeights {
  readonly weights: Map<string, Float32Array>;
  readonly reference: Float32Array | null;
}

/** Float32 values of a tensor of a float dtype that widens exactly (F32, F16, BF16); null for any other dtype. */
function widen(t: SafetensorsFile['tensors'][string]): Float32Array | null {
  switch (t.dtype) {
    case 'F32':
      return t.data;
    case 'F16':
      return fromHalfArray(t.data);
    case 'BF16': {
      const out = new Float32Array(t.data.length);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < t.data.length; i++) bits[i] = t.data[i] << 16;
      return out;
    }
    default:
      return null;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function checkedValues(source: string, name: string, t: SafetensorsFile['tensors'][string], expected: readonly number[], layoutNote: string): Float32Array {
  const data = widen(t);
  if (!data) {
    throw new CheckpointError(
      'import-dtype',
      `${source}: tensor "${name}" has dtype ${t.dtype}; expected F32 (F16 and BF16 are widened exactly): save it with tensor.float()`,
    );
  }
  if (!sameShape(t.shape, expected)) {
    const reversed = expected.length === 2 && sameShape(t.shape, [expected[1], expected[0]]);
    throw new CheckpointError(
      'import-shape',
      `${source}: tensor "${name}" has shape [${t.shape}], but the config needs [${expected}]${layoutNote}` +
        (reversed ? ` — [${t.shape}] is grokdiff's own [in, out] layout: save nn.Linear.weight as PyTorch keeps it, [out, in], without .T` : ''),
    );
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new CheckpointError('import-nonfinite', `${source}: tensor "${name}" holds ${data[i]} at element ${i}`);
  }
  return data;
}

/**
 * Reads the tensors of a PyTorch-layout file for a model config: every parameter present with its PyTorch shape
 * and a float dtype, finite; nothing else but the optional reference output. Each mismatch is a CheckpointError
 * naming the tensor: 'import-unexpected', 'import-missing', 'import-shape', 'import-dtype', 'import-nonfinite'.
 */
export function fromPytorchTensors(model: ModelConfig, file: SafetensorsFile, source: string): ConvertedWeights {
  const specs = paramSpecs(model);
  const known = new Set(specs.map((s) => s.name));
  for (const name of Object.keys(file.tensors)) {
    if (!known.has(name) && name !== REFERENCE_TENSOR) {
      throw new CheckpointError(
        'import-unexpected',
        `${source}: tensor "${name}" is not a parameter of the model its config describes (${specs.length} tensors expected, named as in docs/BRING-YOUR-OWN.md; e.g. ${specs
          .slice(0, 3)
          .map((s) => s.name)
          .join(', ')})`,
      );
    }
  }
  const weights = new Map<string, Float32Array>();
  for (const spec of specs) {
    const t = file.tensors[spec.name];
    const shape = pytorchShape(spec);
    if (!t) throw new CheckpointError('import-missing', `${source}: tensor "${spec.name}" (PyTorch shape [${shape}]) is missing`);
    const note = transposedInPytorch(spec) ? ' (nn.Linear weight, PyTorch layout [out, in])' : '';
    const data = checkedValues(source, spec.name, t, shape, note);
    weights.set(spec.name, transposedInPytorch(spec) ? transpose(data, shape[0], shape[1]) : Float32Array.from(data));
  }
  const ref = file.tensors[REFERENCE_TENSOR];
  const pixels = model.imageSide * model.imageSide;
  const reference = ref ? checkedValues(source, REFERENCE_TENSOR, ref, [REFERENCE_BATCH, pixels], ' (the x̂0 of the reference input: [4, S·S])') : null;
  return { weights, reference };
}

// ---- the JSON config of a PyTorch-layout file --------------------------------------------------------------

/** A config read for import: the run config it becomes, and the user's training pairs (null: the split of the seed). */
export interface ImportConfig {
  readonly config: RunConfig;
  readonly trainPairs: readonly Pair[] | null;
  /** The optimiser step of the model (the imported checkpoint's step): `step`, else train.steps. */
  readonly step: number;
  /** Free-form note of where the model came from (export writes the run folder, preset and step), recorded as is. */
  readonly origin: unknown;
}

const TOP_FIELDS = ['format', 'seed', 'step', 'data', 'model', 'train', 'origin'] as const;
const DATA_FIELDS = ['P', 'N', 'dataset', 'trainingRatio', 'shuffleTargets', 'split', 'trainPairs'] as const;

function object(source: string, field: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ConfigError('import-config', `${source}: "${field}" must be an object, got ${JSON.stringify(v)}`);
  return v as Record<string, unknown>;
}

function onlyKnown(source: string, section: string, raw: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) {
      throw new ConfigError('import-config', `${source}: unknown field "${section}${key}"; known: ${known.map((k) => `${section}${k}`).join(', ')}`);
    }
  }
}

/** The user's training pairs: [[a, b], ...], distinct, each operand in 0..P−1, leaving at least one pair held out. */
function parseTrainPairs(source: string, raw: unknown, P: number): Pair[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new ConfigError('import-config', `${source}: data.trainPairs must be a non-empty array of [a, b] pairs`);
  const seen = new Set<number>();
  const pairs = raw.map((item, i) => {
    const ok = Array.isArray(item) && item.length === 2 && item.every((x) => Number.isInteger(x) && x >= 0 && x < P);
    if (!ok)
      throw new ConfigError('import-config', `${source}: data.trainPairs[${i}] must be [a, b] with integers 0 ≤ a, b < P = ${P}, got ${JSON.stringify(item)}`);
    const index = (item[0] as number) * P + (item[1] as number);
    if (seen.has(index)) throw new ConfigError('import-config', `${source}: data.trainPairs[${i}] ${JSON.stringify(item)} is listed twice`);
    seen.add(index);
    return pairAt(P, index);
  });
  if (pairs.length >= P * P) throw new ConfigError('import-config', `${source}: data.trainPairs lists all ${P * P} pairs; at least one must be held out`);
  return pairs.sort((x, y) => x.a * P + x.b - (y.a * P + y.b));
}

/**
 * Reads the JSON config of a PyTorch-layout file (docs/BRING-YOUR-OWN.md, "The config"): format, seed, data (P, N,
 * dataset, and either trainingRatio [+ split] — our split of the seed — or trainPairs, the user's own), model (any
 * valid values; initScale defaults to 1: it only shapes the untrained control), train (steps required: the
 * training budget; the other fields default to the paper-n1 preset's and are recorded, never used to train) and
 * step (the model's optimiser step, the checkpoint's step; default train.steps). A bad field is a ConfigError
 * naming it.
 */
export function parseImportConfig(raw: unknown, source: string): ImportConfig {
  const top = object(source, '(root)', raw);
  onlyKnown(source, '', top, TOP_FIELDS);
  if (top.format !== PYTORCH_CONFIG_FORMAT) {
    throw new ConfigError('import-config', `${source}: "format" must be "${PYTORCH_CONFIG_FORMAT}", got ${JSON.stringify(top.format)}`);
  }
  const data = object(source, 'data', top.data);
  onlyKnown(source, 'data.', data, DATA_FIELDS);
  const P = data.P;
  if (typeof P !== 'number' || !Number.isInteger(P) || P < 2)
    throw new ConfigError('import-config', `${source}: data.P must be an integer ≥ 2, got ${JSON.stringify(P)}`);
  let trainPairs: Pair[] | null = null;
  let trainingRatio = data.trainingRatio;
  if (data.trainPairs !== undefined) {
    if (data.split !== undefined)
      throw new ConfigError('import-config', `${source}: data.split and data.trainPairs exclude each other (trainPairs is the split)`);
    if (data.shuffleTargets === true)
      throw new ConfigError('import-config', `${source}: data.trainPairs lists true sums (a + b) mod P; data.shuffleTargets must be false with it`);
    trainPairs = parseTrainPairs(source, data.trainPairs, P);
    if (trainingRatio !== undefined) {
      throw new ConfigError('import-config', `${source}: data.trainingRatio is implied by data.trainPairs (${trainPairs.length} of ${P * P}); leave it out`);
    }
    trainingRatio = trainPairs.length / (P * P);
  } else if (trainingRatio === undefined) {
    throw new ConfigError('import-config', `${source}: data needs either trainingRatio (our split of the seed) or trainPairs (your own training pairs)`);
  }
  const { trainPairs: _pairs, ...dataFields } = data;
  const model = object(source, 'model', top.model);
  const train = object(source, 'train', top.train ?? {});
  if (train.steps === undefined) {
    throw new ConfigError('import-config', `${source}: train.steps is missing: give the number of optimiser steps the model was trained for`);
  }
  if (top.step !== undefined && (typeof top.step !== 'number' || !Number.isInteger(top.step) || top.step < 0)) {
    throw new ConfigError('import-config', `${source}: "step" must be the model's optimiser step, an integer ≥ 0, got ${JSON.stringify(top.step)}`);
  }
  const defaults = getPreset(IMPORT_TRAIN_DEFAULTS_PRESET).train;
  const config = validateRunConfig(
    {
      preset: IMPORTED_PRESET,
      seed: top.seed,
      data: { shuffleTargets: false, ...dataFields, trainingRatio },
      model: { initScale: 1, ...model },
      train: { ...defaults, ...train },
    },
    source,
  );
  return { config, trainPairs, step: (top.step as number | undefined) ?? config.train.steps, origin: top.origin ?? null };
}

/** The JSON config written beside an exported file: what parseImportConfig reads back into the same run config and step. */
export function exportConfig(config: RunConfig, step: number, trainPairs: readonly Pair[] | null, origin: unknown): Record<string, unknown> {
  const data: Record<string, unknown> = { ...config.data };
  if (trainPairs) {
    delete data.trainingRatio;
    delete data.split;
    data.trainPairs = trainPairs.map((p) => [p.a, p.b]);
  }
  return { format: PYTORCH_CONFIG_FORMAT, seed: config.seed, step, data, model: config.model, train: config.train, origin };
}
