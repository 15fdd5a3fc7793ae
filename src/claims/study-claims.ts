// The study claims of issue #7: the task at other moduli on EMNIST (Appendix E) and Kuzushiji-49 (only with
// the official files given), the depth-2 model (Figure 42), and the diverse-image regime — N = 4 shrinks
// the lag (Figure 2), at N = 256 the sandwich groks where the plain block fails (Figure 4) and separates the
// classes before attention (Figure 5). Each runs on its own presets' fixtures through the same claim runner
// as the N = 1 claims; a claim whose fixtures are missing is "not evaluated" with the command to train them.

import { givenK49Dir, k49NotGivenMessage } from '../data/dataset-pool.ts';
import { PAPER } from '../paper/registry.ts';
import { providedRunsClaim, runsClaim, type ClaimEntry } from './claim-runner.ts';
import { CLAIM_SEEDS, SINGLE_IMAGE_PRESET } from './setup.ts';
import { DIVERSE_PRESET, DIVERSE_SEEDS, diversityLagClaim, evaluateDiversity } from './defs/diversity-shrinks-lag.ts';
import { evaluateSandwich, sandwichClaim } from './defs/sandwich-groks.ts';
import {
  CONTRAST_PRESET as SEPARABILITY_CONTRAST_PRESET,
  CONTRAST_SEEDS,
  evaluateSeparability,
  MANY_SEEDS,
  PLAIN_PRESET,
  SANDWICH_PRESET,
  separabilityClaim,
} from './defs/sandwich-separability.ts';
import { DEPTH_TWO_PRESET, DEPTH_TWO_SEEDS, depthTwoClaim, judgeDepthTwo, measureDepthTwo } from './defs/depth-two.ts';
import { judgeModuli, measureModulus, moduliPreset, MODULI_SEEDS } from './moduli.ts';
import { emnistModuliClaim } from './defs/moduli-emnist.ts';
import { k49ModuliClaim } from './defs/moduli-k49.ts';

export const STUDY_CLAIMS: readonly ClaimEntry[] = [
  runsClaim(
    emnistModuliClaim,
    PAPER.emnistModuli.value.map((P) => ({ preset: moduliPreset('emnist', P), seeds: MODULI_SEEDS })),
    measureModulus,
    judgeModuli,
    { partial: true },
  ),
  runsClaim(
    k49ModuliClaim,
    () =>
      givenK49Dir()
        ? PAPER.k49Moduli.value.map((P) => ({ preset: moduliPreset('k49', P), seeds: MODULI_SEEDS }))
        : { notEvaluated: k49NotGivenMessage('the Kuzushiji-49 study') },
    measureModulus,
    judgeModuli,
    { partial: true },
  ),
  runsClaim(depthTwoClaim, [{ preset: DEPTH_TWO_PRESET, seeds: DEPTH_TWO_SEEDS }], measureDepthTwo, judgeDepthTwo),
  providedRunsClaim(
    diversityLagClaim,
    [
      { preset: SINGLE_IMAGE_PRESET, seeds: CLAIM_SEEDS },
      { preset: DIVERSE_PRESET, seeds: DIVERSE_SEEDS },
    ],
    evaluateDiversity,
  ),
  providedRunsClaim(
    sandwichClaim,
    [
      { preset: SANDWICH_PRESET, seeds: MANY_SEEDS },
      { preset: PLAIN_PRESET, seeds: MANY_SEEDS },
    ],
    evaluateSandwich,
    { partial: true },
  ),
  providedRunsClaim(
    separabilityClaim,
    [
      { preset: SANDWICH_PRESET, seeds: MANY_SEEDS },
      { preset: SEPARABILITY_CONTRAST_PRESET, seeds: CONTRAST_SEEDS },
    ],
    evaluateSeparability,
  ),
];
