// Classifier evaluation on a hand-made confusion matrix: accuracy with its Wilson interval, per-class
// accuracy, which confusions are listed, and the PAPER.classifierMinAccuracy gate on both sides of the level.
import { describe, expect, it } from 'vitest';
import { CheckpointError, ModelError } from '../errors.ts';
import { PAPER } from '../paper/registry.ts';
import { wilsonInterval } from '../analysis/stats.ts';
import { confusionMatrix, evaluateClassifier, formatAccuracy, requireAccurateClassifier, summariseConfusion } from './classifier-evaluation.ts';
import { accuracyResult } from './accuracy.ts';
import type { LabelledImages } from './labelled-images.ts';

describe('classifier evaluation', () => {
  it('summarises a confusion matrix: accuracy, Wilson interval, per class, confusions that matter', () => {
    // 3 classes, 100 images each: class 1 read as 2 ten times, class 0 read as 2 once.
    const labels = Int32Array.from({ length: 300 }, (_, i) => Math.floor(i / 100));
    const predictions = Int32Array.from(labels);
    for (let i = 100; i < 110; i++) predictions[i] = 2;
    predictions[0] = 2;
    const m = confusionMatrix(labels, predictions, 3);
    expect(Array.from(m)).toEqual([99, 0, 1, 0, 90, 10, 0, 0, 100]);
    const e = summariseConfusion(m, ['a', 'b', 'c']);
    const w = wilsonInterval(289, 300);
    expect(e.accuracy).toEqual({ correct: 289, total: 300, accuracy: 289 / 300, interval: [w.lower, w.upper] });
    expect(e.perClass.map((c) => c.accuracy)).toEqual([0.99, 0.9, 1]);
    // 1 % of class a is below the listing level (2 % or 3 images); 10 % of class b is listed.
    expect(e.confusions).toEqual([{ symbol: 1, predicted: 2, char: 'b', predictedChar: 'c', count: 10, shareOfClass: 0.1 }]);
    expect(formatAccuracy(e.accuracy)).toMatch(/^0\.9633 \[0\.\d{4}, 0\.\d{4}\] \(289\/300\)$/);
  });

  it('refuses predictions outside 0..P-1 and mismatched lengths', () => {
    expect(() => confusionMatrix(new Int32Array(2), new Int32Array(3), 2)).toThrow(ModelError);
    expect(() => confusionMatrix(new Int32Array(1), Int32Array.of(-1), 2)).toThrow(/prediction -1 at 0 is outside 0..1/);
  });

  it('evaluates any Classifier on labelled images', () => {
    const data = { P: 2, side: 4, count: 4, images: new Float32Array(64), labels: Int32Array.of(0, 0, 1, 1), chars: ['x', 'y'] } as unknown as LabelledImages;
    const e = evaluateClassifier({ name: 'zero', classify: (_images, count) => new Int32Array(count) }, data);
    expect(e.accuracy.correct).toBe(2);
    expect(e.perClass.map((c) => c.accuracy)).toEqual([1, 0]);
  });

  it('the gate compares the lower Wilson bound with PAPER.classifierMinAccuracy', () => {
    expect(PAPER.classifierMinAccuracy.value).toBe(0.9);
    expect(() => requireAccurateClassifier(accuracyResult(1900, 2000), 'c')).not.toThrow(); // 0.95, lower ≈ 0.940
    const borderline = accuracyResult(910, 1000); // 0.91, lower ≈ 0.891
    expect(() => requireAccurateClassifier(borderline, 'my classifier')).toThrow(CheckpointError);
    expect(() => requireAccurateClassifier(borderline, 'my classifier')).toThrow(
      /my classifier: held-out accuracy 0\.9100 .* below PAPER\.classifierMinAccuracy = 0\.9/,
    );
    expect(() => requireAccurateClassifier(accuracyResult(0, 0), 'empty')).toThrow(/empty/);
  });
});
