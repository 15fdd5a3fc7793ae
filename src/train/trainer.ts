// The training loop (paper Sec. 3): full-batch AdamW on the rectified-flow x0 loss, linear learning-rate
// warm-up, evaluation of generation accuracy on train and held-out pairs every `evalEvery` steps (JSONL
// metrics log), checkpoints every `checkpointEvery` steps and at the end, resume from the latest checkpoint
// (same batches, same optimizer state, hence the same curve), a progress bar, a clean stop on Ctrl-C
// (saves first), and a clear stop on a non-finite loss (the last good checkpoint is kept).

import * as tf from '@tensorflow/tfjs-core';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AdamW } from '../engine/adamw.ts';
import { wasmNativeInfo } from '../engine/wasm-native.ts';
import { webgpuAdapterInfo } from '../engine/webgpu.ts';
import { rootRng, type Rng } from '../engine/random.ts';
import { CheckpointError, ConfigError, GrokdiffError } from '../errors.ts';
import { createParams, disposeParams, initialValues, paramSpecs, readParams, type Params } from '../model/params.ts';
import { loadCheckpoint, saveCheckpoint, type OptimizerSnapshot, type TrainerState } from './checkpoint.ts';
import { runModelConfig, runObjective, type RunConfig } from './config.ts';
import { atGrokkedLevels, grokkingSteps, type GrokkingSteps, type MetricsRow } from './grokking.ts';
import { silentProgress, type Progress } from './progress.ts';
import { describeLossReferences, runLossReferences, type DenoisingLossReferences } from './loss-references.ts';
import { collectProvenance } from './provenance.ts';
import { runDataFromSeed, runTimeLaw, stepBatch, type RunData } from './run-data.ts';
import { fullBatchStep } from './step.ts';
import { hasManifest, MANIFEST_NAME } from './fixture-manifest.ts';
import { appendMetrics, checkNewRunFolder, checkRunConsistency, hasLatest, readMetrics, writeMetrics, writeProvenance, writeRunConfig } from './run-folder.ts';
import { acquireRunLock, type RunLock } from './run-lock.ts';
import { loadDatasetPool } from '../data/dataset-pool.ts';
import type { EmnistPool } from '../data/pool.ts';
import type { ModelConfig } from '../model/config.ts';

/** Training stopped on a non-finite loss or another training-time failure. */
export class TrainingError extends GrokdiffError {
  constructor(code: string, message: string) {
    super('model', code, message);
  }
}

/** An accuracy as the metrics log keeps it: the fraction correct and its Wilson 95 % interval. */
export interface EvaluatedAccuracy {
  readonly accuracy: number;
  readonly interval: readonly [number, number];
}

/**
 * Generation accuracy of the model being trained, measured every `evalEvery` steps (paper Sec. 3, Figure 2):
 * on the training pairs, the held-out pairs and the novel held-out pairs. The caller provides it
 * (eval/training-evaluation.ts: images sampled with the Euler sampler, scored by the run's classifier), so
 * the training loop holds no classifier of its own.
 */
export interface TrainingEvaluator {
  /** What scores the generated images (its name and own held-out accuracy), recorded in provenance.json. */
  readonly scoredBy: { readonly name: string; readonly heldout: unknown };
  /** The three accuracies of the model `params`, drawing operand images and noise from `rng`. */
  evaluate(model: ModelConfig, params: Params, rng: Rng): { train: EvaluatedAccuracy; heldout: EvaluatedAccuracy; novel: EvaluatedAccuracy };
  /** Frees what the evaluator holds (a CNN classifier's weights). */
  dispose(): void;
}

/** Builds a run's evaluator from its config, its data and the pool of its data set; throws (typed) when it cannot score the run. */
export type TrainingEvaluatorFactory = (config: RunConfig, data: RunData, pool: EmnistPool) => TrainingEvaluator;

export interface TrainOptions {
  /** Run config (ignored when resuming: the run directory's config is used). */
  readonly config?: RunConfig;
  readonly outDir: string;
  /** Continue from the latest checkpoint in outDir. */
  readonly resume?: boolean;
  readonly progress?: Progress;
  /** Set `.stop = true` (e.g. on SIGINT) to save and stop after the current step. */
  readonly stopFlag?: { stop: boolean };
  /** When resuming: raise train.steps to this (extend a finished run); the run's config.json is updated. */
  readonly extendSteps?: number;
  /** Stop after this step even if the config says more (tests of resume). */
  readonly stopAtStep?: number;
  readonly pool?: EmnistPool;
  /** Repository root for provenance (git commit). */
  readonly repoRoot?: string;
  /** Backend name for provenance. */
  readonly backend?: string;
  /** The periodic evaluation of generation accuracy (eval/training-evaluation.ts: generationEvaluator). */
  readonly evaluator: TrainingEvaluatorFactory;
}

