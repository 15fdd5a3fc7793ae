// Classifiers that turn a generated image of c into a symbol, so generation accuracy can be scored
// (paper Sec. 3: accuracy = the generated image shows (a + b) mod P). For N = 1 the nearest symbol template
// (L2) is exact; N > 1 needs a trained classifier (cnn-classifier.ts; classifier-for-run.ts picks one).

import { ModelError } from '../errors.ts';
import type { AccuracyResult } from './accuracy.ts';

export interface Classifier {
  readonly name: string;
  /** Predicted symbol for each of `count` images laid out [count, pixels]. */
  classify(images: Float32Array, count: number): Int32Array;
  /**
   * The classifier's own accuracy on held-out real images of the symbols (test split), reported beside every
   * accuracy it scores; absent where it is exact by construction (nearest template with N = 1).
   */
  readonly heldout?: AccuracyResult;
  /** Frees tensors the classifier holds (a CNN's weights). */
  dispose?(): void;
}

/** Which classifier scored an accuracy, and that classifier's own held-out accuracy (null: exact by construction). */
export interface ScoredBy {
  readonly name: string;
  readonly heldout: AccuracyResult | null;
}

export function scoredBy(classifier: Classifier): ScoredBy {
  return { name: classifier.name, heldout: classifier.heldout ?? null };
}

/**
 * Nearest-template classifier: templates [P, pixels] (e.g. the single image of each symbol when N = 1, or
 * per-symbol means); an image is assigned the symbol whose template is closest in L2.
 */
export function nearestTemplateClassifier(templates: Float32Array, P: number, pixels: number): Classifier {
  if (templates.length !== P * pixels) {
    throw new ModelError('classifier-shape', `nearest-template classifier: templates have ${templates.length} values, expected P·pixels = ${P}·${pixels}`);
  }
  return {
    name: 'nearest-template-l2',
    classify(images: Float32Array, count: number): Int32Array {
      if (images.length !== count * pixels) {
        throw new ModelError('classifier-shape', `classify: images have ${images.length} values, expected ${count}·${pixels}`);
      }
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        let best = -1;
        let bestDist = Infinity;
        const off = i * pixels;
        for (let k = 0; k < P; k++) {
          let dist = 0;
          const toff = k * pixels;
          for (let p = 0; p < pixels; p++) {
            const diff = images[off + p] - templates[toff + p];
            dist += diff * diff;
          }
          if (dist < bestDist) {
            bestDist = dist;
            best = k;
          }
        }
        out[i] = best;
      }
      return out;
    },
  };
}

/** Templates [P, pixels] from a symbol set's images [P, N, pixels]: image 0 of each symbol when N = 1, else the mean. */
export function symbolTemplates(images: Float32Array, P: number, N: number, pixels: number): Float32Array {
  const out = new Float32Array(P * pixels);
  for (let k = 0; k < P; k++) {
    for (let j = 0; j < N; j++) {
      const off = (k * N + j) * pixels;
      for (let p = 0; p < pixels; p++) out[k * pixels + p] += images[off + p] / N;
    }
  }
  return out;
}

/**
 * Nearest-training-image classifier for small N: every one of the P·N training images [P, N, pixels] is a
 * template labelled with its symbol; an image gets the symbol of the closest one in L2. A diffusion model
 * trained on a few images per symbol draws (close to) one of them, so this is exact where a CNN is not (the
 * CNN confuses EMNIST's 1 / I / L strokes, see fixtures/classifiers/README.md).
 */
export function nearestImageClassifier(images: Float32Array, P: number, N: number, pixels: number): Classifier {
  if (images.length !== P * N * pixels) {
    throw new ModelError('classifier-shape', `nearest-image classifier: images have ${images.length} values, expected P·N·pixels = ${P}·${N}·${pixels}`);
  }
  const byImage = nearestTemplateClassifier(images, P * N, pixels);
  return {
    name: 'nearest-training-image-l2',
    classify(generated: Float32Array, count: number): Int32Array {
      const rows = byImage.classify(generated, count);
      return rows.map((row) => Math.floor(row / N));
    },
  };
}
