// Claim: the critical timestep (paper Sec. 4.2, Figure 6, Appendix G). Sampling splits into an arithmetic
// phase at high noise (the model computes c = (a + b) mod P) and a denoising phase at low noise (it only
// cleans up the image it has). Evidence: (i) started from an image of a wrong c' perturbed to level t_k, the
// sampler ends on the correct c at high noise but not at low noise — the critical timestep is where this
// rectification accuracy falls below PAPER.rectificationCriticalLevel (0.5 %); the recovery curve (started
// from the correct c) stays high; (ii) on those rectification paths (Figure 6b: "entropy trajectories starting
// from an incorrect image c′ perturbed with varying noise levels", coloured by the final accuracy), the FVE
// entropy of the c-position activations increases suddenly where the final accuracy drops to near zero
// (Appendix G: "a sudden increase in FVE entropy ... consistently coincides with the timestep at which the final
// ODE sampling accuracy drops to near zero (< 0.5%)").
//
// Measured per seed (src/eval/critical-timestep.ts, definitions in src/analysis/critical-timestep.ts):
// recovery and rectification accuracy at every level t_k = k/K, K = PAPER.criticalTimestepSamplingSteps, on
// a seeded subset of CRITICAL_TIMESTEP_PAIRS of the P² pairs (train and held-out alike: the claim is about
// the phases of sampling, not about generalisation; all P² pairs would cost 4× the time for a resolution the
// 0.5 % level cannot use — below 0.5 % of 128 pairs means none); and the normalised FVE entropy of the FFN
// pre-GeLU at c (judged) and of the attention output at c (reported) on the rectification paths of the P²
// grid (eval rectificationEntropy: first image of each operand, one shared noise image, a wrong c' per cell):
//   - the entropy at the START of the path from every level t_k, k = 1..K (the model's reading of the
//     perturbed wrong image at the level it starts from) — the judged curve (PAPER.criticalTimestepEntropyPath). Entropy falls along every path
//     that starts in the arithmetic phase (it is lowest at the start), so this is also each trajectory's
//     lowest entropy: the curve along which the trajectories of Figure 6b separate;
//   - the whole path from the levels rectificationFigureLevels(K) (every level up to K/5, every multiple of
//     K/5 above: short paths are cheap, long ones cost k forward passes), with its final grid accuracy, for
//     the figure;
//   - the path from pure noise (k = K), which is the former "entropy along the sampler" (`entropy`, reported).
// Until issue 15 the entropy was judged on the from-noise path alone (change point 0.62-0.70 there).
// Replicated per seed when
//   (a) the model computes the sum from noise: rectification accuracy at t = 1 (= from-noise generation
//       accuracy: the start image has weight 0 there) ≥ PAPER.criticalTimestepJudgement.fromNoiseAccuracy
//       with its Wilson lower bound above chance 1/P;
//   (b) a critical timestep exists: 1 ≤ k_crit < K (some level where the sampler does take steps leaves the
//       wrong image uncorrected; level 0 takes none and never counts);
//   (c) the transition (PAPER.changePointRule) of the FFN pre-GeLU start entropy on the rectification paths
//       is an INCREASE towards low noise of at least PAPER.criticalTimestepJudgement.entropyJump (the two
//       segment means: low-noise side minus high-noise side; the direction is the paper's "sudden increase in
//       FVE entropy" where the accuracy drops, so a fall does not count) and lies within
//       PAPER.criticalTimestepTolerance of t_crit.
// The claim needs every seed. The paper measures at N = 256, in the diverse-image regime: a denoising phase
// needs several images per symbol to choose among. No N = 256 model learns the task on this machine (see
// sandwich-groks), so the claim is judged on the diverse-regime model that does learn the arithmetic here,
// N = 4 with two blocks and the FFN sandwich (CRITICAL_TIMESTEP_PRESET, seeds CRITICAL_TIMESTEP_SEEDS). The N = 1
// fixtures (cpu-n1, and paper-n1 at paper width once its fixtures exist) are measured the same way and reported
// as a contrast, not judged: with one image per symbol the model rewrites c at every noise level.
// Negative controls (issue 7: "a non-grokked model has no such transition; shuffling c labels breaks it"),
// judged by the same function, each of which must be rejected:
//   - the untrained model of each seed (it does not compute the sum from noise; no transition);
//   - the same architecture trained on shuffled results (SHUFFLED_C_PRESET: each training pair's c is a
//     seeded permutation of the true sums, so it can only learn a lookup table). It is judged against the
//     true sums; the record also keeps how well it draws its own (shuffled) training results.

