// Claim: trig identities in the FFN (paper Sec. 4.1, Table 3). At the FFN pre-GeLU at position c, the
// signals W′L u_k·x and W′L v_k·x — x projected on the cos/sin(w_k c) Fourier components over c of the map from
// the FFN neurons to the output — are rebuilt from operand products as in cos(a+b) = cos cos − sin sin and
// sin(a+b) = sin cos + cos sin: Table 3 prints cos(w1(a+b)) ≈ 138910·cos cos − 139849·sin sin (FVE 0.95) and
// sin(w1(a+b)) ≈ 137133·cos sin + 136206·sin cos (FVE 0.94).
// Directions, as the paper computes them (src/analysis/trig-fit.ts, part A): W′L [P, f] is formed from the
// weights (src/eval/readout-map.ts: each neuron's direct-path write into the output image, fc2 → final norm's
// linear part → out_proj → unpatchify, read against each class's template image); u_k, v_k are its cos/sin(w_k c)
// components over c; the projections are fitted in-sample over all P² pairs. Two readings of every row (issue 32):
//   phaseFixed (JUDGED; trig-fit.ts part C, PAPER.trigFitPhaseFixed): Table 3 as printed — each target on the
//     two products of its identity and a constant (FVE about the grid mean); the ratio (cos: cosCos/sinSin,
//     identity −1; sin: sinCos/cosSin, +1) with a percentile-bootstrap interval over pairs
//     (PAPER.trigFitRatioBootstrap). The sin ratio is reported with a symmetry check
//     (PAPER.trigFitSymmetryCheck): on a grid symmetric in a and b it is +1 whatever the network computes.
//   anyPhase (secondary): the four-product fit (part A), which also fits cos(w_k(a+b) + φ) at any phase φ; its
//     FVE, the FVE of the fit on cos/sin(w_k(a+b)) alone ("identity"), and the phase φ. The two-product FVE is
//     cos²φ of the four-product one for such a signal: the gap between the readings is a phase measurement.
// Reported beside them: the activation-covariance direction fitted on held-out pairs (part B, PAPER.trigFitMethod's
// robustness check), and per block the FFN's direct-write decoding share: the class its neurons' own write into
// the output points to (argmax_c of W′L·post-GeLU), against (a + b) mod P — a circuit can rebuild the identity
// without using it to write c.
// Measured at t = 1 in every block; judged on the last block (depth 1: block 0) at its top key frequency (the
// largest FVE_k of the FFN pre-GeLU, src/claims/key-frequencies.ts; the paper's w1 row). Replicated per seed
// when the phase-fixed cos and sin FVE reach PAPER.trigFitFve and the cos ratio's interval meets
// −1 ± PAPER.trigFitRatioTolerance; the claim needs every seed. Every measured seed carries both readings,
// grokked or excluded by the precondition. Negative controls: the untrained model of each seed, and a synthetic
// pre-activation whose projections on each seed's own u_k / v_k are cos / sin(w_k(a+b) + π/4)
// (PAPER.trigFitPhaseControl): it must fail the judged reading (FVE cos²(π/4) = 0.5) and pass the four-product one.

import {
  directWriteDecoding,
  pairAsymmetry,
  phaseFixedFit,
  phaseShiftedActivations,
  trigIdentityFit,
  trigReadoutFit,
  trigReadoutTable,
  type DirectWriteDecoding,
  type PairAsymmetry,
  type ReadoutTrigFit,
  type TrigTarget,
} from '../../analysis/index.ts';
import { gridActivations } from '../../eval/grid-activations.ts';
import { ffnNeuronReadout } from '../../eval/readout-map.ts';
import { PAPER } from '../../paper/registry.ts';
import type { LoadedRun } from '../../eval/loaded-run.ts';
import { barChart } from '../../plot/plot.ts';
import { defineClaim, type ClaimModule, type ReportBlock, type ReportSection, type KnownDeviation } from '../claim.ts';
import { eachRun, eachUntrained } from '../claim-runner.ts';
import { recordedThreshold, verdict, type ClaimDeclaration, type ClaimRecord, type Verdict } from '../contract.ts';
import { array, boolean, nullable, number, object, pair, string } from '../decode.ts';
import { GRID_NOISE_SEED, STATS_SEED } from '../setup.ts';
import { blocksOf, judgedBlock, tapSpectrum } from '../key-frequencies.ts';

