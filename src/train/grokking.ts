// Grokking steps from a run's metrics (paper Sec. 3, Figure 2): s_train is the first evaluated step at which
// train accuracy reaches its level and s_val the first at which held-out accuracy reaches its level
// (levels from the registry: PAPER.grokTrainLevel, PAPER.grokHeldoutLevel). The lag is s_val / s_train.

import { PAPER } from '../paper/registry.ts';

export interface MetricsRow {
  readonly step: number;
  readonly loss: number;
  readonly lr: number;
  readonly trainAcc: number;
  readonly trainInterval: readonly [number, number];
  readonly heldoutAcc: number;
  readonly heldoutInterval: readonly [number, number];
  /** Held-out accuracy on the pairs whose mirror (b, a) is not a training pair (see RunData.heldoutNovel). */
  readonly heldoutNovelAcc?: number;
  readonly heldoutNovelInterval?: readonly [number, number];
  readonly wallSeconds: number;
  /**
   * 'fixed': the accuracies were read on the trainer's fixed evaluation draw (one noise draw per pair, reused at
   * every evaluation: eval/training-evaluation.ts), not on fresh draws as the claims judge grokking
   * (eval/grok-status.ts). Absent in logs written before the field existed (read the same way).
   */
  readonly evalDraw?: 'fixed';
}

export interface GrokkingSteps {
  /** First step with train accuracy ≥ trainLevel, or null if never. */
  readonly sTrain: number | null;
  /** First step with held-out accuracy ≥ heldoutLevel, or null if never. */
  readonly sVal: number | null;
  /** sVal / sTrain when both exist. */
  readonly ratio: number | null;
  readonly trainLevel: number;
  readonly heldoutLevel: number;
  /** Wall-clock seconds at sVal (training time to generalise), or null. */
  readonly wallSecondsAtVal: number | null;
}

export function grokkingSteps(rows: readonly MetricsRow[], levels: { train?: number; heldout?: number } = {}): GrokkingSteps {
  const trainLevel = levels.train ?? PAPER.grokTrainLevel.value;
  const heldoutLevel = levels.heldout ?? PAPER.grokHeldoutLevel.value;
  const sorted = [...rows].sort((a, b) => a.step - b.step);
  const trainRow = sorted.find((r) => r.trainAcc >= trainLevel);
  const valRow = sorted.find((r) => r.heldoutAcc >= heldoutLevel);
  const sTrain = trainRow?.step ?? null;
  const sVal = valRow?.step ?? null;
  return {
    sTrain,
    sVal,
    ratio: sTrain !== null && sVal !== null ? sVal / sTrain : null,
    trainLevel,
    heldoutLevel,
    wallSecondsAtVal: valRow?.wallSeconds ?? null,
  };
}

/**
 * Whether one evaluation has train, held-out and (when logged) novel held-out accuracy at their grokking levels:
 * the novel pairs (mirror not trained) are where grokking happens, the rest of the held-out set is commutativity.
 */
export function atGrokkedLevels(row: Pick<MetricsRow, 'trainAcc' | 'heldoutAcc' | 'heldoutNovelAcc'>): boolean {
  const novelOk = row.heldoutNovelAcc === undefined || !Number.isFinite(row.heldoutNovelAcc) || row.heldoutNovelAcc >= PAPER.grokHeldoutLevel.value;
  return row.trainAcc >= PAPER.grokTrainLevel.value && row.heldoutAcc >= PAPER.grokHeldoutLevel.value && novelOk;
}

/** Which accuracy of a metrics row a level is read from. */
export type LoggedAccuracy = 'train' | 'heldout' | 'novel';

function accuracyOf(row: MetricsRow, which: LoggedAccuracy): number | undefined {
  return which === 'train' ? row.trainAcc : which === 'heldout' ? row.heldoutAcc : row.heldoutNovelAcc;
}

/**
 * The first logged step from which an accuracy holds its level (issue 14's stability rule): it is at or above
 * `level` there and in each of the next `k − 1` evaluations, or in every evaluation to the end of the log when
 * fewer than k remain. A single lucky evaluation (one noise draw per pair, a handful of novel pairs) does not
 * count. Null when the level is never held, or when the log has no such accuracy (novel: older logs).
 */
export function stableLevelStep(rows: readonly MetricsRow[], which: LoggedAccuracy, level: number, k: number = PAPER.grokStabilityEvals.value): number | null {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`stableLevelStep: k must be an integer ≥ 1, got ${k}`);
  const sorted = [...rows].sort((a, b) => a.step - b.step);
  for (let i = 0; i < sorted.length; i++) {
    const window = sorted.slice(i, i + k);
    const values = window.map((r) => accuracyOf(r, which));
    if (values.every((v) => v !== undefined && Number.isFinite(v) && v >= level)) return sorted[i].step;
  }
  return null;
}

/** s_train, s_val (all held-out) and s_val on the novel pairs, each by the stability rule. */
export interface StableGrokkingSteps {
  readonly sTrain: number | null;
  readonly sVal: number | null;
  readonly sValNovel: number | null;
  readonly k: number;
}

export function stableGrokkingSteps(rows: readonly MetricsRow[], k: number = PAPER.grokStabilityEvals.value): StableGrokkingSteps {
  return {
    sTrain: stableLevelStep(rows, 'train', PAPER.grokTrainLevel.value, k),
    sVal: stableLevelStep(rows, 'heldout', PAPER.grokHeldoutLevel.value, k),
    sValNovel: stableLevelStep(rows, 'novel', PAPER.grokHeldoutLevel.value, k),
    k,
  };
}