import {
  criticalTimestep,
  entropyTransition,
  timestepAgreement,
  type ChangePointRule,
  type CriticalTimestep,
  type EntropyTransition,
  type TimestepAgreement,
} from '../../analysis/index.ts';
import { ENTROPY_TAPS, recoveryRectification, rectificationEntropy } from '../../eval/critical-timestep.ts';
import type { AccuracyResult } from '../../eval/accuracy.ts';
import { PAPER } from '../../paper/registry.ts';
import type { LoadedRun } from '../../eval/loaded-run.ts';
import { lineChartPanels, type LinePanel, type LinePoint, type RuleMark, type TrajectoryPanel, type TrajectoryPoint } from '../../plot/plot.ts';
import { defineClaim, type ClaimModule, type FigureSpec, type ReportBlock, type ReportSection, type KnownDeviation } from '../claim.ts';
import { eachUntrained, measureEach } from '../claim-runner.ts';
import { reportProgress } from '../../io/work-progress.ts';
import { verdict, type ClaimDeclaration, type ClaimRecord, type Verdict } from '../contract.ts';
import { array, boolean, nullable, number, object, string } from '../decode.ts';
import type { ProvidedRun } from '../provider.ts';
import { accuracyDecoder, criticalTimestepDecoder, entropyTransitionDecoder, timestepAgreementDecoder } from '../record-format.ts';
import { CLAIM_SEEDS, GRID_NOISE_SEED, PAPER_WIDTH_PRESET, SINGLE_IMAGE_PRESET, STATS_SEED } from '../setup.ts';

export const declaration: ClaimDeclaration = {
  id: 'critical-timestep',
  // Abstract; Appendix G: "a sudden increase in FVE entropy ... coincides with the timestep at which the final ODE sampling accuracy drops to near zero (< 0.5%)".
  kind: 'paper',
  title: 'Arithmetic then denoising: the critical timestep',
  statement:
    'Sampling splits into an arithmetic phase at high noise and a denoising phase at low noise: below a critical timestep a wrong image is no ' +
    'longer corrected (rectification accuracy < 0.5 %), and the FVE entropy of the c-position activations jumps at about the same timestep. ' +
    '(The paper measures at N = 256; no N = 256 model learns the task on this machine, so this is judged on the N = 4 model with two blocks ' +
    'and the FFN sandwich, which learns the arithmetic; the N = 1 fixtures are reported as a contrast.)',
  where: 'Sec. 4.2, Figure 6, Appendix G',
  thresholds: [
    'rectificationCriticalLevel',
    'criticalTimestepSamplingSteps',
    'criticalTimestepTolerance',
    'criticalTimestepJudgement',
    'criticalTimestepEntropyPath',
    'changePointRule',
    'fveEntropyDefinition',
    'fveDefinition',
  ],
  negativeControl:
    'the untrained model of each seed (it does not compute the sum from noise, so there is no phase to find), and the same architecture ' +
    'trained on shuffled results (cpu-n4-depth2-sandwich-shuffled-c: a lookup table, no arithmetic); the control is rejected only when both are',
  // A claim about a grokked model's mechanism: judged only on seeds of the judged preset that grokked (claims/provenance.ts).
  precondition: 'grokked',
};

/** The judged model: N = 4, two blocks, FFN sandwich (the diverse-regime model that learns the arithmetic here). */
export const CRITICAL_TIMESTEP_PRESET = 'cpu-n4-depth2-sandwich';
export const CRITICAL_TIMESTEP_SEEDS: readonly number[] = [1, 2, 3];
/** The shuffled-results control: CRITICAL_TIMESTEP_PRESET with data.shuffleTargets. One seed: a control, trained once. */
export const SHUFFLED_C_PRESET = 'cpu-n4-depth2-sandwich-shuffled-c';
export const SHUFFLED_C_SEEDS: readonly number[] = [1];
/**
 * The contrast, measured and reported but not judged: the N = 1 fixtures, at reduced width (required) and at
 * paper width (PAPER_WIDTH_PRESET: measured when its fixtures exist; the summary says when they do not).
 */
