// The text of the replication report (REPORT.md) and of the terminal summary, generated from the claim
// records (issue 29): every sentence that states a number, a verdict, a frequency or a model is built from the
// record it describes (verdict, measurement, models, thresholds, known deviation); the hand-written prose says
// only what does not change with a run (what a claim means, how it is measured). Figures are captioned with the
// tier, preset, seeds and step of the models they show, looked up in the records. Pure: no file is read or
// written here (claims-report.ts writes the files and draws the figures). The report tests render it from
// records whose numbers were altered and check that every number in the text follows them.

import { CLAIMS, knownDeviation as declaredDeviation } from '../claims/catalog.ts';
import type { FigureSpec } from '../claims/claim.ts';
import type { ClaimKind, ClaimRecord, ClaimTier, ModelProvenance, Verdict } from '../claims/contract.ts';
import { learningCurvePlot, type Plot } from '../plot/plot.ts';
import type { MetricsRow } from '../train/grokking.ts';
import type { DenoisingLossReferences } from '../train/loss-references.ts';
import { curveRows, lossReferenceRules } from './learning-curves.ts';

/** A run whose learning curves the report draws (with its loss references when known). */
export interface ReportRun {
  readonly preset: string;
  readonly seed: number;
  readonly metrics: MetricsRow[];
  readonly lossReferences?: DenoisingLossReferences;
}

/** A sample grid already written under the report folder (replication-report.ts), of one checkpoint. */
export interface SampleFigure {
  readonly preset: string;
  readonly seed: number;
  /** The checkpoint step the samples were drawn from. */
  readonly step: number;
  /** Path relative to the report folder. */
  readonly path: string;
}

/** A figure the report links, to be drawn and saved as plots/<file>. */
export interface FigureJob {
  readonly file: string;
  draw(): Promise<Pick<Plot, 'png'>>;
}

/** A record's kind (`paper` or `reviewer-requested`). */
export function claimKind(rec: Pick<ClaimRecord, 'kind'>): ClaimKind {
  return rec.kind;
}

/** The record with its known deviation: its own field, or (a record written before the field existed) the claim module's declaration. */
export function withDeviation(rec: ClaimRecord): ClaimRecord {
  if (rec.knownDeviation !== undefined) return rec;
  const d = declaredDeviation(rec.id);
  return { ...rec, knownDeviation: d ? { reason: d.reason, registryEntry: d.registryEntry } : false };
}

const cell = (text: string): string => text.replace(/\|/g, '/').replace(/\n/g, ' ');

// ---- which tier a claim's figures show ------------------------------------------------------------------------

/** The record a claim's figures are drawn from, and its tier (null for a claim without tiers). */
export interface ShownTier {
  readonly record: ClaimRecord;
  readonly tier: ClaimTier | null;
  /** The tier of the verdict, when the figures show another one. */
  readonly verdictTier: ClaimTier | null;
}

/**
 * A tiered claim is drawn from its paper-width tier (the verdict's); when that tier has no measurement (its
 * models are missing) from the first reduced tier that has one, and the report says so.
 */
export function shownTier(rec: ClaimRecord): ShownTier {
  if (!rec.tiers || rec.tiers.length === 0) return { record: rec, tier: null, verdictTier: null };
  const verdictTier = rec.tiers.find((t) => t.tier === 'paper-width') ?? rec.tiers[0];
  if (verdictTier.measurement !== null)
    return {
      record: { ...rec, measurement: verdictTier.measurement, control: verdictTier.control, models: verdictTier.models },
      tier: verdictTier,
      verdictTier: null,
    };
  const reduced = rec.tiers.find((t) => t.tier === 'reduced' && t.measurement !== null);
  if (!reduced) return { record: rec, tier: verdictTier, verdictTier: null };
  return { record: { ...rec, measurement: reduced.measurement, control: reduced.control, models: reduced.models }, tier: reduced, verdictTier };
}

// ---- model captions -------------------------------------------------------------------------------------------

