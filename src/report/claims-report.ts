// The replication report (issue #6): after a claims run, reads every claim record (reports/claims/*.json)
// and writes reports/claims.json (all records), one SVG badge per claim (badge-maker: replicated green with
// the key number, not replicated red, not evaluated grey; the label names the claim and its kind, `paper` or
// `reviewer-requested`) and reports/REPORT.md with a summary table (with each claim's kind), the
// negative controls, the registry thresholds (with the paper's words for verified values), and plots: learning curves of the fixture runs, FVE bar charts
// per tap, the trig-fit table, ablation bars, the critical-timestep curves (accuracy and FVE entropy vs t) and
// the PCA scatter of the Pre-SA-FFN input and output (Figure 5).

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { makeBadge } from 'badge-maker';
import type { ClaimKind, ClaimRecord, ModelProvenance, Outcome } from '../claims/contract.ts';
import { PAPER, type PaperParam } from '../paper/registry.ts';
import { writeFileAtomic, writeJsonAtomic } from '../train/atomic-write.ts';
import { KNOWN_DEVIATIONS } from '../claims/deviations.ts';
import { barChart, learningCurvePlot, lineChartPanels, scatterPlot, type LinePanel, type LinePoint, type RuleMark, type TrajectoryPanel, type TrajectoryPoint } from '../plot/plot.ts';
import type { MetricsRow } from '../train/grokking.ts';
import { curveRows, lossReferenceRules } from './learning-curves.ts';
import type { DenoisingLossReferences } from '../train/loss-references.ts';

/** A fixture run whose learning curves the report draws (with its loss references when known). */
export interface ReportRun {
  readonly seed: number;
  readonly metrics: MetricsRow[];
  readonly lossReferences?: DenoisingLossReferences;
}

const COLOURS: Record<Outcome, string> = { replicated: 'brightgreen', 'not-replicated': 'red', 'not-evaluated': 'lightgrey' };

export function readRecords(dir: string): ClaimRecord[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ClaimRecord);
}

/** A record's kind; a record written before claims had kinds says so rather than passing for a paper claim. */
export function claimKind(rec: Pick<ClaimRecord, 'kind'>): ClaimKind | 'kind unknown' {
  return rec.kind ?? 'kind unknown';
}

export function badgeSvg(rec: ClaimRecord): string {
  const o = rec.verdict.outcome;
  const message = o === 'replicated' ? `replicated${rec.verdict.keyNumber ? ` · ${rec.verdict.keyNumber}` : ''}` : o === 'not-replicated' ? `not replicated${rec.verdict.keyNumber ? ` · ${rec.verdict.keyNumber}` : ''}` : 'not evaluated';
  return makeBadge({ label: `${rec.id} (${claimKind(rec)})`, message, color: COLOURS[o] });
}

/** One line per claim for terminals: outcome, id, kind, control, key number. */
/**
 * The negative control's outcome: the record's own, or for a tiered claim whose paper-width tier was not
 * evaluated, the outcome of the tier it is drawn from, labelled (its control is still measured and judged).
 */
function controlOutcome(r: ClaimRecord): string {
  const own = r.control?.verdict.outcome ?? 'none';
  if (own !== 'not-evaluated' || !r.tiers) return own;
  const shown = shownTier(r);
  const tier = r.tiers.find((t) => t.measurement === shown.measurement);
  return shown.control && tier ? `${shown.control.verdict.outcome} (${tier.preset})` : own;
}

export function summaryTable(records: readonly ClaimRecord[]): string {
  const rows = records.map(
    (r) => `${r.verdict.outcome.padEnd(15)} ${r.id.padEnd(22)} ${claimKind(r).padEnd(19)} control: ${controlOutcome(r).padEnd(15)} ${r.verdict.keyNumber ?? ''}`,
  );
  return [`${'outcome'.padEnd(15)} ${'claim'.padEnd(22)} ${'kind'.padEnd(19)} ${'negative control'.padEnd(24)} key number`, ...rows].join('\n');
}

/** The registry's word on a threshold: the authors' quote of a verified value, or why a value is unverified. */
function thresholdEvidence(key: string): string {
  const p = (PAPER as Record<string, PaperParam<unknown> | undefined>)[key];
  if (!p) return '—';
  const esc = (x: string) => x.replace(/\|/g, '/');
  if (p.verified && p.quote) return `"${esc(p.quote.text)}" (${esc(p.quote.where)})`;
  return `unverified: ${esc(p.unverifiedBecause ?? 'not checked')}`;
}

