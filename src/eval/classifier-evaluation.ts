// How well a classifier of the P symbols reads real held-out images (the pool's test split, never seen in
// training): overall accuracy with a Wilson 95 % interval, per-class accuracy, and the confusions that
// matter. Generation accuracy (paper Sec. 3-4, Figures 2 and 4) is only as good as the classifier that
// scores it, so this number travels with every accuracy it scores, and a classifier whose lower Wilson
// bound is below PAPER.classifierMinAccuracy is refused for scoring.

import { CheckpointError, ModelError } from '../errors.ts';
import { PAPER } from '../paper/registry.ts';
import type { Classifier } from './classifier.ts';
import { accuracyResult, type AccuracyResult } from './accuracy.ts';
import type { LabelledImages } from './labelled-images.ts';

export interface ClassAccuracy {
  readonly symbol: number;
  readonly char: string;
  readonly correct: number;
  readonly total: number;
  readonly accuracy: number;
}

export interface Confusion {
  /** True symbol and the symbol it was read as. */
  readonly symbol: number;
  readonly predicted: number;
  readonly char: string;
  readonly predictedChar: string;
  readonly count: number;
  /** count / images of the true symbol. */
  readonly shareOfClass: number;
}

export interface ClassifierEvaluation {
  readonly accuracy: AccuracyResult;
  readonly perClass: readonly ClassAccuracy[];
  /** Confusions of at least MIN_CONFUSION_SHARE of a class or MIN_CONFUSION_COUNT images, most frequent first. */
  readonly confusions: readonly Confusion[];
}

/** A confusion is listed when it takes at least this share of its class ... */
export const MIN_CONFUSION_SHARE = 0.02;
/** ... or at least this many images. */
export const MIN_CONFUSION_COUNT = 3;

/** Confusion counts [P, P] (row = true symbol, column = prediction) of predictions against labels. */
export function confusionMatrix(labels: Int32Array, predictions: Int32Array, P: number): Int32Array {
  if (labels.length !== predictions.length) {
    throw new ModelError('classifier-shape', `confusionMatrix: ${labels.length} labels but ${predictions.length} predictions`);
  }
  const m = new Int32Array(P * P);
  for (let i = 0; i < labels.length; i++) {
    const p = predictions[i];
    if (!(p >= 0 && p < P)) throw new ModelError('classifier-output', `confusionMatrix: prediction ${p} at ${i} is outside 0..${P - 1}`);
    m[labels[i] * P + p]++;
  }
  return m;
}

/** Summarises a confusion matrix [P, P] with the class names `chars`. */
export function summariseConfusion(matrix: Int32Array, chars: readonly string[]): ClassifierEvaluation {
  const P = chars.length;
  const perClass: ClassAccuracy[] = [];
  const confusions: Confusion[] = [];
  let correct = 0;
  let total = 0;
  for (let k = 0; k < P; k++) {
    let row = 0;
    for (let j = 0; j < P; j++) row += matrix[k * P + j];
    const hit = matrix[k * P + k];
    perClass.push({ symbol: k, char: chars[k], correct: hit, total: row, accuracy: row === 0 ? 0 : hit / row });
    correct += hit;
    total += row;
    for (let j = 0; j < P; j++) {
      const count = matrix[k * P + j];
      if (j === k || count === 0) continue;
      const shareOfClass = count / row;
      if (shareOfClass >= MIN_CONFUSION_SHARE || count >= MIN_CONFUSION_COUNT) {
        confusions.push({ symbol: k, predicted: j, char: chars[k], predictedChar: chars[j], count, shareOfClass });
      }
    }
  }
  confusions.sort((a, b) => b.count - a.count || a.symbol - b.symbol || a.predicted - b.predicted);
  return { accuracy: accuracyResult(correct, total), perClass, confusions };
}

/** Classifies every labelled image and summarises the result. */
export function evaluateClassifier(classifier: Classifier, data: LabelledImages): ClassifierEvaluation {
  const predictions = classifier.classify(data.images, data.count);
  return summariseConfusion(confusionMatrix(data.labels, predictions, data.P), data.chars);
}

/** One line per confusion, e.g. "L→1 16 (18.4 %)". */
export function formatConfusions(confusions: readonly Confusion[], max = 10): string {
  return confusions
    .slice(0, max)
    .map((c) => `${c.char}→${c.predictedChar} ${c.count} (${(100 * c.shareOfClass).toFixed(1)} %)`)
    .join(', ');
}

/** "0.9236 [0.9112, 0.9344] (1815/1965)". */
export function formatAccuracy(a: AccuracyResult): string {
  return `${a.accuracy.toFixed(4)} [${a.interval[0].toFixed(4)}, ${a.interval[1].toFixed(4)}] (${a.correct}/${a.total})`;
}

/**
 * Refuses a classifier for scoring when the lower end of its held-out Wilson interval is below
 * PAPER.classifierMinAccuracy; `what` names it (a fixture directory) in the error.
 */
export function requireAccurateClassifier(accuracy: AccuracyResult, what: string): void {
  const level = PAPER.classifierMinAccuracy.value;
  if (accuracy.total === 0 || accuracy.interval[0] < level) {
    throw new CheckpointError(
      'classifier-inaccurate',
      `${what}: held-out accuracy ${formatAccuracy(accuracy)} has its lower Wilson bound below PAPER.classifierMinAccuracy = ${level}; ` +
        'it cannot score generated images (retrain it, or train a better one)',
    );
  }
}