/** Where a model (preset, seed) stands in the records: its tier (null: a claim without tiers) and its provenance. */
function findModel(records: readonly ClaimRecord[], preset: string, seed: number): { tier: ClaimTier['tier'] | null; model: ModelProvenance } | null {
  const match = (m: ModelProvenance) => m.preset === preset && m.seed === seed;
  for (const r of records) {
    for (const t of r.tiers ?? []) {
      const m = t.models.find(match) ?? t.excluded.map((e) => e.model).find(match);
      if (m) return { tier: t.tier, model: m };
    }
  }
  for (const r of records) {
    const m = r.models.find(match) ?? (r.excluded ?? []).map((e) => e.model).find(match);
    if (m) return { tier: null, model: m };
  }
  return null;
}

const list = (xs: readonly (number | string)[]): string => [...new Set(xs)].join(', ');

/** "paper-width tier, preset paper-n1, seeds 1, 2, 3, step 20000" for models of one preset (steps listed per seed when they differ). */
function presetCaption(tier: ClaimTier['tier'] | null, preset: string, models: readonly ModelProvenance[]): string {
  const seeds = models.map((m) => m.seed);
  const steps = [...new Set(models.map((m) => m.step))];
  const stepText = steps.length === 1 ? `step ${steps[0]}` : `steps ${models.map((m) => m.step).join(' / ')}`;
  return `${tier ? `${tier} tier, ` : ''}preset ${preset}, seed${seeds.length > 1 ? 's' : ''} ${list(seeds)}, ${stepText}`;
}

/** A caption for a figure of models: tier, preset, seeds and steps, grouped by preset. */
function modelsCaption(tier: ClaimTier['tier'] | null, models: readonly ModelProvenance[]): string {
  const presets = [...new Set(models.map((m) => m.preset))];
  return presets
    .map((p) =>
      presetCaption(
        tier,
        p,
        models.filter((m) => m.preset === p),
      ),
    )
    .join('; ');
}

/** A caption for one checkpoint of a run (a learning curve, a sample grid), from where it stands in the records. */
function checkpointCaption(records: readonly ClaimRecord[], preset: string, seed: number, step: number): string {
  const found = findModel(records, preset, seed);
  if (!found) return `preset ${preset}, seed ${seed}, step ${step} (not a model of any record)`;
  const judged = found.model.step === step ? '' : ` (the records judge step ${found.model.step})`;
  return `${presetCaption(found.tier, preset, [{ ...found.model, step }])}${judged}`;
}

/** The caption of a claim-section figure: the models it shows (FigureSpec.shows, or every model of the shown tier). */
function figureCaption(shown: ShownTier, figure: FigureSpec): string {
  const models = shown.record.models;
  const tier = shown.tier?.tier ?? null;
  if (!figure.shows) return models.length > 0 ? modelsCaption(tier, models) : 'no model recorded';
  const parts = figure.shows.map((s) => {
    const found = models.filter((m) => m.seed === s.seed && (s.preset === undefined || m.preset === s.preset));
    return found.length > 0 ? modelsCaption(tier, found) : `preset ${s.preset ?? '(the tier’s)'}, seed ${s.seed} (not among the record's models)`;
  });
  return parts.join('; ');
}

// ---- negative controls ----------------------------------------------------------------------------------------

/** A negative control's verdict in words that are not the claim's: rejected, NOT rejected, not evaluated. */
export function controlWord(verdict: Verdict | null | undefined): string {
  if (!verdict) return 'none';
  if (verdict.outcome === 'not-replicated') return 'rejected';
  if (verdict.outcome === 'replicated') return 'not rejected';
  return 'not evaluated';
}

/**
 * The negative control shown for a record: its own, or for a tiered claim whose paper-width control was not
 * evaluated, the control of the tier the report draws from, labelled with its preset.
 */
function shownControl(r: ClaimRecord): { verdict: Verdict | null; label: string } {
  const own = r.control?.verdict ?? null;
  if (own?.outcome !== 'not-evaluated' || !r.tiers) return { verdict: own, label: '' };
  const s = shownTier(r);
  return s.tier && s.record.control && s.record.control.verdict.outcome !== 'not-evaluated'
    ? { verdict: s.record.control.verdict, label: ` (${s.tier.tier} tier, ${s.tier.preset})` }
    : { verdict: own, label: '' };
}

