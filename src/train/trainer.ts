// The training loop (paper Sec. 3): full-batch AdamW on the rectified-flow x0 loss, linear learning-rate
// warm-up, evaluation of generation accuracy on train and held-out pairs every `evalEvery` steps (JSONL
// metrics log), checkpoints every `checkpointEvery` steps and at the end, resume from the latest checkpoint
// (same batches, same optimizer state, hence the same curve), a progress bar, a clean stop on Ctrl-C
// (saves first), and a clear stop on a non-finite loss (the last good checkpoint is kept). timing.json says where
// the wall time went (training steps, evaluations, checkpoints; train/run-timing.ts), across resumes too.

import * as tf from '@tensorflow/tfjs-core';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { AdamW } from '../engine/adamw.ts';
import { wasmNativeInfo } from '../engine/wasm-native.ts';
import { webgpuAdapterInfo } from '../engine/webgpu.ts';
import { rootRng, type Rng } from '../engine/random.ts';
import { CheckpointError, GrokdiffError } from '../errors.ts';
import { createParams, disposeParams, initialValues, paramSpecs, readParams, type Params } from '../model/params.ts';
import { loadCheckpoint, optimizerProblem, saveCheckpoint, trainerStateProblem, weightsProblem, type CheckpointData, type TrainerState } from './checkpoint.ts';
import { runModelConfig, runObjective, type RunConfig } from './config.ts';
import { atGrokkedLevels, grokkingSteps, type GrokkingSteps, type MetricsRow } from './grokking.ts';
import { silentProgress, type Progress } from './progress.ts';
import { describeLossReferences, runLossReferences, type DenoisingLossReferences } from './loss-references.ts';
import { collectProvenance } from './provenance.ts';
import { runDataFromSeed, runTimeLaw, stepBatch, type RunData } from './run-data.ts';
import { fullBatchStep } from './step.ts';
import { hasManifest, MANIFEST_NAME } from './fixture-manifest.ts';
import {
  appendMetrics,
  CHECKPOINT_FILES,
  checkNewRunFolder,
  checkRunConsistency,
  hasLatest,
  makeOutputFolder,
  readMetrics,
  readTiming,
  writeMetrics,
  writeProvenance,
  writeRunConfig,
  writeTiming,
} from './run-folder.ts';
import { acquireRunLock, type RunLock } from './run-lock.ts';
import { EMPTY_TIMING, evalShare, runTimer } from './run-timing.ts';
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
  /** Which reading this is (e.g. the trainer's cheap one-draw reading, not the judge's); in provenance.json and the log. */
  readonly reading?: string;
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
  /**
   * When resuming: start AdamW's moments afresh from the checkpoint's weights (`--restart-moments`) instead of
   * refusing a checkpoint whose optimizer state is missing or invalid. The run then no longer continues exactly.
   */
  readonly restartMoments?: boolean;
  /**
   * Called once the run is open (every check passed, its first files written), before provenance and the first
   * step: the CLI installs its save-and-stop signal handlers here (before, a signal ends the process at once).
   */
  readonly onRunOpen?: () => void;
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
  /** Step at which AdamW's moments were last restarted (0: never); saved with every checkpoint. */
  readonly momentsRestartedAt: number;
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
      const loaded = loadResumeCheckpoint(options.outDir, Boolean(options.restartMoments));
      checkRunConsistency(options.outDir, loaded);
      const ckpt = options.extendSteps !== undefined ? { ...loaded, config: extendedConfig(loaded.config, loaded.step, options.extendSteps) } : loaded;
      const model = runModelConfig(ckpt.config);
      const inputs = runInputs(ckpt.config, options);
      const params = createParams(model, ckpt.weights, `checkpoint ${ckpt.dir}`);
      const optimizer = makeOptimizer(ckpt.config, model);
      if (ckpt.optimizer) optimizer.setState(ckpt.optimizer);
      else log(`${options.outDir}: AdamW's moments restart from zero at step ${ckpt.step} (--restart-moments); the run no longer continues exactly`);
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
        momentsRestartedAt: options.restartMoments ? ckpt.step : (ckpt.momentsRestartedAt ?? 0),
        lock,
      };
    } catch (err) {
      lock.release();
      throw err;
    }
  }
  if (options.restartMoments)
    throw new TrainingError('train-restart-moments', '--restart-moments applies only to --resume (a new run starts its moments from zero anyway)');
  if (!options.config) throw new TrainingError('train-no-config', 'train: a config is needed unless resuming');
  const config = options.config;
  checkNewRunFolder(options.outDir, config);
  const inputs = runInputs(config, options);
  // Everything that can refuse the config runs before the first write: the model, its initial weights, AdamW
  // (issue 31: beta1 = 1 was refused by AdamW only after config.json was written, which blocked a rerun).
  let model: ModelConfig;
  let params: Map<string, tf.Variable>;
  let optimizer: AdamW;
  try {
    model = runModelConfig(config);
    optimizer = makeOptimizer(config, model);
    params = createParams(model, initialValues(model, rootRng(config.seed).fork('init'), inputs.data.symbols.images));
  } catch (err) {
    inputs.evaluator.dispose();
    throw err;
  }
  const abandon = (): void => {
    inputs.evaluator.dispose();
    disposeParams(params);
    optimizer.dispose();
  };
  try {
    makeOutputFolder(options.outDir);
  } catch (err) {
    abandon();
    throw err;
  }
  let lock: RunLock;
  try {
    lock = acquireRunLock(options.outDir, 'grokdiff train', log);
    // Another process may have finished a run here between the check and the lock.
    checkNewRunFolder(options.outDir, config);
  } catch (err) {
    abandon();
    throw err;
  }
  try {
    writeRunConfig(options.outDir, config);
    writeMetrics(options.outDir, []);
    return {
      ...inputs,
      config,
      model,
      params,
      optimizer,
      startStep: 0,
      metrics: [],
      wallOffset: 0,
      trainerState: { lossSum: 0, lossCount: 0, grokStreak: 0 },
      momentsRestartedAt: 0,
      lock,
    };
  } catch (err) {
    abandon();
    lock.release();
    throw err;
  }
}