interface FreqTap {
  label: string;
  tap?: string;
  shares: number[];
  crossShare?: number;
  keySet?: number[];
}
interface FreqBlock {
  block: number;
  taps: FreqTap[];
  union: number[];
  coverage: number[];
  ownCoverage?: number[];
}
interface FreqMeasurement extends Partial<FreqBlock> {
  seed: number;
  taps: FreqTap[];
  blocks?: FreqBlock[];
}
interface AblationReadingMeasurement {
  removeKey: { accuracy: number };
  removeNonKey: { accuracy: number };
  keepKeyOnly: { accuracy: number };
  removeEveryNonKey?: { accuracy: number };
  pass?: boolean;
}
/** One seed of the ablation claim: both readings (grid, sum-direction); a record of an older grokdiff has the grid one at the top level. */
interface AblationMeasurement extends Partial<AblationReadingMeasurement> {
  seed: number;
  keySet?: number[];
  nonKeySet?: number[];
  baseline: { accuracy: number };
  grid?: AblationReadingMeasurement;
  sumDirection?: AblationReadingMeasurement;
  judgedReading?: 'grid' | 'sum-direction';
}
interface TrigTargetRow {
  coefficients: { cosCos: number; sinSin: number; cosSin: number; sinCos: number };
  fve: number;
  identityFve: number;
  ratio: number | null;
}
interface TrigRow {
  k: number;
  key: boolean;
  tapFve: number;
  cos: TrigTargetRow;
  sin: TrigTargetRow;
  heldOut: { cos: number; sin: number };
}
/** One seed of the trig-identities claim (Table 3 rows per block); records of an older grokdiff lack `blocks` and are skipped. */
interface TrigMeasurement {
  seed: number;
  block?: number;
  key?: TrigRow;
  blocks?: Array<{ block: number; keySet: number[]; topKey: number; rows: TrigRow[] }>;
}

interface CriticalMeasurement {
  preset?: string;
  seed: number;
  pairs: number;
  recovery: number[];
  rectification: number[];
  kept: number[];
  critical: { t: number | null; exists: boolean };
  /** The from-noise path (judged until issue 15). */
  entropy: Array<{ label: string; entropy: number[]; transition: { t: number; jump: number } }>;
  /** The judged curve: entropy at the start of the rectification path from each level (absent in older records). */
  rectificationEntropy?: Array<{ label: string; entropy: number[]; transition: { t: number; jump: number } }>;
  /** Whole rectification paths of the grid: entropy per tap along the path (entry j − 1 at t = j/K) and final accuracy. */
  rectificationPaths?: Array<{ k: number; t: number; accuracy: number; kept: number; entropy: number[][] }>;
}

/**
 * The lists of a measurement recorded as an object of lists (`keys`), or, by an older grokdiff, as one list:
 * that list is then the first key's and the others are empty.
 */
function measuredLists<T, K extends string>(measurement: unknown, keys: readonly [K, ...K[]]): Record<K, T[]> {
  const out = {} as Record<K, T[]>;
  for (const key of keys) out[key] = [];
  if (Array.isArray(measurement)) out[keys[0]] = measurement as T[];
  else if (measurement !== null && typeof measurement === 'object') {
    for (const key of keys) out[key] = ((measurement as Partial<Record<K, T[]>>)[key] ?? []) as T[];
  }
  return out;
}

/**
 * One figure (paper Figure 6): recovery / rectification accuracy against the start level; the FFN pre-GeLU FVE
 * entropy along the rectification paths started from a wrong c' at several levels, each coloured by its final
 * accuracy (Figure 6b), with the judged curve of the entropy at each path's start in black; and the start-entropy
 * and from-noise curves of every tap. t_crit and the judged entropy transition are marked.
 */
