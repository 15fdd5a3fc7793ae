// Claim: trig identities in the FFN (paper Sec. 4.1, Table 3). At the FFN pre-GeLU at position c, the
// signals W′L u_k·x and W′L v_k·x — x projected on the cos/sin(w_k c) Fourier components over c of the map from
// the FFN neurons to the output — are rebuilt from operand products (cos(w_k a)cos(w_k b), sin sin, cos sin,
// sin cos) as in cos(a+b) = cos cos − sin sin and sin(a+b) = cos sin + sin cos: Table 3 reports coefficients
// ≈ 1.4e5 with cosCos/sinSin ≈ −1 and cosSin ≈ sinCos, FVE 0.95 / 0.94 for w1.
// PRIMARY measurement, as the paper computes it (src/analysis/trig-fit.ts, part A): W′L [P, f] is formed from
// the weights (src/eval/readout-map.ts: each neuron's direct-path write into the output image, fc2 → final
// norm's linear part → out_proj → unpatchify, read against each class's template image); u_k, v_k are its
// cos/sin(w_k c) components over c; the projection is fitted in-sample over all P² pairs. Reported for every
// frequency with a cosine and a sine (Table 3's key and non-key rows): coefficients, ratios, FVE, and the FVE
// of the fit constrained to the identity (p on cos/sin(w_k(a+b)): equals the FVE exactly when the ratios are
// −1 / +1). ROBUSTNESS CHECK beside it (part B): the activation-covariance direction, fitted on held-out grid
// cells (PAPER.trigFitMethod).
// Measured at t = 1 in every block; judged on the last block (depth 1: block 0) at its top key frequency (the
// largest FVE_k of the FFN pre-GeLU, src/claims/key-frequencies.ts; the paper's w1 row). Replicated per seed
// when the cos and sin FVE, and the identity-constrained FVE, reach PAPER.trigFitFve; the claim needs every
// seed. Negative control: the untrained model (its W′L directions carry no such signal).

import { trigIdentityFit, trigReadoutTable, type ReadoutTargetFit } from '../../analysis/index.ts';
import { ffnNeuronReadout } from '../../eval/readout-map.ts';
import { PAPER } from '../../paper/registry.ts';
import type { LoadedRun } from '../../eval/loaded-run.ts';
import { barChart } from '../../plot/plot.ts';
import { defineClaim, type ClaimModule, type ReportBlock, type ReportSection, type KnownDeviation } from '../claim.ts';
import { eachRun, eachUntrained } from '../claim-runner.ts';
import { recordedThreshold, verdict, type ClaimDeclaration, type ClaimRecord, type Verdict } from '../contract.ts';
import { array, boolean, nullable, number, object } from '../decode.ts';
import { STATS_SEED } from '../setup.ts';
import { blocksOf, ffnPreGrid, judgedBlock, tapSpectrum } from '../key-frequencies.ts';

export const declaration: ClaimDeclaration = {
  id: 'trig-identities',
  // Table 3 and the text beside Figure 15: "we derived the Fourier basis and recovered the underlying trigonometric identities".
  kind: 'paper',
  title: 'Trig identities in the FFN pre-GeLU (N = 1)',
  statement: 'cos(w(a+b)) and sin(w(a+b)) are rebuilt from products of operand terms in the FFN pre-GeLU (FVE ≈ 0.95).',
  where: 'Sec. 4.1, Table 3',
  thresholds: ['trigFitFve', 'trigFitExampleCoefficients', 'trigFitMethod', 'keyFrequencyRule'],
  negativeControl: 'the untrained model of each seed',
  // A claim about a grokked model's mechanism: judged only on seeds that grokked on the novel pairs (claims/provenance.ts).
  precondition: 'grokked',
};
/** One target of a Table 3 row: cos(w_k(a+b)) (on u_k) or sin(w_k(a+b)) (on v_k). */
export interface TrigTargetRow {
  readonly coefficients: { cosCos: number; sinSin: number; cosSin: number; sinCos: number };
  /** In-sample R² of the projection on the four products (Table 3's FVE). */
  readonly fve: number;
  /** R² of the projection on cos/sin(w_k(a+b)): the fit constrained to the identity (≤ fve). */
  readonly identityFve: number;
  /** cos: cosCos/sinSin (identity −1); sin: sinCos/cosSin (identity +1). */
  readonly ratio: number | null;
}

