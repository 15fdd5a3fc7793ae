// Claim: single-step prediction (paper Figure 8). One sampling step from pure noise (K = 1: the output is
// x̂0 at t = 1) already draws the right result symbol: the arithmetic happens at the first step, the rest
// of sampling denoises. Measured on the held-out pairs with M noise draws: single-step accuracy against the
// K-step (PAPER.samplingSteps) accuracy of the same draws. Replicated per seed when single-step accuracy
// ≥ PAPER.singleStepFraction × K-step accuracy and the K-step accuracy itself reaches the grokking level
// (PAPER.grokHeldoutLevel; a ratio alone passed a fixture with a corrupted weight at 14.6 % K-step accuracy).
// Negative control: the untrained model (its K-step accuracy is at chance).

import { rootRng } from '../../engine/random.ts';
import { generateForPairs, scoreGenerated } from '../../eval/generation.ts';
import type { AccuracyResult } from '../../eval/accuracy.ts';
import { PAPER } from '../../paper/registry.ts';
import type { LoadedRun } from '../../eval/loaded-run.ts';
import { defineClaim, type ClaimModule } from '../claim.ts';
import { eachRun, eachUntrained } from '../claim-runner.ts';
import { verdict, type ClaimDeclaration, type Verdict } from '../contract.ts';
import { array, boolean, number, object } from '../decode.ts';
import { accuracyDecoder } from '../record-format.ts';
import { STATS_SEED } from '../setup.ts';

export const declaration: ClaimDeclaration = {
  id: 'single-step',
  // The paper has the figure, but its caption ("Single-step sampling results") is all the public text says: the statement is our reading.
  kind: 'paper',
  title: 'Single-step prediction already computes the sum (N = 1)',
  statement: 'A single sampling step from noise already produces the correct result symbol.',
  where: 'Figure 8 (its caption, "Single-step sampling results", is all the public text says; the statement is our reading of the figure)',
  thresholds: ['singleStepFraction', 'samplingSteps', 'grokHeldoutLevel'],
  negativeControl: 'the untrained model of each seed',
  // A claim about a grokked model's mechanism: judged only on seeds that grokked on the novel pairs (claims/provenance.ts).
  precondition: 'grokked',
};

export const SINGLE_STEP_DRAWS = 4;

export interface SeedSingleStep {
  readonly seed: number;
  readonly step: number;
  readonly singleStep: AccuracyResult;
  readonly fullSampling: AccuracyResult;
  readonly pass: boolean;
}

export function measureSingleStep(run: LoadedRun, seed: number): SeedSingleStep {
  const acc = (steps: number) =>
    scoreGenerated(
      generateForPairs(run.model, run.params, run.data.heldoutSymbols, run.data.heldout, {
        draws: SINGLE_STEP_DRAWS,
        steps,
        rng: rootRng(STATS_SEED + seed).fork('single-step'),
      }),
      run.classifier,
    );
  const { predictions: _a, ...singleStep } = acc(1);
  const { predictions: _b, ...fullSampling } = acc(PAPER.samplingSteps.value);
  const pass = fullSampling.accuracy >= PAPER.grokHeldoutLevel.value && singleStep.accuracy >= PAPER.singleStepFraction.value * fullSampling.accuracy;
  return { seed, step: run.step, singleStep, fullSampling, pass };
}

export function judgeSingleStep(perSeed: readonly SeedSingleStep[]): Verdict {
  const pct = (a: AccuracyResult) => `${(100 * a.accuracy).toFixed(1)} % [${(100 * a.interval[0]).toFixed(0)}, ${(100 * a.interval[1]).toFixed(0)}]`;
  const ok = perSeed.filter((s) => s.pass).length;
  const detail = perSeed.map((s) => `seed ${s.seed}: 1 step ${pct(s.singleStep)} vs ${PAPER.samplingSteps.value} steps ${pct(s.fullSampling)}`).join('; ');
  const minSingle = Math.min(...perSeed.map((s) => s.singleStep.accuracy));
  return verdict(
    ok === perSeed.length,
    `single-step held-out accuracy ≥ ${PAPER.singleStepFraction.value}× the ${PAPER.samplingSteps.value}-step accuracy, which reaches ${PAPER.grokHeldoutLevel.value}, in ${ok}/${perSeed.length} seeds (${detail})`,
    `1-step ${(100 * minSingle).toFixed(0)} %`,
  );
}

const seedSingleStep = object<SeedSingleStep>({ seed: number, step: number, singleStep: accuracyDecoder, fullSampling: accuracyDecoder, pass: boolean });

export const singleStepClaim: ClaimModule<SeedSingleStep[]> = {
  declaration,
  models: { kind: 'n1-tiers' },
  measure: eachRun(measureSingleStep),
  judge: judgeSingleStep,
  control: { measure: eachUntrained(measureSingleStep), judge: judgeSingleStep },
  parseMeasurement: array(seedSingleStep),
  parseControl: array(seedSingleStep),
};

export const claim = defineClaim(singleStepClaim);