async function criticalTimestepFigure(m: CriticalMeasurement, title: string, untrained?: CriticalMeasurement): Promise<Uint8Array> {
  const K = m.rectification.length - 1;
  const level = (k: number) => k / K;
  const acc: LinePoint[] = [
    ...m.recovery.map((y, k) => ({ x: level(k), y, series: 'recovery: start c, ends c' })),
    ...m.rectification.map((y, k) => ({ x: level(k), y, series: "rectification: start c', ends c" })),
    ...m.kept.map((y, k) => ({ x: level(k), y, series: "start c', ends c'" })),
    ...(untrained?.rectification.map((y, k) => ({ x: level(k), y, series: 'rectification, untrained model' })) ?? []),
  ];
  const judgedCurve = m.rectificationEntropy?.[0] ?? m.entropy[0];
  const judged = judgedCurve.transition;
  const rules: RuleMark[] = [
    ...(m.critical.t !== null ? [{ x: m.critical.t, label: `t_crit ${m.critical.t.toFixed(2)}${m.critical.exists ? '' : ' (none ≥ 1/K)'}` }] : []),
    { x: judged.t, label: `entropy transition ${judged.t.toFixed(2)} (${judged.jump >= 0 ? '+' : ''}${judged.jump.toFixed(3)})` },
  ];
  const panels: Array<LinePanel | TrajectoryPanel> = [
    { points: acc, options: { title: `accuracy (${m.pairs} pairs)`, xTitle: 'start noise level t', yTitle: 'share of pairs', yDomain: [0, 1], rules } },
  ];
  const paths = m.rectificationPaths ?? [];
  if (m.rectificationEntropy && paths.length > 0) {
    const points: TrajectoryPoint[] = paths.flatMap((p) => p.entropy[0].map((y, j) => ({ x: level(j + 1), y, trajectory: `k ${p.k}`, value: p.accuracy })));
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
    ...(m.rectificationEntropy ?? []).flatMap((e) => e.entropy.map((y, j) => ({ x: level(j + 1), y, series: `${e.label}, path start` }))),
    ...m.entropy.flatMap((e) => e.entropy.map((y, j) => ({ x: level(j + 1), y, series: `${e.label}, along the path from noise` }))),
  ];
  panels.push({ points: ent, options: { title: 'normalised FVE entropy at c', xTitle: 'noise level t', yTitle: 'entropy', yDomain: [0, 1], rules } });
  const p = await lineChartPanels(panels, title);
  return p.png;
}

/** Recovery / rectification accuracy and FVE entropy against the noise level, per judged seed, for the N = 1 contrast and for the shuffled-results control (paper Figure 6). */
async function criticalTimestepFigures(records: readonly ClaimRecord[], save: (name: string, png: Uint8Array) => string): Promise<string[]> {
  const rec = records.find((r) => r.id === 'critical-timestep');
  const { judged, singleImageContrast: contrast } = measuredLists<CriticalMeasurement, 'judged' | 'singleImageContrast'>(rec?.measurement, ['judged', 'singleImageContrast']);
  if (!rec || judged.length === 0) return [];
  const controls = measuredLists<CriticalMeasurement, 'untrained' | 'shuffledC'>(rec.control?.measurement, ['untrained', 'shuffledC']);
  const md: string[] = [
    '',
    "**Critical timestep (Figure 6, Appendix G)**: started from the correct c (recovery) or a wrong c' (rectification) perturbed to level t, sampled to t = 0. " +
      "Middle panel (Figure 6b): the FFN pre-GeLU FVE entropy at c along the rectification paths of the P² grid started from a wrong c' at several levels, " +
      "each coloured by its final accuracy; black: the entropy at each path's start, the curve the claim judges (its two-segment transition against t_crit). " +
      'Right: the start-entropy curves of each tap and the entropy along the path from pure noise (judged until issue 15).',
    '',
  ];
  const name = (m: CriticalMeasurement) => m.preset ?? 'cpu-n1';
  for (const m of judged) {
    const png = await criticalTimestepFigure(m, `Critical timestep, ${name(m)} seed ${m.seed}`, controls.untrained.find((c) => c.seed === m.seed));
    md.push(`![critical timestep ${name(m)} seed ${m.seed}](${save(`critical-timestep-${name(m)}-seed-${m.seed}.png`, png)})`);
  }
  for (const m of contrast) {
    const png = await criticalTimestepFigure(m, `Contrast, not judged: one image per symbol (${name(m)} seed ${m.seed})`);
    md.push(`![critical timestep contrast ${name(m)} seed ${m.seed}](${save(`critical-timestep-contrast-${name(m)}-seed-${m.seed}.png`, png)})`);
  }
  for (const m of controls.shuffledC) {
    const png = await criticalTimestepFigure(m, `Control: trained on shuffled results (${name(m)} seed ${m.seed}), scored against the true sums`);
    md.push(`![critical timestep control ${name(m)} seed ${m.seed}](${save(`critical-timestep-control-${name(m)}-seed-${m.seed}.png`, png)})`);
  }
  return md;
}

