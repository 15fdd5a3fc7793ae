// The modular-addition pairs and their train / held-out split (paper Sec. 3: all P² pairs (a, b) with
// c = (a + b) mod P; a fraction R of them, PAPER.trainingRatio = 0.9, is used for training and the rest is
// held out to measure generalisation). Pair (a, b) has index a·P + b. The split is a seeded permutation.
// The paper splits ordered pairs ('ordered', the default): a held-out (a, b) usually has its mirror (b, a) in
// training, so a model that is symmetric in a and b gets it right without generalising. The 'unordered' split
// (our addition, issue 14) keeps a pair and its mirror on the same side, so every held-out pair is novel.

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

/** How pairs are split: every ordered pair on its own, or {a, b} together with its mirror. */
export const SPLIT_KINDS = ['ordered', 'unordered'] as const;
export type SplitKind = (typeof SPLIT_KINDS)[number];

/**
 * Split the P² pairs into round(R·P²) training pairs and the rest, by a seeded shuffle of the indices.
 * R must lie strictly inside (0, 1) and leave both parts non-empty. With `kind` 'unordered' the shuffled
 * units are the unordered pairs {a, b} (one or two ordered pairs each), taken greedily into training while
 * they fit, so the training set has round(R·P²) pairs and no pair is on the other side of its mirror.
 */
export function splitPairs(P: number, R: number, rng: Rng, kind: SplitKind = 'ordered'): PairSplit {
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
  if (!SPLIT_KINDS.includes(kind)) {
    throw new ConfigError('pairs-split', `pair split "${String(kind)}" is invalid; expected one of ${SPLIT_KINDS.join(', ')}`);
  }
  const trainList = kind === 'ordered' ? orderedTrainIndices(total, nTrain, rng) : unorderedTrainIndices(P, nTrain, rng);
  const inTrain = new Uint8Array(total);
  for (const i of trainList) inTrain[i] = 1;
  const trainIndices = Int32Array.from(trainList).sort();
  const heldoutIndices = Int32Array.from({ length: total - trainList.length }, () => 0);
  for (let i = 0, h = 0; i < total; i++) if (!inTrain[i]) heldoutIndices[h++] = i;
  return {
    P,
    R,
    train: Array.from(trainIndices, (i) => pairAt(P, i)),
    heldout: Array.from(heldoutIndices, (i) => pairAt(P, i)),
    trainIndices,
    heldoutIndices,
  };
}

/** The first nTrain indices of a seeded permutation of 0..total-1 (the paper's split; unchanged since the fixtures). */
function orderedTrainIndices(total: number, nTrain: number, rng: Rng): number[] {
  return rng.shuffle(Array.from({ length: total }, (_, i) => i)).slice(0, nTrain);
}

/** Unordered pairs {a, b} (a ≤ b) in seeded order, added with their mirror while the training set has room. */
function unorderedTrainIndices(P: number, nTrain: number, rng: Rng): number[] {
  const units: number[][] = [];
  for (let a = 0; a < P; a++) for (let b = a; b < P; b++) units.push(a === b ? [a * P + b] : [a * P + b, b * P + a]);
  const out: number[] = [];
  for (const unit of rng.shuffle(units)) {
    if (out.length + unit.length <= nTrain) out.push(...unit);
    if (out.length === nTrain) break;
  }
  return out;
}

/** The split with the registry's defaults: P = PAPER.modulus, R = PAPER.trainingRatio. */
export function paperPairSplit(rng: Rng, P: number = PAPER.modulus.value, R: number = PAPER.trainingRatio.value): PairSplit {
  return splitPairs(P, R, rng);
}