export const CONTRAST_PRESET = SINGLE_IMAGE_PRESET;
const CONTRAST_PRESETS: ReadonlySet<string> = new Set([PAPER_WIDTH_PRESET, CONTRAST_PRESET]);

/** Pairs per seed in the recovery/rectification study (a seeded subset of the P² pairs). */
export const CRITICAL_TIMESTEP_PAIRS = 128;

/**
 * Starting levels whose whole rectification path is sampled for the figure: every level up to K/5 (short,
 * cheap paths, where the final accuracy leaves zero) and every multiple of K/5 above (a path from level k
 * costs k forward passes of P² examples: 195 at K = 50, where every level would cost 1275). Includes K, the
 * from-noise path. The judged start-entropy curve covers every level whatever this set.
 */
export function rectificationFigureLevels(K: number): number[] {
  const stride = Math.max(1, Math.round(K / 5));
  return Array.from({ length: K }, (_, i) => i + 1).filter((k) => k <= K / 5 || k % stride === 0 || k === K);
}

export interface EntropyTrajectory {
  readonly label: string;
  readonly tap: string;
  /** Normalised FVE entropy at t_k = k/K, entry k − 1 for k = 1..K. */
  readonly entropy: number[];
  readonly transition: EntropyTransition;
}

/** One whole rectification path of the grid (Figure 6b): its entropy per tap along the path and its final accuracy. */
export interface RectificationPathSummary {
  readonly k: number;
  readonly t: number;
  /** Final images that show the correct c, over the P² grid pairs. */
  readonly accuracy: number;
  /** Final images that still show the wrong c'. */
  readonly kept: number;
  /** Per tap (the order of `rectificationEntropy`): entropy at t_j = j/K along the path, entry j − 1 for j = 1..k. */
  readonly entropy: number[][];
}

export interface SeedCriticalTimestep {
  readonly preset: string;
  readonly seed: number;
  readonly step: number;
  readonly pairs: number;
  readonly classifier: string;
  /** Entry k: level t_k = k/K, k = 0..K. */
  readonly recovery: number[];
  readonly rectification: number[];
  /** Share of rectification results that still show the wrong start symbol c'. */
  readonly kept: number[];
  /** Rectification at t = 1 (= from-noise generation accuracy on the study's pairs). */
  readonly fromNoise: AccuracyResult;
  readonly critical: CriticalTimestep;
  /** Reported: the entropy along the path from pure noise (k = K), per tap, the judged tap first. */
  readonly entropy: EntropyTrajectory[];
  /** Judged (first tap; PAPER.criticalTimestepEntropyPath): the entropy at the start of the rectification path from each level t_k, per tap. */
  readonly rectificationEntropy: EntropyTrajectory[];
  /** The whole rectification paths from rectificationFigureLevels(K) (only the from-noise one for the untrained control). */
  readonly rectificationPaths: RectificationPathSummary[];
  /** |t_entropy − t_crit| for the judged tap on the rectification start-entropy curve; null when there is no k_crit at all. */
  readonly agreement: TimestepAgreement | null;
  readonly checks: { readonly computesSum: boolean; readonly criticalExists: boolean; readonly entropyJumps: boolean; readonly agrees: boolean };
  readonly pass: boolean;
}

/**
 * One seed (module header). `figurePaths` (default true): sample the whole rectification paths of
 * rectificationFigureLevels(K) for the figure; false (the untrained control, which the report does not draw)
 * samples only the from-noise one. The judged start-entropy curve is measured at every level either way.
 */