/**
 * The key-frequency ablation (reviewer-requested) in both readings: a table per seed and grouped bars. The
 * verdict uses the reading the record names (sum-direction: only cos/sin(w_k(a+b)) removed or kept); the grid
 * reading (every function over the grid touching k) is shown beside it.
 */
async function ablationSection(records: readonly ClaimRecord[], save: (name: string, png: Uint8Array) => string): Promise<string[]> {
  const rec = records.find((r) => r.id === 'ablation');
  const am = rec?.measurement as AblationMeasurement[] | null;
  if (!am || am.length === 0) return [];
  const readings = (s: AblationMeasurement): Array<[string, AblationReadingMeasurement]> => {
    const out: Array<[string, AblationReadingMeasurement]> = [];
    if (s.sumDirection) out.push(['sum-direction', s.sumDirection]);
    const grid = s.grid ?? (s.removeKey && s.removeNonKey && s.keepKeyOnly ? { removeKey: s.removeKey, removeNonKey: s.removeNonKey, keepKeyOnly: s.keepKeyOnly } : undefined);
    if (grid) out.push(['grid', grid]);
    return out;
  };
  const judged = am[0].judgedReading ?? 'grid';
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const md: string[] = [
    '',
    `**Key-frequency ablation at the FFN pre-GeLU (reviewer-requested; not in the paper's text)**: two readings of "the components of ` +
      `frequency k" over the (a, b) grid — *sum-direction*: only cos/sin(w_k(a+b)) (Nanda et al.'s excluded / restricted loss); ` +
      `*grid*: every 2-D Fourier function touching k (1-D terms, (a+b) and (a−b) products, cross products). The verdict uses the **${judged}** reading.`,
    '',
    '| seed | key set | non-key set | baseline | reading | remove key | remove non-key | key only (share of baseline) | passes | remove every non-key sum direction (not judged) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of am) {
    for (const [name, r] of readings(s)) {
      const kept = s.baseline.accuracy > 0 ? r.keepKeyOnly.accuracy / s.baseline.accuracy : 0;
      md.push(
        `| ${s.seed} | {${s.keySet?.join(', ') ?? ''}} | {${s.nonKeySet?.join(', ') ?? ''}} | ${pct(s.baseline.accuracy)} | ${name}${name === judged ? ' (judged)' : ''} | ` +
          `${pct(r.removeKey.accuracy)} | ${pct(r.removeNonKey.accuracy)} | ${pct(r.keepKeyOnly.accuracy)} (${(100 * kept).toFixed(0)} %) | ${r.pass === undefined ? '—' : r.pass ? 'yes' : 'no'} | ${r.removeEveryNonKey ? pct(r.removeEveryNonKey.accuracy) : '—'} |`,
      );
    }
  }
  const rows = am.flatMap((s) => [
    { label: `s${s.seed} none`, value: s.baseline.accuracy, group: 'no ablation' },
    ...readings(s).flatMap(([name, r]) => [
      { label: `s${s.seed} −key`, value: r.removeKey.accuracy, group: name },
      { label: `s${s.seed} −non-key`, value: r.removeNonKey.accuracy, group: name },
      { label: `s${s.seed} key only`, value: r.keepKeyOnly.accuracy, group: name },
    ]),
  ]);
  const p = await barChart(rows, { title: 'Generation accuracy under key-frequency ablation of the FFN pre-GeLU, two readings', xTitle: 'seed (s1-s3) and ablation', yTitle: 'accuracy' });
  md.push('', `![ablation](${save('ablation.png', p.png)})`);
  return md;
}

interface SeparabilityTap {
  tap: string;
  accuracy: number;
  pcaPoints: number[];
}

interface SeparabilitySeed {
  preset?: string;
  seed: number;
  input: SeparabilityTap;
  output: SeparabilityTap;
  pcaLabels: number[];
}

