// Generation accuracy (paper Sec. 3, Figures 2 and 4): for each pair (a, b), sample the image of c from
// noise with the Euler sampler (M noise draws, K steps), classify it, and compare with (a + b) mod P.
// Accuracies come with Wilson 95 % intervals (accuracy.ts). All pairs and draws go through the sampler in one batch.

import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../engine/random.ts';
import type { Pair } from '../data/pairs.ts';
import type { SymbolSet } from '../data/symbols.ts';
import { sample, type SampleOptions } from '../flow/sampler.ts';
import type { ModelConfig } from '../model/config.ts';
import type { Params } from '../model/params.ts';
import { scoredBy, type Classifier, type ScoredBy } from './classifier.ts';
import { accuracyResult, type AccuracyResult } from './accuracy.ts';

export interface GenerationOptions {
  /** Noise draws per pair (M). */
  readonly draws: number;
  /** Euler steps (K). */
  readonly steps: number;
  /** Stream for operand-image choice (N > 1) and noise. */
  readonly rng: Rng;
  /** Extra sampler options (taps at every step, a start level). */
  readonly sampler?: Omit<SampleOptions, 'steps'>;
  /** Target image per example when starting from an image (critical-timestep study). */
  readonly startImages?: Float32Array;
}

export interface Generated {
  /** Generated images [pairs·draws, S*S], example i = pair ⌊i/draws⌋, draw i mod draws. */
  readonly images: Float32Array;
  /** True result c for each example. */
  readonly targets: Int32Array;
  readonly count: number;
}

/** Operand images for a list of pairs (draw-major repeat), choosing one of the N images per operand. */
function operandImages(symbols: SymbolSet, pairs: readonly Pair[], draws: number, rng: Rng): { xa: Float32Array; xb: Float32Array } {
  const px = symbols.side * symbols.side;
  const n = pairs.length * draws;
  const xa = new Float32Array(n * px);
  const xb = new Float32Array(n * px);
  const pick = rng.fork('operand-images');
  for (let i = 0; i < n; i++) {
    const pair = pairs[Math.floor(i / draws)];
    const ja = symbols.N === 1 ? 0 : pick.int(symbols.N);
    const jb = symbols.N === 1 ? 0 : pick.int(symbols.N);
    xa.set(symbols.images.subarray((pair.a * symbols.N + ja) * px, (pair.a * symbols.N + ja + 1) * px), i * px);
    xb.set(symbols.images.subarray((pair.b * symbols.N + jb) * px, (pair.b * symbols.N + jb + 1) * px), i * px);
  }
  return { xa, xb };
}

/** Samples c images for every pair × draw. */
export function generateForPairs(config: ModelConfig, params: Params, symbols: SymbolSet, pairs: readonly Pair[], options: GenerationOptions): Generated {
  const px = symbols.side * symbols.side;
  const count = pairs.length * options.draws;
  const { xa, xb } = operandImages(symbols, pairs, options.draws, options.rng);
  const noise = options.rng.fork('noise').normalArray(count * px);
  const out = tf.tidy(() => {
    const inputs = { xa: tf.tensor2d(xa, [count, px]), xb: tf.tensor2d(xb, [count, px]), noise: tf.tensor2d(noise, [count, px]) };
    const startImage = options.startImages ? tf.tensor2d(options.startImages, [count, px]) : undefined;
    return sample(config, params, inputs, { ...options.sampler, steps: options.steps, ...(startImage ? { startImage } : {}) });
  });
  const images = out.dataSync() as Float32Array;
  out.dispose();
  return { images, targets: targetsOf(pairs, options.draws), count };
}

function targetsOf(pairs: readonly Pair[], draws: number): Int32Array {
  const targets = new Int32Array(pairs.length * draws);
  for (let i = 0; i < targets.length; i++) targets[i] = pairs[Math.floor(i / draws)].c;
  return targets;
}

/** One group of pairs for generateForGroups: its symbols and its own stream (operand images and noise). */
export interface PairGroup {
  readonly symbols: SymbolSet;
  readonly pairs: readonly Pair[];
  readonly rng: Rng;
}

/**
 * generateForPairs for several groups (e.g. the training and the held-out pairs) in ONE sampling pass (issue 28:
 * the trainer's evaluations): each group's operand images and noise are drawn from its own stream exactly as
 * generateForPairs draws them, so each group gets the inputs it would get alone; the model sees them as one batch.
 */
export function generateForGroups(
  config: ModelConfig,
  params: Params,
  groups: readonly PairGroup[],
  options: { readonly draws: number; readonly steps: number },
): Generated[] {
  const px = groups[0].symbols.side * groups[0].symbols.side;
  const counts = groups.map((g) => g.pairs.length * options.draws);
  const total = counts.reduce((a, b) => a + b, 0);
  const xa = new Float32Array(total * px);
  const xb = new Float32Array(total * px);
  const noise = new Float32Array(total * px);
  let at = 0;
  groups.forEach((g, i) => {
    const ops = operandImages(g.symbols, g.pairs, options.draws, g.rng);
    xa.set(ops.xa, at * px);
    xb.set(ops.xb, at * px);
    noise.set(g.rng.fork('noise').normalArray(counts[i] * px), at * px);
    at += counts[i];
  });
  const out = tf.tidy(() =>
    sample(
      config,
      params,
      { xa: tf.tensor2d(xa, [total, px]), xb: tf.tensor2d(xb, [total, px]), noise: tf.tensor2d(noise, [total, px]) },
      { steps: options.steps },
    ),
  );
  const images = out.dataSync() as Float32Array;
  out.dispose();
  let from = 0;
  return groups.map((g, i) => {
    const part = { images: images.slice(from * px, (from + counts[i]) * px), targets: targetsOf(g.pairs, options.draws), count: counts[i] };
    from += counts[i];
    return part;
  });
}

/** Scores generated images with a classifier against their targets (the caller names it: `scoredBy(classifier)`). */
export function scoreGenerated(generated: Generated, classifier: Classifier): AccuracyResult & { predictions: Int32Array } {
  const predictions = classifier.classify(generated.images, generated.count);
  let correct = 0;
  for (let i = 0; i < generated.count; i++) if (predictions[i] === generated.targets[i]) correct++;
  return { ...accuracyResult(correct, generated.count), predictions };
}

/** Generation accuracy of a model on a list of pairs, with the classifier that scored it and that classifier's own accuracy. */
export function generationAccuracy(
  config: ModelConfig,
  params: Params,
  symbols: SymbolSet,
  pairs: readonly Pair[],
  classifier: Classifier,
  options: GenerationOptions,
): AccuracyResult & { scoredBy: ScoredBy } {
  const { predictions: _p, ...result } = scoreGenerated(generateForPairs(config, params, symbols, pairs, options), classifier);
  return { ...result, scoredBy: scoredBy(classifier) };
}
