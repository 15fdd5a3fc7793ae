// The grokking lag read from a run's training log, shared by the claims of the diverse-image regime
// (paper Figures 2 and 4: defs/diversity-shrinks-lag.ts, defs/sandwich-groks.ts): s_train and s_val at the run's
// grokking levels (scaled by the CNN's own accuracy for CNN-scored runs), the lag s_val − s_train (censored:
// null when s_val is never reached), the last logged loss against the run's loss references, and the
// negative control's log cut before generalisation.
// Held-out accuracy at N > 1 is measured on the Appendix C.2 evaluation set (unseen operand images); N = 4
// is scored exactly (nearest training image), N = 256 by the CNN, whose own held-out accuracy scales the
// grokking levels of those runs (runLevels) and is reported beside them.

import { median } from 'simple-statistics';
import { PAPER } from '../paper/registry.ts';
import { readProvenance } from '../train/run-folder.ts';
import { grokkingSteps, type MetricsRow } from '../train/grokking.ts';
import { gapClosed, gapText, runLossReferences } from '../train/loss-references.ts';
import { runDataFromSeed } from '../train/run-data.ts';
import { nullable, number, object, optional, string, type Decoder } from './decode.ts';
import type { ProvidedRun } from './provider.ts';
import { sharedPool } from './setup.ts';

export interface RunLag {
  readonly preset: string;
  readonly seed: number;
  readonly N: number;
  readonly sTrain: number | null;
  readonly sVal: number | null;
  /** s_val − s_train, or null when s_val was not reached (censored: infinite). */
  readonly lag: number | null;
  /** Last logged step (the budget actually run). */
  readonly lastStep: number;
  /** Levels used (scaled by the classifier's own accuracy for CNN-scored runs). */
  readonly levels: { train: number; heldout: number; classifierAccuracy: number | null };
  /** The last logged loss against the run's loss references (train/loss-references.ts); absent on the controls' cut logs. */
  readonly loss?: RunLoss;
}

export interface RunLoss {
  readonly step: number;
  readonly loss: number;
  /** Loss of the best affine denoiser of the run's targets without / with knowing c. */
  readonly operandBlind: number;
  readonly cAware: number;
  /** (operandBlind − loss) / (operandBlind − cAware). */
  readonly gapClosed: number | null;
}

/** The run's last logged loss with its references (the run's data rebuilt from its seed). */
export function runLoss(run: ProvidedRun): RunLoss | undefined {
  const last = run.metrics.at(-1);
  if (!last) return undefined;
  const refs = runLossReferences(runDataFromSeed(run.config, sharedPool(run.config.data.dataset)));
  return { step: last.step, loss: last.loss, operandBlind: refs.operandBlind, cAware: refs.cAware, gapClosed: gapClosed(last.loss, refs) };
}

export function withLoss(run: ProvidedRun): RunLag {
  const loss = runLoss(run);
  return { ...runLag(run), ...(loss ? { loss } : {}) };
}

/** ", loss 0.118 (operand-blind 0.119, knowing c 0.086: 4 % of the gap)" or "". */
export function lossText(r: RunLag): string {
  const l = r.loss;
  if (!l) return '';
  const where = gapText(l.gapClosed);
  const closed = where ? `: ${where}` : '';
  return `, loss ${l.loss.toFixed(4)} at step ${l.step} (operand-blind ${l.operandBlind.toFixed(4)}, knowing c ${l.cAware.toFixed(4)}${closed})`;
}

/**
 * The grokking levels of a run's log. Runs scored by the CNN (N > PAPER.nearestImageMaxN) cannot exceed the
 * CNN's own accuracy on real held-out images (~0.92: 1 / I / L), so both levels are scaled by it, read from
 * the run's provenance.json (written by the trainer); exactly-scored runs use the registry levels.
 */
export function runLevels(dir: string | undefined): { train: number; heldout: number; classifierAccuracy: number | null } {
  const train = PAPER.grokTrainLevel.value;
  const heldout = PAPER.grokHeldoutLevel.value;
  const prov = dir ? (readProvenance(dir) as { classifier?: { heldout?: { accuracy?: unknown } | null } } | null) : null;
  if (prov === null) return { train, heldout, classifierAccuracy: null };
  const acc = prov.classifier?.heldout?.accuracy;
  if (typeof acc !== 'number' || !(acc > 0 && acc <= 1)) return { train, heldout, classifierAccuracy: null };
  return { train: train * acc, heldout: heldout * acc, classifierAccuracy: acc };
}

export function runLag(run: { preset: string; seed: number; dir?: string; config: { data: { N: number } }; metrics: readonly MetricsRow[] }): RunLag {
  const levels = runLevels(run.dir);
  const g = grokkingSteps(run.metrics, levels);
  const lag = g.sTrain !== null && g.sVal !== null ? Math.max(0, g.sVal - g.sTrain) : null;
  return { preset: run.preset, seed: run.seed, N: run.config.data.N, sTrain: g.sTrain, sVal: g.sVal, lag, lastStep: run.metrics.at(-1)?.step ?? 0, levels };
}

/** Median with censored (null) values as +∞ (NaN for no runs). */
export function censoredMedian(lags: ReadonlyArray<number | null>): number {
  return lags.length === 0 ? NaN : median(lags.map((l) => l ?? Infinity));
}

/**
 * A run's log cut before generalisation: the rows before held-out accuracy first reached half its level
 * (the whole log if it never did). The negative control of both claims: on it, nothing has generalised.
 */
export function preGeneralisationLog<R extends { dir?: string; metrics: readonly MetricsRow[] }>(run: R): R {
  const half = runLevels(run.dir).heldout / 2;
  const first = run.metrics.find((r) => r.heldoutAcc >= half)?.step ?? Infinity;
  return { ...run, metrics: run.metrics.filter((r) => r.step < first) };
}

/** Reads a RunLag back from a record (decode.ts). */
export const runLagDecoder: Decoder<RunLag> = object<RunLag>({
  preset: string,
  seed: number,
  N: number,
  sTrain: nullable(number),
  sVal: nullable(number),
  lag: nullable(number),
  lastStep: number,
  levels: object<RunLag['levels']>({ train: number, heldout: number, classifierAccuracy: nullable(number) }),
  loss: optional(object<RunLoss>({ step: number, loss: number, operandBlind: number, cAware: number, gapClosed: nullable(number) })),
});