export const declaration: ClaimDeclaration = {
  id: 'trig-identities',
  // Table 3 and the text beside Figure 15: "we derived the Fourier basis and recovered the underlying trigonometric identities".
  kind: 'paper',
  title: 'Trig identities in the FFN pre-GeLU (N = 1)',
  statement: 'cos(w(a+b)) and sin(w(a+b)) are rebuilt from products of operand terms in the FFN pre-GeLU (FVE ≈ 0.95).',
  where: 'Sec. 4.1, Table 3',
  thresholds: [
    'trigFitFve',
    'trigFitPhaseFixed',
    'trigFitRatioTolerance',
    'trigFitRatioBootstrap',
    'trigFitSymmetryCheck',
    'trigFitExampleCoefficients',
    'trigFitMethod',
    'trigFitPhaseControl',
    'keyFrequencyRule',
  ],
  negativeControl:
    'the untrained model of each seed, and a synthetic pre-activation carrying cos/sin(w_k(a+b) + π/4) on each seed’s W′L u_k / v_k ' +
    '(must fail the judged two-product reading and pass the four-product one)',
  // A claim about a grokked model's mechanism: judged only on seeds that grokked on the novel pairs (claims/provenance.ts).
  precondition: 'grokked',
};

/** The judged reading of one target: Table 3 as printed, the identity's two products and a constant. */
export interface PhaseFixedReading {
  /** [numerator, denominator] of the ratio: cos → cosCos, sinSin; sin → sinCos, cosSin. */
  readonly products: readonly [string, string];
  readonly coefficients: readonly [number, number];
  /** R² of the two-product fit about the grid mean. */
  readonly fve: number;
  /** coefficients[0] / coefficients[1] (identity: cos −1, sin +1). */
  readonly ratio: number | null;
  /** Percentile-bootstrap interval of the ratio over pairs (PAPER.trigFitRatioBootstrap). */
  readonly ratioInterval: readonly [number, number] | null;
  /** Whether the ratio can discriminate: always for cos; for sin only when the grid is not symmetric in a and b (PAPER.trigFitSymmetryCheck). */
  readonly ratioInformative: boolean;
}

/** The secondary reading of one target: the four-product fit (any phase). */
export interface AnyPhaseReading {
  readonly coefficients: { cosCos: number; sinSin: number; cosSin: number; sinCos: number };
  /** In-sample R² on the four products. */
  readonly fve: number;
  /** cos: cosCos/sinSin; sin: sinCos/cosSin (on the full grid the same as the phase-fixed ratio: the products are orthogonal). */
  readonly ratio: number | null;
  /** R² on cos/sin(w_k(a+b)) alone: the identity at any phase (≤ fve). */
  readonly identityFve: number;
  /** φ (radians) of the identity part: p ≈ A·cos(w_k(a+b) + φ) (cos) or A·sin(w_k(a+b) + φ) (sin); null without one. */
  readonly phase: number | null;
}

/** One target of a Table 3 row: cos(w_k(a+b)) (on u_k) or sin(w_k(a+b)) (on v_k), both readings. */
export interface TrigTargetRow {
  readonly phaseFixed: PhaseFixedReading;
  readonly anyPhase: AnyPhaseReading;
}

/** One Table 3 row: frequency k, both targets, the grid's symmetry and the covariance-direction held-out FVE beside them. */
export interface TrigRow {
  readonly k: number;
  readonly key: boolean;
  /** FVE_k of the FFN pre-GeLU (cross products excluded). */
  readonly tapFve: number;
  readonly cos: TrigTargetRow;
  readonly sin: TrigTargetRow;
  /** Antisymmetric share of the pre-GeLU grid under a ↔ b: overall, and in the sin products at k (pairAsymmetry). */
  readonly asymmetry: PairAsymmetry;
  /** Robustness check: covariance direction from half of the pairs, R² on the other half. */
  readonly heldOut: { readonly cos: number; readonly sin: number };
}

/** How often the FFN neurons' own write into the output decodes to (a + b) mod P, over all P² pairs. */
export interface DirectWriteShare {
  readonly correct: number;
  readonly total: number;
  readonly share: number;
}

