// Claim "moduli-k49" (paper Appendix F, Figures 35-37): the periodic structure at P = 39, 43, 47 on
// Kuzushiji-49 symbols, only with the official K49 files. The measurement, the stable-checkpoint rule and the
// judgement are the moduli study's (../moduli.ts).

import type { ClaimDeclaration } from '../contract.ts';

export const k49ModuliClaim: ClaimDeclaration = {
  id: 'moduli-k49',
  // Appendix F: "an identical Fourier analysis on models trained on the Kuzushiji-MNIST dataset"; Figures 35-37: P = 39, 43, 47.
  kind: 'paper',
  title: 'Periodic structure at P = 39, 43, 47 (Kuzushiji-49, N = 1)',
  statement: 'On Kuzushiji-49 symbols, at P = 39, 43, 47, the trained model has a few key Fourier frequencies shared by attention and FFN.',
  where: 'Appendix F, Figures 35-37 (the text says Kuzushiji-MNIST; read as Kuzushiji-49, the only Kuzushiji set with ≥ 47 classes)',
  thresholds: ['k49Moduli', 'keyFrequencyRule', 'grokTrainLevel'],
  negativeControl: 'the untrained model at each P',
};