export interface TrainResult {
  readonly config: RunConfig;
  readonly lastStep: number;
  readonly interrupted: boolean;
  readonly metrics: MetricsRow[];
  readonly grokking: GrokkingSteps;
  readonly wallSeconds: number;
  /** The loss of the best affine denoiser without and with knowing c (train/loss-references.ts). */
  readonly lossReferences: DenoisingLossReferences;
}

/**
 * Learning rate at a step: linear warm-up from lr/warmup to lr over warmupSteps, then constant, or with
 * `lrSchedule: 'cosine'` half a cosine from lr down to 0 at the last step.
 */
export function learningRate(config: RunConfig, step: number): number {
  const { lr, warmupSteps, steps, lrSchedule } = config.train;
  if (warmupSteps > 0 && step <= warmupSteps) return (lr * step) / warmupSteps;
  if (lrSchedule !== 'cosine' || steps <= warmupSteps) return lr;
  const progress = Math.min(1, (step - warmupSteps) / (steps - warmupSteps));
  return 0.5 * lr * (1 + Math.cos(Math.PI * progress));
}

interface Session {
  readonly config: RunConfig;
  readonly model: ModelConfig;
  readonly params: Map<string, tf.Variable>;
  readonly optimizer: AdamW;
  readonly startStep: number;
  readonly metrics: MetricsRow[];
  readonly wallOffset: number;
  readonly trainerState: TrainerState;
  readonly data: RunData;
  /** Measures generation accuracy in evaluation; the session disposes it. */
  readonly evaluator: TrainingEvaluator;
}

/** A run's data rebuilt from its seed and its evaluator, from one load of the data set's pool. */
function runInputs(config: RunConfig, options: TrainOptions): { data: RunData; evaluator: TrainingEvaluator } {
  const pool = options.pool ?? loadDatasetPool(config.data.dataset);
  const data = runDataFromSeed(config, pool);
  return { data, evaluator: options.evaluator(config, data, pool) };
}

/**
 * Opens a fresh run or resumes one, holding the run folder's lock (train/run-lock.ts) until the run ends.
 * Nothing is written before every check has passed: a fresh run checks --out (train/run-folder.ts) and
 * builds its data and evaluator (its classifier) before it creates anything, so a bad --out, a missing K49 folder or
 * classifier fixture leaves no half-made run behind; a resume checks that the folder holds one run and that
 * its optimizer state is finite before config.json (extended steps) and metrics.jsonl are rewritten.
 */