/**
 * Whether a record counts as a failure — its claim not replicated, or a negative control (of any tier) not
 * rejected — and whether a declared known deviation covers it (`grokdiff replicate --fail-on new`). A control
 * that was not rejected is never covered.
 */
export function failureOf(r: ClaimRecord): { failed: boolean; declared: boolean } {
  const controlFailed = [r.control, ...(r.tiers ?? []).map((t) => t.control)].some((c) => c?.verdict.outcome === 'replicated');
  const notReplicated = r.verdict.outcome === 'not-replicated';
  const declared = Boolean(withDeviation(r).knownDeviation) && notReplicated && !controlFailed;
  return { failed: notReplicated || controlFailed, declared };
}

// ---- the terminal summary -------------------------------------------------------------------------------------

/** One line per claim for terminals: outcome, id, kind, negative control, and the verdict's one-line reason. */
export function summaryTable(records: readonly ClaimRecord[]): string {
  const rows = records.map((r) => {
    const c = shownControl(r);
    const known = withDeviation(r).knownDeviation ? '[known deviation] ' : '';
    return `${r.verdict.outcome.padEnd(15)} ${r.id.padEnd(22)} ${claimKind(r).padEnd(19)} ${`${controlWord(c.verdict)}${c.label}`.padEnd(24)} ${known}${r.verdict.summary}`;
  });
  return [`${'outcome'.padEnd(15)} ${'claim'.padEnd(22)} ${'kind'.padEnd(19)} ${'negative control'.padEnd(24)} reason`, ...rows].join('\n');
}

// ---- REPORT.md ------------------------------------------------------------------------------------------------

function header(records: readonly ClaimRecord[]): string[] {
  return [
    '# grokdiff replication report',
    '',
    'Claims of "Grokking of Diffusion Models: Case Study on Modular Addition" (arXiv 2604.17673), judged on this',
    "repository's models. Thresholds come from the paper-parameter registry (`grokdiff registry`): a verified value",
    "is stated by the authors' public text (its words are quoted below); an unverified one is our documented choice",
    'where the text is cut or silent. "Not evaluated" is neither a pass nor a failure. Every number below is read from',
    'the claim records (`claims.json`, `claims/<id>.json`) of this run.',
    '',
    "Kind: `paper` claims are stated by the paper's text; `reviewer-requested` claims are not in the paper's text but",
    "asked for by a review of it (the key-frequency ablation: the referee report on the paper's page asks for a causal",
    'ablation). They are judged the same way and reported side by side. A negative control is an input where the claim',
    'must not hold: "rejected" is what a sound check gives there.',
    '',
    ...records.map((r) => `![${r.id}](badges/${r.id}.svg)`),
    '',
    '| claim | kind | paper | outcome | measured | negative control |',
    '|---|---|---|---|---|---|',
    ...records.map((r) => {
      const c = shownControl(r);
      const known = withDeviation(r).knownDeviation ? ' (declared known deviation)' : '';
      const control = r.control
        ? `${cell(r.control.description)}: **${controlWord(c.verdict)}**${c.label}${c.verdict ? ` — ${cell(c.verdict.summary)}` : ''}`
        : '—';
      return `| ${r.title} | ${claimKind(r)} | ${r.where} | **${r.verdict.outcome}**${known} | ${cell(r.verdict.summary)} | ${control} |`;
    }),
    '',
  ];
}

/** The declared known deviations: the module's reason, the registry entry it rests on (with its value in this record), and this run's outcome. */
function knownDeviationSection(records: readonly ClaimRecord[]): string[] {
  const lines = records.flatMap((r) => {
    const d = withDeviation(r).knownDeviation;
    if (!d) return [];
    const row = r.thresholds.find((t) => t.key === d.registryEntry);
    const value = row ? `\`${d.registryEntry}\` = \`${JSON.stringify(row.value)}\`` : `\`${d.registryEntry}\` (not among this record's thresholds)`;
    const now =
      r.verdict.outcome === 'replicated'
        ? 'This run **replicates** the claim: the declaration is out of date.'
        : `This run: **${r.verdict.outcome}** — ${cell(r.verdict.summary)}`;
    return [`- **${r.id}** (rests on ${value}): ${d.reason} ${now}`];
  });
  return lines.length > 0
    ? [
        '## Known deviations',
        '',
        "Declared in each claim's module (`src/claims/defs/<id>.ts`): while a declaration stands, the claim's spec expects the non-replication",
        "and fails the day the claim replicates. The reasons say what deviates; the numbers are the records'.",
        '',
        ...lines,
        '',
      ]
    : [];
}

