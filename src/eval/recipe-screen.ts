// The recipe screen of issue 27 (docs/RECIPE-SCREEN.md): a pre-registered list of arms (override sets of one
// preset) × seeds, each trained and then judged on its final checkpoint by the precondition every claim uses
// (eval/grok-status.ts: K = 50, fresh draws, Wilson intervals against the registry's levels), with the novel
// held-out pairs split by whether a + b wraps around P and every wrong draw sorted by what was drawn
// (eval/novel-pairs.ts). Here: the screen file's schema, the judgement of one run, and the results table.
// Serves the paper's central claim (Sec. 3, Figure 2: grokking on pairs never seen) by finding a recipe
// under which it can be tested at all.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.ts';
import { readJsonFile } from '../io/json-file.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { rootRng } from '../engine/random.ts';
import { PAPER } from '../paper/registry.ts';
import { parseOverride } from '../train/config.ts';
import { readMetrics, runFile } from '../train/run-folder.ts';
import { grokkingSteps, stableLevelStep } from '../train/grokking.ts';
import { describeFailures, describeNovelPair, FAILURE_KINDS, novelPairBreakdown, type FailureKind } from './novel-pairs.ts';
import { generateForPairs, scoreGenerated } from './generation.ts';
import { measureGrokStatus, type GrokStatus } from './grok-status.ts';
import { loadRun } from './loaded-run.ts';

export const SCREEN_TIERS = ['current', 'text', 'practice', 'diagnostic'] as const;
export type ScreenTier = (typeof SCREEN_TIERS)[number];

export interface ScreenArm {
  readonly id: string;
  readonly tier: ScreenTier;
  readonly overrides: readonly string[];
  readonly what: string;
  /** The arm's own seeds (a diagnostic that pairs run seeds with data seeds); absent: the screen's. */
  readonly seeds?: readonly number[];
}

/** The seeds an arm runs: its own when it lists them, else the screen's. */
export function armSeeds(spec: Pick<ScreenSpec, 'seeds'>, arm: Pick<ScreenArm, 'seeds'>): readonly number[] {
  return arm.seeds ?? spec.seeds;
}

const isSeedList = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((s) => Number.isInteger(s) && s >= 0 && s <= 0xffffffff);

/** A registered extension of a stage: arms whose mean novel accuracy reached the bar get a longer budget. */
export interface ScreenExtension {
  readonly registered: string;
  readonly steps: number;
  readonly ifMeanNovelAtLeast: number;
}

export interface ScreenStage {
  readonly name: string;
  readonly registered: string;
  readonly arms: readonly ScreenArm[];
  readonly extension?: ScreenExtension;
}

export interface ScreenSpec {
  readonly preset: string;
  readonly seeds: readonly number[];
  readonly budgetSteps: number;
  readonly stages: readonly ScreenStage[];
}

