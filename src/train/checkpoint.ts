// Checkpoints of a training run (issue #4 item 6): weights in safetensors (readable by PyTorch), the
// optimizer's moments in a second safetensors file, and JSON for the run config, step and RNG-free resume
// state, in checkpoints/step-N/ of the run folder (its layout and latest.json: run-folder.ts).
// Loading validates the config, then the weights against the config's parameter specs (names, dtypes,
// shapes), with errors that say which tensor is wrong and how to fix it.
// The optimizer state is validated like the weights (issue 31), on load and before a save: moments for exactly
// the trained parameters, finite, v ≥ 0, and an AdamW step count consistent with the checkpoint's step. A save
// checks what it is given before it writes anything, reads the new checkpoint back and compares it with what
// it meant to write, and only then points latest.json at it and removes the previous optimizer file: the last
// loadable state is never deleted before the new one is verified on disk.

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
  /**
   * The step at which AdamW's moments were restarted (`grokdiff train --resume --restart-moments`), if they were:
   * the optimizer's own step count is then the checkpoint's step minus this. Absent: 0 (never restarted).
   */
  readonly momentsRestartedAt?: number;
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

/** The first non-finite value of `values`, as "x at element i", or null when all are finite. */
function firstNonFinite(values: Float32Array): string | null {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return `${values[i]} at element ${i}`;
  return null;
}

/** Why weights cannot be saved (a parameter missing, of the wrong size, or non-finite), or null. */
export function weightsProblem(config: RunConfig, weights: ReadonlyMap<string, Float32Array>): string | null {
  for (const spec of paramSpecs(runModelConfig(config))) {
    const data = weights.get(spec.name);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (!data) return `parameter "${spec.name}" has no value`;
    if (data.length !== size) return `parameter "${spec.name}" has ${data.length} values, its shape [${spec.shape}] needs ${size}`;
    const bad = firstNonFinite(data);
    if (bad) return `weights "${spec.name}" hold ${bad}`;
  }
  return null;
}

/**
 * Why an optimizer snapshot is not a valid AdamW state for a run at checkpoint step `step` (moments restarted
 * at `momentsRestartedAt`), or null: moments m and v for exactly the trained parameters with their sizes,
 * every value finite, v ≥ 0 (a second moment is a running mean of squares), and AdamW's step count equal to
 * step − momentsRestartedAt.
 */
export function optimizerProblem(config: RunConfig, snapshot: OptimizerSnapshot, step: number, momentsRestartedAt = 0): string | null {
  const expectedStep = step - momentsRestartedAt;
  if (!Number.isSafeInteger(snapshot.step) || snapshot.step !== expectedStep) {
    return `AdamW's step count is ${snapshot.step}, but the checkpoint is at step ${step}${momentsRestartedAt > 0 ? ` with moments restarted at step ${momentsRestartedAt}` : ''}, so it must be ${expectedStep}`;
  }
  const sizes = new Map(
    paramSpecs(runModelConfig(config))
      .filter((s) => !s.buffer)
      .map((s) => [s.name, s.shape.reduce((a, b) => a * b, 1)] as const),
  );
  for (const [kind, moments] of [
    ['m', snapshot.m],
    ['v', snapshot.v],
  ] as const) {
    for (const name of moments.keys()) if (!sizes.has(name)) return `moment "${kind}.${name}" is not of a trained parameter of the model`;
    // Before the first step AdamW holds no moments; after it, one of each kind per trained parameter.
    if (snapshot.step === 0 && moments.size === 0) continue;
    for (const [name, size] of sizes) {
      const values = moments.get(name);
      if (!values) return `moment "${kind}.${name}" is missing`;
      if (values.length !== size) return `moment "${kind}.${name}" has ${values.length} values, its parameter has ${size}`;
      const bad = firstNonFinite(values);
      if (bad) return `moment "${kind}.${name}" holds ${bad} (non-finite)`;
      if (kind === 'v') {
        for (let i = 0; i < values.length; i++) {
          if (values[i] < 0) return `moment "v.${name}" holds ${values[i]} at element ${i} (negative: a second moment is a mean of squares)`;
        }
      }
    }
  }
  return null;
}

