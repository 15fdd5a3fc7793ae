// The evaluation set of the diverse-image regime (paper Appendix C.2): with N > 1 images per symbol a model
// could score well by recalling (operand image, operand image) combinations it was trained on, so held-out
// accuracy is measured on a non-redundant set: held-out (a, b) pairs whose operand images are never used in
// training. The operand images come from the pool's test split (disjoint by pixel content from the train
// split the symbol set draws from), `perSymbol` of them per symbol, a seeded choice. With N = 1 the symbol
// *is* its one image, so the evaluation set is the held-out pairs drawn with that image (the paper's N = 1
// protocol). Returned as a SymbolSet so generation code treats both alike.

import { ConfigError, DataError } from '../errors.ts';
import type { Rng } from '../engine/random.ts';
import type { EmnistPool } from './pool.ts';
import { heldoutImages, type SymbolSet } from './symbols.ts';

/** Operand images per symbol in the N > 1 evaluation set (each held-out pair draws one per operand). */
export const EVALUATION_IMAGES_PER_SYMBOL = 32;

export interface EvaluationImages {
  /** Operand images for held-out pairs: the training set itself when N = 1, unseen test-split images otherwise. */
  readonly symbols: SymbolSet;
  /** 'training-images' (N = 1) or 'unseen-test-split-images' (N > 1). */
  readonly kind: 'training-images' | 'unseen-test-split-images';
}

/**
 * The operand images used to evaluate held-out pairs. For N > 1: `perSymbol` unseen images per symbol from
 * the pool's test split (every class must have that many; the error says which does not).
 */
export function evaluationImages(train: SymbolSet, pool: EmnistPool, rng: Rng, perSymbol = EVALUATION_IMAGES_PER_SYMBOL): EvaluationImages {
  if (train.N === 1) return { symbols: train, kind: 'training-images' };
  const held = heldoutImages(train, pool, { maxPerClass: perSymbol, rng: rng.fork('evaluation-images') });
  const short = held.counts.findIndex((c) => c < perSymbol);
  if (short >= 0) {
    throw new ConfigError(
      'evaluation-set',
      `evaluation set: symbol ${short} ('${train.chars[short]}') has only ${held.counts[short]} unseen test-split images; ${perSymbol} are needed per symbol`,
    );
  }
  const size = train.side * train.side;
  // heldoutImages lists class by class, perSymbol each: exactly the [P, perSymbol, pixels] layout of a SymbolSet.
  const sources = train.classes.map((_, k) => held.sources.slice(k * perSymbol, (k + 1) * perSymbol));
  if (held.images.length !== train.P * perSymbol * size)
    throw new DataError(
      'evaluation-layout',
      `evaluation set: the held-out images hold ${held.images.length} values; ${train.P} symbols × ${perSymbol} images × ${size} pixels = ${train.P * perSymbol * size} expected`,
    );
  return {
    symbols: { ...train, N: perSymbol, images: held.images, sources, rngPath: `${rng.path}/evaluation-images`, rngSeed: rng.seed },
    kind: 'unseen-test-split-images',
  };
}