/** Reads and checks a screen file; every problem is a ConfigError naming the file and the field. */
export function readScreenSpec(path: string): ScreenSpec {
  const raw = readJsonFile(path) as Record<string, unknown>;
  const fail = (what: string): never => {
    throw new ConfigError('screen-spec', `${path}: ${what}`);
  };
  if (typeof raw !== 'object' || raw === null) fail('must hold a JSON object');
  if (typeof raw.preset !== 'string') fail('"preset" must be a preset name');
  const seeds = raw.seeds;
  if (!isSeedList(seeds)) fail('"seeds" must be a non-empty list of whole numbers');
  if (!Number.isInteger(raw.budgetSteps) || (raw.budgetSteps as number) < 1) fail('"budgetSteps" must be a positive whole number');
  if (!Array.isArray(raw.stages) || raw.stages.length === 0) fail('"stages" must be a non-empty list');
  const ids = new Set<string>();
  const stages = (raw.stages as Record<string, unknown>[]).map((st, i): ScreenStage => {
    if (typeof st.name !== 'string' || typeof st.registered !== 'string') fail(`stages[${i}] needs "name" and "registered" (a date)`);
    if (!Array.isArray(st.arms) || st.arms.length === 0) fail(`stages[${i}].arms must be a non-empty list`);
    const arms = (st.arms as Record<string, unknown>[]).map((a, j): ScreenArm => {
      const where = `stages[${i}].arms[${j}]`;
      if (typeof a.id !== 'string' || !/^[A-Za-z0-9-]+$/.test(a.id)) fail(`${where}.id must be letters, digits and dashes`);
      if (ids.has(a.id as string)) fail(`${where}.id "${a.id}" is used twice`);
      ids.add(a.id as string);
      if (!SCREEN_TIERS.includes(a.tier as ScreenTier)) fail(`${where}.tier must be one of ${SCREEN_TIERS.join(', ')}`);
      if (!Array.isArray(a.overrides) || !a.overrides.every((o) => typeof o === 'string')) fail(`${where}.overrides must be a list of section.field=value`);
      for (const o of a.overrides as string[]) parseOverride(o);
      if (a.seeds !== undefined && !isSeedList(a.seeds)) fail(`${where}.seeds must be a non-empty list of whole numbers`);
      return {
        id: a.id as string,
        tier: a.tier as ScreenTier,
        overrides: a.overrides as string[],
        what: String(a.what ?? ''),
        ...(a.seeds !== undefined ? { seeds: a.seeds as number[] } : {}),
      };
    });
    const ext = st.extension as Record<string, unknown> | undefined;
    if (ext !== undefined) {
      const ok =
        typeof ext === 'object' &&
        typeof ext.registered === 'string' &&
        Number.isInteger(ext.steps) &&
        typeof ext.ifMeanNovelAtLeast === 'number' &&
        ext.ifMeanNovelAtLeast >= 0 &&
        ext.ifMeanNovelAtLeast <= 1;
      if (!ok) fail(`stages[${i}].extension needs "registered", whole "steps" and "ifMeanNovelAtLeast" in [0, 1]`);
    }
    const extension = ext
      ? { registered: ext.registered as string, steps: ext.steps as number, ifMeanNovelAtLeast: ext.ifMeanNovelAtLeast as number }
      : undefined;
    return { name: st.name as string, registered: st.registered as string, arms, ...(extension ? { extension } : {}) };
  });
  return { preset: raw.preset as string, seeds: seeds as number[], budgetSteps: raw.budgetSteps as number, stages };
}

/** The run folder of an arm's seed under the screen's root. */
export function screenRunDir(root: string, arm: string, seed: number): string {
  return join(root, arm, `seed-${seed}`);
}

/** Name of the judgement file of a run folder's checkpoint at `step` (a run judged at two budgets keeps both). */
export function judgementFile(step: number): string {
  return `judge-step-${step}.json`;
}

type Counts = Readonly<Record<FailureKind, number>>;

export interface ScreenJudgement {
  readonly arm: string;
  readonly seed: number;
  readonly step: number;
  readonly budgetSteps: number;
  readonly wallSeconds: number;
  /** First logged step with train accuracy ≥ its level (the trainer's one-draw reading). */
  readonly sTrain: number | null;
  /** First step from which the logged novel accuracy holds ≥ its level for the stability window. */
  readonly sValNovel: number | null;
  readonly status: Pick<GrokStatus, 'K' | 'train' | 'novel' | 'grokked' | 'summary'>;
  /** The novel pairs at 8 fresh draws and K = 50: wrap split and the failure table. */
  readonly wrapping: { readonly correct: number; readonly total: number; readonly pairs: number };
  readonly notWrapping: { readonly correct: number; readonly total: number; readonly pairs: number };
  readonly failures: { readonly wrapping: Counts; readonly notWrapping: Counts };
  /** The novel pairs not answered on every draw, as `grokdiff eval` describes them. */
  readonly missedPairs: readonly string[];
  readonly judgedAt: string;
}

/** Draws per novel pair for the wrap split and failure table. */
const BREAKDOWN_DRAWS = 8;
const BREAKDOWN_SEED = 27;