const pct1 = (x: number): string => `${(100 * x).toFixed(1)} %`;
/** An accuracy with its interval. */
const interval = (c: ModelProvenance['grok']['train']): string =>
  `${pct1(c.accuracy)} [${pct1(c.interval[0])}, ${pct1(c.interval[1])}] (${c.pairs}×${c.drawsPerPair})`;

/** One table row per model: what it is and whether it grokked (train / novel held-out / all held-out). */
function modelRow(claim: string, tier: string, m: ModelProvenance, role: string): string {
  const arch = `${m.dModel} / ${m.ffnWidth} / ${m.imageSide} px / ${m.depth}${m.preAttentionFfn ? ' + sandwich' : ''}`;
  return `| ${claim} | ${tier} | ${m.preset} | ${m.seed} | ${m.step} | ${arch} | N = ${m.N}, ${m.split} | ${interval(m.grok.train)} | ${interval(m.grok.novel)} | ${interval(m.grok.heldout)} | ${m.grok.grokked ? 'yes' : 'no'} | ${role} |`;
}

/** The sentence on the tiers, with the presets the records name (none: no sentence). */
function tierSentence(records: readonly ClaimRecord[]): string[] {
  const presets = (tier: ClaimTier['tier']) => list(records.flatMap((r) => (r.tiers ?? []).filter((t) => t.tier === tier).map((t) => `\`${t.preset}\``)));
  const paper = presets('paper-width');
  const reduced = presets('reduced');
  if (paper === '' && reduced === '') return [];
  return [
    `Claims on the single-image models are judged on the paper-width tier (${paper || 'none here'}); the reduced tier (${reduced || 'none here'}) is`,
    'judged the same way and reported beside it.',
  ];
}

/** Verdict provenance: for every claim (and tier), the models its verdict was judged on and those excluded by a precondition, with the numbers that decided it. */
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
        rows.push(`| ${r.id} | ${t.tier} | ${t.preset || '—'} | — | — | — | — | — | — | — | — | not evaluated: ${cell(t.verdict.summary)} |`);
    }
  }
  const all = records.flatMap((r) => [...r.models, ...(r.tiers ?? []).flatMap((t) => t.models)]);
  const ks = list(all.map((m) => m.grok.K));
  return [
    '## Verdict provenance',
    '',
    'The models each verdict was judged on. Width: d_model / FFN / image side / depth. Grok status at the judged step: generation',
    `accuracy from noise${ks ? ` with K = ${ks} sampling steps` : ''}, with its Wilson score interval (pairs × draws per pair; draws double until the`,
    'interval decides against the level): train, *novel* held-out (pairs whose mirror (b, a) was not trained) and all held-out. A claim',
    "about a grokked model's mechanism is judged only on grokked seeds; the others are excluded with these numbers.",
    ...tierSentence(records),
    '',
    '| claim | tier | preset | seed | step | width | data | train | novel held-out | all held-out | grokked | role |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...records.flatMap((r) => (r.tiers ?? []).map((t) => `- **${r.id}**, ${t.tier} tier (${t.preset}): **${t.verdict.outcome}**: ${cell(t.verdict.summary)}`)),
    '',
  ];
}

function thresholdSection(records: readonly ClaimRecord[]): string[] {
  return [
    '## Thresholds',
    '',
    "| claim | registry key | value | verified | provenance | the paper's words (verified) or why unverified |",
    '|---|---|---|---|---|---|',
    ...records.flatMap((r) =>
      r.thresholds.map(
        (t) =>
          `| ${r.id} | ${t.key} | \`${JSON.stringify(t.value)}\` | ${t.verified ? 'yes' : 'no'} | ${cell(t.provenance)} | ${cell(t.evidence ?? '(not in this record)')} |`,
      ),
    ),
    '',
  ];
}

