// Claim "sandwich-groks" (paper Sec. 4, Figure 4): at N = 256 the plain SA-FFN block fails to generalise
// within the budget and the FFN sandwich groks. Replicated when every sandwich run reaches s_val (../run-lag.ts)
// and no plain run does. Control: the sandwich logs cut before held-out accuracy first reached half its level.

import { defineClaim, type ClaimModule, type KnownDeviation } from '../claim.ts';
import { notEvaluated, verdict, type ClaimDeclaration, type Verdict } from '../contract.ts';
import { array, object, type Decoder } from '../decode.ts';
import { lossText, preGeneralisationLog, runLag, runLagDecoder, withLoss, type RunLag } from '../run-lag.ts';
import { MANY_SEEDS, SANDWICH_PRESET } from './sandwich-separability.ts';

/** The plain SA-FFN block at N = 256 (the sandwich: SANDWICH_PRESET). */
export const PLAIN_PRESET = 'cpu-n256';

export const declaration: ClaimDeclaration = {
  id: 'sandwich-groks',
  // Figure 4 text: "the standard baseline architecture (SA–FFN) failed to trigger grokking in the diverse-image regime (N = 256)"; Appendix C.1: the auxiliary FFN before SA.
  kind: 'paper',
  title: 'At N = 256 the plain block fails and the FFN sandwich groks',
  statement: 'With 256 images per symbol the plain SA-FFN block does not generalise within the budget; an extra FFN before attention does.',
  where: 'Sec. 4, Figure 4',
  thresholds: ['grokTrainLevel', 'grokHeldoutLevel', 'nearestImageMaxN', 'classifierMinAccuracy'],
  negativeControl: 'the sandwich logs cut before held-out accuracy reached half its level',
};

export interface SandwichMeasurement {
  readonly plain: RunLag[];
  readonly sandwich: RunLag[];
}

export function judgeSandwich(m: SandwichMeasurement): Verdict {
  const sandwichOk = m.sandwich.filter((r) => r.sVal !== null).length;
  const plainFail = m.plain.filter((r) => r.sVal === null).length;
  const falsified = sandwichOk < m.sandwich.length || plainFail < m.plain.length;
  const text = (r: RunLag) =>
    `${r.preset} seed ${r.seed}: ${r.sVal === null ? `held-out < ${r.levels.heldout.toFixed(3)} for ${r.lastStep} steps` : `s_train ${r.sTrain}, s_val ${r.sVal}`}${lossText(r)}`;
  const summary = `sandwich generalises in ${sandwichOk}/${m.sandwich.length}, plain fails in ${plainFail}/${m.plain.length} (${[...m.sandwich, ...m.plain].map(text).join('; ')})`;
  // Either architecture missing and nothing falsified: undecided (the runner reports the missing runs).
  if (!falsified && (m.sandwich.length === 0 || m.plain.length === 0)) return notEvaluated(summary);
  return verdict(!falsified, summary, `${sandwichOk}/${m.sandwich.length} vs ${m.plain.length - plainFail}/${m.plain.length}`);
}

const sandwichMeasurement: Decoder<SandwichMeasurement> = object<SandwichMeasurement>({ plain: array(runLagDecoder), sandwich: array(runLagDecoder) });

/**
 * Known deviation (claim-spec.ts expects the non-replication while this is set; remove it when the claim
 * replicates): why our committed models do not replicate the claim, in words; the numbers are in the record.
 */
export const knownDeviation: KnownDeviation = {
  reason:
    'at CPU width neither block learns the many-images task within its budget: the sandwich stays on the loss plateau of the best denoiser ' +
    'that ignores the operands, with train and held-out accuracy at chance, so the claim is falsified by an under-sized model rather than by ' +
    'the architecture. Runs that go below that plateau (more weight decay, a wider model, the paper-width sandwich) still stay at chance: they ' +
    'learn to denoise, not to read the operands.',
  registryEntry: 'grokTrainLevel',
};

export const sandwichGroksClaim: ClaimModule<SandwichMeasurement> = {
  declaration,
  knownDeviation,
  models: {
    kind: 'runs',
    groups: [
      { preset: SANDWICH_PRESET, seeds: MANY_SEEDS },
      { preset: PLAIN_PRESET, seeds: MANY_SEEDS },
    ],
    partial: true,
  },
  measure: (runs) => ({
    plain: runs.filter((r) => !r.config.model.preAttentionFfn).map(withLoss),
    sandwich: runs.filter((r) => r.config.model.preAttentionFfn).map(withLoss),
  }),
  judge: judgeSandwich,
  control: {
    // The plain runs as they are, the sandwich logs cut before generalisation.
    measure: (runs, measured) => ({
      plain: measured.plain,
      sandwich: runs.filter((r) => r.config.model.preAttentionFfn).map((r) => runLag(preGeneralisationLog(r))),
    }),
    judge: judgeSandwich,
  },
  parseMeasurement: sandwichMeasurement,
  parseControl: sandwichMeasurement,
};

export const claim = defineClaim(sandwichGroksClaim);
