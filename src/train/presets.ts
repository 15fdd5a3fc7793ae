// Named run presets in one place. `paper-n1` is the paper's N = 1, P = 23, R = 0.9 setup at paper width
// (for a fast backend or a long CPU run); `cpu-n1` is the reduced, faithful-R configuration chosen by the
// search recorded in docs/PRESET-SEARCH.md; `cpu-n1-r85` changes only R; `cpu-n1-depth2` (two blocks, the
// paper's depth ablation) is the CPU configuration whose training logs show a lag. The issue-7 presets add
// N = 4 and N = 256 (plain and FFN sandwich), the P sweep and Kuzushiji-49, each with a paper-width twin where
// it matters. Values that come from the paper are read from the registry; the rest are our choices (see the
// registry's notes and the search log). A description says only what the preset's runs have shown (issue 29):
// the committed fixtures (fixtures/checkpoints/README.md, judged on fresh draws by the claims) or the search
// log, and "not trained here" where no run exists. "Fixed-draw" accuracy is the trainer's log (one noise draw
// per pair, reused at every evaluation); whether a run grokked is decided on fresh draws (eval/grok-status.ts).

import { ConfigError } from '../errors.ts';
import { validateRunConfig, type RunConfig } from './config.ts';
import { PAPER } from '../paper/registry.ts';

const PAPER_MODEL = {
  imageSide: PAPER.imageSide.value,
  patchSize: PAPER.imageSide.value,
  dModel: PAPER.dModel.value,
  heads: 4,
  ffnWidth: PAPER.ffnWidth.value,
  depth: PAPER.depth.value,
  preAttentionFfn: false,
  norm: 'none',
  timeFeatures: 64,
  initScale: 1,
} as const;

const { optimiser: _optimiser, ...PAPER_OPTIMISER } = PAPER.paperWidthTraining.value;
const PAPER_TRAIN = {
  ...PAPER_OPTIMISER,
  evalEvery: 100,
  checkpointEvery: 1000,
  evalDraws: 1,
  samplingSteps: PAPER.samplingSteps.value,
  stopAfterGrokEvals: 0,
} as const;

const SINGLE = {
  P: PAPER.modulus.value,
  N: PAPER.imagesPerSymbol.value.single,
  trainingRatio: PAPER.trainingRatio.value,
  dataset: 'emnist',
  shuffleTargets: false,
} as const;

const CPU_MODEL = { ...PAPER_MODEL, imageSide: 16, patchSize: 16, dModel: 64, ffnWidth: 256 } as const;
const CPU_TRAIN = {
  ...PAPER_TRAIN,
  steps: 8000,
  lr: 3e-3,
  weightDecay: 1,
  evalEvery: 50,
  checkpointEvery: 250,
  samplingSteps: 10,
  stopAfterGrokEvals: 5,
} as const;
const DIVERSE = { ...SINGLE, N: PAPER.imagesPerSymbol.value.diverse } as const;
const MANY = { ...SINGLE, N: PAPER.imagesPerSymbol.value.many } as const;
/** N = 256 training: the paper's sandwich needs more steps than N = 1; evaluation draws fresh operand images. */
const CPU_MANY_TRAIN = { ...CPU_TRAIN, steps: 12000, evalEvery: 100, checkpointEvery: 500 } as const;

/** A preset as written here: its name (the key) and seed 0 are added when it is read. */
type RawPreset = { description: string; config: { data: unknown; model: unknown; train: unknown } };

/**
 * P sweep (paper Appendix E: P = 23..35 on EMNIST; Kuzushiji-49 appendix: P = 39..47): cpu-n1-depth2 at another
 * P. Two blocks, because the one-block CPU model does not fit P = 27 in 8000 steps (train 55.8 %, loss stuck at
 * 0.031) while two blocks fit and generalise at P = 27 in 1250 steps (docs/PRESET-SEARCH.md); the paper's own
 * depth ablation (Figure 42) is this model. P = 23 has its own preset too: cpu-n1-depth2 stops early, these do not.
 */