export interface BlockTrig {
  readonly block: number;
  readonly keySet: number[];
  /** The top key frequency (largest FVE_k). */
  readonly topKey: number;
  readonly rows: TrigRow[];
  /**
   * Decoding of the neurons' direct write (argmax_c W′L·post-GeLU at c): `pairDependent` with each neuron's mean
   * over pairs removed (what can carry c), `whole` with it kept; the fc2 bias is in neither. Chance: 1/P.
   */
  readonly directWrite: { readonly pairDependent: DirectWriteShare; readonly whole: DirectWriteShare };
}

/** The judged reading's checks at the judged row. */
export interface TrigChecks {
  readonly cosFve: boolean;
  readonly sinFve: boolean;
  /** The cos ratio's interval meets −1 ± PAPER.trigFitRatioTolerance. */
  readonly cosRatio: boolean;
}

export interface SeedTrig {
  readonly seed: number;
  readonly step: number;
  /** The modulus. */
  readonly P: number;
  readonly depth: number;
  /** The judged block (the last). */
  readonly block: number;
  /** The judged row: the judged block's top key frequency. */
  readonly key: TrigRow;
  /** Largest FVE (cos or sin) among the judged block's non-key rows, per reading. */
  readonly maxNonKeyFve: { readonly phaseFixed: number; readonly anyPhase: number };
  /** Every block (the judged one included). */
  readonly blocks: BlockTrig[];
  readonly checks: TrigChecks;
  readonly pass: boolean;
}

/** The phase-shifted negative control of one seed: the judged pipeline on a synthetic cos/sin(w_k(a+b) + φ). */
export interface PhaseShiftedControl {
  readonly seed: number;
  readonly block: number;
  readonly k: number;
  /** φ (radians, PAPER.trigFitPhaseControl). */
  readonly phase: number;
  readonly cos: TrigTargetRow;
  readonly sin: TrigTargetRow;
  readonly checks: TrigChecks;
  /** The judged reading accepts it (must be false). */
  readonly judgedPass: boolean;
  /** The four-product FVE reaches PAPER.trigFitFve (must be true: the control carries the identity at another phase). */
  readonly anyPhasePass: boolean;
}

export interface TrigControl {
  readonly untrained: SeedTrig[];
  readonly phaseShifted: PhaseShiftedControl[];
}

/**
 * The asymmetry level below which the sin ratio cannot discriminate (PAPER.trigFitSymmetryCheck): the share of
 * the sin products' power in sin(w_k(a−b)) at which a projection carrying it in proportion moves sinCos/cosSin
 * out of 1 ± δ, δ²/((2 + δ)² + δ²).
 */
export function sinRatioSymmetryLevel(): number {
  const d = PAPER.trigFitRatioTolerance.value;
  return (d * d) / ((2 + d) ** 2 + d * d);
}

/** Both readings (phaseFixed, anyPhase) of both targets of one fitted row; `asymmetry` of its pre-activation grid. */
export function readingsOf(fit: ReadoutTrigFit, P: number, asymmetry: PairAsymmetry): { cos: TrigTargetRow; sin: TrigTargetRow } {
  const boot = PAPER.trigFitRatioBootstrap.value;
  const one = (target: TrigTarget): TrigTargetRow => {
    const f = fit[target];
    const pf = phaseFixedFit(f.projected, P, fit.k, target, { seed: STATS_SEED, resamples: boot.resamples, level: boot.level });
    return {
      phaseFixed: {
        products: pf.products,
        coefficients: pf.coefficients,
        fve: pf.fve,
        ratio: pf.ratio,
        ratioInterval: pf.ratioInterval ? [pf.ratioInterval.lower, pf.ratioInterval.upper] : null,
        ratioInformative: target === 'cos' || asymmetry.sinProducts >= sinRatioSymmetryLevel(),
      },
      anyPhase: {
        coefficients: { cosCos: f.fit.cosCos, sinSin: f.fit.sinSin, cosSin: f.fit.cosSin, sinCos: f.fit.sinCos },
        fve: f.fit.fve,
        ratio: f.identity.ratio,
        identityFve: f.identityFve,
        phase: f.phase,
      },
    };
  };
  return { cos: one('cos'), sin: one('sin') };
}

/** The judged reading's checks on a row's two targets. */
export function trigChecks(row: Pick<TrigRow, 'cos' | 'sin'>): TrigChecks {
  const lv = PAPER.trigFitFve.value;
  const tol = PAPER.trigFitRatioTolerance.value;
  const ci = row.cos.phaseFixed.ratioInterval;
  return {
    cosFve: row.cos.phaseFixed.fve >= lv.cos,
    sinFve: row.sin.phaseFixed.fve >= lv.sin,
    cosRatio: ci !== null && ci[0] <= -1 + tol && ci[1] >= -1 - tol,
  };
}