export function measureCriticalTimestep(run: LoadedRun, seed: number, options: { figurePaths?: boolean } = {}): SeedCriticalTimestep {
  const P = run.model.P;
  const item = `${run.config.preset} seed ${seed}`;
  reportProgress({ phase: 'recovery and rectification from every noise level', item });
  const rr = recoveryRectification(run, { seed: STATS_SEED + seed, pairCount: CRITICAL_TIMESTEP_PAIRS });
  const rectification = rr.levels.map((l) => l.rectification.accuracy);
  const critical = criticalTimestep(rectification, PAPER.rectificationCriticalLevel.value);
  const K = rr.steps;
  const levels = Array.from({ length: K }, (_, i) => (i + 1) / K);
  const rule = PAPER.changePointRule.value as ChangePointRule;
  reportProgress({ phase: 'FVE entropy along the rectification paths', item });
  const re = rectificationEntropy(run, {
    noiseSeed: GRID_NOISE_SEED,
    offsetSeed: STATS_SEED + seed,
    steps: K,
    taps: ENTROPY_TAPS,
    fullPathLevels: options.figurePaths === false ? [K] : rectificationFigureLevels(K),
  });
  const fromNoise = re.paths.find((p) => p.k === K)!;
  const trajectory = (j: number, values: number[]): EntropyTrajectory => ({
    label: re.taps[j].label,
    tap: re.taps[j].tap,
    entropy: values,
    transition: entropyTransition(levels, values, rule),
  });
  const entropy = re.taps.map((_, j) => trajectory(j, fromNoise.entropy[j]));
  const rectificationEntropyCurves = re.taps.map((_, j) => trajectory(j, re.start[j]));
  const rectificationPaths = re.paths.map((p) => ({ k: p.k, t: p.t, accuracy: p.accuracy.accuracy, kept: p.kept, entropy: p.entropy }));
  // PAPER.criticalTimestepEntropyPath: which entropy curve meets t_crit (the rectification paths' start since issue 15).
  const judgedCurves = PAPER.criticalTimestepEntropyPath.value === 'from-noise-path' ? entropy : rectificationEntropyCurves;
  const judged = judgedCurves[0].transition;
  const agreement = critical.t === null ? null : timestepAgreement(critical.t, judged.t, PAPER.criticalTimestepTolerance.value);
  const fromNoiseAccuracy = rr.levels[rr.steps].rectification;
  const j = PAPER.criticalTimestepJudgement.value;
  const checks = {
    computesSum: fromNoiseAccuracy.accuracy >= j.fromNoiseAccuracy && fromNoiseAccuracy.interval[0] > 1 / P,
    criticalExists: critical.exists,
    // jump = high-noise mean − low-noise mean: an increase towards low noise is a negative jump.
    entropyJumps: -judged.jump >= j.entropyJump,
    agrees: agreement?.within ?? false,
  };
  return {
    preset: run.config.preset,
    seed,
    step: run.step,
    pairs: rr.pairIndices.length,
    classifier: rr.classifier,
    recovery: rr.levels.map((l) => l.recovery.accuracy),
    rectification,
    kept: rr.levels.map((l) => l.kept / rr.pairIndices.length),
    fromNoise: fromNoiseAccuracy,
    critical,
    entropy,
    rectificationEntropy: rectificationEntropyCurves,
    rectificationPaths,
    agreement,
    checks,
    pass: checks.computesSum && checks.criticalExists && checks.entropyJumps && checks.agrees,
  };
}

function seedLine(s: SeedCriticalTimestep): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const tr = s.rectificationEntropy[0].transition;
  const fromNoise = s.entropy[0].transition;
  const failed = Object.entries(s.checks)
    .filter(([, ok]) => !ok)
    .map(([name]) => name);
  return (
    `${s.preset} seed ${s.seed}: from noise ${pct(s.fromNoise.accuracy)}, t_crit ${s.critical.t?.toFixed(2) ?? '—'} (k ${s.critical.index ?? '—'}; rectification at k = 1: ${pct(s.rectification[1])}), ` +
    `rectification-path start-entropy transition t ${tr.t.toFixed(2)} (increase towards low noise ${(-tr.jump).toFixed(3)}), |Δt| ${s.agreement?.difference.toFixed(2) ?? '—'}; ` +
    `from-noise path transition t ${fromNoise.t.toFixed(2)} (${(-fromNoise.jump).toFixed(3)})` +
    (failed.length > 0 ? ` — fails ${failed.join(', ')}` : '')
  );
}

export function judgeCriticalTimestep(perSeed: readonly SeedCriticalTimestep[]): Verdict {
  const ok = perSeed.filter((s) => s.pass).length;
  const j = PAPER.criticalTimestepJudgement.value;
  return verdict(
    perSeed.length > 0 && ok === perSeed.length,
    `critical timestep (rectification < ${100 * PAPER.rectificationCriticalLevel.value} % up to t_crit ≥ 1/K) with an increase ≥ ${j.entropyJump} of the FFN pre-GeLU entropy at the start of the rectification paths (Figure 6b) within ` +
      `${PAPER.criticalTimestepTolerance.value} of it, from-noise accuracy ≥ ${100 * j.fromNoiseAccuracy} %, in ${ok}/${perSeed.length} seeds (${perSeed.map(seedLine).join('; ')})`,
    `t_crit ${perSeed.map((s) => s.critical.t?.toFixed(2) ?? '—').join('/')}`,
  );
}