/** Learning curves of the runs given (each captioned by where its model stands in the records). */
function curveFigures(records: readonly ClaimRecord[], runs: readonly ReportRun[], figures: FigureJob[]): string[] {
  const md: string[] = [];
  for (const r of runs) {
    if (r.metrics.length === 0) continue;
    const last = r.metrics[r.metrics.length - 1].step;
    const caption = checkpointCaption(records, r.preset, r.seed, findModel(records, r.preset, r.seed)?.model.step ?? last);
    const file = `curves-${r.preset}-seed-${r.seed}.png`;
    figures.push({
      file,
      draw: () =>
        learningCurvePlot(curveRows(r.metrics), {
          title: `Learning curves, ${r.preset} seed ${r.seed} (the trainer's fixed evaluation draw)`,
          ...(r.lossReferences ? { lossReferences: lossReferenceRules(r.lossReferences) } : {}),
        }),
    });
    md.push(
      `![learning curves ${r.preset} seed ${r.seed}](plots/${file})`,
      '',
      `*Learning curves: ${caption}; accuracies from the trainer's log (one fixed noise draw per pair).*`,
      '',
    );
  }
  return md;
}

/**
 * Each registered claim's report section (claims/claim.ts), in the registry's order, drawn from the tier the
 * report shows (shownTier) under a heading that names it; every figure gets a caption with its models.
 */
function claimSections(records: readonly ClaimRecord[], where: (id: string) => string, figures: FigureJob[]): string[] {
  const md: string[] = [];
  for (const claim of CLAIMS) {
    const rec = records.find((r) => r.id === claim.declaration.id);
    if (!rec) continue;
    const shown = shownTier(rec);
    const blocks = claim.reportSection(shown.record, where(rec.id));
    if (blocks.length === 0) continue;
    const drawnFrom = shown.tier
      ? `the ${shown.tier.tier} tier (${shown.tier.preset})${shown.verdictTier ? `, not the verdict's ${shown.verdictTier.tier} tier (${shown.verdictTier.preset}), which has no measurement` : ''}`
      : "this claim's models";
    md.push(`### ${rec.title}`, '', `*Drawn from ${drawnFrom}.*`);
    for (const block of blocks) {
      if (typeof block === 'string') {
        md.push(block);
        continue;
      }
      figures.push({ file: block.file, draw: block.draw });
      md.push(`![${block.alt}](plots/${block.file})`, '', `*${block.alt}: ${figureCaption(shown, block)}.*`, '');
    }
    md.push('');
  }
  return md;
}

function sampleSection(records: readonly ClaimRecord[], samples: readonly SampleFigure[]): string[] {
  if (samples.length === 0) return [];
  return [
    '## Generated samples',
    '',
    'Held-out pairs of each checkpoint, one row per pair: the images of a and b, the image drawn for c from noise, and what the',
    'scoring classifier reads in it — right when that is a + b mod P, wrong otherwise.',
    '',
    ...samples.flatMap((f) => [
      `![samples ${f.preset} seed ${f.seed}](${f.path})`,
      '',
      `*Generated samples: ${checkpointCaption(records, f.preset, f.seed, f.step)}.*`,
      '',
    ]),
  ];
}

/**
 * REPORT.md from the records (the order they are given), the runs whose learning curves it draws and the sample
 * grids already written; `where(id)` names a claim's record file in a decoding error. Returns the markdown and the
 * figures it links (to be drawn under plots/).
 */
export function reportMarkdown(
  records: readonly ClaimRecord[],
  options: { runs?: readonly ReportRun[]; samples?: readonly SampleFigure[]; where?: (id: string) => string } = {},
): { markdown: string; figures: FigureJob[] } {
  const recs = records.map(withDeviation);
  const figures: FigureJob[] = [];
  const where = options.where ?? ((id: string) => `the record of ${id}`);
  const md = [
    ...header(recs),
    ...knownDeviationSection(recs),
    ...provenanceSection(recs),
    ...thresholdSection(recs),
    '## Plots',
    '',
    ...curveFigures(recs, options.runs ?? [], figures),
    ...claimSections(recs, where, figures),
    ...sampleSection(recs, options.samples ?? []),
  ];
  return { markdown: md.join('\n'), figures };
}