const passes = (c: TrigChecks) => c.cosFve && c.sinFve && c.cosRatio;

function share(d: DirectWriteDecoding): DirectWriteShare {
  return { correct: d.correct, total: d.total, share: d.share };
}

function measureBlock(run: LoadedRun, block: number): BlockTrig {
  const P = run.model.P;
  const pre = `block${block}.ffn.pre`;
  const post = `block${block}.ffn.post`;
  const grids = gridActivations(
    run,
    [
      { tap: pre, view: { kind: 'token-c' } },
      { tap: post, view: { kind: 'token-c' } },
    ],
    { t: 1, noiseSeed: GRID_NOISE_SEED },
  );
  const g = grids.get(`${pre}:token-c`)!;
  const h = grids.get(`${post}:token-c`)!;
  const spectrum = tapSpectrum(g.valuesByPair, P, g.units);
  const keySet = [...spectrum.selection.frequencies];
  const readout = ffnNeuronReadout(run, block).readout;
  const rows = trigReadoutTable(g.valuesByPair, P, g.units, readout).map((r): TrigRow => {
    const held = trigIdentityFit(g.valuesByPair, P, g.units, r.k, { heldOut: { seed: STATS_SEED } });
    const asymmetry = pairAsymmetry(g.valuesByPair, P, g.units, r.k);
    return {
      k: r.k,
      key: keySet.includes(r.k),
      tapFve: spectrum.byFrequency[r.k],
      ...readingsOf(r, P, asymmetry),
      asymmetry,
      heldOut: { cos: held.cos.heldOutFve ?? 0, sin: held.sin.heldOutFve ?? 0 },
    };
  });
  const directWrite = {
    pairDependent: share(directWriteDecoding(h.valuesByPair, P, h.units, readout)),
    whole: share(directWriteDecoding(h.valuesByPair, P, h.units, readout, { centre: false })),
  };
  return { block, keySet, topKey: spectrum.selection.ranking[0].k, rows, directWrite };
}

/** The judged block's row: its top key frequency (for even P that can be P/2, which has no row: the strongest row then). */
function judgedRow(b: BlockTrig): TrigRow {
  return b.rows.find((r) => r.k === b.topKey) ?? b.rows.reduce((m, r) => (r.tapFve > m.tapFve ? r : m));
}

export function measureTrig(run: LoadedRun, seed: number): SeedTrig {
  const blocks = blocksOf(run).map((l) => measureBlock(run, l));
  const judged = blocks[judgedBlock(run)];
  const key = judgedRow(judged);
  const nonKey = judged.rows.filter((r) => !r.key);
  const maxOf = (reading: 'phaseFixed' | 'anyPhase') => Math.max(0, ...nonKey.map((r) => Math.max(r.cos[reading].fve, r.sin[reading].fve)));
  const checks = trigChecks(key);
  return {
    seed,
    step: run.step,
    P: run.model.P,
    depth: run.model.depth,
    block: judged.block,
    key,
    maxNonKeyFve: { phaseFixed: maxOf('phaseFixed'), anyPhase: maxOf('anyPhase') },
    blocks,
    checks,
    pass: passes(checks),
  };
}

/**
 * The phase-shifted control on a readout W′L [P, units] at frequency k: the synthetic pre-activation whose
 * projections on u_k / v_k are cos / sin(w_k(a+b) + φ), φ = PAPER.trigFitPhaseControl, read as a seed is.
 */
export function phaseShiftedReading(readout: Float64Array, P: number, units: number, k: number): Omit<PhaseShiftedControl, 'seed' | 'block'> {
  const phase = PAPER.trigFitPhaseControl.value;
  const x = phaseShiftedActivations(readout, P, units, k, phase);
  const row = readingsOf(trigReadoutFit(x, P, units, readout, k), P, pairAsymmetry(x, P, units, k));
  const checks = trigChecks(row);
  const lv = PAPER.trigFitFve.value;
  return {
    k,
    phase,
    ...row,
    checks,
    judgedPass: passes(checks),
    anyPhasePass: row.cos.anyPhase.fve >= lv.cos && row.sin.anyPhase.fve >= lv.sin,
  };
}