export interface CriticalTimestepMeasurement {
  /** The judged seeds (CRITICAL_TIMESTEP_PRESET). */
  readonly judged: SeedCriticalTimestep[];
  /** The N = 1 contrast (CONTRAST_PRESET), measured the same way, not judged. */
  readonly singleImageContrast: SeedCriticalTimestep[];
}

export interface CriticalTimestepControls {
  readonly untrained: SeedCriticalTimestep[];
  readonly shuffledC: Array<SeedCriticalTimestep & { readonly ownTrainAccuracy: number | null }>;
}

/** The judged seeds (CRITICAL_TIMESTEP_PRESET) and the N = 1 contrast (CONTRAST_PRESET), measured the same way. */
export function measureCriticalTimestepRuns(runs: readonly ProvidedRun[]): CriticalTimestepMeasurement {
  return {
    judged: measureEach(
      runs.filter((r) => r.preset === CRITICAL_TIMESTEP_PRESET),
      (run, seed) => measureCriticalTimestep(run, seed),
    ),
    singleImageContrast: measureEach(
      runs.filter((r) => CONTRAST_PRESETS.has(r.preset)),
      (run, seed) => measureCriticalTimestep(run, seed),
    ),
  };
}

/** The verdict on the judged seeds; the contrast is reported in its summary, not judged. */
export function judgeCriticalTimestepMeasurement(m: CriticalTimestepMeasurement): Verdict {
  const judged = judgeCriticalTimestep(m.judged);
  const contrast = m.singleImageContrast.length > 0 ? ` Contrast, not judged (N = 1): ${m.singleImageContrast.map(seedLine).join('; ')}.` : '';
  return { ...judged, summary: judged.summary + contrast };
}

/** Both controls: the untrained models of the judged runs and the SHUFFLED_C_PRESET runs. */
export function measureCriticalTimestepControls(runs: readonly ProvidedRun[]): CriticalTimestepControls {
  // The report does not draw the untrained model's paths: only its from-noise path is sampled whole.
  const untrained = eachUntrained<SeedCriticalTimestep>((run, seed) => measureCriticalTimestep(run, seed, { figurePaths: false }));
  const judgedRuns = runs.filter((r) => r.preset === CRITICAL_TIMESTEP_PRESET);
  const shuffledRuns = runs.filter((r) => r.preset === SHUFFLED_C_PRESET);
  // Its last logged train accuracy is scored against its own (shuffled) results: did it fit them?
  const shuffledC = measureEach(shuffledRuns, (run, seed) => measureCriticalTimestep(run, seed)).map((m, i) => ({
    ...m,
    ownTrainAccuracy: shuffledRuns[i].metrics.at(-1)?.trainAcc ?? null,
  }));
  return { untrained: untrained(judgedRuns, []), shuffledC };
}

/** The control verdict is "replicated" (a failed control) if either control passes. */
export function judgeCriticalTimestepControls(c: CriticalTimestepControls): Verdict {
  const u = judgeCriticalTimestep(c.untrained);
  const sh = judgeCriticalTimestep(c.shuffledC);
  const own = c.shuffledC.map((m) => (m.ownTrainAccuracy === null ? '—' : `${(100 * m.ownTrainAccuracy).toFixed(0)} %`)).join('/');
  return {
    outcome: u.outcome === 'replicated' || sh.outcome === 'replicated' ? 'replicated' : 'not-replicated',
    summary: `untrained: ${u.summary}. Shuffled results (draws its own shuffled training results: ${own}): ${sh.summary}`,
    ...(u.keyNumber && sh.keyNumber ? { keyNumber: `${u.keyNumber} · shuffled ${sh.keyNumber.replace(/^t_crit /, '')}` } : {}),
  };
}

