// A trained model ready for evaluation and analysis: a checkpoint's config and weights as tf.Variables,
// plus the run's data (the same symbol images and pair split as in training, rebuilt from the seed) and the
// classifier of its symbols (classifier-for-run.ts: nearest template for N = 1, the fixture CNN for
// N > 1). Used by `grokdiff sample|eval`, the claims and the report. An imported run (grokdiff import) that was
// given its own training pairs has them in place of the split of its seed (train/imported-run.ts).

import type * as tf from '@tensorflow/tfjs-core';
import { rootRng } from '../engine/random.ts';
import type { Classifier } from './classifier.ts';
import type { EmnistPool } from '../data/pool.ts';
import type { ModelConfig } from '../model/config.ts';
import { createParams, disposeParams, initialValues } from '../model/params.ts';
import { loadCheckpoint, type CheckpointData } from '../train/checkpoint.ts';
import { hasManifest, verifyManifest } from '../train/fixture-manifest.ts';
import { runModelConfig, type RunConfig } from '../train/config.ts';
import { runDataFromSeed, type RunData } from '../train/run-data.ts';
import { importedTrainPairs, runDataWithPairs } from '../train/imported-run.ts';
import type { Pair } from '../data/pairs.ts';
import { runFolderOf } from '../train/run-folder.ts';
import { loadDatasetPool } from '../data/dataset-pool.ts';
import { classifierForRun } from './classifier-for-run.ts';

export interface LoadedRun {
  readonly config: RunConfig;
  readonly model: ModelConfig;
  readonly params: Map<string, tf.Variable>;
  readonly data: RunData;
  readonly classifier: Classifier;
  readonly step: number;
  readonly dir: string;
  dispose(): void;
}

/**
 * A run's data rebuilt from its seed (the stream `data` of the run's root) and the classifier that scores
 * its generated images (classifier-for-run.ts), from one load of the data set's pool. The caller
 * disposes the classifier. `trainPairs` (an imported run's own) replace the seed's split.
 */
export function runDataAndClassifier(
  config: RunConfig,
  pool: EmnistPool = loadDatasetPool(config.data.dataset),
  trainPairs: readonly Pair[] | null = null,
): { data: RunData; classifier: Classifier } {
  const data = runDataWithPairs(config, pool, trainPairs);
  return { data, classifier: classifierForRun(config, data.symbols, { pool }) };
}

/** A LoadedRun from a config and weights: the run's data rebuilt from its seed, its classifier, tf.Variables. */
export function openWeights(
  config: RunConfig,
  weights: ReadonlyMap<string, Float32Array>,
  where: { step: number; dir: string },
  pool?: EmnistPool,
  trainPairs: readonly Pair[] | null = null,
): LoadedRun {
  const model = runModelConfig(config);
  const { data, classifier } = runDataAndClassifier(config, pool, trainPairs);
  const params = createParams(model, weights, `weights of ${where.dir}`);
  const dispose = (): void => {
    classifier.dispose?.();
    disposeParams(params);
  };
  return { config, model, params, data, classifier, step: where.step, dir: where.dir, dispose };
}

/** Builds a LoadedRun from checkpoint data (weights + config); an imported run's own training pairs are read from its folder. */
export function openCheckpoint(ckpt: CheckpointData, pool?: EmnistPool): LoadedRun {
  const trainPairs = importedTrainPairs(runFolderOf(ckpt.dir), ckpt.config.data.P);
  return openWeights(ckpt.config, ckpt.weights, { step: ckpt.step, dir: ckpt.dir }, pool, trainPairs);
}

/** The untrained model of a config (its initial weights from the seed), e.g. as a negative control; `trainPairs` as in runDataAndClassifier. */
export function openInitialWeights(
  config: RunConfig,
  pool: EmnistPool = loadDatasetPool(config.data.dataset),
  trainPairs: readonly Pair[] | null = null,
): LoadedRun {
  const operandImages = runDataFromSeed(config, pool).symbols.images;
  return openWeights(
    config,
    initialValues(runModelConfig(config), rootRng(config.seed).fork('init'), operandImages),
    { step: 0, dir: '(untrained)' },
    pool,
    trainPairs,
  );
}

/**
 * Loads a run directory's latest checkpoint (or `step`) or a checkpoint directory. A run folder with a
 * MANIFEST.sha256 (a fixture) is checked against it first: a changed file is a CheckpointError naming it.
 * The optimizer state is not read (evaluation does not need it).
 */
export function loadRun(path: string, options: { step?: number; pool?: EmnistPool; expect?: { P?: number; preset?: string } } = {}): LoadedRun {
  const runDir = runFolderOf(path);
  if (hasManifest(runDir)) verifyManifest(runDir);
  return openCheckpoint(
    loadCheckpoint(path, {
      optimizer: false,
      ...(options.step !== undefined ? { step: options.step } : {}),
      ...(options.expect ? { expect: options.expect } : {}),
    }),
    options.pool,
  );
}