/** The phase-shifted control of a trained seed, on its own W′L at its judged block and k. */
export function measurePhaseShifted(run: LoadedRun, trained: Pick<SeedTrig, 'seed' | 'block' | 'key'>): PhaseShiftedControl {
  const { readout, units } = ffnNeuronReadout(run, trained.block);
  return { seed: trained.seed, block: trained.block, ...phaseShiftedReading(readout, run.model.P, units, trained.key.k) };
}

const signed = (r: number | null, digits = 2) => (r === null ? '—' : `${r >= 0 ? '+' : ''}${r.toFixed(digits)}`);
const interval = (ci: readonly [number, number] | null) => (ci === null ? '—' : `[${signed(ci[0])}, ${signed(ci[1])}]`);
const degrees = (phi: number | null) => (phi === null ? '—' : `${Math.round((phi * 180) / Math.PI)}°`);
const percent = (x: number) => `${(100 * x).toFixed(0)} %`;

function seedDetail(s: SeedTrig): string {
  const k = s.key;
  const b = s.blocks.find((x) => x.block === s.block)!;
  const sinNote = k.sin.phaseFixed.ratioInformative ? '' : ', uninformative: the grid is symmetric in a and b';
  return (
    `seed ${s.seed} block ${s.block} k=${k.k}: two-product FVE ${k.cos.phaseFixed.fve.toFixed(2)}/${k.sin.phaseFixed.fve.toFixed(2)}, ` +
    `cos ratio ${signed(k.cos.phaseFixed.ratio)} ${interval(k.cos.phaseFixed.ratioInterval)} (sin ${signed(k.sin.phaseFixed.ratio)}${sinNote}); ` +
    `four-product (any phase) FVE ${k.cos.anyPhase.fve.toFixed(2)}/${k.sin.anyPhase.fve.toFixed(2)}, phase ${degrees(k.cos.anyPhase.phase)}/${degrees(k.sin.anyPhase.phase)}; ` +
    `FFN direct write decodes c on ${percent(b.directWrite.pairDependent.share)} of pairs (chance ${percent(1 / s.P)})`
  );
}

export function judgeTrig(perSeed: readonly SeedTrig[]): Verdict {
  const lv = PAPER.trigFitFve.value;
  const tol = PAPER.trigFitRatioTolerance.value;
  const ok = perSeed.filter((s) => s.pass).length;
  const detail = perSeed.map((s) => seedDetail(s)).join('; ');
  const minFve = Math.min(...perSeed.map((s) => Math.min(s.key.cos.phaseFixed.fve, s.key.sin.phaseFixed.fve)));
  return verdict(
    ok === perSeed.length && perSeed.length > 0,
    `Table 3 as printed (two products per target, phase fixed) on W′L u_k / v_k (in-sample, last block's FFN pre-GeLU, top key frequency): ` +
      `FVE ≥ ${lv.cos}/${lv.sin} and cos ratio's ${PAPER.trigFitRatioBootstrap.value.level * 100} % interval meeting −1 ± ${tol} in ${ok}/${perSeed.length} seeds (${detail})`,
    `FVE ${minFve.toFixed(2)}`,
  );
}

/**
 * The control is rejected when no untrained seed passes the judged reading and every phase-shifted synthetic
 * fails it while passing the four-product reading (one that fails both would not test the phase: a defect,
 * reported as an accepted control).
 */