/** One Table 3 row: frequency k, both targets, and the covariance-direction held-out FVE beside them. */
export interface TrigRow {
  readonly k: number;
  readonly key: boolean;
  /** FVE_k of the FFN pre-GeLU (cross products excluded). */
  readonly tapFve: number;
  readonly cos: TrigTargetRow;
  readonly sin: TrigTargetRow;
  /** Robustness check: covariance direction from half of the pairs, R² on the other half. */
  readonly heldOut: { readonly cos: number; readonly sin: number };
}

export interface BlockTrig {
  readonly block: number;
  readonly keySet: number[];
  /** The top key frequency (largest FVE_k). */
  readonly topKey: number;
  readonly rows: TrigRow[];
}

export interface SeedTrig {
  readonly seed: number;
  readonly step: number;
  readonly depth: number;
  /** The judged block (the last). */
  readonly block: number;
  /** The judged row: the judged block's top key frequency. */
  readonly key: TrigRow;
  /** Largest in-sample FVE (cos or sin) among the judged block's non-key rows. */
  readonly maxNonKeyFve: number;
  /** Every block (the judged one included). */
  readonly blocks: BlockTrig[];
  readonly pass: boolean;
}

function targetRow(f: ReadoutTargetFit): TrigTargetRow {
  return {
    coefficients: { cosCos: f.fit.cosCos, sinSin: f.fit.sinSin, cosSin: f.fit.cosSin, sinCos: f.fit.sinCos },
    fve: f.fit.fve,
    identityFve: f.identityFve,
    ratio: f.identity.ratio,
  };
}

function measureBlock(run: LoadedRun, block: number): BlockTrig {
  const P = run.model.P;
  const g = ffnPreGrid(run, block);
  const spectrum = tapSpectrum(g.valuesByPair, P, g.units);
  const keySet = [...spectrum.selection.frequencies];
  const readout = ffnNeuronReadout(run, block).readout;
  const rows = trigReadoutTable(g.valuesByPair, P, g.units, readout).map((r) => {
    const held = trigIdentityFit(g.valuesByPair, P, g.units, r.k, { heldOut: { seed: STATS_SEED } });
    return {
      k: r.k,
      key: keySet.includes(r.k),
      tapFve: spectrum.byFrequency[r.k],
      cos: targetRow(r.cos),
      sin: targetRow(r.sin),
      heldOut: { cos: held.cos.heldOutFve ?? 0, sin: held.sin.heldOutFve ?? 0 },
    };
  });
  return { block, keySet, topKey: spectrum.selection.ranking[0].k, rows };
}

export function measureTrig(run: LoadedRun, seed: number): SeedTrig {
  const blocks = blocksOf(run).map((l) => measureBlock(run, l));
  const judged = blocks[judgedBlock(run)];
  // For even P the top frequency can be P/2, which has no sine (no Table 3 row): the strongest row is judged then.
  const key = judged.rows.find((r) => r.k === judged.topKey) ?? judged.rows.reduce((m, r) => (r.tapFve > m.tapFve ? r : m));
  const nonKey = judged.rows.filter((r) => !r.key);
  const maxNonKeyFve = Math.max(0, ...nonKey.map((r) => Math.max(r.cos.fve, r.sin.fve)));
  const lv = PAPER.trigFitFve.value;
  const pass = key.cos.fve >= lv.cos && key.sin.fve >= lv.sin && key.cos.identityFve >= lv.cos && key.sin.identityFve >= lv.sin;
  return { seed, step: run.step, depth: run.model.depth, block: judged.block, key, maxNonKeyFve, blocks, pass };
}