const entropyTrajectory = object<EntropyTrajectory>({ label: string, tap: string, entropy: array(number), transition: entropyTransitionDecoder });
const seedFields = {
  preset: string,
  seed: number,
  step: number,
  pairs: number,
  classifier: string,
  recovery: array(number),
  rectification: array(number),
  kept: array(number),
  fromNoise: accuracyDecoder,
  critical: criticalTimestepDecoder,
  entropy: array(entropyTrajectory),
  rectificationEntropy: array(entropyTrajectory),
  rectificationPaths: array(object<RectificationPathSummary>({ k: number, t: number, accuracy: number, kept: number, entropy: array(array(number)) })),
  agreement: nullable(timestepAgreementDecoder),
  checks: object<SeedCriticalTimestep['checks']>({ computesSum: boolean, criticalExists: boolean, entropyJumps: boolean, agrees: boolean }),
  pass: boolean,
};
const seedCriticalTimestep = object<SeedCriticalTimestep>(seedFields);

/**
 * One figure (paper Figure 6): recovery / rectification accuracy against the start level; the FFN pre-GeLU FVE
 * entropy along the rectification paths started from a wrong c' at several levels, each coloured by its final
 * accuracy (Figure 6b), with the judged curve of the entropy at each path's start in black; and the start-entropy
 * and from-noise curves of every tap. t_crit and the judged entropy transition are marked.
 */
function criticalTimestepFigure(file: string, alt: string, m: SeedCriticalTimestep, title: string, untrained?: SeedCriticalTimestep): FigureSpec {
  const K = m.rectification.length - 1;
  const level = (k: number) => k / K;
  const acc: LinePoint[] = [
    ...m.recovery.map((y, k) => ({ x: level(k), y, series: 'recovery: start c, ends c' })),
    ...m.rectification.map((y, k) => ({ x: level(k), y, series: "rectification: start c', ends c" })),
    ...m.kept.map((y, k) => ({ x: level(k), y, series: "start c', ends c'" })),
    ...(untrained?.rectification.map((y, k) => ({ x: level(k), y, series: 'rectification, untrained model' })) ?? []),
  ];
  const judgedCurve = m.rectificationEntropy[0] ?? m.entropy[0];
  const judged = judgedCurve.transition;
  const rules: RuleMark[] = [
    ...(m.critical.t !== null ? [{ x: m.critical.t, tag: 't_crit', label: `${m.critical.t.toFixed(2)}${m.critical.exists ? '' : ' (none ≥ 1/K)'}` }] : []),
    { x: judged.t, tag: 'entropy transition', label: `${judged.t.toFixed(2)} (${judged.jump >= 0 ? '+' : ''}${judged.jump.toFixed(3)})` },
  ];
  const panels: Array<LinePanel | TrajectoryPanel> = [
    { points: acc, options: { title: `accuracy (${m.pairs} pairs)`, xTitle: 'start noise level t', yTitle: 'share of pairs', yDomain: [0, 1], rules } },
  ];
  if (m.rectificationPaths.length > 0) {
    const points: TrajectoryPoint[] = m.rectificationPaths.flatMap((p) =>
      p.entropy[0].map((y, j) => ({ x: level(j + 1), y, trajectory: `k ${p.k}`, value: p.accuracy })),
    );
    panels.push({
      kind: 'trajectories',
      points,
      options: {
        title: `${judgedCurve.label}: paths from a wrong c' (black: at each path's start)`,
        xTitle: 'noise level t of the sampling step',
        yTitle: 'normalised FVE entropy',
        yDomain: [0, 1],
        valueTitle: 'final accuracy',
        overlay: judgedCurve.entropy.map((y, j) => ({ x: level(j + 1), y })),
        rules,
      },
    });
  }
  const ent: LinePoint[] = [
    ...m.rectificationEntropy.flatMap((e) => e.entropy.map((y, j) => ({ x: level(j + 1), y, series: `${e.label}, path start` }))),
    ...m.entropy.flatMap((e) => e.entropy.map((y, j) => ({ x: level(j + 1), y, series: `${e.label}, along the path from noise` }))),
  ];
  panels.push({ points: ent, options: { title: 'normalised FVE entropy at c', xTitle: 'noise level t', yTitle: 'entropy', yDomain: [0, 1], rules } });
  return { file, alt, shows: [{ preset: m.preset, seed: m.seed }], draw: () => lineChartPanels(panels, title) };
}