function moduliPresets(): Record<string, RawPreset> {
  const out: Record<string, RawPreset> = {};
  const model = { ...CPU_MODEL, depth: 2 };
  // The full budget, no early stop: the Fourier structure is measured on the trained model, and it keeps
  // sharpening after held-out accuracy saturates (P = 35 seed 1: ten key frequencies in the attention taps at
  // step 1500, when the early stop would end the run; {3, 10} from step 3500 on).
  const train = { ...CPU_TRAIN, stopAfterGrokEvals: 0 };
  for (const P of PAPER.emnistModuli.value) {
    out[`cpu-n1-depth2-p${P}`] = {
      description:
        `cpu-n1-depth2 at P = ${P} (paper Appendix E: the periodic structure at every P = 23..35 on EMNIST). Its ` +
        'two committed runs are read by the moduli-emnist claim (the key frequencies of the last block).',
      config: { data: { ...SINGLE, P }, model, train },
    };
  }
  for (const P of PAPER.k49Moduli.value) {
    out[`cpu-k49-p${P}`] = {
      description: `cpu-n1-depth2 on Kuzushiji-49 at P = ${P} (paper appendix). Needs the official K49 files: --k49 DIR. Not trained here.`,
      config: { data: { ...SINGLE, P, dataset: 'k49' }, model, train },
    };
  }
  return out;
}

