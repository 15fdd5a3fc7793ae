// Claims: the task and its periodic structure at other moduli (paper Appendix E: P = 23, 27, 31, 35 on
// EMNIST; its Kuzushiji-49 appendix: P = 39, 43, 47). For each P, the two-block CPU configuration at that P
// (presets cpu-n1-depth2-pP / cpu-k49-pP, full 8000-step budget; one block does not fit P = 27 at CPU width) is measured: it has learned the task (train generation
// accuracy ≥ PAPER.grokTrainLevel) and its attention and FFN share a few key frequencies (the
// selective-frequencies measurement, PAPER.keyFrequencyRule). Replicated when both hold at every P; the
// claim is about the periodic structure, so held-out accuracy is reported (with its interval) but not judged
// — generalisation has its own claims. Runs that are missing make the claim "not evaluated" unless an
// available P already falsifies it. The K49 study runs only on the official K49 files given with --k49 DIR and is "not
// evaluated" otherwise — no other data is ever used under the K49 name.
// Negative control: the untrained model of each P (no generalisation, no few-frequency structure).

import { PAPER } from '../../paper/registry.ts';
import type { LoadedRun } from '../../train/loaded-run.ts';
import { verdict, type ClaimDeclaration, type Verdict } from '../contract.ts';
import { measureGeneralisation, pct, type Generalisation } from '../generalisation.ts';
import { measureFrequencies, type SeedFrequencies } from './selective-frequencies.ts';

/** Two seeds per modulus: every (P, seed) run must show the structure. */
export const MODULI_SEEDS: readonly number[] = [1, 2];

export const emnistModuliClaim: ClaimDeclaration = {
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

/** The preset of the N = 1 study at a modulus: cpu-n1-depth2-pP (EMNIST, P = 23 included) or cpu-k49-pP. */
export function moduliPreset(dataset: 'emnist' | 'k49', P: number): string {
  return dataset === 'k49' ? `cpu-k49-p${P}` : `cpu-n1-depth2-p${P}`;
}

export interface ModulusMeasurement {
  readonly P: number;
  readonly seed: number;
  readonly step: number;
  readonly generalisation: Generalisation;
  readonly frequencies: SeedFrequencies;
  readonly pass: boolean;
}

export function measureModulus(run: LoadedRun, seed: number): ModulusMeasurement {
  const generalisation = measureGeneralisation(run, seed);
  const frequencies = measureFrequencies(run, seed);
  const learned = generalisation.train.accuracy >= PAPER.grokTrainLevel.value;
  return { P: run.model.P, seed, step: run.step, generalisation, frequencies, pass: learned && frequencies.pass };
}

/** The moduli at which every measured seed passes. */
function passingModuli(measured: readonly ModulusMeasurement[]): number[] {
  const Ps = [...new Set(measured.map((m) => m.P))].sort((a, b) => a - b);
  return Ps.filter((P) => measured.filter((m) => m.P === P).every((m) => m.pass));
}

export function judgeModuli(measured: readonly ModulusMeasurement[]): Verdict {
  const ok = measured.filter((m) => m.pass);
  const detail = measured
    .map(
      (m) =>
        `P ${m.P} seed ${m.seed}: held-out ${pct(m.generalisation.heldout)}, train ${pct(m.generalisation.train)}, key {${m.frequencies.union.join(', ')}} ` +
        `(coverage ≥ ${Math.min(...m.frequencies.coverage).toFixed(2)})`,
    )
    .join('; ');
  const rule = PAPER.keyFrequencyRule.value;
  return verdict(
    ok.length === measured.length && measured.length > 0,
    `train accuracy ≥ ${PAPER.grokTrainLevel.value} and ≤ ${rule.maxCount} shared key frequencies carry ≥ ${rule.cumulativeLevel} of each tap's FVE in ${ok.length}/${measured.length} runs ` +
      `(P × seed; moduli with every seed passing: ${passingModuli(measured).join(', ') || 'none'}) (${detail})`,
    `${ok.length}/${measured.length} runs`,
  );
}
