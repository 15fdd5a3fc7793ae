// The novel held-out pairs one by one (issue 14; paper Sec. 3, Figure 2): the held-out pairs whose mirror
// (b, a) was not trained are where grokking shows, the rest being answered by commutativity. Per pair: the
// classes the model drew over its noise draws, and whether a + b wraps around the modulus (a + b ≥ P). A
// model that has learned an ordinal (number-line) sum rather than a modular one answers the pairs that do not
// wrap and fails those that do; the split says which it has. Pure: reads predictions already scored.

import type { Pair } from '../data/pairs.ts';
import { accuracyResult, type AccuracyResult } from './accuracy.ts';

export interface NovelPairResult extends Pair {
  /** a + b ≥ P: the sum wraps around the modulus. */
  readonly wraps: boolean;
  /** The class drawn for each noise draw. */
  readonly predictions: readonly number[];
  readonly correct: number;
}

export interface NovelPairBreakdown {
  readonly all: AccuracyResult;
  /** Pairs whose sum wraps (a + b ≥ P), and those whose sum does not. */
  readonly wrapping: AccuracyResult & { readonly pairs: number };
  readonly notWrapping: AccuracyResult & { readonly pairs: number };
  readonly pairs: readonly NovelPairResult[];
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
  return { all, wrapping: tally(results.filter((r) => r.wraps)), notWrapping: tally(results.filter((r) => !r.wraps)), pairs: results };
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