/** PCA scatter of the Pre-SA-FFN input and output by symbol class, for the judged seeds and the N = 4 contrast (paper Figure 5). */
async function separabilityFigures(records: readonly ClaimRecord[], save: (name: string, png: Uint8Array) => string): Promise<string[]> {
  const rec = records.find((r) => r.id === 'sandwich-separability');
  const { judged, diverseContrast: contrast } = measuredLists<SeparabilitySeed, 'judged' | 'diverseContrast'>(rec?.measurement, ['judged', 'diverseContrast']);
  if (!rec || judged.length === 0) return [];
  const md: string[] = ['', '**Pre-SA-FFN separability (Figure 5)**: 2-D PCA of the pre-attention FFN input and output at operand a, coloured by symbol.', ''];
  const groups: Array<[SeparabilitySeed[], string]> = [
    [judged, ''],
    [contrast, 'contrast, not judged: '],
  ];
  for (const [seeds, prefix] of groups) {
    for (const m of seeds) {
      const preset = m.preset ?? 'cpu-n256-sandwich';
      for (const [name, tap] of [['input', m.input], ['output', m.output]] as const) {
        const points = m.pcaLabels.map((label, i) => ({ x: tap.pcaPoints[2 * i], y: tap.pcaPoints[2 * i + 1], label: String(label) }));
        const title = `${prefix}Pre-SA-FFN ${name} (${tap.tap}), ${preset} seed ${m.seed}: nearest-centroid ${(100 * tap.accuracy).toFixed(1)} %`;
        const p = await scatterPlot(points, { title, xTitle: 'PC 1', yTitle: 'PC 2', labelTitle: 'symbol' });
        md.push(`![Pre-SA-FFN ${name} ${preset} seed ${m.seed}](${save(`separability-${name}-${preset}-seed-${m.seed}.png`, p.png)})`);
      }
    }
  }
  return md;
}

type SaveFigure = (name: string, png: Uint8Array) => string;

/**
 * Selective frequencies (Figure 3): FVE_k per tap of the judged block with the cross-frequency share as its own
 * bar (no cross product is split between frequencies), and per seed and block the key sets, cross shares and
 * the coverage of the union (own terms + cross products inside it).
 */
async function selectiveFrequenciesSection(records: readonly ClaimRecord[], save: SaveFigure): Promise<string[]> {
  const rec = records.find((r) => r.id === 'selective-frequencies');
  const seeds = (rec?.measurement as FreqMeasurement[] | null) ?? [];
  if (seeds.length === 0) return [];
  const md: string[] = [];
  const fm = seeds[0];
  const rows = fm.taps.flatMap((t) => [
    ...t.shares.map((v, i) => ({ label: `w${i + 1}`, value: v, group: t.label })),
    ...(t.crossShare !== undefined ? [{ label: 'cross', value: t.crossShare, group: t.label }] : []),
  ]);
  const p = await barChart(rows, {
    title: `FVE per frequency at t = 1, seed ${fm.seed}${fm.block !== undefined ? `, block ${fm.block}` : ''} (cross-frequency products apart)`,
    xTitle: 'frequency',
    yTitle: 'share of total power',
  });
  md.push(`![FVE per tap](${save('fve-per-tap.png', p.png)})`);
  if (!seeds.some((s) => s.blocks)) return md;
  md.push(
    '',
    '**Key frequencies per tap (Figure 3; FVE_k = share of total power in frequency k\'s own terms, cross-frequency products reported apart)**',
    '',
    '| seed | block | tap | key set | Σ key FVE_k | cross share | union | union coverage (own + cross inside) |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const s of seeds) {
    for (const b of s.blocks ?? []) {
      const judged = b.block === s.block ? ' (judged)' : '';
      b.taps.forEach((t, i) => {
        const explained = (t.keySet ?? []).reduce((acc, k) => acc + (t.shares[k - 1] ?? 0), 0);
        md.push(
          `| ${s.seed} | ${b.block}${judged} | ${t.label} | {${(t.keySet ?? []).join(', ')}} | ${explained.toFixed(3)} | ${(t.crossShare ?? 0).toFixed(3)} | {${b.union.join(', ')}} | ` +
            `${b.coverage[i].toFixed(3)}${b.ownCoverage ? ` (${b.ownCoverage[i].toFixed(3)} + ${(b.coverage[i] - b.ownCoverage[i]).toFixed(3)})` : ''} |`,
        );
      });
    }
  }
  return md;
}