/** Judges the latest checkpoint of one run (see the module comment) and writes judge.json into its folder. */
export function judgeScreenRun(runDir: string, arm: string, seed: number): ScreenJudgement {
  const run = loadRun(runDir);
  try {
    const status = measureGrokStatus(run);
    const { data } = run;
    const K = PAPER.samplingSteps.value;
    const generated = generateForPairs(run.model, run.params, data.heldoutSymbols, data.heldout, {
      draws: BREAKDOWN_DRAWS,
      steps: K,
      rng: rootRng(BREAKDOWN_SEED).fork('screen-novel'),
    });
    const scored = scoreGenerated(generated, run.classifier);
    const novelIdx = data.heldoutNovel.length > 0 ? data.heldoutNovel : data.heldout.map((_, i) => i);
    const breakdown = novelPairBreakdown(data.heldout, novelIdx, scored.predictions, BREAKDOWN_DRAWS, run.config.data.P);
    const metrics = readMetrics(runDir);
    const judgement: ScreenJudgement = {
      arm,
      seed,
      step: run.step,
      budgetSteps: run.config.train.steps,
      wallSeconds: metrics.at(-1)?.wallSeconds ?? 0,
      sTrain: grokkingSteps(metrics).sTrain,
      sValNovel: stableLevelStep(metrics, 'novel', PAPER.grokHeldoutLevel.value),
      status: { K: status.K, train: status.train, novel: status.novel, grokked: status.grokked, summary: status.summary },
      wrapping: pick(breakdown.wrapping),
      notWrapping: pick(breakdown.notWrapping),
      failures: breakdown.failures,
      missedPairs: breakdown.pairs.filter((r) => r.correct < r.predictions.length).map(describeNovelPair),
      judgedAt: new Date().toISOString(),
    };
    writeFileAtomic(join(runDir, judgementFile(run.step)), `${JSON.stringify(judgement, null, 2)}\n`);
    return judgement;
  } finally {
    run.dispose();
  }
}

const pick = (r: { correct: number; total: number; pairs: number }) => ({ correct: r.correct, total: r.total, pairs: r.pairs });

/**
 * The saved judgement of a run folder at the step a budget of `budget` steps ended (the budget itself, or the
 * step the run stopped early at when it stopped before it), or null when there is none.
 */
