// Claim: grokking lag (paper Sec. 3, Figure 2). With one image per symbol, train accuracy saturates long
// before held-out accuracy does. Measured on the metrics logs of the runs (one per seed), where grokking
// happens: s_train (train accuracy ≥ PAPER.grokTrainLevel), s_val on all held-out pairs and s_val on the
// *novel* held-out pairs (mirror (b, a) not trained: the rest is answered by commutativity, the "mirror
// plateau"), each the first evaluation from which the level holds for PAPER.grokStabilityEvals evaluations
// or to the end of the log (train/grokking.ts). The judged lag is s_val(novel) / s_train, with a bootstrap
// 95 % interval of the mean across seeds; replicated when every seed reaches both levels, the mean ratio is
// ≥ PAPER.grokLagRatio and the interval's lower end is above 1. The all-held-out ratio is reported beside it,
// and so are the first crossings (no stability rule) of older versions; the judged checkpoint's novel
// accuracy with ≥ 8 draws per pair is in the record's model provenance. Negative control: the same logs cut
// at the memorisation-phase checkpoint (train fitted, held-out not yet), where no seed generalises.
// Precondition: the seeds grokked (their final checkpoint, fresh draws: eval/grok-status.ts); otherwise "not
// evaluated" with each seed's numbers, never "not replicated" for a budget that ran out.

import { bootstrapMeanInterval } from '../../analysis/stats.ts';
import { PAPER } from '../../paper/registry.ts';
import { grokkingSteps, stableGrokkingSteps, type MetricsRow } from '../../train/grokking.ts';
import { selectKeptSteps } from '../../train/prune.ts';
import { defineClaim, type ClaimModule, type KnownDeviation } from '../claim.ts';
import { notEvaluated, verdict, type ClaimDeclaration, type Verdict } from '../contract.ts';
import { array, nullable, number, object, optional, pair, type Decoder } from '../decode.ts';
import type { ProvidedRun } from '../provider.ts';
import { STATS_SEED, UNORDERED_SPLIT_PRESET } from '../setup.ts';

export const declaration: ClaimDeclaration = {
  id: 'grokking-lag',
  // Figure 2: "Baseline (N = 1, S = 32): Classic grokking with a significant generalization lag post-training saturation".
  kind: 'paper',
  title: 'Grokking lag (N = 1)',
  statement: 'Train accuracy saturates long before held-out accuracy (N = 1 image per symbol).',
  where: 'Sec. 3, Figure 2',
  thresholds: ['grokTrainLevel', 'grokHeldoutLevel', 'grokLagRatio', 'grokStabilityEvals'],
  // A lag is measured between two steps, so only on seeds that grokked: a seed that has not generalised when its
  // budget runs out has a lag longer than the budget (consistent with the claim, not evidence against it) and is
  // "not evaluated: seed S did not grok in N steps", with its numbers (issue 14). The control is still judged.
  precondition: 'grokked',
  negativeControl: 'the same runs cut at their pre-generalisation checkpoint (the last before held-out accuracy reached half its level)',
};

/** The stable steps of one seed (issue 14): s_train, s_val on all held-out pairs and on the novel ones, and the two lags. */
export interface StableLag {
  readonly sTrain: number | null;
  readonly sVal: number | null;
  readonly sValNovel: number | null;
  /** s_val(all held-out) / s_train. */
  readonly ratioAll: number | null;
  /** s_val(novel) / s_train: the judged lag. */
  readonly ratioNovel: number | null;
}

export interface GrokkingLagMeasurement {
  /** First crossings (sTrain, sVal: no stability rule, as logged by older versions) and the stable steps. */
  readonly perSeed: ReadonlyArray<{
    seed: number;
    sTrain: number | null;
    sVal: number | null;
    ratio: number | null;
    gap: number | null;
    wallSecondsAtVal: number | null;
    stable?: StableLag;
  }>;
  /** Mean of the judged (stable, novel) ratio across seeds, with its bootstrap 95 % interval. */
  readonly meanRatio: number | null;
  readonly ratioInterval: readonly [number, number] | null;
  /** Mean of the stable all-held-out ratio (reported, not judged). */
  readonly meanRatioAll?: number | null;
  readonly meanGap: number | null;
  readonly gapInterval: readonly [number, number] | null;
}

export function measureGrokkingLag(logs: ReadonlyArray<{ seed: number; metrics: readonly MetricsRow[] }>): GrokkingLagMeasurement {
  const perSeed = logs.map(({ seed, metrics }) => {
    const g = grokkingSteps(metrics);
    const st = stableGrokkingSteps(metrics);
    const over = (a: number | null, b: number | null) => (a !== null && b !== null ? a / b : null);
    const stable: StableLag = {
      sTrain: st.sTrain,
      sVal: st.sVal,
      sValNovel: st.sValNovel,
      ratioAll: over(st.sVal, st.sTrain),
      ratioNovel: over(st.sValNovel, st.sTrain),
    };
    return {
      seed,
      sTrain: g.sTrain,
      sVal: g.sVal,
      ratio: g.ratio,
      gap: g.sTrain !== null && g.sVal !== null ? g.sVal - g.sTrain : null,
      wallSecondsAtVal: g.wallSecondsAtVal,
      stable,
    };
  });
  const ratios = perSeed.map((s) => s.stable.ratioNovel).filter((r): r is number => r !== null);
  const ratiosAll = perSeed.map((s) => s.stable.ratioAll).filter((r): r is number => r !== null);
  const gaps = perSeed
    .map((s) => (s.stable.sValNovel !== null && s.stable.sTrain !== null ? s.stable.sValNovel - s.stable.sTrain : null))
    .filter((r): r is number => r !== null);
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
    meanRatioAll: ratiosAll.length === perSeed.length && ratiosAll.length > 0 ? ratiosAll.reduce((a, b) => a + b, 0) / ratiosAll.length : null,
    meanGap: complete ? gaps.reduce((a, b) => a + b, 0) / gaps.length : null,
    gapInterval: complete ? interval(gaps) : null,
  };
}