/** Codes of the checkpoint errors that are about the optimizer file alone (the weights are fine). */
const OPTIMIZER_ERRORS = new Set(['optimizer-state', 'optimizer-nonfinite']);

/**
 * The checkpoint a resume continues from. Its optimizer state must be there and valid: resuming without it
 * would silently restart AdamW's moments (issue 31: a deleted optimizer file gave loss 0.459 where the exact
 * resume gives 0.126). With `restartMoments` the optimizer file is not read, and the moments restart.
 */
function loadResumeCheckpoint(outDir: string, restartMoments: boolean): CheckpointData {
  const hint = 'to continue from its weights with fresh AdamW moments (the run then no longer continues exactly), resume with --restart-moments';
  let ckpt: CheckpointData;
  try {
    ckpt = loadCheckpoint(outDir, { optimizer: !restartMoments });
  } catch (err) {
    if (err instanceof CheckpointError && OPTIMIZER_ERRORS.has(err.code)) throw new CheckpointError(err.code, `${err.message}; ${hint}`, { cause: err });
    throw err;
  }
  if (!restartMoments && !ckpt.optimizer) {
    throw new CheckpointError(
      'resume-no-optimizer',
      `${join(ckpt.dir, CHECKPOINT_FILES.optimizer)} is missing: the checkpoint at step ${ckpt.step} has no optimizer state (a pruned fixture, or a deleted file), so the run cannot continue exactly; ${hint}`,
    );
  }
  return ckpt;
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
      .filter((s) => s.decay)
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

/**
 * Saves a checkpoint. Weights, optimizer moments or a trainer state that are not valid (weights that overflowed
 * while the loss of the step before the update was still finite, moments that overflowed, a negative second
 * moment) are never saved: the run stops with the last good checkpoint kept, as for a non-finite loss.
 */
async function save(session: Session, outDir: string, step: number, state: TrainerState, lastSaved: number): Promise<void> {
  const optimizer = session.optimizer.getState();
  const weights = await readParams(session.params);
  const stopped = `stopped. The last good checkpoint (step ${lastSaved}) is kept in ${outDir}. Lower train.lr or raise train.warmupSteps.`;
  const weightsBad = weightsProblem(session.config, weights);
  if (weightsBad) throw new TrainingError('train-nonfinite-weights', `the weights became non-finite at step ${step} (${weightsBad}); ${stopped}`);
  const optimizerBad = optimizerProblem(session.config, optimizer, step, session.momentsRestartedAt);
  if (optimizerBad) {
    const kind = /non-finite/.test(optimizerBad) ? 'non-finite' : 'invalid';
    throw new TrainingError('train-nonfinite-optimizer', `the optimizer state became ${kind} at step ${step} (${optimizerBad}); ${stopped}`);
  }
  const stateBad = trainerStateProblem(state);
  if (stateBad) throw new TrainingError('train-trainer-state', `the trainer state became invalid at step ${step} (${stateBad}); ${stopped}`);
  saveCheckpoint(outDir, session.config, step, weights, optimizer, state, session.momentsRestartedAt);
}

/** Trains (or resumes) a run. Writes config, provenance, metrics and checkpoints under outDir. */
export async function trainRun(options: TrainOptions): Promise<TrainResult> {
  const progress = options.progress ?? silentProgress;
  const session = openSession(options);
  options.onRunOpen?.();
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
      ...(session.momentsRestartedAt > 0 ? { momentsRestartedAt: session.momentsRestartedAt } : {}),
      classifier: evaluator.scoredBy,
      ...(evaluator.reading ? { evaluation: evaluator.reading } : {}),
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
  if (evaluator.reading) progress.message(`evaluations: ${evaluator.reading}`);
  const trainRng = rng.fork('train');
  const evalRng = rng.fork('eval');
  const lastStep = Math.min(config.train.steps, options.stopAtStep ?? Infinity);
  const t0 = performance.now();
  const wall = (): number => session.wallOffset + (performance.now() - t0) / 1000;
  // Where the time goes (train/run-timing.ts): continued from timing.json when resuming, written at each checkpoint.
  const timer = runTimer(session.startStep > 0 ? (readTiming(options.outDir) ?? EMPTY_TIMING) : EMPTY_TIMING);
  let { lossSum, lossCount, grokStreak } = session.trainerState;
  let step = session.startStep;
  let interrupted = false;
  let lastSaved = session.startStep;
  try {
    while (step < lastStep) {
      step++;
      const loss = timer.time('train', () => trainStep(session, data, trainRng, step));
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
        const acc = timer.time('eval', () => evaluator.evaluate(session.model, session.params, evalRng));
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
          // The evaluations of a run reuse one noise draw per pair (eval/training-evaluation.ts): not the judge's fresh draws.
          evalDraw: 'fixed',
        };
        lossSum = 0;
        lossCount = 0;
        session.metrics.push(row);
        appendMetrics(options.outDir, row);
        progress.evaluated(step, {
          loss: row.loss,
          trainAcc: row.trainAcc,
          heldoutAcc: row.heldoutAcc,
          novelAcc: row.heldoutNovelAcc,
          evalShare: evalShare(timer.current()) ?? undefined,
        });
        grokStreak = atGrokkedLevels(row) ? grokStreak + 1 : 0;
      }
      const grokDone = config.train.stopAfterGrokEvals > 0 && grokStreak >= config.train.stopAfterGrokEvals;
      if (step % config.train.checkpointEvery === 0 || atEnd || grokDone || stopping) {
        await timer.timeAsync('checkpoint', () => save(session, options.outDir, step, { lossSum, lossCount, grokStreak }, lastSaved));
        writeTiming(options.outDir, timer.current());
        lastSaved = step;
      }
      if (grokDone) {
        progress.message(
          `stopping at step ${step}: train and held-out accuracy on the trainer's fixed evaluation draw (one noise draw per pair, the same at every ` +
            `evaluation) held their levels for ${grokStreak} evaluations; whether the run grokked is decided on fresh draws (the summary re-measures)`,
        );
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
