// Separability of labelled points by nearest-centroid classification. Serves the paper's Figure 5: the
// pre-attention FFN output separates the classes (high accuracy) while its input is entangled (near chance).
// Returns the accuracy with its counts (correct, trials) so that stats.wilsonInterval gives a 95 % interval.
//
// Nearest centroid: each class's centroid is the mean of its training points; a point is assigned to the
// class of the closest centroid (squared Euclidean distance; ties → the smaller label).
//   Holdout: a seeded stratified split — within each class, round(testFraction·count) points (at most
//     count − 1, so every class keeps a training point) go to the test set; singleton classes stay in
//     training. Accuracy is over the test points.
//   Leave-one-out: every point is classified against centroids computed without it; a point whose class
//     has no other member cannot be classified correctly and is counted wrong (`unclassifiable`).

import { rootRng } from '../engine/random.ts';
import { MAX_COUNT, fail, maxAbs, requireBlock, requireInteger, requireLabels, requireNumber, requireOptions, requireSeed } from './validate.ts';

export interface SeparabilityResult {
  readonly method: 'holdout' | 'leave-one-out';
  /** correct / trials. */
  readonly accuracy: number;
  readonly correct: number;
  readonly trials: number;
  /** Number of distinct labels. */
  readonly classes: number;
  /** 1 / classes: the accuracy of guessing. */
  readonly chance: number;
  /** Trials whose class had no training point (counted wrong). */
  readonly unclassifiable: number;
}

interface LabelledPoints {
  readonly values: Float64Array; // scaled by the largest |value|
  readonly n: number;
  readonly d: number;
  readonly labels: Int32Array;
  readonly classList: number[]; // distinct labels, ascending
}

function readPoints(fn: string, valuesByPoint: unknown, points: unknown, features: unknown, labels: unknown): LabelledPoints {
  const n = requireInteger(points, `${fn}: points`, 2, MAX_COUNT);
  const d = requireInteger(features, `${fn}: features`, 1, MAX_COUNT);
  if (n * d > 1 << 26) fail('out-of-range', `${fn}: [${n}, ${d}] is larger than the supported ${1 << 26} values`);
  const raw = requireBlock(valuesByPoint, `${fn}: valuesByPoint`, n, d, '[points, features]');
  const lab = requireLabels(labels, `${fn}: labels`, n);
  const classList = [...new Set(lab)].sort((x, y) => x - y);
  if (classList.length < 2) fail('too-few-points', `${fn}: labels contain ${classList.length} class; separability needs at least 2`);
  const scale = maxAbs(raw);
  const values = scale > 0 ? raw.map((v) => v / scale) : raw;
  return { values, n, d, labels: lab, classList };
}

/** Index of the nearest centroid among `available` ones (ties → the first, i.e. the smaller label). */
function nearest(values: Float64Array, i: number, d: number, centroids: Float64Array, available: Uint8Array): number {
  let best = -1;
  let bestDistance = Infinity;
  for (let c = 0; c < available.length; c++) {
    if (!available[c]) continue;
    let s = 0;
    for (let j = 0; j < d; j++) {
      const diff = values[i * d + j] - centroids[c * d + j];
      s += diff * diff;
    }
    if (s < bestDistance) {
      bestDistance = s;
      best = c;
    }
  }
  return best;
}

function result(method: SeparabilityResult['method'], correct: number, trials: number, classes: number, unclassifiable: number): SeparabilityResult {
  return { method, accuracy: correct / trials, correct, trials, classes, chance: 1 / classes, unclassifiable };
}

/** Nearest-centroid accuracy on a seeded stratified holdout split (see the module header). */
export function nearestCentroidHoldout(
  valuesByPoint: ArrayLike<number>,
  points: number,
  features: number,
  labels: ArrayLike<number>,
  options: { seed: number; testFraction?: number },
): SeparabilityResult {
  const fn = 'nearestCentroidHoldout';
  const data = readPoints(fn, valuesByPoint, points, features, labels);
  const opts = requireOptions<{ seed: number; testFraction: number }>(options, `${fn}: options`);
  const seed = requireSeed(opts.seed, `${fn}: options.seed`);
  const testFraction = requireNumber(opts.testFraction ?? 0.25, `${fn}: options.testFraction`, { min: 0.01, max: 0.99 });
  const { values, n, d, labels: lab, classList } = data;
  const classIndex = new Map(classList.map((label, c) => [label, c]));
  const rng = rootRng(seed).fork('separability-holdout');
  const isTest = new Uint8Array(n);
  for (const label of classList) {
    const members = Array.from({ length: n }, (_, i) => i).filter((i) => lab[i] === label);
    const testCount = Math.min(members.length - 1, Math.round(testFraction * members.length));
    for (const i of rng.shuffle(members).slice(0, testCount)) isTest[i] = 1;
  }
  const C = classList.length;
  const centroids = new Float64Array(C * d);
  const counts = new Float64Array(C);
  for (let i = 0; i < n; i++) {
    if (isTest[i]) continue;
    const c = classIndex.get(lab[i])!;
    counts[c]++;
    for (let j = 0; j < d; j++) centroids[c * d + j] += values[i * d + j];
  }
  const available = new Uint8Array(C);
  for (let c = 0; c < C; c++) {
    available[c] = counts[c] > 0 ? 1 : 0;
    for (let j = 0; j < d; j++) centroids[c * d + j] = counts[c] > 0 ? centroids[c * d + j] / counts[c] : 0;
  }
  let trials = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    if (!isTest[i]) continue;
    trials++;
    if (nearest(values, i, d, centroids, available) === classIndex.get(lab[i])) correct++;
  }
  if (trials === 0) fail('too-few-points', `${fn}: no class has 2 or more points, so no test point can be held out`);
  return result('holdout', correct, trials, C, 0);
}

/** Nearest-centroid accuracy, leave-one-out over every point (see the module header). */
export function nearestCentroidLeaveOneOut(valuesByPoint: ArrayLike<number>, points: number, features: number, labels: ArrayLike<number>): SeparabilityResult {
  const data = readPoints('nearestCentroidLeaveOneOut', valuesByPoint, points, features, labels);
  const { values, n, d, labels: lab, classList } = data;
  const classIndex = new Map(classList.map((label, c) => [label, c]));
  const C = classList.length;
  const sums = new Float64Array(C * d);
  const counts = new Float64Array(C);
  for (let i = 0; i < n; i++) {
    const c = classIndex.get(lab[i])!;
    counts[c]++;
    for (let j = 0; j < d; j++) sums[c * d + j] += values[i * d + j];
  }
  const centroids = new Float64Array(C * d);
  for (let c = 0; c < C; c++) for (let j = 0; j < d; j++) centroids[c * d + j] = sums[c * d + j] / counts[c];
  const available = new Uint8Array(C).fill(1);
  let correct = 0;
  let unclassifiable = 0;
  for (let i = 0; i < n; i++) {
    const own = classIndex.get(lab[i])!;
    // Replace the own centroid by the mean without point i, classify, then restore it.
    const saved = centroids.slice(own * d, (own + 1) * d);
    if (counts[own] < 2) {
      available[own] = 0;
      unclassifiable++;
    } else {
      for (let j = 0; j < d; j++) centroids[own * d + j] = (sums[own * d + j] - values[i * d + j]) / (counts[own] - 1);
    }
    if (nearest(values, i, d, centroids, available) === own) correct++;
    centroids.set(saved, own * d);
    available[own] = 1;
  }
  return result('leave-one-out', correct, n, C, unclassifiable);
}