export function judgeGrokkingLag(m: GrokkingLagMeasurement): Verdict {
  const level = PAPER.grokLagRatio.value;
  const k = PAPER.grokStabilityEvals.value;
  const steps = m.perSeed
    .map((s) => `seed ${s.seed}: s_train ${s.stable?.sTrain ?? '—'}, s_val ${s.stable?.sVal ?? '—'} (all) / ${s.stable?.sValNovel ?? '—'} (novel)`)
    .join('; ');
  const missing = m.perSeed.filter((s) => s.stable?.sValNovel == null || s.stable?.sTrain == null).map((s) => s.seed);
  if (missing.length > 0) {
    return verdict(
      false,
      `seed(s) ${missing.join(', ')} never held train ≥ ${PAPER.grokTrainLevel.value} and novel held-out ≥ ${PAPER.grokHeldoutLevel.value} for ${k} evaluations (${steps})`,
      'no grokking',
    );
  }
  const lower = m.ratioInterval?.[0] ?? m.meanRatio!;
  const pass = m.meanRatio! >= level && lower > 1;
  const all = m.meanRatioAll != null ? `; on all held-out pairs ${m.meanRatioAll.toFixed(2)}` : '';
  return verdict(
    pass,
    `mean s_val(novel)/s_train = ${m.meanRatio!.toFixed(2)} (95 % bootstrap [${m.ratioInterval?.map((x) => x.toFixed(2)).join(', ') ?? 'n/a'}], ${m.perSeed.length} seeds, levels held ${k} evaluations${all}); needs ≥ ${level} with lower end > 1 (${steps})`,
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

/** The negative control: the same logs cut at their memorisation-phase checkpoint (null: a run has none). */
export function measureMemorisationLogs(runs: readonly ProvidedRun[]): GrokkingLagMeasurement | null {
  const mem = memorisationLogs(runs);
  return mem ? measureGrokkingLag(mem) : null;
}

const stableLag = object<StableLag>({
  sTrain: nullable(number),
  sVal: nullable(number),
  sValNovel: nullable(number),
  ratioAll: nullable(number),
  ratioNovel: nullable(number),
});
const grokkingLagMeasurement: Decoder<GrokkingLagMeasurement> = object<GrokkingLagMeasurement>({
  perSeed: array(
    object<GrokkingLagMeasurement['perSeed'][number]>({
      seed: number,
      sTrain: nullable(number),
      sVal: nullable(number),
      ratio: nullable(number),
      gap: nullable(number),
      wallSecondsAtVal: nullable(number),
      stable: optional(stableLag),
    }),
  ),
  meanRatio: nullable(number),
  ratioInterval: nullable(pair(number, number)),
  meanRatioAll: optional(nullable(number)),
  meanGap: nullable(number),
  gapInterval: nullable(pair(number, number)),
});

/**
 * Known deviation (claim-spec.ts expects the non-replication while this is set; remove it when the claim
 * replicates): why our committed models do not replicate the claim, in words; the numbers are in the record.
 */
export const knownDeviation: KnownDeviation = {
  reason:
    'our models show no grokking lag of the size the paper reports: where held-out accuracy on the novel pairs (whose mirror (b, a) was not ' +
    'trained) reaches its level, it does so soon after train accuracy; elsewhere it stays below its level for the whole training budget while ' +
    'the held-out pairs whose mirror was trained are answered by commutativity alone (the mirror plateau). The grokking steps of every seed are in the record.',
  registryEntry: 'grokLagRatio',
};

export const grokkingLagClaim: ClaimModule<GrokkingLagMeasurement, GrokkingLagMeasurement | null> = {
  declaration,
  knownDeviation,
  // The reduced tier is also judged under the unordered split (every held-out pair novel): how much of the lag the mirror plateau hides.
  models: { kind: 'n1-tiers', extraReduced: [UNORDERED_SPLIT_PRESET] },
  trainingLog: 'required',
  measure: (runs) => measureGrokkingLag(runs.map((r) => ({ seed: r.seed, metrics: r.metrics }))),
  judge: judgeGrokkingLag,
  control: {
    measure: measureMemorisationLogs,
    judge: (m) => (m ? judgeGrokkingLag(m) : notEvaluated('no memorisation-phase checkpoint in the fixtures')),
  },
  parseMeasurement: grokkingLagMeasurement,
  parseControl: nullable(grokkingLagMeasurement),
};

export const claim = defineClaim(grokkingLagClaim);
