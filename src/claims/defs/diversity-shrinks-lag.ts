// Claim "diversity-shrinks-lag" (paper Sec. 3, Figure 2): more visual diversity (N = 4) shrinks the grokking
// lag relative to N = 1. Lag = s_val − s_train in steps (grokking.ts levels; the training logs, ../run-lag.ts);
// a run that never reaches s_val within its budget has an infinite (censored) lag. Replicated when the N = 4
// median lag is below the N = 1 median lag (PAPER.diverseLagShrinks) and N = 4 generalises in most seeds.
// Control: the N = 4 logs cut before held-out accuracy first reached half its level (nothing generalised → no
// shorter lag → rejected).

import { defineClaim, type ClaimModule, type KnownDeviation } from '../claim.ts';
import { verdict, type ClaimDeclaration, type Verdict } from '../contract.ts';
import { array, nullable, number, object, type Decoder } from '../decode.ts';
import { censoredMedian, lossText, preGeneralisationLog, runLag, runLagDecoder, withLoss, type RunLag } from '../run-lag.ts';
import { CLAIM_SEEDS, SINGLE_IMAGE_PRESET } from '../setup.ts';

export const DIVERSE_PRESET = 'cpu-n4';
/** One N = 4 seed: it did not leave the loss plateau in 8000 steps, so further seeds were not trained (CPU budget). */
export const DIVERSE_SEEDS: readonly number[] = [1];

export const declaration: ClaimDeclaration = {
  id: 'diversity-shrinks-lag',
  // Figure 2: "Increased visual diversity reduces the lag".
  kind: 'paper',
  title: 'More visual diversity (N = 4) shrinks the grokking lag',
  statement: 'With N = 4 images per symbol the gap between train saturation and generalisation is shorter than with N = 1.',
  where: 'Sec. 3, Figure 2',
  thresholds: ['diverseLagShrinks', 'grokTrainLevel', 'grokHeldoutLevel', 'nearestImageMaxN'],
  negativeControl: 'the N = 4 logs cut before held-out accuracy reached half its level (nothing has generalised there, so no shorter lag)',
};

export interface DiversityMeasurement {
  readonly single: RunLag[];
  readonly diverse: RunLag[];
  /** Censored medians of the lags; null when infinite (most runs never generalised) or there are no runs. */
  readonly medianSingle: number | null;
  readonly medianDiverse: number | null;
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

export function measureDiversity(single: readonly RunLag[], diverse: readonly RunLag[]): DiversityMeasurement {
  return {
    single: [...single],
    diverse: [...diverse],
    medianSingle: finiteOrNull(censoredMedian(single.map((r) => r.lag))),
    medianDiverse: finiteOrNull(censoredMedian(diverse.map((r) => r.lag))),
  };
}

const lagText = (r: RunLag): string =>
  `N=${r.N} seed ${r.seed}: ${r.lag === null ? `no s_val in ${r.lastStep} steps` : `lag ${r.lag} (s_train ${r.sTrain}, s_val ${r.sVal})`}${r.N > 1 ? lossText(r) : ''}`;

export function judgeDiversity(m: DiversityMeasurement): Verdict {
  const generalised = m.diverse.filter((r) => r.lag !== null).length;
  const mS = m.medianSingle ?? Infinity;
  const mD = m.medianDiverse ?? Infinity;
  const pass = m.single.length > 0 && generalised * 2 > m.diverse.length && mD < mS;
  const fmt = (x: number) => (Number.isFinite(x) ? `${x}` : '∞');
  return verdict(
    pass,
    `median lag N = 4: ${fmt(mD)} steps vs N = 1: ${fmt(mS)} steps (censored runs count as ∞; N = 4 generalised in ${generalised}/${m.diverse.length}); ${[...m.single, ...m.diverse].map(lagText).join('; ')}`,
    `lag ${fmt(mD)} vs ${fmt(mS)}`,
  );
}

const diversityMeasurement: Decoder<DiversityMeasurement> = object<DiversityMeasurement>({
  single: array(runLagDecoder),
  diverse: array(runLagDecoder),
  medianSingle: nullable(number),
  medianDiverse: nullable(number),
});

/**
 * Known deviation (claim-spec.ts expects the non-replication while this is set; remove it when the claim
 * replicates): why our committed models do not replicate the claim, in words; the numbers are in the record.
 */
export const knownDeviation: KnownDeviation = {
  reason:
    'the model with several images per symbol does not leave the initial loss plateau within its budget: train and held-out accuracy stay at ' +
    'chance, so there is no lag to compare. With two blocks and the FFN sandwich it leaves the plateau and answers held-out pairs drawn with ' +
    'the training images, but it does not read unseen handwriting, so the held-out accuracy of the diverse regime stays near chance.',
  registryEntry: 'diverseLagShrinks',
};

export const diversityShrinksLagClaim: ClaimModule<DiversityMeasurement> = {
  declaration,
  knownDeviation,
  models: {
    kind: 'runs',
    groups: [
      { preset: SINGLE_IMAGE_PRESET, seeds: CLAIM_SEEDS },
      { preset: DIVERSE_PRESET, seeds: DIVERSE_SEEDS },
    ],
  },
  measure: (runs) => measureDiversity(runs.filter((r) => r.config.data.N === 1).map(runLag), runs.filter((r) => r.config.data.N > 1).map(withLoss)),
  judge: judgeDiversity,
  control: {
    // The N = 1 logs as they are, the N = 4 logs cut before generalisation.
    measure: (runs, measured) =>
      measureDiversity(
        measured.single,
        runs.filter((r) => r.config.data.N > 1).map((r) => runLag(preGeneralisationLog(r))),
      ),
    judge: judgeDiversity,
  },
  parseMeasurement: diversityMeasurement,
  parseControl: diversityMeasurement,
};

export const claim = defineClaim(diversityShrinksLagClaim);