const ratio = (r: number | null) => (r === null ? '—' : `${r >= 0 ? '+' : ''}${r.toFixed(2)}`);

export function judgeTrig(perSeed: readonly SeedTrig[]): Verdict {
  const lv = PAPER.trigFitFve.value;
  const ok = perSeed.filter((s) => s.pass).length;
  const detail = perSeed
    .map(
      (s) =>
        `seed ${s.seed} block ${s.block} k=${s.key.k}: FVE ${s.key.cos.fve.toFixed(2)}/${s.key.sin.fve.toFixed(2)}, identity ${s.key.cos.identityFve.toFixed(2)}/${s.key.sin.identityFve.toFixed(2)}, ` +
        `ratios ${ratio(s.key.cos.ratio)}/${ratio(s.key.sin.ratio)}, non-key ≤ ${s.maxNonKeyFve.toFixed(2)}; held-out covariance fit ${s.key.heldOut.cos.toFixed(2)}/${s.key.heldOut.sin.toFixed(2)}`,
    )
    .join('; ');
  const minFve = Math.min(...perSeed.map((s) => Math.min(s.key.cos.fve, s.key.sin.fve)));
  return verdict(
    ok === perSeed.length && perSeed.length > 0,
    `Table 3 fit on W′L u_k / v_k (in-sample, last block's FFN pre-GeLU, top key frequency): cos/sin FVE and identity-constrained FVE ≥ ${lv.cos}/${lv.sin} in ${ok}/${perSeed.length} seeds (${detail})`,
    `FVE ${minFve.toFixed(2)}`,
  );
}

const trigTargetRow = object<TrigTargetRow>({
  coefficients: object<TrigTargetRow['coefficients']>({ cosCos: number, sinSin: number, cosSin: number, sinCos: number }),
  fve: number,
  identityFve: number,
  ratio: nullable(number),
});
const trigRow = object<TrigRow>({
  k: number,
  key: boolean,
  tapFve: number,
  cos: trigTargetRow,
  sin: trigTargetRow,
  heldOut: object<TrigRow['heldOut']>({ cos: number, sin: number }),
});
const blockTrig = object<BlockTrig>({ block: number, keySet: array(number), topKey: number, rows: array(trigRow) });
const seedTrig = object<SeedTrig>({
  seed: number,
  step: number,
  depth: number,
  block: number,
  key: trigRow,
  maxNonKeyFve: number,
  blocks: array(blockTrig),
  pass: boolean,
});

/** A Table 3 cell: "α·cos·cos − β·sin·sin" (cos) or "γ·cos·sin + δ·sin·cos" (sin), coefficients as the paper prints them. */
function table3Cell(row: TrigTargetRow, target: 'cos' | 'sin'): string {
  const c = row.coefficients;
  const num = (x: number) => (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-2 && x !== 0) ? x.toExponential(2) : x.toFixed(2));
  const term = (x: number, name: string, first: boolean) => `${first ? (x < 0 ? '−' : '') : x < 0 ? ' − ' : ' + '}${num(Math.abs(x))}·${name}`;
  return target === 'cos'
    ? `${term(c.cosCos, 'cos cos', true)}${term(c.sinSin, 'sin sin', false)}`
    : `${term(c.cosSin, 'cos sin', true)}${term(c.sinCos, 'sin cos', false)}`;
}

/**
 * The report section (Table 3): for every seed and block, one row per frequency (key and non-key, as the table
 * has): the in-sample fit of the FFN pre-GeLU projected on W′L u_k (cos) and W′L v_k (sin), its FVE, the ratio,
 * the identity-constrained FVE, and the activation-covariance held-out fit beside it; and a figure per seed.
 */
/** The paper's own Table 3 row, from the registry values the record was judged by (its thresholds). */
function paperRow(rec: ClaimRecord<SeedTrig[]>): string {
  const c = recordedThreshold(rec, 'trigFitExampleCoefficients');
  const fve = recordedThreshold(rec, 'trigFitFve');
  if (!c || !fve) return '';
  const signed = (x: number) => `${x < 0 ? '−' : '+'} ${Math.abs(x)}`;
  return (
    `Paper (Table 3, its first key frequency): ${c.cosCos}·cos cos ${signed(c.sinSin)}·sin sin (FVE ${fve.cos}), ` +
    `${c.cosSin}·cos sin ${signed(c.sinCos)}·sin cos (FVE ${fve.sin}).`
  );
}

