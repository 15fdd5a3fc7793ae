// Claim "moduli-k49" (paper Appendix F, Figures 35-37): the periodic structure at P = 39, 43, 47 on
// Kuzushiji-49 symbols, only with the official K49 files. The measurement, the stable-checkpoint rule and the
// judgement are the moduli study's (../moduli.ts).

import { givenK49Dir, k49NotGivenMessage } from '../../data/dataset-pool.ts';
import { PAPER } from '../../paper/registry.ts';
import { defineClaim } from '../claim.ts';
import type { ClaimDeclaration } from '../contract.ts';
import { moduliPreset, moduliStudy, MODULI_SEEDS } from '../moduli.ts';

export const declaration: ClaimDeclaration = {
  id: 'moduli-k49',
  // Appendix F: "an identical Fourier analysis on models trained on the Kuzushiji-MNIST dataset"; Figures 35-37: P = 39, 43, 47.
  kind: 'paper',
  title: 'Periodic structure at P = 39, 43, 47 (Kuzushiji-49, N = 1)',
  statement: 'On Kuzushiji-49 symbols, at P = 39, 43, 47, the trained model has a few key Fourier frequencies shared by attention and FFN.',
  where: 'Appendix F, Figures 35-37 (the text says Kuzushiji-MNIST; read as Kuzushiji-49, the only Kuzushiji set with ≥ 47 classes)',
  thresholds: ['k49Moduli', 'keyFrequencyRule', 'grokTrainLevel'],
  negativeControl: 'the untrained model at each P',
};

/** Only with the official K49 files given (--k49 DIR): decided when the claim runs. */
export const moduliK49Claim = moduliStudy(declaration, () =>
  givenK49Dir()
    ? PAPER.k49Moduli.value.map((P) => ({ preset: moduliPreset('k49', P), seeds: MODULI_SEEDS }))
    : { notEvaluated: k49NotGivenMessage('the Kuzushiji-49 study') },
);

export const claim = defineClaim(moduliK49Claim);
