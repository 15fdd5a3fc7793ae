// Claim: grokking lag (paper Sec. 3, Figure 2). With one image per symbol, train accuracy saturates long
// before held-out accuracy does. Measured on the metrics logs of the fixture runs (one per seed): s_train
// (first step with train accuracy ≥ PAPER.grokTrainLevel), s_val (first step with held-out accuracy ≥
// PAPER.grokHeldoutLevel), their ratio and gap, with a bootstrap 95 % interval of the mean ratio across seeds.
// Replicated when every seed generalises, the mean ratio is ≥ PAPER.grokLagRatio and the interval's lower
// end is above 1 (held-out strictly later). Negative control: the same logs cut at the memorisation-phase
// checkpoint (train fitted, held-out not yet), where no seed generalises.

import { bootstrapMeanInterval } from '../../analysis/stats.ts';
import { PAPER } from '../../paper/registry.ts';
import { grokkingSteps, type MetricsRow } from '../../train/grokking.ts';
import { selectKeptSteps } from '../../train/prune.ts';
import { notEvaluated, verdict, type ClaimDeclaration, type Verdict } from '../contract.ts';
import type { ProvidedRun } from '../provider.ts';
import { STATS_SEED } from '../setup.ts';

export const grokkingLagClaim: ClaimDeclaration = {
  id: 'grokking-lag',
  // Figure 2: "Baseline (N = 1, S = 32): Classic grokking with a significant generalization lag post-training saturation".
  kind: 'paper',
  title: 'Grokking lag (N = 1)',
  statement: 'Train accuracy saturates long before held-out accuracy (N = 1 image per symbol).',
  where: 'Sec. 3, Figure 2',
  thresholds: ['grokTrainLevel', 'grokHeldoutLevel', 'grokLagRatio'],
  negativeControl: 'the same runs cut at their pre-generalisation checkpoint (the last before held-out accuracy reached half its level)',
};

export interface GrokkingLagMeasurement {
  readonly perSeed: ReadonlyArray<{ seed: number; sTrain: number | null; sVal: number | null; ratio: number | null; gap: number | null; wallSecondsAtVal: number | null }>;
  readonly meanRatio: number | null;
  readonly ratioInterval: readonly [number, number] | null;
  readonly meanGap: number | null;
  readonly gapInterval: readonly [number, number] | null;
}

export function measureGrokkingLag(logs: ReadonlyArray<{ seed: number; metrics: readonly MetricsRow[] }>): GrokkingLagMeasurement {
  const perSeed = logs.map(({ seed, metrics }) => {
    const g = grokkingSteps(metrics);
    return { seed, sTrain: g.sTrain, sVal: g.sVal, ratio: g.ratio, gap: g.sTrain !== null && g.sVal !== null ? g.sVal - g.sTrain : null, wallSecondsAtVal: g.wallSecondsAtVal };
  });
  const ratios = perSeed.map((s) => s.ratio).filter((r): r is number => r !== null);
  const gaps = perSeed.map((s) => s.gap).filter((r): r is number => r !== null);
  const complete = ratios.length === perSeed.length && ratios.length > 0;
  const interval = (xs: number[]) => {
    if (xs.length < 2) return null;
    const i = bootstrapMeanInterval(xs, { seed: STATS_SEED });
    return [i.lower, i.upper] as const;
  };
  return {
    perSeed,
    meanRatio: complete ? ratios.reduce((a, b) => a + b, 0) / ratios.length : null,
    ratioInterval: complete ? interval(ratios) : null,
    meanGap: complete ? gaps.reduce((a, b) => a + b, 0) / gaps.length : null,
    gapInterval: complete ? interval(gaps) : null,
  };
}

export function judgeGrokkingLag(m: GrokkingLagMeasurement): Verdict {
  const level = PAPER.grokLagRatio.value;
  const missing = m.perSeed.filter((s) => s.sVal === null || s.sTrain === null).map((s) => s.seed);
  if (missing.length > 0) {
    return verdict(false, `seed(s) ${missing.join(', ')} never reached train ≥ ${PAPER.grokTrainLevel.value} and held-out ≥ ${PAPER.grokHeldoutLevel.value}`, 'no grokking');
  }
  const lower = m.ratioInterval?.[0] ?? m.meanRatio!;
  const pass = m.meanRatio! >= level && lower > 1;
  return verdict(
    pass,
    `mean s_val/s_train = ${m.meanRatio!.toFixed(2)} (95 % bootstrap [${m.ratioInterval?.map((x) => x.toFixed(2)).join(', ') ?? 'n/a'}], ${m.perSeed.length} seeds); needs ≥ ${level} with lower end > 1`,
    `lag ${m.meanRatio!.toFixed(1)}x`,
  );
}

/** The metrics of each run cut at its memorisation-phase checkpoint (the negative control). */
export function memorisationLogs(runs: readonly ProvidedRun[]): Array<{ seed: number; metrics: MetricsRow[] }> | null {
  const out: Array<{ seed: number; metrics: MetricsRow[] }> = [];
  for (const r of runs) {
    const kept = selectKeptSteps(r.metrics, r.checkpoints);
    if (kept.memorisation === null) return null;
    out.push({ seed: r.seed, metrics: r.metrics.filter((row) => row.step <= kept.memorisation!) });
  }
  return out;
}

export function evaluateGrokkingLag(runs: readonly ProvidedRun[]): { measurement: GrokkingLagMeasurement; verdict: Verdict; control: { measurement: GrokkingLagMeasurement | null; verdict: Verdict } } {
  const measurement = measureGrokkingLag(runs.map((r) => ({ seed: r.seed, metrics: r.metrics })));
  const mem = memorisationLogs(runs);
  const controlMeasurement = mem ? measureGrokkingLag(mem) : null;
  return {
    measurement,
    verdict: judgeGrokkingLag(measurement),
    control: { measurement: controlMeasurement, verdict: controlMeasurement ? judgeGrokkingLag(controlMeasurement) : notEvaluated('no memorisation-phase checkpoint in the fixtures') },
  };
}