/** The report section: recovery / rectification accuracy and FVE entropy against the noise level, per judged seed, for the N = 1 contrast and for the shuffled-results control (paper Figure 6). */
export function criticalTimestepSection(rec: ClaimRecord<CriticalTimestepMeasurement, CriticalTimestepControls>): ReportSection {
  const judged = rec.measurement?.judged ?? [];
  if (judged.length === 0) return [];
  const contrast = rec.measurement?.singleImageContrast ?? [];
  const controls = rec.control?.measurement ?? { untrained: [], shuffledC: [] };
  const md: ReportBlock[] = [
    '',
    "**Critical timestep (Figure 6, Appendix G)**: started from the correct c (recovery) or a wrong c' (rectification) perturbed to level t, sampled to the clean end of the path. " +
      "Middle panel (Figure 6b): the FFN pre-GeLU FVE entropy at c along the rectification paths of the P² grid started from a wrong c' at several levels, " +
      "each coloured by its final accuracy; black: the entropy at each path's start, the curve the claim judges (its two-segment transition against t_crit). " +
      'Right: the start-entropy curves of each tap and the entropy along the path from pure noise (judged until issue 15).',
    '',
  ];
  for (const m of judged) {
    md.push(
      criticalTimestepFigure(
        `critical-timestep-${m.preset}-seed-${m.seed}.png`,
        `critical timestep ${m.preset} seed ${m.seed}`,
        m,
        `Critical timestep, ${m.preset} seed ${m.seed}`,
        controls.untrained.find((c) => c.seed === m.seed),
      ),
    );
  }
  for (const m of contrast) {
    md.push(
      criticalTimestepFigure(
        `critical-timestep-contrast-${m.preset}-seed-${m.seed}.png`,
        `critical timestep contrast ${m.preset} seed ${m.seed}`,
        m,
        `Contrast, not judged: one image per symbol (${m.preset} seed ${m.seed})`,
      ),
    );
  }
  for (const m of controls.shuffledC) {
    md.push(
      criticalTimestepFigure(
        `critical-timestep-control-${m.preset}-seed-${m.seed}.png`,
        `critical timestep control ${m.preset} seed ${m.seed}`,
        m,
        `Control: trained on shuffled results (${m.preset} seed ${m.seed}), scored against the true sums`,
      ),
    );
  }
  return md;
}

/**
 * Known deviation (claim-spec.ts expects the non-replication while this is set; remove it when the claim
 * replicates): why our committed models do not replicate the claim, in words; the numbers are in the record.
 */
export const knownDeviation: KnownDeviation = {
  reason:
    'sampling does split into an arithmetic phase at high noise and a denoising phase at low noise, as in Figure 6, but the FFN pre-GeLU FVE ' +
    'entropy at the start of the rectification paths rises gradually, and its change point lies well above the critical timestep, outside the ' +
    'tolerance: the entropy changes where many wrong images are still being rewritten, not where rectification stops. The claim is judged on the ' +
    "diverse-image model with two blocks and the FFN sandwich (no model of the paper's many-images regime learns on this machine); the " +
    'single-image models, measured as a contrast, have no denoising phase.',
  registryEntry: 'criticalTimestepTolerance',
};

export const criticalTimestepClaim: ClaimModule<CriticalTimestepMeasurement, CriticalTimestepControls> = {
  declaration,
  knownDeviation,
  // The paper measures at N = 256; no N = 256 model learns here, so it is judged on the N = 4 model that does (see its declaration).
  models: {
    kind: 'runs',
    groups: [
      { preset: CRITICAL_TIMESTEP_PRESET, seeds: CRITICAL_TIMESTEP_SEEDS },
      { preset: SHUFFLED_C_PRESET, seeds: SHUFFLED_C_SEEDS },
      { preset: CONTRAST_PRESET, seeds: CLAIM_SEEDS },
      { preset: PAPER_WIDTH_PRESET, seeds: CLAIM_SEEDS, optional: true },
    ],
  },
  measure: measureCriticalTimestepRuns,
  judge: judgeCriticalTimestepMeasurement,
  control: { measure: measureCriticalTimestepControls, judge: judgeCriticalTimestepControls },
  parseMeasurement: object<CriticalTimestepMeasurement>({ judged: array(seedCriticalTimestep), singleImageContrast: array(seedCriticalTimestep) }),
  parseControl: object<CriticalTimestepControls>({
    untrained: array(seedCriticalTimestep),
    shuffledC: array(object<CriticalTimestepControls['shuffledC'][number]>({ ...seedFields, ownTrainAccuracy: nullable(number) })),
  }),
  report: { section: criticalTimestepSection },
};

export const claim = defineClaim(criticalTimestepClaim);
