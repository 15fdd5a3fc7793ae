// The novel held-out pairs one by one (issue 14; paper Sec. 3, Figure 2): the held-out pairs whose mirror
// (b, a) was not trained are where grokking shows, the rest being answered by commutativity. Per pair: the
// classes the model drew over its noise draws, and whether a + b wraps around the modulus (a + b ≥ P). A
// model that has learned an ordinal (number-line) sum rather than a modular one answers the pairs that do not
// wrap and fails those that do; the split says which it has. Every wrong draw is also sorted by what was
// drawn (issue 27: name the failure): c ± 1, P − 1 (the top of the number line: a sum that saturates instead
// of wrapping), a or b (an operand copied), or another symbol. Pure: reads predictions already scored.

import type { Pair } from '../data/pairs.ts';
import { accuracyResult, type AccuracyResult } from './accuracy.ts';

export interface NovelPairResult extends Pair {
  /** a + b ≥ P: the sum wraps around the modulus. */
  readonly wraps: boolean;
  /** The class drawn for each noise draw. */
  readonly predictions: readonly number[];
  readonly correct: number;
}

/** What a wrong draw on a novel pair was, checked in this order (the first that applies). */
export const FAILURE_KINDS = ['c±1', 'P−1', 'a', 'b', 'other'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** The kind of a wrong draw `drawn` on pair (a, b) → c (see FAILURE_KINDS). */
export function failureKind(pair: Pair, drawn: number, P: number): FailureKind {
  if (drawn === (pair.c + 1) % P || drawn === (pair.c + P - 1) % P) return 'c±1';
  if (drawn === P - 1) return 'P−1';
  if (drawn === pair.a) return 'a';
  if (drawn === pair.b) return 'b';
  return 'other';
}

/** Counts of the wrong draws by kind, for the pairs whose sum wraps and those whose sum does not. */
export interface FailureTable {
  readonly wrapping: Readonly<Record<FailureKind, number>>;
  readonly notWrapping: Readonly<Record<FailureKind, number>>;
}

export interface NovelPairBreakdown {
  readonly all: AccuracyResult;
  /** Pairs whose sum wraps (a + b ≥ P), and those whose sum does not. */
  readonly wrapping: AccuracyResult & { readonly pairs: number };
  readonly notWrapping: AccuracyResult & { readonly pairs: number };
  readonly pairs: readonly NovelPairResult[];
  readonly failures: FailureTable;
}

/**
 * Per-pair results of the novel pairs (`novel`: indices into `pairs`) from predictions laid out pair-major
 * (prediction of pair p, draw d at p · draws + d, as generateForPairs orders them).
 */
export function novelPairBreakdown(
  pairs: readonly Pair[],
  novel: readonly number[],
  predictions: ArrayLike<number>,
  draws: number,
  P: number,
): NovelPairBreakdown {
  if (predictions.length !== pairs.length * draws) {
    throw new RangeError(`novelPairBreakdown: ${predictions.length} predictions for ${pairs.length} pairs × ${draws} draws`);
  }
  const results = novel.map((i): NovelPairResult => {
    const pair = pairs[i];
    const drawn = Array.from({ length: draws }, (_, d) => predictions[i * draws + d]);
    return { ...pair, wraps: pair.a + pair.b >= P, predictions: drawn, correct: drawn.filter((c) => c === pair.c).length };
  });
  const tally = (list: readonly NovelPairResult[]) => ({
    ...accuracyResult(
      list.reduce((s, r) => s + r.correct, 0),
      list.length * draws,
    ),
    pairs: list.length,
  });
  const { pairs: _n, ...all } = tally(results);
  return {
    all,
    wrapping: tally(results.filter((r) => r.wraps)),
    notWrapping: tally(results.filter((r) => !r.wraps)),
    pairs: results,
    failures: failureTable(results, P),
  };
}

function failureTable(results: readonly NovelPairResult[], P: number): FailureTable {
  const empty = (): Record<FailureKind, number> => Object.fromEntries(FAILURE_KINDS.map((k) => [k, 0])) as Record<FailureKind, number>;
  const wrapping = empty();
  const notWrapping = empty();
  for (const r of results) {
    const counts = r.wraps ? wrapping : notWrapping;
    for (const drawn of r.predictions) if (drawn !== r.c) counts[failureKind(r, drawn, P)]++;
  }
  return { wrapping, notWrapping };
}

/** "c±1 3, P−1 12, a 0, b 1, other 2" */
export function describeFailures(counts: Readonly<Record<FailureKind, number>>): string {
  return FAILURE_KINDS.map((k) => `${k} ${counts[k]}`).join(', ');
}

/** "(9, 17) → 3 (wraps): 0/8, drew 1×8" */
export function describeNovelPair(r: NovelPairResult): string {
  const counts = new Map<number, number>();
  for (const c of r.predictions) counts.set(c, (counts.get(c) ?? 0) + 1);
  const drew = [...counts.entries()]
    .sort((x, y) => y[1] - x[1] || x[0] - y[0])
    .map(([c, n]) => `${c}×${n}`)
    .join(' ');
  return `(${r.a}, ${r.b}) → ${r.c}${r.wraps ? ' (wraps)' : ''}: ${r.correct}/${r.predictions.length}, drew ${drew}`;
}
