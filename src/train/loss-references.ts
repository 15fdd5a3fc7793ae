// The loss references of a run (analysis/denoising-floor.ts; paper Sec. 2-3, Figures 2 and 4): the x0-loss of
// the best affine denoiser of the run's target images that ignores the operands (operand-blind) and of one that
// knows c (c-aware), as training draws the targets (class c with the share of training pairs whose result is
// c, then one of its N images uniformly). A loss curve that stays at the operand-blind level has learned
// neither the arithmetic nor any class structure; closing the gap to the c-aware level is the model using
// what it computed about c.

import { denoisingLossReferences, type DenoisingLossReferences } from '../analysis/denoising-floor.ts';
import type { MetricsRow } from './grokking.ts';
import type { RunData } from './run-data.ts';
import { readMetrics, runFolderOf } from './run-folder.ts';

export type { DenoisingLossReferences };

/** The references of a run's training targets. */
export function runLossReferences(data: RunData): DenoisingLossReferences {
  const { P, N, images } = data.symbols;
  const classOfRow = Int32Array.from({ length: P * N }, (_, row) => Math.floor(row / N));
  const weights = new Float64Array(P);
  for (const pair of data.train) weights[pair.c]++;
  return denoisingLossReferences(images, P * N, data.pixels, classOfRow, weights);
}

/** Where a loss lies between the operand-blind (0) and the c-aware (1) reference; null when they coincide. */
export function gapClosed(loss: number, refs: DenoisingLossReferences): number | null {
  const gap = refs.operandBlind - refs.cAware;
  return gap > 1e-12 ? (refs.operandBlind - loss) / gap : null;
}

/** "closes 28 % of the gap" / "is above the operand-blind level" / "" (references coincide). */
export function gapText(closed: number | null): string {
  if (closed === null) return '';
  return closed < 0 ? 'is above the operand-blind level' : `closes ${(100 * closed).toFixed(0)} % of the gap`;
}

/** One line: both references and, with a loss, where it lies between them. */
export function describeLossReferences(refs: DenoisingLossReferences, loss?: { value: number; step: number }): string {
  const head = `loss references (best affine denoiser): operand-blind ${refs.operandBlind.toFixed(4)}, knowing c ${refs.cAware.toFixed(4)}`;
  if (!loss) return head;
  const where = gapText(gapClosed(loss.value, refs));
  return `${head}; loss ${loss.value.toFixed(4)} at step ${loss.step}${where ? ` ${where}` : ''}`;
}

/**
 * The training loss logged at the last evaluation at or before `step` (the mean over the steps since the
 * evaluation before it), from the metrics.jsonl of the run that holds `dir` (a run folder or one of its
 * checkpoints/step-N folders); null when the run has no metrics log or no row that early.
 */
export function loggedLoss(dir: string, step: number): { value: number; step: number } | null {
  let best: MetricsRow | null = null;
  for (const row of readMetrics(runFolderOf(dir))) if (row.step <= step && Number.isFinite(row.loss) && (!best || row.step > best.step)) best = row;
  return best ? { value: best.loss, step: best.step } : null;
}
