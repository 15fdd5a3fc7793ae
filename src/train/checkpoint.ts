// Checkpoints of a training run (issue #4 item 6): weights in safetensors (readable by PyTorch), the
// optimizer's moments in a second safetensors file, and JSON for the run config, step and RNG-free resume
// state, in checkpoints/step-N/ of the run folder (its layout and latest.json: run-folder.ts).
// Loading validates the config, then the weights against the config's parameter specs (names, dtypes,
// shapes), with errors that say which tensor is wrong and how to fix it.

import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError, GrokdiffError } from '../errors.ts';
import { paramSpecs } from '../model/params.ts';
import { readSafetensorsFile, writeSafetensorsFile, type TensorMap } from '../io/safetensors.ts';
import { fromHalfArray } from '../io/half-precision.ts';
import { writeJsonAtomic } from '../io/atomic-write.ts';
import { readJsonFile } from '../io/json-file.ts';
import { runModelConfig, validateRunConfig, type RunConfig } from './config.ts';
import { CHECKPOINT_FILES, checkpointDir, listCheckpoints, readLatest, runFile, writeLatest } from './run-folder.ts';

export const CHECKPOINT_FORMAT = 'grokdiff-dit-v1';

export interface OptimizerSnapshot {
  readonly step: number;
  readonly m: ReadonlyMap<string, Float32Array>;
  readonly v: ReadonlyMap<string, Float32Array>;
}

export interface CheckpointData {
  readonly config: RunConfig;
  readonly step: number;
  readonly weights: ReadonlyMap<string, Float32Array>;
  readonly optimizer?: OptimizerSnapshot;
  /** Directory the checkpoint was read from. */
  readonly dir: string;
  /** The trainer's running state at the checkpoint (loss accumulator, grokking streak), if saved. */
  readonly trainerState?: TrainerState;
}

/** What the training loop carries between evaluations, saved so a resume continues it exactly. */
export interface TrainerState {
  readonly lossSum: number;
  readonly lossCount: number;
  readonly grokStreak: number;
}

function weightsToTensors(config: RunConfig, values: ReadonlyMap<string, Float32Array>): TensorMap {
  const tensors: TensorMap = {};
  for (const spec of paramSpecs(runModelConfig(config))) {
    const data = values.get(spec.name);
    if (!data) throw new CheckpointError('weights-missing', `cannot save: parameter "${spec.name}" has no value`);
    tensors[spec.name] = { dtype: 'F32', shape: [...spec.shape], data };
  }
  return tensors;
}

/** Saves a checkpoint at `step` and then points latest.json at it. Older optimizer files are removed. */
export function saveCheckpoint(
  runDir: string,
  config: RunConfig,
  step: number,
  weights: ReadonlyMap<string, Float32Array>,
  optimizer?: OptimizerSnapshot,
  trainerState?: TrainerState,
): string {
  const dir = checkpointDir(runDir, step);
  const meta = { format: CHECKPOINT_FORMAT, step: String(step), preset: config.preset, seed: String(config.seed) };
  writeSafetensorsFile(join(dir, CHECKPOINT_FILES.weights), weightsToTensors(config, weights), meta);
  if (optimizer) {
    const tensors: TensorMap = {};
    for (const [name, m] of optimizer.m) tensors[`m.${name}`] = { dtype: 'F32', shape: [m.length], data: m };
    for (const [name, v] of optimizer.v) tensors[`v.${name}`] = { dtype: 'F32', shape: [v.length], data: v };
    writeSafetensorsFile(join(dir, CHECKPOINT_FILES.optimizer), tensors, { ...meta, optimizerStep: String(optimizer.step) });
  }
  writeJsonAtomic(join(dir, CHECKPOINT_FILES.state), {
    format: CHECKPOINT_FORMAT,
    step,
    config,
    optimizerStep: optimizer?.step ?? null,
    trainer: trainerState ?? null,
  });
  const previous = readLatest(runDir);
  writeLatest(runDir, step);
  if (previous && previous.step !== step && optimizer) {
    const old = join(runDir, previous.dir, CHECKPOINT_FILES.optimizer);
    if (existsSync(old)) rmSync(old);
  }
  return dir;
}

/**
 * Loads a checkpoint: `path` is a run directory (its latest checkpoint, or `step` if given) or a
 * checkpoint directory. Validates config and weights; optimizer state is included when present (and checked
 * finite) unless `optimizer: false`.
 */