/** A Table 3 cell: "α·cos·cos − β·sin·sin" (cos) or "γ·cos·sin + δ·sin·cos" (sin), coefficients as the paper prints them. */
function table3Cell(row: TrigTargetRow, target: 'cos' | 'sin'): string {
  const c = row.coefficients;
  const num = (x: number) => (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-2 && x !== 0) ? x.toExponential(2) : x.toFixed(2));
  const term = (x: number, name: string, first: boolean) => `${first ? (x < 0 ? '−' : '') : x < 0 ? ' − ' : ' + '}${num(Math.abs(x))}·${name}`;
  return target === 'cos' ? `${term(c.cosCos, 'cos cos', true)}${term(c.sinSin, 'sin sin', false)}` : `${term(c.cosSin, 'cos sin', true)}${term(c.sinCos, 'sin cos', false)}`;
}

/**
 * Trig identities (Table 3): for every seed and block, one row per frequency (key and non-key, as the table
 * has): the in-sample fit of the FFN pre-GeLU projected on W′L u_k (cos) and W′L v_k (sin), its FVE, the ratio,
 * the identity-constrained FVE, and the activation-covariance held-out fit beside it; and a figure per seed.
 */
async function trigIdentitiesSection(records: readonly ClaimRecord[], save: SaveFigure): Promise<string[]> {
  const rec = records.find((r) => r.id === 'trig-identities');
  const seeds = ((rec?.measurement as TrigMeasurement[] | null) ?? []).filter((s) => s.blocks);
  if (seeds.length === 0) return [];
  const f = (x: number) => x.toFixed(3);
  const r = (x: number | null) => (x === null ? '—' : x.toFixed(2));
  const md: string[] = [
    '',
    '**Trig identities at the FFN pre-GeLU (Table 3, t = 1)**: the pre-activation projected on W′L u_k and W′L v_k ' +
      '(u_k, v_k: the cos/sin(w_k c) components over c of the neurons\' readout of each class\'s template image, ' +
      'src/eval/readout-map.ts) and fitted in-sample on the operand products, as the paper computes it; "identity" is the ' +
      'fit constrained to cos/sin(w_k(a+b)) (equal to the FVE when the ratios are −1 / +1); the held-out activation-covariance ' +
      'fit is the robustness check. Paper, w1: 138910·cos cos − 139849·sin sin (FVE 0.95), 137133·cos sin + 136206·sin cos (FVE 0.94).',
    '',
    '| seed | block | k | key | W′L u_k·x (cos(w_k(a+b))) | FVE | ratio (−1) | identity | W′L v_k·x (sin(w_k(a+b))) | FVE | ratio (+1) | identity | held-out cov. fit cos / sin |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of seeds) {
    for (const b of s.blocks ?? []) {
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
    const b = (s.blocks ?? []).find((x) => x.block === s.block) ?? (s.blocks ?? [])[0];
    if (!b) continue;
    const bars = b.rows.flatMap((row) => [
      { label: `w${row.k}${row.key ? '*' : ''}`, value: row.cos.fve, group: 'W′L cos, in-sample' },
      { label: `w${row.k}${row.key ? '*' : ''}`, value: row.sin.fve, group: 'W′L sin, in-sample' },
      { label: `w${row.k}${row.key ? '*' : ''}`, value: row.heldOut.cos, group: 'cov. cos, held-out' },
      { label: `w${row.k}${row.key ? '*' : ''}`, value: row.heldOut.sin, group: 'cov. sin, held-out' },
    ]);
    const p = await barChart(bars, { title: `Table 3 FVE per frequency, seed ${s.seed}, block ${b.block} (* = key frequency)`, xTitle: 'frequency', yTitle: 'FVE of the product fit' });
    md.push(`![trig identities seed ${s.seed}](${save(`trig-identities-seed-${s.seed}.png`, p.png)})`);
  }
  return md;
}

async function plots(allRecords: readonly ClaimRecord[], outDir: string, runs: readonly ReportRun[], written: Set<string>): Promise<string[]> {
  const md: string[] = [];
  const records = allRecords.map(shownTier);
  const plotDir = join(outDir, 'plots');
  mkdirSync(plotDir, { recursive: true });
  const save = (name: string, png: Uint8Array) => {
    writeFileAtomic(join(plotDir, name), png);
    written.add(name);
    return `plots/${name}`;
  };
  for (const r of runs) {
    if (r.metrics.length === 0) continue;
    const p = await learningCurvePlot(curveRows(r.metrics), {
      title: `Learning curves, cpu-n1 seed ${r.seed}`,
      ...(r.lossReferences ? { lossReferences: lossReferenceRules(r.lossReferences) } : {}),
    });
    md.push(`![learning curves seed ${r.seed}](${save(`curves-seed-${r.seed}.png`, p.png)})`);
  }
  md.push(...(await selectiveFrequenciesSection(records, save)));
  md.push(...(await ablationSection(records, save)));
  md.push(...(await criticalTimestepFigures(records, save)));
  md.push(...(await separabilityFigures(records, save)));
  md.push(...(await trigIdentitiesSection(records, save)));
  return md;
}

/**
 * The record a claim's figures are drawn from: a tiered claim whose paper-width tier has no measurement (its
 * models are missing) is drawn from its reduced tier, and its title says so.
 */
function shownTier(rec: ClaimRecord): ClaimRecord {
  if (!rec.tiers || rec.measurement !== null) return rec;
  const reduced = rec.tiers.find((t) => t.tier === 'reduced' && t.measurement !== null);
  return reduced ? { ...rec, title: `${rec.title} [reduced tier: ${reduced.preset}]`, measurement: reduced.measurement, control: reduced.control, models: reduced.models } : rec;
}

const pct1 = (x: number): string => `${(100 * x).toFixed(1)} %`;
/** An accuracy with its interval; '—' for a record of an older grokdiff, which has no grok status. */
const interval = (c: ModelProvenance['grok']['train'] | undefined): string =>
  c ? `${pct1(c.accuracy)} [${pct1(c.interval[0])}, ${pct1(c.interval[1])}] (${c.pairs}×${c.drawsPerPair})` : '—';

/** One table row per model: what it is and whether it grokked (train / novel held-out / all held-out, K = 50, Wilson 95 %). */
function modelRow(claim: string, tier: string, m: ModelProvenance, role: string): string {
  const arch = m.dModel === undefined ? '—' : `${m.dModel} / ${m.ffnWidth} / ${m.imageSide} px / ${m.depth}${m.preAttentionFfn ? ' + sandwich' : ''}`;
  const grok = m.grok as ModelProvenance['grok'] | undefined;
  const grokked = grok ? (grok.grokked ? 'yes' : 'no') : '—';
  return `| ${claim} | ${tier} | ${m.preset} | ${m.seed} | ${m.step} | ${arch} | N = ${m.N ?? '—'}, ${m.split ?? '—'} | ${interval(grok?.train)} | ${interval(grok?.novel)} | ${interval(grok?.heldout)} | ${grokked} | ${role} |`;
}

/**
 * Verdict provenance: for every claim (and tier), the models its verdict was judged on and those excluded by a
 * precondition, with the numbers that decided it.
 */
function provenanceSection(records: readonly ClaimRecord[]): string[] {
  const rows: string[] = [];
  for (const r of records) {
    const parts = r.tiers ?? [{ tier: '—', preset: '', verdict: r.verdict, models: r.models, excluded: r.excluded ?? [] }];
    for (const t of parts) {
      const excludedKeys = new Set(t.excluded.map((e) => `${e.model.preset}/${e.model.seed}`));
      for (const m of t.models) if (!excludedKeys.has(`${m.preset}/${m.seed}`)) rows.push(modelRow(r.id, t.tier, m, t.verdict.outcome === 'not-evaluated' ? 'measured, not judged' : 'judged'));
      for (const e of t.excluded) rows.push(modelRow(r.id, t.tier, e.model, 'excluded: did not grok'));
      if (t.models.length === 0 && t.excluded.length === 0) rows.push(`| ${r.id} | ${t.tier} | ${t.preset || '—'} | — | — | — | — | — | — | — | — | not evaluated: ${t.verdict.summary.replace(/\|/g, '/')} |`);
    }
  }
  return [
    '## Verdict provenance',
    '',
    'The models each verdict was judged on. Width: d_model / FFN / image side / depth. Grok status at the judged step: generation',
    'accuracy from noise with K = 50, Wilson 95 % interval (pairs × draws per pair; draws double until the interval decides against',
    'the level): train, *novel* held-out (pairs whose mirror (b, a) was not trained) and all held-out. A claim about a grokked',
    "model's mechanism is judged only on grokked seeds; the others are excluded with these numbers. N = 1 claims are judged at paper",
    'width (`paper-n1`); the reduced tier (`cpu-n1`) is judged the same way and reported beside it.',
    '',
    '| claim | tier | preset | seed | step | width | data | train | novel held-out | all held-out | grokked | role |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...records.flatMap((r) =>
      (r.tiers ?? []).map((t) => `- **${r.id}**, ${t.tier} tier (${t.preset}): **${t.verdict.outcome}**: ${t.verdict.summary.replace(/\|/g, '/')}`),
    ),
    '',
  ];
}

