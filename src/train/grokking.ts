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

export function grokkingSteps(
  rows: readonly MetricsRow[],
  levels: { train?: number; heldout?: number } = {},
): GrokkingSteps {
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