export function readJudgement(runDir: string, budget: number): ScreenJudgement | null {
  if (!existsSync(runDir)) return null;
  const steps = readdirSync(runDir)
    .map((f) => /^judge-step-(\d+)\.json$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .filter((s) => s <= budget)
    .sort((a, b) => b - a);
  return steps.length > 0 ? (readJsonFile(join(runDir, judgementFile(steps[0]))) as ScreenJudgement) : null;
}

/** Whether a run folder holds a run at all (config and a checkpoint). */
export function hasScreenRun(runDir: string): boolean {
  return existsSync(runFile(runDir, 'config')) && existsSync(runFile(runDir, 'latest'));
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
const interval = (i: readonly [number, number] | readonly number[]): string => `[${pct(i[0])}, ${pct(i[1])}]`;
const frac = (r: { correct: number; total: number }): string => (r.total === 0 ? '—' : `${r.correct}/${r.total}`);

/**
 * Whether an arm gets its stage's extension: its mean novel accuracy reached the registered bar (amendment 1),
 * or a seed did not fit its training pairs in the budget (the pre-registration: such an arm is extended, not dropped).
 */
export function extendsArm(judged: readonly ScreenJudgement[], bar: number): boolean {
  return (armMeanNovel(judged) ?? 0) >= bar || judged.some((j) => j.status.train.decision !== 'at-level');
}

/** Mean over the judged seeds of an arm of the novel accuracy (judge's rule), or null when none is judged. */
export function armMeanNovel(judgements: readonly ScreenJudgement[]): number | null {
  if (judgements.length === 0) return null;
  return judgements.reduce((s, j) => s + j.status.novel.accuracy, 0) / judgements.length;
}

/**
 * The results section: per arm a summary line (seeds grokked by the judge of seeds judged, mean novel
 * accuracy), then one row per seed. Arms or seeds without a judgement say so. Generated from judge.json files.
 */
export function renderScreenResults(
  spec: ScreenSpec,
  judgementOf: (arm: string, seed: number, budget: number) => ScreenJudgement | null,
  mechanisms: readonly { readonly arm: string; readonly seed: number; readonly step: number; readonly text: string }[] = [],
): string {
  const lines: string[] = [];
  for (const stage of spec.stages) {
    lines.push(`### ${stage.name} (registered ${stage.registered}), budget ${spec.budgetSteps} steps`, '');
    renderBudget(lines, spec, stage.arms, (arm, seed) => judgementOf(arm, seed, spec.budgetSteps));
    const ext = stage.extension;
    if (ext) {
      const extended = stage.arms.filter((arm) => {
        const judged = armSeeds(spec, arm).map((s) => judgementOf(arm.id, s, spec.budgetSteps));
        return judged.every((j) => j !== null) && extendsArm(judged as ScreenJudgement[], ext.ifMeanNovelAtLeast);
      });
      lines.push(
        `### ${stage.name}, extended to ${ext.steps} steps (registered ${ext.registered}: arms at ≥ ${pct(ext.ifMeanNovelAtLeast)} mean novel accuracy at ${spec.budgetSteps}, and arms that did not fit their training pairs)`,
        '',
      );
      if (extended.length === 0) lines.push('No arm reached the bar (or none is judged yet).', '');
      else
        renderBudget(lines, spec, extended, (arm, seed) => {
          // A run judged only at the shorter budget is not yet extended; one that stopped early before it is final.
          const j = judgementOf(arm, seed, ext.steps);
          return j && (j.step > spec.budgetSteps || j.step < spec.budgetSteps) ? j : null;
        });
    }
  }
  if (mechanisms.length > 0) {
    lines.push(
      '### Mechanism of the judged models (`grokdiff screen mechanism`)',
      '',
      '| arm | seed | step | selective frequencies and Table 3 |',
      '|---|---|---|---|',
    );
    for (const m of mechanisms) lines.push(`| ${m.arm} | ${m.seed} | ${m.step} | ${m.text} |`);
    lines.push('');
  }
  lines.push(
    `Judge: the claims' precondition (K = ${PAPER.samplingSteps.value}, fresh draws doubled from ${PAPER.grokCheckDraws.value.heldout.first} until the Wilson 95 % interval decides, train level ${pct(PAPER.grokTrainLevel.value)}, novel level ${pct(PAPER.grokHeldoutLevel.value)}). Wrap split and wrong draws: ${BREAKDOWN_DRAWS} fresh draws per novel pair at K = ${PAPER.samplingSteps.value}; kinds ${FAILURE_KINDS.join(', ')} (eval/novel-pairs.ts). "(log)": the trainer's one-draw reading.`,
  );
  return lines.join('\n');
}

function renderBudget(lines: string[], spec: ScreenSpec, arms: readonly ScreenArm[], judgementOf: (arm: string, seed: number) => ScreenJudgement | null): void {
  {
    lines.push('| arm | tier | seeds grokked (judge) | mean novel accuracy (judge) | overrides |', '|---|---|---|---|---|');
    const perArm = arms.map((arm) => ({
      arm,
      judged: armSeeds(spec, arm)
        .map((s) => judgementOf(arm.id, s))
        .filter((j): j is ScreenJudgement => j !== null),
    }));
    for (const { arm, judged } of perArm) {
      const mean = armMeanNovel(judged);
      const grokked = judged.filter((j) => j.status.grokked).length;
      lines.push(
        `| ${arm.id} | ${arm.tier} | ${judged.length === 0 ? 'not run yet' : `${grokked} of ${judged.length} judged (${armSeeds(spec, arm).length} registered)`} | ${mean === null ? '—' : pct(mean)} | ${arm.overrides.map((o) => `\`${o}\``).join(' ') || '—'} |`,
      );
    }
    lines.push('');
    lines.push(
      '| arm | seed | steps run / budget | wall s | s_train (log) | s_val novel (log) | train (judge) | novel (judge) | grokked | novel, sum wraps | novel, no wrap | wrong draws, sum wraps | wrong draws, no wrap |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const { arm } of perArm) {
      for (const seed of armSeeds(spec, arm)) {
        const j = judgementOf(arm.id, seed);
        if (!j) {
          lines.push(`| ${arm.id} | ${seed} | not judged | | | | | | | | | | |`);
          continue;
        }
        const t = j.status.train;
        const n = j.status.novel;
        lines.push(
          `| ${arm.id} | ${seed} | ${j.step} / ${j.budgetSteps} | ${j.wallSeconds.toFixed(0)} | ${j.sTrain ?? '—'} | ${j.sValNovel ?? '—'} | ${pct(t.accuracy)} ${interval(t.interval)} | ${pct(n.accuracy)} ${interval(n.interval)} (${n.pairs} pairs × ${n.drawsPerPair}) | ${j.status.grokked ? 'yes' : 'no'} | ${frac(j.wrapping)} | ${frac(j.notWrapping)} | ${describeFailures(j.failures.wrapping)} | ${describeFailures(j.failures.notWrapping)} |`,
        );
      }
    }
    lines.push('');
  }
}

const BEGIN = '<!-- screen-results: generated by `npx grokdiff screen table`; do not edit -->';
const END = '<!-- /screen-results -->';

/** `doc` with the text between the results markers replaced; a ConfigError when the markers are missing. */
export function replaceScreenResults(doc: string, results: string, path: string): string {
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new ConfigError('screen-doc', `${path}: the results markers (${BEGIN} … ${END}) are missing`);
  return `${doc.slice(0, a + BEGIN.length)}\n${results}\n${doc.slice(b)}`;
}