/** Why a trainer state cannot be saved or used (issue 31: an infinite lossSum was accepted and logged as null), or null. */
export function trainerStateProblem(state: TrainerState): string | null {
  if (!Number.isFinite(state.lossSum) || state.lossSum < 0) return `lossSum must be a finite number ≥ 0, got ${state.lossSum}`;
  if (!Number.isSafeInteger(state.lossCount) || state.lossCount < 0) return `lossCount must be an integer ≥ 0, got ${state.lossCount}`;
  if (state.lossCount === 0 && state.lossSum !== 0) return `lossSum is ${state.lossSum} over lossCount 0 steps`;
  if (!Number.isSafeInteger(state.grokStreak) || state.grokStreak < 0) return `grokStreak must be an integer ≥ 0, got ${state.grokStreak}`;
  return null;
}

function sameValues(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Which value of a written checkpoint differs from what was meant to be written, or null when all match. */
function writtenDifference(
  read: CheckpointData,
  weights: ReadonlyMap<string, Float32Array>,
  optimizer: OptimizerSnapshot | undefined,
  trainerState: TrainerState | undefined,
): string | null {
  for (const [name, w] of weights) if (!sameValues(read.weights.get(name) ?? new Float32Array(), w)) return `weights "${name}"`;
  if (optimizer) {
    if (!read.optimizer || read.optimizer.step !== optimizer.step) return 'the optimizer step';
    for (const [kind, moments] of [
      ['m', optimizer.m],
      ['v', optimizer.v],
    ] as const) {
      const back = kind === 'm' ? read.optimizer.m : read.optimizer.v;
      for (const [name, values] of moments) if (!sameValues(back.get(name) ?? new Float32Array(), values)) return `moment "${kind}.${name}"`;
    }
  }
  if (JSON.stringify(read.trainerState ?? null) !== JSON.stringify(trainerState ?? null)) return 'the trainer state';
  return null;
}

/**
 * Saves a checkpoint at `step`, verifies it on disk, then points latest.json at it; the previous checkpoint's
 * optimizer file is removed only after that. What is given is checked before anything is written (finite
 * weights, a valid optimizer and trainer state): CheckpointError 'checkpoint-invalid' names the value, and
 * nothing is written. A checkpoint that does not read back as written is CheckpointError 'checkpoint-verify',
 * and latest.json still points at the previous one.
 */
export function saveCheckpoint(
  runDir: string,
  config: RunConfig,
  step: number,
  weights: ReadonlyMap<string, Float32Array>,
  optimizer?: OptimizerSnapshot,
  trainerState?: TrainerState,
  momentsRestartedAt = 0,
): string {
  const dir = checkpointDir(runDir, step);
  const problem =
    weightsProblem(config, weights) ??
    (optimizer ? optimizerProblem(config, optimizer, step, momentsRestartedAt) : null) ??
    (trainerState ? trainerStateProblem(trainerState) : null);
  if (problem) throw new CheckpointError('checkpoint-invalid', `cannot save the checkpoint at step ${step} in ${runDir}: ${problem}; nothing was written`);
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
    // Written only when the moments were restarted, so every other state.json keeps its form.
    ...(momentsRestartedAt > 0 ? { momentsRestartedAt } : {}),
  });
  let difference: string | null;
  try {
    difference = writtenDifference(loadCheckpoint(dir), weights, optimizer, trainerState);
  } catch (err) {
    if (!(err instanceof GrokdiffError)) throw err;
    difference = err.message;
  }
  if (difference) {
    throw new CheckpointError(
      'checkpoint-verify',
      `the checkpoint written at ${dir} does not read back as written (${difference}); latest.json still points at the previous checkpoint, which is kept`,
    );
  }
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
  const state = readJsonFile(statePath) as {
    format?: unknown;
    step?: unknown;
    config?: unknown;
    trainer?: unknown;
    optimizerStep?: unknown;
    momentsRestartedAt?: unknown;
  };
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
  const restarted = state.momentsRestartedAt ?? 0;
  if (typeof restarted !== 'number' || !Number.isSafeInteger(restarted) || restarted < 0 || restarted > state.step) {
    throw new CheckpointError(
      'checkpoint-state',
      `${statePath}: momentsRestartedAt must be an integer from 0 to the step ${state.step}, got ${JSON.stringify(state.momentsRestartedAt)}`,
    );
  }
  const weights = readWeights(join(dir, CHECKPOINT_FILES.weights), config);
  const optPath = join(dir, CHECKPOINT_FILES.optimizer);
  const optimizer =
    options.optimizer !== false && existsSync(optPath) ? readOptimizer(optPath, config, state.step, restarted, state.optimizerStep, statePath) : undefined;
  const trainerState = parseTrainerState(state.trainer, statePath);
  return {
    config,
    step: state.step,
    weights,
    dir,
    ...(optimizer ? { optimizer } : {}),
    ...(trainerState ? { trainerState } : {}),
    ...(restarted > 0 ? { momentsRestartedAt: restarted } : {}),
  };
}

