// Known deviations: claims that our committed CPU models measurably do NOT replicate, each with the reason
// and the numbers. Declared here, in one place, so the report and badges say "not replicated" honestly
// while `npm test` stays green: the claim's spec then *expects* the non-replication (vitest `it.fails`), so
// the day the claim starts replicating (better models, a fix), the spec fails and asks for the entry to be
// removed. A known deviation never hides a negative control: those are asserted as for every claim.

export interface KnownDeviation {
  /** Why the claim does not replicate on our models, with the measured numbers. */
  readonly reason: string;
}

export const KNOWN_DEVIATIONS: Readonly<Record<string, KnownDeviation>> = {
  'grokking-lag': {
    reason:
      'cpu-n1 (R = 0.9, 8000 steps ≈ 8 min on 2 cores) shows no lag ≥ 2: seed 2 generalises at s_val 1950 after s_train 1650 (ratio 1.18); ' +
      'seeds 1 and 3 fit the training pairs (s_train 1550, 2200) but stay on the "mirror plateau" (held-out 94.3 % and ~85 %: the held-out pairs whose ' +
      'mirror (b, a) was trained) for the whole budget. Lower R (0.5-0.8) memorises but did not generalise within 8000-12000 steps (docs/PRESET-SEARCH.md).',
  },
  'trig-identities': {
    reason:
      "Table 3 computed as the paper does (the FFN pre-GeLU projected on W′L u_k / v_k, directions from the weights: each neuron's write into x̂0 " +
      'read against each class template, Fourier components over c; in-sample product fit) at the top key frequency of the only block: FVE cos/sin ' +
      "0.29/0.33 (seed 1, k = 2), 0.82/0.92 (seed 2, k = 11), 0.35/0.27 (seed 3, k = 7) against the paper's 0.95/0.94; cos ratios -1.23 / -1.30 / " +
      '-2.67 (paper -0.99), sin ratios (sin·cos / cos·sin) +1.00 (paper +0.99). The identity is there but diluted: the projection on u_k also carries the other key ' +
      'frequencies (seed 1, u_2: 30 % of its power at w2, 18 % at w6, 11 % at w11), i.e. the neurons that write cos(w_k c) into the image are not ' +
      'single-frequency in our small model (d_model 64, FFN 256). The activation-covariance direction fitted on held-out pairs (robustness check) ' +
      'reaches cos 0.82-0.84 and sin 0.35-0.93. Untrained control: FVE ≤ 0.01. Not judged here, the two-block fixtures (cpu-n1-depth2) give, at ' +
      "the last block's FFN, W′L FVE 0.28/0.63 (seed 1, k = 9), 0.78/0.84 (seed 2, k = 3), 0.45/0.86 (seed 3, k = 3), with held-out covariance " +
      'fits 0.94-0.97 there.',
  },
  'selective-frequencies': {
    reason:
      "with FVE_k read as the share of total power in frequency k's own components and the cross-frequency products reported apart (Figure 3 " +
      'caption; before, they were split half to each frequency), 2 of 3 seeds replicate: the key set of the FFN pre-GeLU, attention values and ' +
      'scores is shared and small ({2, 4, 6, 9, 11}, {5, 11}, {1, 2, 3, 7, 9}), but in seed 1 the components inside that set carry 0.798 of the FFN ' +
      'pre-GeLU power against the 0.8 level (0.747 own terms + 0.051 cross products between key frequencies; its cross share is 0.167, 0.116 of it ' +
      'with a frequency outside the set). Seeds 2 and 3: coverage ≥ 0.80 and ≥ 0.81 in every tap. Untrained control: 10-11 frequencies.',
  },
  'critical-timestep': {
    reason:
      'judged on the N = 4 model with two blocks and the FFN sandwich (cpu-n4-depth2-sandwich, seeds 1-3; the paper measures at N = 256, where ' +
      "no model learns on this machine). Sampling does split into two phases, as in Figure 6: a wrong c' image perturbed to a low level is kept " +
      '(rectification 0 % up to t_crit = 0.12 / 0.06 / 0.10) and replaced by the correct c more often the higher the level (70 / 81 / 70 % from ' +
      "noise). Measured on those rectification paths as Figure 6b draws them (issue 15; all P² pairs, one shared noise image, a wrong c' per pair), " +
      'the FFN pre-GeLU FVE entropy at c at the start of the path from each level rises from 0.24-0.25 at t = 1 to 1.00 at t = 0.02 (two-segment ' +
      'increase towards low noise 0.51 / 0.54 / 0.55), but the rise is gradual and its change point lies at t = 0.72 / 0.76 / 0.74, 0.60-0.70 above ' +
      't_crit against the 0.1 tolerance: the entropy changes where a third to three quarters of the wrong images are rewritten (the grid paths from ' +
      't = 0.6 and 0.8 end on c for 31-55 % and 54-77 %), not where rectification first leaves 0.5 %. On the path from pure noise (judged before ' +
      "issue 15) the change point is at 0.64 / 0.70 / 0.62. Reported, not judged: the attention output's start entropy changes at t = 0.26 / 0.20 / " +
      '0.22 (0.12-0.14 above t_crit). The N = 1 fixtures, measured as a contrast, have no denoising phase at all (one step at t = 0.02 already ' +
      'rewrites 92 / 66 / 85 % of wrong images; flat entropy).',
  },
  'depth-two': {
    reason:
      'cpu-n1-depth2 (12000-step budget, fixtures retrained with the native kernels) fits the training pairs at step 1000 in all three seeds and, by ' +
      'its training log (K = 10), groks in all three with a clear lag (s_val 7350, 3300, 8750: ×7.35, ×3.30, ×8.75). The claim re-measures the final ' +
      "checkpoints with K = 50 sampling steps (the registry's samplingSteps: the paper's figures index timesteps 0..50) and judges each level by the Wilson 95 % interval, adding draws until it decides: train is " +
      '100 % in all seeds; held-out is 98.1 % [95.2, 99.3] (seed 1) and 100 % (seed 2), at the level, but seed 3 (step 10250) is 94.3 % [93.8, 94.9] ' +
      'after 128 draws per pair (6400 of 6784 samples), decided below 95 %: exactly 50/53, as if 3 of its 9 novel held-out pairs were never drawn ' +
      'right. So 2/3 seeds. Novel held-out accuracy (pairs whose mirror was not trained; reported, not judged): 75 %, 100 %, 66.7 % of the samples over ' +
      '4, 8 and 9 pairs.',
  },
  'moduli-emnist': {
    reason:
      'judged by the stable-checkpoint rule (moduli.ts): 6 of the 8 runs have a stable stored checkpoint; P = 31 seed 2 (train dip to 97.6 % at step ' +
      '7950) and P = 35 seed 1 (final checkpoint in a loss spike, log 98.0 / 95.1 %) are reported, not judged. 5 of the 6 judged runs show a few key ' +
      "frequencies shared by the last block's attention and FFN, with train 100 %: P = 23 seed 2 {1, 3, 11}, P = 27 {2, 3, 4, 8} / {1, 4, 7, 13}, " +
      'P = 31 seed 1 {2, 6, 9}, P = 35 seed 2 {5, 9, 10, 13} (coverage ≥ 0.89). P = 23 seed 1 does not: its key set {2, 8, 9} carries 0.78 of the ' +
      "attention-score tap's power (< 0.8) now that cross-frequency products are reported apart instead of split between their frequencies " +
      '(issue 15 part 6; with the split it passed with {2, 5, 6, 8, 9, 11}). Every P shows the structure in at least one seed, and the two runs ' +
      'not judged would show it too ({5, 9, 15}; {3, 10}, coverage ≥ 0.95).',
  },
  'diversity-shrinks-lag': {
    reason:
      'cpu-n4 (the N = 1 CPU configuration with N = 4 images per symbol) never leaves the initial loss plateau (0.086-0.088) in 8000 steps: train and ' +
      'held-out accuracy stay at chance, so there is no lag to compare (N = 1 medians are also censored: seeds 1 and 3 stay on the mirror plateau). ' +
      'With two blocks and the sandwich (cpu-n4 with model.depth=2, model.preAttentionFfn=true; seed 1, 30000 steps) the model leaves the plateau, and ' +
      'held-out pairs drawn with the TRAINING images follow train accuracy with no lag (step 4000: 73 % vs 76 %; 8000: 84 % vs 90 %; novel pairs ' +
      '1/4, 10/16 draws), but train accuracy stalls at 85-90 % (loss 0.047) and unseen operand images are not read (train pairs with unseen images 8 %), ' +
      'so the Appendix C.2 held-out accuracy stays near chance (8.5 %) and neither grokking level is reached (`grokdiff eval` prints all four numbers). ' +
      'Seed 2 agrees (step 4000: train 85.6 %, held-out pairs with training images 84.4 %, unseen images 8.6 %).',
  },
  'sandwich-groks': {
    reason:
      'at CPU width (d_model 64, FFN 256, 16 px) neither block learns N = 256 in the 12000-step budget: the sandwich (cpu-n256-sandwich seed 1, 862 s) ' +
      'stays on the loss plateau (0.118-0.120; train and held-out accuracy at chance against the CNN-scaled levels 0.91 / 0.87), so the claim is ' +
      'falsified by an under-sized model. The plain block (cpu-n256 seed 1, 12000 steps, 220 s) fails as the paper says (loss 0.1215, above the ' +
      'operand-blind level; accuracy at chance). At N = 4 the same plain block ' +
      'also stays on the plateau while the sandwich leaves it (preset cpu-n4-sandwich): the effect appears at smaller N on a smaller model. ' +
      'The plateau is the loss of the best affine denoiser that ignores the operands (operand-blind 0.1193 for these targets; knowing c ' +
      'would give 0.0857; train/loss-references.ts). Runs that go below it (weight decay 0.1: 0.1133 after 16000 steps; d_model 128: ' +
      '0.114 after 4000; the paper-width sandwich: 0.108 after 20000, against its own references 0.1185 / 0.0861) stay at chance, and the ' +
      'Pre-SA-FFN output of the weight-decay-0.1 run is no more separable by class than its input (52 % vs 60 %): they learn to denoise, ' +
      'not to read the operands.',
  },
  'sandwich-separability': {
    reason:
      'measured on the N = 256 sandwich fixture, which did not learn (see sandwich-groks): nearest-centroid accuracy of the Pre-SA-FFN output is ' +
      '56.0 % [53, 58] against 57.7 % [55, 60] for its input (untrained: 50.8 % vs 54.4 %), so the pre-attention FFN has not learned to separate the classes. ' +
      'The N = 4 two-block sandwich models, which do learn the arithmetic, show the direction of Figure 5 (reported as a contrast, not judged): output ' +
      '73.9 / 60.9 / 65.2 % against input 39.1 / 26.1 / 43.5 % (seeds 1-3, one held-out image per class: 46/69 against 25/69 pooled).',
  },
  ablation: {
    reason:
      'judged on the sum-direction reading (PAPER.ablationReading: only cos/sin(w_k(a+b)) over the grid removed, or kept with the grid mean and ' +
      "nothing else, as in Nanda et al.'s excluded / restricted loss). Removing the 2-8 key sum directions of the FFN pre-GeLU drops accuracy from " +
      '98.5-99.7 % to 25.4 / 18.1 / 37.1 % (threshold 15 %) and removing as many non-key ones keeps 97.7-99.1 %, but keeping only the key sum ' +
      'directions keeps 61.7 / 78.0 / 34.8 % (62 / 78 / 35 % of baseline; threshold 90 %). The grid reading (every function touching k) agrees: ' +
      '−key 23.8 / 18.2 / 27.9 %, −non-key 79.2 / 97.9 / 97.9 %, key-only 64.4 / 78.3 / 36.4 %. Removing every non-key sum direction and leaving ' +
      'all non-sum functions in place keeps 97.7 / 83.0 / 66.3 %: part of what key-only loses is carried by functions that are not sums (1-D ' +
      'terms, (a − b) and cross products, which the GeLU can turn into sums), part by many weak non-key sum directions. Key sets (FFN, t = 1): ' +
      '{2, 6, 9, 11}, {5, 11}, {7, 9}.',
  },
};
