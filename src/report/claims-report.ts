// The replication report (issue #6): after a claims run, reads every claim record (reports/claims/*.json,
// checked against the record format: claims/record-format.ts) and writes reports/claims.json (all records),
// one SVG badge per claim (badge-maker: replicated green with the key number, not replicated red, not
// evaluated grey; the label names the claim and its kind, `paper` or `reviewer-requested`) and
// reports/REPORT.md with a summary table (with each claim's kind), the known deviations, the verdict
// provenance, the registry thresholds (with the paper's words for verified values), and plots: learning curves
// of the fixture runs, then each claim's own report section (tables and figures, typed in the claim's
// measurement: claims/claim.ts) in the order of the registry (claims/catalog.ts). The report names no claim
// and reads no measurement itself.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { makeBadge } from 'badge-maker';
import { CLAIMS, knownDeviation } from '../claims/catalog.ts';
import type { ClaimKind, ClaimRecord, ModelProvenance, Outcome } from '../claims/contract.ts';
import { parseRecord } from '../claims/record-format.ts';
import { PAPER, type PaperParam } from '../paper/registry.ts';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic-write.ts';
import { learningCurvePlot } from '../plot/plot.ts';
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

/**
 * The records under `dir`, by file name, each checked against the record format (a ClaimError 'record-shape'
 * names the file and the field otherwise, e.g. a record written by another grokdiff version: re-run its claim).
 */
export function readRecords(dir: string): ClaimRecord[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => parseRecord(JSON.parse(readFileSync(join(dir, f), 'utf8')), join(dir, f)));
}

/** The known deviations of the records' claims, one line each with its reason (none: no section). */
function knownDeviationSection(records: readonly ClaimRecord[]): string[] {
  const lines = records.flatMap((r) => {
    const deviation = knownDeviation(r.id);
    return deviation ? [`- **${r.id}**: ${deviation.reason}`] : [];
  });
  return lines.length > 0 ? ['## Known deviations', '', ...lines, ''] : [];
}

/** A record's kind (`paper` or `reviewer-requested`). */
export function claimKind(rec: Pick<ClaimRecord, 'kind'>): ClaimKind {
  return rec.kind;
}

export function badgeSvg(rec: ClaimRecord): string {
  const o = rec.verdict.outcome;
  const message =
    o === 'replicated'
      ? `replicated${rec.verdict.keyNumber ? ` · ${rec.verdict.keyNumber}` : ''}`
      : o === 'not-replicated'
        ? `not replicated${rec.verdict.keyNumber ? ` · ${rec.verdict.keyNumber}` : ''}`
        : 'not evaluated';
  return makeBadge({ label: `${rec.id} (${claimKind(rec)})`, message, color: COLOURS[o] });
}

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

/** One line per claim for terminals: outcome, id, kind, control, key number. */
export function summaryTable(records: readonly ClaimRecord[]): string {
  const rows = records.map(
    (r) =>
      `${r.verdict.outcome.padEnd(15)} ${r.id.padEnd(22)} ${claimKind(r).padEnd(19)} control: ${controlOutcome(r).padEnd(15)} ${r.verdict.keyNumber ?? ''}`,
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

/** A figure saver: writes the PNG under outDir/plots and returns the path REPORT.md links. */
type SaveFigure = (name: string, png: Uint8Array) => string;

/**
 * Each registered claim's report section (claims/claim.ts), in the registry's order, drawn from the tier the
 * report shows; the claim reads its record through its own decoders. Figures are drawn and saved here.
 */
async function claimSections(records: readonly ClaimRecord[], outDir: string, save: SaveFigure): Promise<string[]> {
  const md: string[] = [];
  for (const claim of CLAIMS) {
    const rec = records.find((r) => r.id === claim.declaration.id);
    if (!rec) continue;
    for (const block of claim.reportSection(shownTier(rec), join(outDir, 'claims', `${rec.id}.json`))) {
      md.push(typeof block === 'string' ? block : `![${block.alt}](${save(block.file, (await block.draw()).png)})`);
    }
  }
  return md;
}

async function plots(records: readonly ClaimRecord[], outDir: string, runs: readonly ReportRun[], written: Set<string>): Promise<string[]> {
  const md: string[] = [];
  const plotDir = join(outDir, 'plots');
  mkdirSync(plotDir, { recursive: true });
  const save: SaveFigure = (name, png) => {
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
  md.push(...(await claimSections(records, outDir, save)));
  return md;
}

/**
 * The record a claim's figures are drawn from: a tiered claim whose paper-width tier has no measurement (its
 * models are missing) is drawn from its reduced tier, and its title says so.
 */
function shownTier(rec: ClaimRecord): ClaimRecord {
  if (!rec.tiers || rec.measurement !== null) return rec;
  const reduced = rec.tiers.find((t) => t.tier === 'reduced' && t.measurement !== null);
  return reduced
    ? { ...rec, title: `${rec.title} [reduced tier: ${reduced.preset}]`, measurement: reduced.measurement, control: reduced.control, models: reduced.models }
    : rec;
}

const pct1 = (x: number): string => `${(100 * x).toFixed(1)} %`;
/** An accuracy with its interval. */
const interval = (c: ModelProvenance['grok']['train']): string =>
  `${pct1(c.accuracy)} [${pct1(c.interval[0])}, ${pct1(c.interval[1])}] (${c.pairs}×${c.drawsPerPair})`;

/** One table row per model: what it is and whether it grokked (train / novel held-out / all held-out, K = 50, Wilson 95 %). */
function modelRow(claim: string, tier: string, m: ModelProvenance, role: string): string {
  const arch = `${m.dModel} / ${m.ffnWidth} / ${m.imageSide} px / ${m.depth}${m.preAttentionFfn ? ' + sandwich' : ''}`;
  return `| ${claim} | ${tier} | ${m.preset} | ${m.seed} | ${m.step} | ${arch} | N = ${m.N}, ${m.split} | ${interval(m.grok.train)} | ${interval(m.grok.novel)} | ${interval(m.grok.heldout)} | ${m.grok.grokked ? 'yes' : 'no'} | ${role} |`;
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
      for (const m of t.models)
        if (!excludedKeys.has(`${m.preset}/${m.seed}`))
          rows.push(modelRow(r.id, t.tier, m, t.verdict.outcome === 'not-evaluated' ? 'measured, not judged' : 'judged'));
      for (const e of t.excluded) rows.push(modelRow(r.id, t.tier, e.model, 'excluded: did not grok'));
      if (t.models.length === 0 && t.excluded.length === 0)
        rows.push(`| ${r.id} | ${t.tier} | ${t.preset || '—'} | — | — | — | — | — | — | — | — | not evaluated: ${t.verdict.summary.replace(/\|/g, '/')} |`);
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
    "Kind: `paper` claims are stated by the paper's text; `reviewer-requested` claims are not in the paper's text but",
    "asked for by a review of it (the key-frequency ablation: the referee report on the paper's page asks for a causal",
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
    ...knownDeviationSection(records),
    ...provenanceSection(records),
    '## Thresholds',
    '',
    "| claim | registry key | value | verified | provenance | the paper's words (verified) or why unverified |",
    '|---|---|---|---|---|---|',
    ...records.flatMap((r) =>
      r.thresholds.map(
        (t) =>
          `| ${r.id} | ${t.key} | \`${JSON.stringify(t.value)}\` | ${t.verified ? 'yes' : 'no'} | ${t.provenance.replace(/\|/g, '/')} | ${thresholdEvidence(t.key)} |`,
      ),
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
