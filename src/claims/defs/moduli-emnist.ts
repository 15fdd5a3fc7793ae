// Claim "moduli-emnist" (paper Appendix E, Figures 28-31): the periodic structure at P = 23, 27, 31, 35 on
// EMNIST. The measurement, the stable-checkpoint rule and the judgement are the moduli study's (../moduli.ts).

import { PAPER } from '../../paper/registry.ts';
import { defineClaim, type KnownDeviation } from '../claim.ts';
import type { ClaimDeclaration } from '../contract.ts';
import { moduliPreset, moduliStudy, MODULI_SEEDS } from '../moduli.ts';

export const declaration: ClaimDeclaration = {
  id: 'moduli-emnist',
  // Appendix E: "the 1D and 2D periodicities revealed by the Fourier analysis are also observable in the P = 27, 31, and 35 cases".
  kind: 'paper',
  title: 'Periodic structure at every P = 23..35 (EMNIST, N = 1)',
  statement:
    'At every modulus P = 23, 27, 31, 35 the periodic structure of the Fourier analysis is observable (the paper: "the 1D and 2D periodicities"; ' +
    'here: a few key Fourier frequencies shared by attention and FFN).',
  where: 'Appendix E, Figures 28-31',
  thresholds: ['emnistModuli', 'keyFrequencyRule', 'grokTrainLevel'],
  negativeControl: 'the untrained model at each P (it has not learned the task and has no few-frequency structure)',
};

export const moduliEmnistClaim = moduliStudy(
  declaration,
  PAPER.emnistModuli.value.map((P) => ({ preset: moduliPreset('emnist', P), seeds: MODULI_SEEDS })),
);

/**
 * Known deviation (claim-spec.ts expects the non-replication while this is set; remove it when the claim
 * replicates): why our committed models do not replicate the claim, with the numbers.
 */
export const knownDeviation: KnownDeviation = {
  reason:
    'judged by the stable-checkpoint rule (moduli.ts): 6 of the 8 runs have a stable stored checkpoint; P = 31 seed 2 (train dip to 97.6 % at step ' +
    '7950) and P = 35 seed 1 (final checkpoint in a loss spike, log 98.0 / 95.1 %) are reported, not judged. 5 of the 6 judged runs show a few key ' +
    "frequencies shared by the last block's attention and FFN, with train 100 %: P = 23 seed 2 {1, 3, 11}, P = 27 {2, 3, 4, 8} / {1, 4, 7, 13}, " +
    'P = 31 seed 1 {2, 6, 9}, P = 35 seed 2 {5, 9, 10, 13} (coverage ≥ 0.89). P = 23 seed 1 does not: its key set {2, 8, 9} carries 0.78 of the ' +
    "attention-score tap's power (< 0.8) now that cross-frequency products are reported apart instead of split between their frequencies " +
    '(issue 15 part 6; with the split it passed with {2, 5, 6, 8, 9, 11}). Every P shows the structure in at least one seed, and the two runs ' +
    'not judged would show it too ({5, 9, 15}; {3, 10}, coverage ≥ 0.95).',
};

export const claim = defineClaim({ ...moduliEmnistClaim, knownDeviation });