export function judgeTrigControl(c: TrigControl): Verdict {
  const untrainedAccepted = c.untrained.filter((s) => s.pass).map((s) => s.seed);
  const shiftedAccepted = c.phaseShifted.filter((s) => s.judgedPass).map((s) => s.seed);
  const misbuilt = c.phaseShifted.filter((s) => !s.anyPhasePass).map((s) => s.seed);
  const shifted = c.phaseShifted
    .map(
      (s) =>
        `seed ${s.seed} k=${s.k} φ = ${degrees(s.phase)}: two-product FVE ${s.cos.phaseFixed.fve.toFixed(2)}/${s.sin.phaseFixed.fve.toFixed(2)}, ` +
        `four-product ${s.cos.anyPhase.fve.toFixed(2)}/${s.sin.anyPhase.fve.toFixed(2)}`,
    )
    .join('; ');
  const untrained = c.untrained.map((s) => `seed ${s.seed} ${s.key.cos.phaseFixed.fve.toFixed(2)}/${s.key.sin.phaseFixed.fve.toFixed(2)}`).join(', ');
  const accepted = untrainedAccepted.length > 0 || shiftedAccepted.length > 0 || misbuilt.length > 0 || c.phaseShifted.length === 0;
  const problems = [
    ...(untrainedAccepted.length > 0 ? [`the judged reading accepts the untrained model of seed(s) ${untrainedAccepted.join(', ')}`] : []),
    ...(shiftedAccepted.length > 0 ? [`the judged reading accepts the phase-shifted control of seed(s) ${shiftedAccepted.join(', ')}`] : []),
    ...(misbuilt.length > 0
      ? [`the phase-shifted control of seed(s) ${misbuilt.join(', ')} fails the four-product reading too, so it does not test the phase`]
      : []),
  ];
  return verdict(
    accepted,
    `${problems.length > 0 ? `${problems.join('; ')}. ` : ''}Untrained, two-product FVE cos/sin: ${untrained || 'none'}. Phase-shifted synthetic: ${shifted || 'none'}`,
    `control FVE ${Math.max(0, ...c.phaseShifted.map((s) => Math.max(s.cos.phaseFixed.fve, s.sin.phaseFixed.fve))).toFixed(2)}`,
  );
}

const phaseFixedReading = object<PhaseFixedReading>({
  products: pair(string, string),
  coefficients: pair(number, number),
  fve: number,
  ratio: nullable(number),
  ratioInterval: nullable(pair(number, number)),
  ratioInformative: boolean,
});
const anyPhaseReading = object<AnyPhaseReading>({
  coefficients: object<AnyPhaseReading['coefficients']>({ cosCos: number, sinSin: number, cosSin: number, sinCos: number }),
  fve: number,
  ratio: nullable(number),
  identityFve: number,
  phase: nullable(number),
});
const trigTargetRow = object<TrigTargetRow>({ phaseFixed: phaseFixedReading, anyPhase: anyPhaseReading });
const trigRow = object<TrigRow>({
  k: number,
  key: boolean,
  tapFve: number,
  cos: trigTargetRow,
  sin: trigTargetRow,
  asymmetry: object<PairAsymmetry>({ overall: number, sinProducts: number }),
  heldOut: object<TrigRow['heldOut']>({ cos: number, sin: number }),
});
const directWriteShare = object<DirectWriteShare>({ correct: number, total: number, share: number });
const blockTrig = object<BlockTrig>({
  block: number,
  keySet: array(number),
  topKey: number,
  rows: array(trigRow),
  directWrite: object<BlockTrig['directWrite']>({ pairDependent: directWriteShare, whole: directWriteShare }),
});
const trigChecksDecoder = object<TrigChecks>({ cosFve: boolean, sinFve: boolean, cosRatio: boolean });
const seedTrig = object<SeedTrig>({
  seed: number,
  step: number,
  P: number,
  depth: number,
  block: number,
  key: trigRow,
  maxNonKeyFve: object<SeedTrig['maxNonKeyFve']>({ phaseFixed: number, anyPhase: number }),
  blocks: array(blockTrig),
  checks: trigChecksDecoder,
  pass: boolean,
});
const phaseShiftedControl = object<PhaseShiftedControl>({
  seed: number,
  block: number,
  k: number,
  phase: number,
  cos: trigTargetRow,
  sin: trigTargetRow,
  checks: trigChecksDecoder,
  judgedPass: boolean,
  anyPhasePass: boolean,
});
const trigControl = object<TrigControl>({ untrained: array(seedTrig), phaseShifted: array(phaseShiftedControl) });

/** A Table 3 cell of the judged reading: "α·cos cos − β·sin sin" (cos) or "γ·sin cos + δ·cos sin" (sin). */
function table3Cell(r: PhaseFixedReading): string {
  const num = (x: number) => (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-2 && x !== 0) ? x.toExponential(2) : x.toFixed(2));
  const name = (p: string) => p.replace(/([a-z]+)([A-Z][a-z]+)/, (_, a: string, b: string) => `${a} ${b.toLowerCase()}`);
  const [c0, c1] = r.coefficients;
  return `${c0 < 0 ? '−' : ''}${num(Math.abs(c0))}·${name(r.products[0])}${c1 < 0 ? ' − ' : ' + '}${num(Math.abs(c1))}·${name(r.products[1])}`;
}