const RAW_PRESETS: Record<string, RawPreset> = {
  'paper-n1': {
    description:
      'Paper N = 1, P = 23, R = 0.9 at paper width (d_model 512, FFN 512, one block, 32×32: Figure 2 "N = 1, S = 32"), lr and weight decay ' +
      'from the registry (paperWidthTraining). Its three committed runs (20000 steps each, hours on a 2-core CPU) fit most training pairs but ' +
      'do not grok: on fresh draws their novel held-out accuracy stays below its level. The trainer stops early only when its fixed-draw ' +
      'train, held-out and novel held-out accuracy hold their levels for 10 evaluations.',
    config: { data: SINGLE, model: PAPER_MODEL, train: { ...PAPER_TRAIN, stopAfterGrokEvals: 10 } },
  },
  'cpu-n1': {
    description:
      'Reduced N = 1, P = 23 configuration (d_model 64, FFN 256, 16 px, one block, R = 0.9) chosen by docs/PRESET-SEARCH.md. Trains in ' +
      'minutes on a 2-core CPU and fits the training pairs; held-out pairs whose mirror (b, a) was trained follow by commutativity, but in ' +
      'none of its three committed runs do the novel held-out pairs reach their level on fresh draws: it does not grok.',
    config: { data: SINGLE, model: CPU_MODEL, train: CPU_TRAIN },
  },
  'cpu-n1-unordered': {
    description:
      'cpu-n1 with the unordered split (data.split = unordered: a pair and its mirror on the same side), so every held-out pair is novel and ' +
      'no held-out accuracy comes from commutativity alone (issue 14). Its three committed runs fit the training pairs and stay far below ' +
      'the held-out level for the whole budget: it does not grok.',
    config: { data: { ...SINGLE, split: 'unordered' }, model: CPU_MODEL, train: CPU_TRAIN },
  },
  'cpu-n1-r85': {
    description:
      'cpu-n1 with R = 0.85: in the search the closest configuration to a grokking lag by the fixed-draw training log (one seed of three ' +
      'generalised, later than it fitted; the others stayed on the mirror plateau). No committed run; not judged on fresh draws. See docs/PRESET-SEARCH.md.',
    config: {
      data: { ...SINGLE, trainingRatio: 0.85 },
      model: CPU_MODEL,
      train: { ...CPU_TRAIN, steps: 10000 },
    },
  },
  'cpu-n1-depth2': {
    description:
      'cpu-n1 with two transformer blocks (paper Figure 42). Its three committed runs fit the training pairs early and, by the fixed-draw ' +
      'training log, reach the held-out level much later (a lag); on fresh draws one of them stays below the held-out level at its final ' +
      'checkpoint (the depth-two claim). 12000 steps. See docs/PRESET-SEARCH.md.',
    config: { data: SINGLE, model: { ...CPU_MODEL, depth: 2 }, train: { ...CPU_TRAIN, steps: 12000 } },
  },
  'cpu-n4': {
    description:
      'cpu-n1 with N = 4 images per symbol (paper Figure 2: more visual diversity shrinks the grokking lag). Its committed run stays on the ' +
      'initial loss plateau for the whole budget, train and held-out accuracy at chance.',
    config: { data: DIVERSE, model: CPU_MODEL, train: CPU_TRAIN },
  },
  'cpu-n4-sandwich': {
    description:
      'cpu-n4 with the FFN sandwich and the N = 256 budget: in the search the sandwich leaves the loss plateau where the plain block does not, ' +
      'and memorises slowly without generalising within the budget (a scaled-down Figure 4, not grokking). No committed run. See docs/PRESET-SEARCH.md.',
    config: { data: DIVERSE, model: { ...CPU_MODEL, preAttentionFfn: true }, train: CPU_MANY_TRAIN },
  },
  'cpu-n256': {
    description:
      'N = 256 images per symbol with the plain SA-FFN block (paper Figure 4: it fails to generalise). Its committed run stays at chance, as the paper says.',
    config: { data: MANY, model: CPU_MODEL, train: CPU_MANY_TRAIN },
  },
  'cpu-n256-sandwich': {
    description:
      'N = 256 with the FFN sandwich: an extra FFN between embedding and attention (paper Figure 4: groks). At this CPU width its committed ' +
      'run stays on the loss plateau with train and held-out accuracy at chance: it does not reproduce the paper (see the sandwich-groks claim).',
    config: { data: MANY, model: { ...CPU_MODEL, preAttentionFfn: true }, train: CPU_MANY_TRAIN },
  },
  'cpu-n4-depth2-sandwich': {
    description:
      'cpu-n4 with two blocks and the FFN sandwich: the CPU model of the diverse regime that learns the arithmetic — in its committed runs ' +
      'held-out pairs drawn with the training images follow train accuracy, and sampling splits into arithmetic and denoising (Sec. 4.2) — ' +
      'but it does not read unseen handwriting (Appendix C.2 held-out stays near chance) and does not fit every training pair. See docs/PRESET-SEARCH.md.',
    config: { data: DIVERSE, model: { ...CPU_MODEL, depth: 2, preAttentionFfn: true }, train: { ...CPU_TRAIN, stopAfterGrokEvals: 0 } },
  },
  'cpu-n4-depth2-sandwich-shuffled-c': {
    description:
      "cpu-n4-depth2-sandwich trained on shuffled results (each training pair's c a seeded permutation of the true sums): no arithmetic to " +
      'learn, only a lookup table. The second negative control of the critical-timestep claim (issue 7: "shuffling c labels breaks it"); ' +
      'its committed run fits part of its shuffled results.',
    config: {
      data: { ...DIVERSE, shuffleTargets: true },
      model: { ...CPU_MODEL, depth: 2, preAttentionFfn: true },
      train: { ...CPU_TRAIN, stopAfterGrokEvals: 0 },
    },
  },
  'paper-n4': {
    description: 'paper-n1 with N = 4 (paper Figure 2), for a fast backend. Not trained here: no run shows what it does.',
    config: { data: DIVERSE, model: PAPER_MODEL, train: PAPER_TRAIN },
  },
  'paper-n256': {
    description: 'Paper width, N = 256, plain SA-FFN block (paper Figure 4), for a fast backend. Not trained here: no run shows what it does.',
    config: { data: MANY, model: PAPER_MODEL, train: PAPER_TRAIN },
  },
  'paper-n256-sandwich': {
    description:
      'Paper width, N = 256, FFN sandwich (paper Figure 4), for a fast backend. Not trained to the end here (a search run at this width ' +
      'went below the operand-blind loss but stayed at chance: docs/PRESET-SEARCH.md).',
    config: { data: MANY, model: { ...PAPER_MODEL, preAttentionFfn: true }, train: PAPER_TRAIN },
  },
  'paper-n1-depth2': {
    description: 'paper-n1 with two blocks (paper Figure 42), for a fast backend. Not trained here: no run shows what it does.',
    config: { data: SINGLE, model: { ...PAPER_MODEL, depth: 2 }, train: PAPER_TRAIN },
  },
  ...moduliPresets(),
};

export function presetNames(): string[] {
  return Object.keys(RAW_PRESETS);
}

export function presetDescription(name: string): string {
  return getRaw(name).description;
}

/** The validated config of a preset. Throws a ConfigError listing the presets for an unknown name. */
export function getPreset(name: string): RunConfig {
  return validateRunConfig(getRaw(name).config, `preset "${name}"`);
}

function getRaw(name: string): { description: string; config: unknown } {
  const raw = Object.hasOwn(RAW_PRESETS, name) ? RAW_PRESETS[name] : undefined;
  if (!raw) throw new ConfigError('preset-unknown', `unknown preset "${name}"; available: ${presetNames().join(', ')}`);
  return { description: raw.description, config: { preset: name, seed: 0, ...raw.config } };
}
