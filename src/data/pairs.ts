// The modular-addition pairs and their train / held-out split (paper Sec. 3: all P² pairs (a, b) with
// c = (a + b) mod P; a fraction R of them, PAPER.trainingRatio = 0.9, is used for training and the rest is
// held out to measure generalisation). Pair (a, b) has index a·P + b. The split is a seeded permutation.

import { ConfigError } from '../errors.ts';
import type { Rng } from '../engine/random.ts';
import { PAPER } from '../paper/registry.ts';

export interface Pair {
  readonly a: number;
  readonly b: number;
  /** (a + b) mod P */
  readonly c: number;
}

export interface PairSplit {
  readonly P: number;
  readonly R: number;
  /** Training pairs, in increasing index order. */
  readonly train: readonly Pair[];
  /** Held-out pairs, in increasing index order. */
  readonly heldout: readonly Pair[];
  /** Indices a·P + b of the training pairs (ascending). */
  readonly trainIndices: Int32Array;
  /** Indices a·P + b of the held-out pairs (ascending). */
  readonly heldoutIndices: Int32Array;
}

function checkP(P: number): number {
  if (!Number.isInteger(P) || P < 2 || P > 46340) {
    throw new ConfigError('pairs-P', `modulus P = ${P} is invalid; expected an integer ≥ 2 (and P² within int32)`);
  }
  return P;
}

/** The pair with index `i` = a·P + b. */
export function pairAt(P: number, i: number): Pair {
  const a = Math.floor(i / P);
  const b = i - a * P;
  return { a, b, c: (a + b) % P };
}

/** All P² pairs in order a·P + b. */
export function allPairs(P: number): Pair[] {
  checkP(P);
  return Array.from({ length: P * P }, (_, i) => pairAt(P, i));
}

/** The number of training pairs for P and R: round(R·P²). */
export function trainPairCount(P: number, R: number): number {
  return Math.round(R * P * P);
}

/**
 * Split the P² pairs into round(R·P²) training pairs and the rest, by a seeded shuffle of the indices.
 * R must lie strictly inside (0, 1) and leave both parts non-empty.
 */
export function splitPairs(P: number, R: number, rng: Rng): PairSplit {
  checkP(P);
  if (typeof R !== 'number' || !Number.isFinite(R) || R <= 0 || R >= 1) {
    throw new ConfigError('pairs-R', `training ratio R = ${String(R)} is invalid; expected a number strictly between 0 and 1`);
  }
  const total = P * P;
  const nTrain = trainPairCount(P, R);
  if (nTrain < 1 || nTrain > total - 1) {
    throw new ConfigError(
      'pairs-R',
      `training ratio R = ${R} with P = ${P} gives round(R·P²) = ${nTrain} of ${total} pairs for training; ` +
        `expected at least 1 training and 1 held-out pair`,
    );
  }
  const order = rng.shuffle(Array.from({ length: total }, (_, i) => i));
  const trainIndices = Int32Array.from(order.slice(0, nTrain)).sort();
  const heldoutIndices = Int32Array.from(order.slice(nTrain)).sort();
  return {
    P,
    R,
    train: Array.from(trainIndices, (i) => pairAt(P, i)),
    heldout: Array.from(heldoutIndices, (i) => pairAt(P, i)),
    trainIndices,
    heldoutIndices,
  };
}

/** The split with the registry's defaults: P = PAPER.modulus, R = PAPER.trainingRatio. */
export function paperPairSplit(rng: Rng, P: number = PAPER.modulus.value, R: number = PAPER.trainingRatio.value): PairSplit {
  return splitPairs(P, R, rng);
}
