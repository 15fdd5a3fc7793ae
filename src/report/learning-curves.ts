// Learning-curve plot of a run (paper Figure 2 style): train and held-out generation accuracy (and held-out
// accuracy on the novel pairs, whose mirror (b, a) was not trained) and the loss against the step on a log
// axis, with the grokking steps s_train and s_val marked and, on the loss panel, the loss references (the
// best affine denoiser without and with knowing c; train/loss-references.ts). Written beside the run as
// curves.svg and curves.png.

import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.ts';
import type { GrokkingSteps, MetricsRow } from '../train/grokking.ts';
import type { DenoisingLossReferences } from '../train/loss-references.ts';
import { learningCurvePlot, type LearningCurveRow } from '../plot/plot.ts';

/** The plotted rows of a metrics log: loss, train, held-out and (when logged) novel held-out accuracy. */
export function curveRows(metrics: readonly MetricsRow[]): LearningCurveRow[] {
  return metrics.map((r) => ({
    step: r.step,
    trainLoss: r.loss,
    trainAcc: r.trainAcc,
    heldoutAcc: r.heldoutAcc,
    ...(r.heldoutNovelAcc !== undefined ? { novelAcc: r.heldoutNovelAcc } : {}),
  }));
}

/** The loss references as labelled horizontal rules. */
export function lossReferenceRules(refs: DenoisingLossReferences): Array<{ value: number; label: string }> {
  return [
    { value: refs.operandBlind, label: `operand-blind denoiser ${refs.operandBlind.toFixed(3)}` },
    { value: refs.cAware, label: `knowing c ${refs.cAware.toFixed(3)}` },
  ];
}

export async function writeLearningCurves(
  outDir: string,
  metrics: readonly MetricsRow[],
  grokking: GrokkingSteps,
  title: string,
  lossReferences?: DenoisingLossReferences,
): Promise<{ svg: string; png: string } | null> {
  if (metrics.length === 0) return null;
  const marks: Array<{ step: number; label: string }> = [];
  if (grokking.sTrain !== null) marks.push({ step: grokking.sTrain, label: `s_train ${grokking.sTrain}` });
  if (grokking.sVal !== null) marks.push({ step: grokking.sVal, label: `s_val ${grokking.sVal}` });
  const plot = await learningCurvePlot(curveRows(metrics), { title, marks, ...(lossReferences ? { lossReferences: lossReferenceRules(lossReferences) } : {}) });
  const svg = join(outDir, 'curves.svg');
  const png = join(outDir, 'curves.png');
  writeFileAtomic(svg, plot.svg);
  writeFileAtomic(png, plot.png);
  return { svg, png };
}
