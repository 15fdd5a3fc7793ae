// The tiny configurations of the tests: the real-data run config of the trainer tests (P = 5, 8×8 images,
// d_model 16: a few steps take well under a second on the cpu backend), and a tiny one-block model config
// (4×4 images, d_model 8) for the flow and evaluation tests on synthetic data.
import { validateModelConfig, type ModelConfig } from '../src/model/config.ts';
import { validateRunConfig, type RunConfig } from '../src/train/config.ts';

/** A one-block model over 4×4 images (one patch per image), d_model 8, 2 heads, FFN 16, for modulus P. */
export function tinyModelConfig(P: number): ModelConfig {
  return validateModelConfig({
    P,
    imageSide: 4,
    patchSize: 4,
    dModel: 8,
    heads: 2,
    ffnWidth: 16,
    depth: 1,
    preAttentionFfn: false,
    norm: 'none',
    timeFeatures: 4,
    initScale: 1,
  });
}

export function tinyConfig(over: { seed?: number; train?: Record<string, unknown>; data?: Record<string, unknown> } = {}): RunConfig {
  return validateRunConfig({
    preset: 'test-tiny',
    seed: over.seed ?? 3,
    data: { P: 5, N: 1, trainingRatio: 0.6, dataset: 'emnist', shuffleTargets: false, ...over.data },
    model: { imageSide: 8, patchSize: 8, dModel: 16, heads: 2, ffnWidth: 32, depth: 1, preAttentionFfn: false, norm: 'none', timeFeatures: 8, initScale: 1 },
    train: {
      steps: 6,
      lr: 3e-3,
      warmupSteps: 2,
      weightDecay: 0.5,
      beta1: 0.9,
      beta2: 0.98,
      eps: 1e-8,
      evalEvery: 2,
      checkpointEvery: 3,
      evalDraws: 1,
      samplingSteps: 3,
      stopAfterGrokEvals: 0,
      ...over.train,
    },
  });
}