/** Writes claims.json, the badges and REPORT.md under outDir; returns the summary table. */
/** A PNG already written under outDir/plots, listed in the report with a caption. */
export interface ExtraFigure {
  readonly caption: string;
  /** Path relative to outDir. */
  readonly path: string;
}

export async function writeClaimsReport(
  outDir: string,
  runs: readonly ReportRun[] = [],
  extraFigures: readonly ExtraFigure[] = [],
): Promise<{ records: ClaimRecord[]; table: string }> {
  const records = readRecords(join(outDir, 'claims'));
  const written = new Set<string>();
  writeJsonAtomic(join(outDir, 'claims.json'), { createdAt: new Date().toISOString(), claims: records });
  mkdirSync(join(outDir, 'badges'), { recursive: true });
  for (const r of records) writeFileAtomic(join(outDir, 'badges', `${r.id}.svg`), badgeSvg(r));
  const md: string[] = [
    '# grokdiff replication report',
    '',
    'Claims of "Grokking of Diffusion Models: Case Study on Modular Addition" (arXiv 2604.17673), judged on this',
    "repository's models. Thresholds come from the paper-parameter registry (`grokdiff registry`): a verified value",
    "is stated by the authors' public text (its words are quoted below); an unverified one is our documented choice",
    'where the text is cut or silent. "Not evaluated" is neither a pass nor a failure.',
    '',
    'Kind: `paper` claims are stated by the paper\'s text; `reviewer-requested` claims are not in the paper\'s text but',
    'asked for by a review of it (the key-frequency ablation: the referee report on the paper\'s page asks for a causal',
    'ablation). They are judged the same way and reported side by side.',
    '',
    ...records.map((r) => `![${r.id}](badges/${r.id}.svg)`),
    '',
    '| claim | kind | paper | outcome | measured | negative control |',
    '|---|---|---|---|---|---|',
    ...records.map(
      (r) =>
        `| ${r.title} | ${claimKind(r)} | ${r.where} | **${r.verdict.outcome}** | ${r.verdict.summary.replace(/\|/g, '/')} | ${r.control ? `${r.control.description}: **${controlOutcome(r)}**` : '—'} |`,
    ),
    '',
    ...(records.some((r) => KNOWN_DEVIATIONS[r.id])
      ? ['## Known deviations', '', ...records.filter((r) => KNOWN_DEVIATIONS[r.id]).map((r) => `- **${r.id}**: ${KNOWN_DEVIATIONS[r.id].reason}`), '']
      : []),
    ...provenanceSection(records),
    '## Thresholds',
    '',
    '| claim | registry key | value | verified | provenance | the paper\'s words (verified) or why unverified |',
    '|---|---|---|---|---|---|',
    ...records.flatMap((r) =>
      r.thresholds.map((t) => `| ${r.id} | ${t.key} | \`${JSON.stringify(t.value)}\` | ${t.verified ? 'yes' : 'no'} | ${t.provenance.replace(/\|/g, '/')} | ${thresholdEvidence(t.key)} |`),
    ),
    '',
    '## Plots',
    '',
    ...(await plots(records, outDir, runs, written)),
    '',
    ...(extraFigures.length > 0 ? ['## Generated samples', '', ...extraFigures.map((f) => `**${f.caption}**\n\n![${f.caption}](${f.path})\n`)] : []),
  ];
  writeFileAtomic(join(outDir, 'REPORT.md'), md.join('\n'));
  removeStalePlots(outDir, new Set([...written, ...extraFigures.map((f) => basename(f.path))]));
  return { records, table: summaryTable(records) };
}

/** Removes PNGs under outDir/plots that the report no longer links (`linked`: file names), e.g. figures of models a claim no longer uses. */
function removeStalePlots(outDir: string, linked: ReadonlySet<string>): void {
  const plotDir = join(outDir, 'plots');
  if (!existsSync(plotDir)) return;
  for (const name of readdirSync(plotDir)) if (name.endsWith('.png') && !linked.has(name)) rmSync(join(plotDir, name));
}

export function reportPathFor(outDir: string, cwd = process.cwd()): string {
  return relative(cwd, join(outDir, 'REPORT.md'));
}