export function loadCheckpoint(path: string, options: { step?: number; expect?: { P?: number; preset?: string }; optimizer?: boolean } = {}): CheckpointData {
  if (!existsSync(path)) throw new CheckpointError('checkpoint-missing', `checkpoint path ${path} does not exist`);
  let dir = path;
  if (existsSync(runFile(path, 'latest')) || existsSync(runFile(path, 'checkpoints'))) {
    if (options.step !== undefined) {
      dir = checkpointDir(path, options.step);
      if (!existsSync(dir)) {
        throw new CheckpointError(
          'checkpoint-missing',
          `${path} has no checkpoint at step ${options.step}; it has steps ${listCheckpoints(path).join(', ') || '(none)'}`,
        );
      }
    } else {
      const latest = readLatest(path);
      if (!latest) throw new CheckpointError('checkpoint-missing', `${path} has no latest.json: no checkpoint was completed in this run`);
      dir = join(path, latest.dir);
    }
  }
  const statePath = join(dir, CHECKPOINT_FILES.state);
  if (!existsSync(statePath)) throw new CheckpointError('checkpoint-missing', `${dir} is not a checkpoint directory (no state.json)`);
  const state = readJsonFile(statePath) as { format?: unknown; step?: unknown; config?: unknown; trainer?: unknown };
  if (state.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError('checkpoint-format', `${statePath}: format ${JSON.stringify(state.format)}, expected "${CHECKPOINT_FORMAT}"`);
  }
  if (typeof state.step !== 'number' || !Number.isInteger(state.step) || state.step < 0) {
    throw new CheckpointError('checkpoint-state', `${statePath}: step must be a non-negative integer, got ${JSON.stringify(state.step)}`);
  }
  let config: RunConfig;
  try {
    config = validateRunConfig(state.config, `${statePath} (config)`);
  } catch (err) {
    if (err instanceof GrokdiffError) throw new CheckpointError('checkpoint-config', err.message, { cause: err });
    throw err;
  }
  if (options.expect?.P !== undefined && config.data.P !== options.expect.P) {
    throw new CheckpointError('checkpoint-mismatch', `${dir}: checkpoint is for P = ${config.data.P}, but P = ${options.expect.P} was asked for`);
  }
  if (options.expect?.preset !== undefined && config.preset !== options.expect.preset) {
    throw new CheckpointError('checkpoint-mismatch', `${dir}: checkpoint is of preset "${config.preset}", expected "${options.expect.preset}"`);
  }
  const weights = readWeights(join(dir, CHECKPOINT_FILES.weights), config);
  const optPath = join(dir, CHECKPOINT_FILES.optimizer);
  const optimizer = options.optimizer !== false && existsSync(optPath) ? readOptimizer(optPath, weights) : undefined;
  const trainerState = parseTrainerState(state.trainer, statePath);
  return { config, step: state.step, weights, dir, ...(optimizer ? { optimizer } : {}), ...(trainerState ? { trainerState } : {}) };
}

function parseTrainerState(raw: unknown, path: string): TrainerState | undefined {
  if (raw === null || raw === undefined) return undefined;
  const t = raw as Record<string, unknown>;
  const ok = typeof t.lossSum === 'number' && Number.isInteger(t.lossCount) && Number.isInteger(t.grokStreak);
  if (!ok) throw new CheckpointError('checkpoint-state', `${path}: "trainer" must be {lossSum, lossCount, grokStreak}, got ${JSON.stringify(raw)}`);
  return { lossSum: t.lossSum as number, lossCount: t.lossCount as number, grokStreak: t.grokStreak as number };
}

function readWeights(path: string, config: RunConfig): Map<string, Float32Array> {
  if (!existsSync(path)) throw new CheckpointError('weights-missing', `${path} does not exist`);
  const file = readSafetensorsFile(path);
  const specs = paramSpecs(runModelConfig(config));
  const expected = new Set(specs.map((s) => s.name));
  for (const name of Object.keys(file.tensors)) {
    if (!expected.has(name)) throw new CheckpointError('weights-unexpected', `${path}: tensor "${name}" is not a parameter of the model in its config.json`);
  }
  const out = new Map<string, Float32Array>();
  for (const spec of specs) {
    const t = file.tensors[spec.name];
    if (!t) throw new CheckpointError('weights-missing', `${path}: tensor "${spec.name}" (shape [${spec.shape}]) is missing`);
    // F16 is a storage format of compact fixtures (train/compact.ts), widened exactly to float32 here.
    if (t.dtype !== 'F32' && t.dtype !== 'F16')
      throw new CheckpointError('weights-dtype', `${path}: tensor "${spec.name}" has dtype ${t.dtype}, expected F32 (or F16)`);
    if (t.shape.length !== spec.shape.length || t.shape.some((d, i) => d !== spec.shape[i])) {
      throw new CheckpointError('weights-shape', `${path}: tensor "${spec.name}" has shape [${t.shape}], but the config needs [${spec.shape}]`);
    }
    const data = t.dtype === 'F16' ? fromHalfArray(t.data) : t.data;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) throw new CheckpointError('weights-nonfinite', `${path}: tensor "${spec.name}" holds a non-finite value at element ${i}`);
    }
    out.set(spec.name, data);
  }
  return out;
}

function readOptimizer(path: string, weights: ReadonlyMap<string, Float32Array>): OptimizerSnapshot {
  const file = readSafetensorsFile(path);
  const step = Number(file.metadata.optimizerStep);
  if (!Number.isInteger(step) || step < 0) throw new CheckpointError('optimizer-state', `${path}: metadata optimizerStep missing or invalid`);
  const m = new Map<string, Float32Array>();
  const v = new Map<string, Float32Array>();
  for (const [name, w] of weights) {
    for (const [prefix, target] of [
      ['m', m],
      ['v', v],
    ] as const) {
      const t = file.tensors[`${prefix}.${name}`];
      if (t?.dtype !== 'F32' || (t.data as Float32Array).length !== w.length) {
        throw new CheckpointError('optimizer-state', `${path}: moment "${prefix}.${name}" missing or not F32 of length ${w.length}`);
      }
      const data = t.data as Float32Array;
      for (let i = 0; i < data.length; i++) {
        if (!Number.isFinite(data[i])) {
          throw new CheckpointError(
            'optimizer-nonfinite',
            `${path}: moment "${prefix}.${name}" holds ${data[i]} at element ${i}; the optimizer state is corrupt, so the run cannot be resumed from this checkpoint`,
          );
        }
      }
      target.set(name, data);
    }
  }
  return { step, m, v };
}