export function trigIdentitiesSection(rec: ClaimRecord<SeedTrig[]>): ReportSection {
  const seeds = rec.measurement ?? [];
  if (seeds.length === 0) return [];
  const f = (x: number) => x.toFixed(3);
  const r = (x: number | null) => (x === null ? '—' : x.toFixed(2));
  const md: ReportBlock[] = [
    '',
    '**Trig identities at the FFN pre-GeLU (Table 3, at pure noise)**: the pre-activation projected on W′L u_k and W′L v_k ' +
      "(u_k, v_k: the cos/sin(w_k c) components over c of the neurons' readout of each class's template image, " +
      'src/eval/readout-map.ts) and fitted in-sample on the operand products, as the paper computes it; "identity" is the ' +
      'fit constrained to cos/sin(w_k(a+b)) (equal to the FVE when the ratios are those of the identity: minus one for cos, plus one for sin); ' +
      `the held-out activation-covariance fit is the robustness check. ${paperRow(rec)}`,
    '',
    '| seed | block | k | key | W′L u_k·x (cos(w_k(a+b))) | FVE | ratio cos cos : sin sin | identity | W′L v_k·x (sin(w_k(a+b))) | FVE | ratio sin cos : cos sin | identity | held-out cov. fit cos / sin |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of seeds) {
    for (const b of s.blocks) {
      for (const row of b.rows) {
        const mark = row.k === b.topKey ? ' (top)' : '';
        md.push(
          `| ${s.seed} | ${b.block}${b.block === s.block ? ' (judged)' : ''} | ${row.k} | ${row.key ? `yes${mark}` : 'no'} | ${table3Cell(row.cos, 'cos')} | ${f(row.cos.fve)} | ${r(row.cos.ratio)} | ${f(row.cos.identityFve)} | ` +
            `${table3Cell(row.sin, 'sin')} | ${f(row.sin.fve)} | ${r(row.sin.ratio)} | ${f(row.sin.identityFve)} | ${f(row.heldOut.cos)} / ${f(row.heldOut.sin)} |`,
        );
      }
    }
  }
  for (const s of seeds) {
    const b = s.blocks.find((x) => x.block === s.block) ?? s.blocks[0];
    if (!b) continue;
    const bars = b.rows.flatMap((row) => [
      { label: `w${row.k}${row.key ? '*' : ''}`, value: row.cos.fve, group: 'W′L cos, in-sample' },
      { label: `w${row.k}${row.key ? '*' : ''}`, value: row.sin.fve, group: 'W′L sin, in-sample' },
      { label: `w${row.k}${row.key ? '*' : ''}`, value: row.heldOut.cos, group: 'cov. cos, held-out' },
      { label: `w${row.k}${row.key ? '*' : ''}`, value: row.heldOut.sin, group: 'cov. sin, held-out' },
    ]);
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
    "the product fit at the top key frequency explains much less of the projected pre-activation than Table 3's fit in some seeds: the identity " +
    'is there but diluted, because the neurons that write cos(w_k c) into the image are not single-frequency in our models (the projection on ' +
    'u_k also carries the other key frequencies).',
  registryEntry: 'trigFitFve',
};

export const trigIdentitiesClaim: ClaimModule<SeedTrig[]> = {
  declaration,
  knownDeviation,
  models: { kind: 'n1-tiers' },
  measure: eachRun(measureTrig),
  judge: judgeTrig,
  control: { measure: eachUntrained(measureTrig), judge: judgeTrig },
  parseMeasurement: array(seedTrig),
  parseControl: array(seedTrig),
  report: { section: trigIdentitiesSection },
};

export const claim = defineClaim(trigIdentitiesClaim);