function openSession(options: TrainOptions): Session & { lock: RunLock } {
  const log = (line: string): void => (options.progress ?? silentProgress).message(line);
  if (options.resume) {
    if (!hasLatest(options.outDir)) {
      throw new CheckpointError('resume-no-run', `${options.outDir} holds no run to resume (no latest.json); start it without --resume`);
    }
    const lock = acquireRunLock(options.outDir, 'grokdiff train --resume', log);
    try {
      const loaded = loadCheckpoint(options.outDir);
      checkRunConsistency(options.outDir, loaded);
      const ckpt = options.extendSteps !== undefined ? { ...loaded, config: extendedConfig(loaded.config, loaded.step, options.extendSteps) } : loaded;
      const model = runModelConfig(ckpt.config);
      const inputs = runInputs(ckpt.config, options);
      const params = createParams(model, ckpt.weights, `checkpoint ${ckpt.dir}`);
      const optimizer = makeOptimizer(ckpt.config, model);
      if (ckpt.optimizer) optimizer.setState(ckpt.optimizer);
      // Every check passed: from here on the run folder is written.
      if (hasManifest(options.outDir)) {
        rmSync(join(options.outDir, MANIFEST_NAME));
        log(
          `${options.outDir}: removed ${MANIFEST_NAME} (the run is being written again; grokdiff prune or grokdiff fixtures --write-manifest writes a new one)`,
        );
      }
      if (options.extendSteps !== undefined) writeRunConfig(options.outDir, ckpt.config);
      const metrics = readMetrics(options.outDir).filter((r) => r.step <= ckpt.step);
      writeMetrics(options.outDir, metrics);
      return {
        ...inputs,
        config: ckpt.config,
        model,
        params,
        optimizer,
        startStep: ckpt.step,
        metrics,
        wallOffset: metrics.at(-1)?.wallSeconds ?? 0,
        trainerState: ckpt.trainerState ?? { lossSum: 0, lossCount: 0, grokStreak: 0 },
        lock,
      };
    } catch (err) {
      lock.release();
      throw err;
    }
  }
  if (!options.config) throw new TrainingError('train-no-config', 'train: a config is needed unless resuming');
  const config = options.config;
  checkNewRunFolder(options.outDir, config);
  const inputs = runInputs(config, options);
  try {
    mkdirSync(options.outDir, { recursive: true });
  } catch (err) {
    inputs.evaluator.dispose();
    throw new ConfigError('out-create', `--out ${options.outDir}: cannot create the folder (${(err as Error).message})`, { cause: err });
  }
  let lock: RunLock;
  try {
    lock = acquireRunLock(options.outDir, 'grokdiff train', log);
    // Another process may have finished a run here between the check and the lock.
    checkNewRunFolder(options.outDir, config);
  } catch (err) {
    inputs.evaluator.dispose();
    throw err;
  }
  try {
    const model = runModelConfig(config);
    const params = createParams(model, initialValues(model, rootRng(config.seed).fork('init'), inputs.data.symbols.images));
    writeRunConfig(options.outDir, config);
    writeMetrics(options.outDir, []);
    return {
      ...inputs,
      config,
      model,
      params,
      optimizer: makeOptimizer(config, model),
      startStep: 0,
      metrics: [],
      wallOffset: 0,
      trainerState: { lossSum: 0, lossCount: 0, grokStreak: 0 },
      lock,
    };
  } catch (err) {
    inputs.evaluator.dispose();
    lock.release();
    throw err;
  }
}

function extendedConfig(config: RunConfig, step: number, steps: number): RunConfig {
  if (!Number.isInteger(steps) || steps <= step) {
    throw new TrainingError('train-extend', `--steps ${steps} must be an integer above the checkpoint's step ${step} to extend the run`);
  }
  return { ...config, train: { ...config.train, steps } };
}

/** The run's AdamW: decay on weights and embeddings (ParamSpec.decay), none on biases and norm gains. */
export function makeOptimizer(config: RunConfig, model: ModelConfig): AdamW {
  const decayed = new Set(
    paramSpecs(model)
      .filter((s) => s.decay && !s.buffer)
      .map((s) => s.name),
  );
  return new AdamW({
    lr: config.train.lr,
    betas: [config.train.beta1, config.train.beta2],
    eps: config.train.eps,
    weightDecay: config.train.weightDecay,
    decay: (name: string) => decayed.has(name),
  });
}

/** One full-batch training step of the run; returns the loss before the update. */
function trainStep(session: Session, data: RunData, rng: Rng, step: number): number {
  const { train } = session.config;
  return fullBatchStep(
    session.model,
    session.params,
    session.optimizer,
    data.symbols.images,
    stepBatch(data, rng, step, runTimeLaw(train)),
    learningRate(session.config, step),
    runObjective(train),
  );
}

/** The first non-finite value of the optimizer's moments, or null when they are all finite. */
function nonFiniteMoment(snapshot: OptimizerSnapshot): string | null {
  for (const [kind, moments] of [
    ['m', snapshot.m],
    ['v', snapshot.v],
  ] as const) {
    for (const [name, values] of moments)
      for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return `${kind}.${name}[${i}] = ${values[i]}`;
  }
  return null;
}

/**
 * Saves a checkpoint. Optimizer moments that overflowed (the loss can still be finite when v does) are never
 * saved: the run stops with the last good checkpoint kept, as for a non-finite loss.
 */
async function save(session: Session, outDir: string, step: number, state: TrainerState, lastSaved: number): Promise<void> {
  const optimizer = session.optimizer.getState();
  const bad = nonFiniteMoment(optimizer);
  if (bad) {
    throw new TrainingError(
      'train-nonfinite-optimizer',
      `the optimizer state became non-finite at step ${step} (${bad}); stopped. The last good checkpoint (step ${lastSaved}) is kept in ${outDir}. Lower train.lr or raise train.warmupSteps.`,
    );
  }
  saveCheckpoint(outDir, session.config, step, await readParams(session.params), optimizer, state);
}

