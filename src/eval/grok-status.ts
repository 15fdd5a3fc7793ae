// Whether a checkpoint has grokked (paper Sec. 3, Figure 2; the precondition of every claim about a grokked
// model's mechanism, issues 14 and 15): generation accuracy from noise with K = PAPER.samplingSteps on the
// training pairs and on the *novel* held-out pairs (those whose mirror (b, a) was not trained: the rest of the
// held-out set is answered by commutativity alone), each compared with its grokking level by its Wilson 95 %
// interval. Draws per pair start at PAPER.grokCheckDraws.first and double until the interval lies wholly
// above or below the level, up to .max; an interval still straddling the level is "undecided", which does
// not count as grokked. All held-out pairs are measured too, for the record.

import { rootRng } from '../engine/random.ts';
import type { Pair } from '../data/pairs.ts';
import type { SymbolSet } from '../data/symbols.ts';
import { PAPER } from '../paper/registry.ts';
import { reportProgress } from '../io/work-progress.ts';
import type { LoadedRun } from './loaded-run.ts';
import { accuracyResult, type AccuracyResult } from './accuracy.ts';
import { generateForPairs, scoreGenerated } from './generation.ts';

/** Where an accuracy stands against its level. */
export type LevelDecision = 'at-level' | 'below' | 'undecided';

export interface LevelCheck extends AccuracyResult {
  readonly pairs: number;
  /** Noise draws per pair that were needed (or the maximum). */
  readonly drawsPerPair: number;
  readonly level: number;
  readonly decision: LevelDecision;
}

export interface GrokStatus {
  readonly step: number;
  /** Euler steps of the sampler. */
  readonly K: number;
  readonly train: LevelCheck;
  /** All held-out pairs (reported; not part of the decision). */
  readonly heldout: LevelCheck;
  /** Held-out pairs whose mirror is not trained (all held-out pairs when there are none such). */
  readonly novel: LevelCheck;
  readonly grokked: boolean;
  /** One line: why the checkpoint did or did not count as grokked, with its numbers. */
  readonly summary: string;
}

/** Seed of the precondition's noise streams (fixed, so a status is reproducible). */
const GROK_STATUS_SEED = 20260414;

export function decide(result: AccuracyResult, level: number): LevelDecision {
  if (result.total === 0) return 'undecided';
  if (result.interval[0] >= level) return 'at-level';
  if (result.interval[1] < level) return 'below';
  return 'undecided';
}

/**
 * Accuracy of a model on pairs, with draws doubled from `first` to `max` until the Wilson interval decides
 * against `level`. Every round draws new noise (and, for N > 1, new operand images) and adds to the counts.
 */
function checkLevel(
  run: LoadedRun,
  symbols: SymbolSet,
  pairs: readonly Pair[],
  level: number,
  draws: { first: number; max: number },
  K: number,
  stream: string,
): LevelCheck {
  let correct = 0;
  let total = 0;
  let done = 0;
  let target = draws.first;
  let round = 0;
  for (;;) {
    reportProgress({ phase: `grok status, ${stream} pairs, ${done} draws per pair so far`, item: `${run.config.preset} seed ${run.config.seed}` });
    const add = target - done;
    if (pairs.length > 0 && add > 0) {
      const rng = rootRng(GROK_STATUS_SEED).fork(`${stream}-round-${round}`);
      const scored = scoreGenerated(generateForPairs(run.model, run.params, symbols, pairs, { draws: add, steps: K, rng }), run.classifier);
      correct += scored.correct;
      total += scored.total;
    }
    done = target;
    round++;
    const result = accuracyResult(correct, total);
    const decision = decide(result, level);
    if (decision !== 'undecided' || target >= draws.max || pairs.length === 0) {
      return { ...result, pairs: pairs.length, drawsPerPair: done, level, decision };
    }
    target = Math.min(draws.max, target * 2);
  }
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
export const formatLevelCheck = (c: LevelCheck): string =>
  `${pct(c.accuracy)} [${pct(c.interval[0])}, ${pct(c.interval[1])}] (${c.pairs} pairs × ${c.drawsPerPair} draws, level ${pct(c.level)}: ${c.decision})`;

/** Measures whether a loaded checkpoint has grokked (see the module comment). */
export function measureGrokStatus(run: LoadedRun, options: { K?: number } = {}): GrokStatus {
  const K = options.K ?? PAPER.samplingSteps.value;
  const draws = PAPER.grokCheckDraws.value;
  const { data } = run;
  const novelPairs = data.heldoutNovel.length > 0 ? data.heldoutNovel.map((i) => data.heldout[i]) : data.heldout;
  const train = checkLevel(run, data.symbols, data.train, PAPER.grokTrainLevel.value, draws.train, K, 'train');
  const novel = checkLevel(run, data.heldoutSymbols, novelPairs, PAPER.grokHeldoutLevel.value, draws.heldout, K, 'novel');
  const heldout = checkLevel(
    run,
    data.heldoutSymbols,
    data.heldout,
    PAPER.grokHeldoutLevel.value,
    { first: draws.heldout.first, max: draws.heldout.first },
    K,
    'heldout',
  );
  const grokked = train.decision === 'at-level' && novel.decision === 'at-level';
  const why = grokked
    ? 'grokked'
    : train.decision !== 'at-level'
      ? `did not grok: train accuracy ${train.decision === 'below' ? 'below' : 'not decidably at'} its level`
      : `did not grok: novel held-out accuracy ${novel.decision === 'below' ? 'below' : 'not decidably at'} its level`;
  return {
    step: run.step,
    K,
    train,
    heldout,
    novel,
    grokked,
    summary: `${why} at step ${run.step} (K = ${K}): train ${formatLevelCheck(train)}; novel held-out ${formatLevelCheck(novel)}; all held-out ${formatLevelCheck(heldout)}`,
  };
}
