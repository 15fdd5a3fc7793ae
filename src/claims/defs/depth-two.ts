// Claim: depth does not matter for grokking (paper Figure 42): a two-block DiT learns the task too. Measured
// on the cpu-n1-depth2 fixtures (cpu-n1 with depth 2, seeds 1-3), at the final checkpoint: generation accuracy
// on the train and held-out pairs with K = PAPER.samplingSteps = 50 Euler steps (the paper's figures index the
// sampling path by timesteps 0..50; the runs were trained and logged with K = 10), each judged against its grokking level by the Wilson 95 %
// interval: at the level when the lower bound reaches it, below when the upper bound is under it; draws per
// pair start at 2 and double (to 128) while the interval straddles the level (generalisation.ts). A seed
// counts when both accuracies are at their levels; the claim needs every seed. The held-out accuracy on the
// novel pairs (mirror (b, a) not trained) is reported beside it, not judged: the paper's validation accuracy is
// the whole held-out set, and a run has only a few novel pairs. The training log's s_train / s_val and their
// ratio (the grokking lag, which this configuration shows clearly, unlike depth 1) are reported too. The paper
// shows the depth-2 model in both regimes (PAPER.depthTwoGroks); at N = 256 the two-block CPU model stays on
// the initial loss plateau for 12000 steps (cpu-n256 with model.depth=2, docs/PRESET-SEARCH.md), as both
// one-block N = 256 models do, so this claim covers N = 1 and says so.
// Negative control: the untrained depth-2 model of each seed.

import { grokkingSteps } from '../../train/grokking.ts';
import type { LoadedRun } from '../../eval/loaded-run.ts';
import type { ProvidedRun } from '../provider.ts';
import { PAPER } from '../../paper/registry.ts';
import { defineClaim, type ClaimModule, type KnownDeviation } from '../claim.ts';
import { eachRun, eachUntrained } from '../claim-runner.ts';
import { verdict, type ClaimDeclaration, type Verdict } from '../contract.ts';
import { array, nullable, number, object } from '../decode.ts';
import { decidedGeneralisationDecoder, decidedPct, measureDecidedGeneralisation, pct, type DecidedGeneralisation } from '../generalisation.ts';

export const DEPTH_TWO_PRESET = 'cpu-n1-depth2';
export const DEPTH_TWO_SEEDS: readonly number[] = [1, 2, 3];

export const declaration: ClaimDeclaration = {
  id: 'depth-two',
  // Figure 42: "successful generalization (grokking) occurs in both (a) the N = 1 single-image regime and (b) the N = 256 diverse-image regime".
  kind: 'paper',
  title: 'A depth-2 model groks too (N = 1)',
  statement: 'A two-layer DiT also learns modular addition and generalises to held-out pairs.',
  where: 'Figure 42 (depth ablation)',
  thresholds: ['depthTwoGroks', 'samplingSteps', 'grokTrainLevel', 'grokHeldoutLevel'],
  negativeControl: 'the untrained depth-2 model of each seed',
};

export interface DepthTwoMeasurement {
  readonly seed: number;
  readonly step: number;
  readonly depth: number;
  readonly generalisation: DecidedGeneralisation;
  /** From the training log (trained runs only): s_train, s_val and their ratio — the grokking lag. */
  readonly lag: { sTrain: number | null; sVal: number | null; ratio: number | null } | null;
}

export function measureDepthTwo(run: LoadedRun, seed: number, provided?: ProvidedRun): DepthTwoMeasurement {
  const g = provided ? grokkingSteps(provided.metrics) : null;
  return {
    seed,
    step: run.step,
    depth: run.model.depth,
    generalisation: measureDecidedGeneralisation(run, seed),
    lag: g ? { sTrain: g.sTrain, sVal: g.sVal, ratio: g.ratio } : null,
  };
}

export function judgeDepthTwo(measured: readonly DepthTwoMeasurement[]): Verdict {
  const depth = PAPER.depthTwoGroks.value.depth;
  const ok = measured.filter((m) => m.depth === depth && m.generalisation.generalises);
  const lagText = (m: DepthTwoMeasurement) =>
    m.lag ? `; log: s_train ${m.lag.sTrain ?? '—'}, s_val ${m.lag.sVal ?? '—'}${m.lag.ratio !== null ? `, lag ×${m.lag.ratio.toFixed(2)}` : ''}` : '';
  const detail = measured
    .map((m) => {
      const g = m.generalisation;
      return `seed ${m.seed} (step ${m.step}): train ${decidedPct(g.train)}, held-out ${decidedPct(g.heldout)}, novel held-out ${pct(g.heldoutNovel)} over ${g.heldoutNovel.pairs} pairs (not judged)${lagText(m)}`;
    })
    .join('; ');
  const minHeld = Math.min(...measured.map((m) => m.generalisation.heldout.accuracy));
  const K = measured[0]?.generalisation.samplingSteps ?? PAPER.samplingSteps.value;
  return verdict(
    ok.length === measured.length && measured.length > 0,
    `depth-${depth} model at both grokking levels by the Wilson interval (K = ${K}) in ${ok.length}/${measured.length} seeds (${detail})`,
    `${ok.length}/${measured.length} seeds, min held-out ${(100 * minHeld).toFixed(1)} %`,
  );
}

const depthTwoMeasurement = object<DepthTwoMeasurement>({
  seed: number,
  step: number,
  depth: number,
  generalisation: decidedGeneralisationDecoder,
  lag: nullable(object<NonNullable<DepthTwoMeasurement['lag']>>({ sTrain: nullable(number), sVal: nullable(number), ratio: nullable(number) })),
});

/**
 * Known deviation (claim-spec.ts expects the non-replication while this is set; remove it when the claim
 * replicates): why our committed models do not replicate the claim, in words; the numbers are in the record.
 */
export const knownDeviation: KnownDeviation = {
  reason:
    'the two-block models fit the training pairs early and, by their training logs, grok with a clear lag; re-measured on fresh draws with the ' +
    "registry's sampling steps, the held-out accuracy of one seed is decided below its level (some of its novel held-out pairs are rarely or " +
    'never drawn right), so not every seed groks.',
  registryEntry: 'grokHeldoutLevel',
};

export const depthTwoClaim: ClaimModule<DepthTwoMeasurement[]> = {
  declaration,
  knownDeviation,
  models: { kind: 'runs', groups: [{ preset: DEPTH_TWO_PRESET, seeds: DEPTH_TWO_SEEDS }] },
  measure: eachRun(measureDepthTwo),
  judge: judgeDepthTwo,
  control: { measure: eachUntrained((run, seed) => measureDepthTwo(run, seed)), judge: judgeDepthTwo },
  parseMeasurement: array(depthTwoMeasurement),
  parseControl: array(depthTwoMeasurement),
};

export const claim = defineClaim(depthTwoClaim);