function parseTrainerState(raw: unknown, path: string): TrainerState | undefined {
  if (raw === null || raw === undefined) return undefined;
  const t = raw as Record<string, unknown>;
  const ok = typeof t.lossSum === 'number' && typeof t.lossCount === 'number' && typeof t.grokStreak === 'number';
  const state = ok ? { lossSum: t.lossSum as number, lossCount: t.lossCount as number, grokStreak: t.grokStreak as number } : null;
  const problem = state ? trainerStateProblem(state) : null;
  if (!state || problem) {
    throw new CheckpointError(
      'checkpoint-state',
      `${path}: "trainer" must be {lossSum, lossCount, grokStreak}${problem ? ` (${problem})` : ''}, got ${JSON.stringify(raw)}`,
    );
  }
  return state;
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

function readOptimizer(
  path: string,
  config: RunConfig,
  step: number,
  momentsRestartedAt: number,
  stateOptimizerStep: unknown,
  statePath: string,
): OptimizerSnapshot {
  const file = readSafetensorsFile(path);
  const optimizerStep = Number(file.metadata.optimizerStep);
  if (!Number.isSafeInteger(optimizerStep) || optimizerStep < 0)
    throw new CheckpointError('optimizer-state', `${path}: metadata optimizerStep missing or invalid`);
  if (stateOptimizerStep !== optimizerStep) {
    throw new CheckpointError(
      'optimizer-state',
      `${path}: optimizerStep ${optimizerStep} differs from ${JSON.stringify(stateOptimizerStep)} in ${statePath}; the optimizer file is not the one of this checkpoint`,
    );
  }
  const m = new Map<string, Float32Array>();
  const v = new Map<string, Float32Array>();
  for (const [name, t] of Object.entries(file.tensors)) {
    const match = /^([mv])\.(.+)$/.exec(name);
    if (!match) throw new CheckpointError('optimizer-state', `${path}: tensor "${name}" is not a moment (m.<parameter> or v.<parameter>)`);
    if (t.dtype !== 'F32') throw new CheckpointError('optimizer-state', `${path}: moment "${name}" has dtype ${t.dtype}, expected F32`);
    (match[1] === 'm' ? m : v).set(match[2], t.data as Float32Array);
  }
  const snapshot = { step: optimizerStep, m, v };
  const problem = optimizerProblem(config, snapshot, step, momentsRestartedAt);
  if (problem) {
    const code = /non-finite|negative/.test(problem) ? 'optimizer-nonfinite' : 'optimizer-state';
    throw new CheckpointError(code, `${path}: ${problem}; the optimizer state is corrupt, so the run cannot be resumed from this checkpoint`);
  }
  return snapshot;
}