/** The paper's own Table 3 row, from the registry values the record was judged by (its thresholds). */
function paperRow(rec: Pick<ClaimRecord, 'thresholds'>): string {
  const c = recordedThreshold(rec, 'trigFitExampleCoefficients');
  const fve = recordedThreshold(rec, 'trigFitFve');
  if (!c || !fve) return '';
  const signed = (x: number) => `${x < 0 ? '−' : '+'} ${Math.abs(x)}`;
  return (
    `Paper (Table 3, its first key frequency): ${c.cosCos}·cos cos ${signed(c.sinSin)}·sin sin (FVE ${fve.cos}), ` +
    `${c.cosSin}·cos sin ${signed(c.sinCos)}·sin cos (FVE ${fve.sin}).`
  );
}

/**
 * The report section (Table 3): for every seed and block, one row per frequency (key and non-key, as the table
 * has) with the judged two-product reading (coefficients, FVE, ratio and its interval), then the secondary
 * readings (four products, identity at any phase, phase, grid symmetry, held-out covariance fit), the FFN's
 * direct-write decoding per block, the negative controls, and a figure per seed.
 */
export function trigIdentitiesSection(rec: ClaimRecord<SeedTrig[], TrigControl>): ReportSection {
  const seeds = rec.measurement ?? [];
  if (seeds.length === 0) return [];
  const f = (x: number) => x.toFixed(3);
  const boot = recordedThreshold(rec, 'trigFitRatioBootstrap');
  const level = boot ? ` [${boot.level * 100} %]` : '';
  const md: ReportBlock[] = [
    '',
    '**Trig identities at the FFN pre-GeLU (Table 3, at pure noise)**: the pre-activation projected on W′L u_k and W′L v_k ' +
      "(u_k, v_k: the cos/sin(w_k c) components over c of the neurons' readout of each class's template image, " +
      'src/eval/readout-map.ts) and fitted in-sample over all pairs. The judged reading is Table 3 as printed: each target on the two ' +
      `products of its identity (and a constant), with the ratio's bootstrap interval over pairs${level} (the identity's ratio: minus one ` +
      'for cos, plus one for sin); the sin ratio is marked "symmetric" where the grid has no antisymmetric content in a and b, which ' +
      `forces it to plus one. ${paperRow(rec)}`,
    '',
    `| seed | block | k | key | W′L u_k·x ≈ (cos(w_k(a+b))) | FVE | ratio cos cos : sin sin${level} | W′L v_k·x ≈ (sin(w_k(a+b))) | FVE | ratio sin cos : cos sin${level} |`,
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  const rowsOf = (s: SeedTrig) => s.blocks.flatMap((b) => b.rows.map((row) => ({ b, row })));
  const label = (s: SeedTrig, b: BlockTrig, row: TrigRow) =>
    `| ${s.seed} | ${b.block}${b.block === s.block ? ' (judged)' : ''} | ${row.k} | ${row.key ? `yes${row.k === b.topKey ? ' (top)' : ''}` : 'no'} |`;
  for (const s of seeds) {
    for (const { b, row } of rowsOf(s)) {
      const c = row.cos.phaseFixed;
      const n = row.sin.phaseFixed;
      md.push(
        `${label(s, b, row)} ${table3Cell(c)} | ${f(c.fve)} | ${signed(c.ratio)} ${interval(c.ratioInterval)} | ` +
          `${table3Cell(n)} | ${f(n.fve)} | ${signed(n.ratio)} ${interval(n.ratioInterval)}${n.ratioInformative ? '' : ' (symmetric)'} |`,
      );
    }
  }
  md.push(
    '',
    '**Secondary readings**: the four-product fit (any phase: it also fits cos(w_k(a+b) + φ), whose two-product FVE is cos²φ of it), the fit on ' +
      'cos/sin(w_k(a+b)) alone ("identity", any phase), the phase φ of that part, the antisymmetric share of the pre-GeLU grid under a ↔ b ' +
      '(overall / in the sin products at k), and the activation-covariance direction fitted on held-out pairs (robustness check).',
    '',
    '| seed | block | k | four-product FVE cos / sin | identity FVE cos / sin | phase cos / sin | antisymmetric share overall / sin products | held-out cov. fit cos / sin |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const s of seeds) {
    for (const { b, row } of rowsOf(s)) {
      md.push(
        `| ${s.seed} | ${b.block} | ${row.k} | ${f(row.cos.anyPhase.fve)} / ${f(row.sin.anyPhase.fve)} | ${f(row.cos.anyPhase.identityFve)} / ${f(row.sin.anyPhase.identityFve)} | ` +
          `${degrees(row.cos.anyPhase.phase)} / ${degrees(row.sin.anyPhase.phase)} | ${row.asymmetry.overall.toExponential(1)} / ${row.asymmetry.sinProducts.toExponential(1)} | ` +
          `${f(row.heldOut.cos)} / ${f(row.heldOut.sin)} |`,
      );
    }
  }
  md.push(
    '',
    "**Does the FFN write c itself?** The class each pair's FFN neurons write into the output (argmax_c of W′L · post-GeLU at c), " +
      'with each neuron’s mean over pairs removed (what can carry c) and kept (the whole write; the bias of the FFN output layer is in neither).',
    '',
    '| seed | block | decodes c, pair-dependent write | decodes c, whole write | chance |',
    '|---|---|---|---|---|',
  );
  for (const s of seeds) {
    for (const b of s.blocks) {
      const w = b.directWrite;
      md.push(
        `| ${s.seed} | ${b.block}${b.block === s.block ? ' (judged)' : ''} | ${w.pairDependent.correct}/${w.pairDependent.total} (${percent(w.pairDependent.share)}) | ` +
          `${w.whole.correct}/${w.whole.total} (${percent(w.whole.share)}) | ${percent(1 / s.P)} |`,
      );
    }
  }
  const control = rec.control?.measurement;
  if (control) {
    md.push('', `**Negative controls** (${rec.control?.verdict.outcome}): ${rec.control?.verdict.summary}`);
  }
  for (const s of seeds) {
    const b = s.blocks.find((x) => x.block === s.block) ?? s.blocks[0];
    if (!b) continue;
    const bars = b.rows.flatMap((row) => {
      const label = `w${row.k}${row.key ? '*' : ''}`;
      return [
        { label, value: row.cos.phaseFixed.fve, group: 'cos, two products (judged)' },
        { label, value: row.sin.phaseFixed.fve, group: 'sin, two products (judged)' },
        { label, value: row.cos.anyPhase.fve, group: 'cos, four products' },
        { label, value: row.sin.anyPhase.fve, group: 'sin, four products' },
      ];
    });
    md.push({
      file: `trig-identities-seed-${s.seed}.png`,
      alt: `trig identities seed ${s.seed}`,
      shows: [{ seed: s.seed }],
      draw: () =>
        barChart(bars, {
          title: `Table 3 FVE per frequency, seed ${s.seed}, block ${b.block} (* = key frequency)`,
          xTitle: 'frequency',
          yTitle: 'FVE of the product fit',
        }),
    });
  }
  return md;
}

/**
 * Known deviation (claim-spec.ts expects the non-replication while this is set; remove it when the claim
 * replicates): why our committed models do not replicate the claim, in words; the numbers are in the record.
 */
export const knownDeviation: KnownDeviation = {
  reason:
    "Table 3 as printed (two products per target, the judged reading) stays below the paper's FVE at every seed's top key frequency (the cosine far below), " +
    "and the cos·cos / sin·sin ratio misses the identity's minus one on most seeds. The four-product fit explains more: the projections on " +
    "W′L u_k / v_k carry cos/sin(w_k(a+b)) at a phase far from the identity's, which the paper's two-product form does not credit. The sin " +
    "ratio says nothing on these models: their pre-GeLU grids are symmetric in a and b, which forces it to plus one. The FFN neurons' own " +
    'write names c on only part of the pairs. No committed model grokked, so the claim is not evaluated on them; the readings of the ' +
    'excluded seeds are in the record.',
  registryEntry: 'trigFitFve',
};

export const trigIdentitiesClaim: ClaimModule<SeedTrig[], TrigControl> = {
  declaration,
  knownDeviation,
  models: { kind: 'n1-tiers' },
  measure: eachRun(measureTrig),
  judge: judgeTrig,
  control: {
    measure: (runs, measured) => ({
      untrained: eachUntrained(measureTrig)(runs, measured),
      phaseShifted: eachRun((run, seed) => measurePhaseShifted(run, measured.find((m) => m.seed === seed)!))(runs),
    }),
    judge: judgeTrigControl,
  },
  parseMeasurement: array(seedTrig),
  parseControl: trigControl,
  report: { section: trigIdentitiesSection },
};

export const claim = defineClaim(trigIdentitiesClaim);