/** Trains (or resumes) a run. Writes config, provenance, metrics and checkpoints under outDir. */
export async function trainRun(options: TrainOptions): Promise<TrainResult> {
  const progress = options.progress ?? silentProgress;
  const session = openSession(options);
  const { config, data, evaluator } = session;
  const rng = rootRng(config.seed);
  let lossReferences: DenoisingLossReferences;
  try {
    writeProvenance(options.outDir, {
      ...collectProvenance(options.repoRoot ?? process.cwd()),
      backend: options.backend ?? tf.getBackend(),
      // grokdiff's optional native kernels on wasm (what computed the products, compiler flags), or null.
      wasmNative: tf.getBackend() === 'wasm' ? wasmNativeInfo() : null,
      // The WebGPU adapter (a GPU, or a CPU driver such as lavapipe) when the backend is webgpu, else null.
      webgpuAdapter: tf.getBackend() === 'webgpu' ? webgpuAdapterInfo() : null,
      resumedFromStep: session.startStep,
      classifier: evaluator.scoredBy,
    });
    lossReferences = runLossReferences(data);
  } catch (err) {
    evaluator.dispose();
    disposeParams(session.params);
    session.optimizer.dispose();
    session.lock.release();
    throw err;
  }
  progress.message(describeLossReferences(lossReferences));
  const trainRng = rng.fork('train');
  const evalRng = rng.fork('eval');
  const lastStep = Math.min(config.train.steps, options.stopAtStep ?? Infinity);
  const t0 = performance.now();
  const wall = (): number => session.wallOffset + (performance.now() - t0) / 1000;
  let { lossSum, lossCount, grokStreak } = session.trainerState;
  let step = session.startStep;
  let interrupted = false;
  let lastSaved = session.startStep;
  try {
    while (step < lastStep) {
      step++;
      const loss = trainStep(session, data, trainRng, step);
      if (!Number.isFinite(loss)) {
        throw new TrainingError(
          'train-nonfinite-loss',
          `loss became ${loss} at step ${step}; stopped. The last good checkpoint (step ${lastSaved}) is kept in ${options.outDir}. Lower train.lr or raise train.warmupSteps.`,
        );
      }
      lossSum += loss;
      lossCount++;
      progress.tick(step, { loss });
      const atEnd = step === config.train.steps;
      // A stop (Ctrl-C or stopAtStep) saves but does not evaluate, so a resumed run logs what an uninterrupted one does.
      const stopping = Boolean(options.stopFlag?.stop) || step === lastStep;
      if (step % config.train.evalEvery === 0 || atEnd) {
        const acc = evaluator.evaluate(session.model, session.params, evalRng);
        const row: MetricsRow = {
          step,
          loss: lossSum / lossCount,
          lr: learningRate(config, step),
          trainAcc: acc.train.accuracy,
          trainInterval: acc.train.interval,
          heldoutAcc: acc.heldout.accuracy,
          heldoutInterval: acc.heldout.interval,
          heldoutNovelAcc: acc.novel.accuracy,
          heldoutNovelInterval: acc.novel.interval,
          wallSeconds: wall(),
        };
        lossSum = 0;
        lossCount = 0;
        session.metrics.push(row);
        appendMetrics(options.outDir, row);
        progress.evaluated(step, { loss: row.loss, trainAcc: row.trainAcc, heldoutAcc: row.heldoutAcc, novelAcc: row.heldoutNovelAcc });
        grokStreak = atGrokkedLevels(row) ? grokStreak + 1 : 0;
      }
      const grokDone = config.train.stopAfterGrokEvals > 0 && grokStreak >= config.train.stopAfterGrokEvals;
      if (step % config.train.checkpointEvery === 0 || atEnd || grokDone || stopping) {
        await save(session, options.outDir, step, { lossSum, lossCount, grokStreak }, lastSaved);
        lastSaved = step;
      }
      if (grokDone) {
        progress.message(`grokked: train and held-out accuracy at their levels for ${grokStreak} evaluations; stopping at step ${step}`);
        break;
      }
      if (stopping && !atEnd) {
        interrupted = Boolean(options.stopFlag?.stop);
        progress.message(`interrupted: saved a checkpoint at step ${step}; resume with --resume`);
        break;
      }
      // Let signal handlers (Ctrl-C) run between steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    progress.done();
    evaluator.dispose();
    disposeParams(session.params);
    session.optimizer.dispose();
    session.lock.release();
  }
  return { config, lastStep: step, interrupted, metrics: session.metrics, grokking: grokkingSteps(session.metrics), wallSeconds: wall(), lossReferences };
}

export type { Params };
