// How a claim is run into a ClaimRecord (the contract: contract.ts; a claim module: claim.ts): provide the
// models the claim asks for (fixtures, cache or training), measure them, measure its negative control (by
// default the untrained model of each run's preset and seed: eachUntrained), judge both, and record what was
// used. Claims on the N = 1 models run on two tiers, the paper-width preset (the verdict) and the reduced CPU
// preset (reported beside it); studies run over the runs of several presets (moduli sweeps, depth, N).
// Every record names its models with their width and grok status (provenance.ts); a claim with the `grokked`
// precondition is judged only on the seeds of its first preset that grokked, and its negative control is
// still measured on every seed. A claim whose models cannot be loaded (a typed grokdiff error) is "not
// evaluated" with the reason.

import type { LoadedRun } from '../eval/loaded-run.ts';
import { GrokdiffError } from '../errors.ts';
import { reportProgress } from '../io/work-progress.ts';
import {
  notEvaluated,
  thresholdRows,
  type ClaimDeclaration,
  type ClaimRecord,
  type ClaimTier,
  type ExcludedModel,
  type ModelProvenance,
  type Verdict,
} from './contract.ts';
import { grokkedGate, grokNumbers, modelProvenance } from './provenance.ts';
import { describeAbsent, type ProvidedRun, type Provision } from './provider.ts';
import type { RunConfig } from '../train/config.ts';
import { getPreset } from '../train/presets.ts';
import { CLAIM_SEEDS, openRun, PAPER_WIDTH_PRESET, provide, SINGLE_IMAGE_PRESET, untrainedRun } from './setup.ts';

/**
 * Presets and seeds a claim runs on. An `optional` group (a contrast reported beside the verdict, e.g. the
 * paper-width N = 1 models in critical-timestep) is measured when its runs are there; when they are not, the
 * claim is still judged on the others and its summary says which contrast runs are missing.
 */
export type RunGroups = ReadonlyArray<{ readonly preset: string; readonly seeds: readonly number[]; readonly optional?: boolean }>;

/** The models a claim is judged on. */
export type ClaimModels =
  /**
   * The N = 1 models (CLAIM_SEEDS) at paper width (PAPER_WIDTH_PRESET: the verdict) and at reduced width
   * (SINGLE_IMAGE_PRESET, and any `extraReduced` presets: judged the same way, reported beside it).
   */
  | { readonly kind: 'n1-tiers'; readonly extraReduced?: readonly string[] }
  /**
   * The runs of several presets, judged together (a function: decided when the claim runs, e.g. on data given
   * at run time). With `partial`, missing runs do not stop the judgement when the available ones already
   * falsify the claim; otherwise a missing run makes the claim "not evaluated" with the command to train it.
   */
  | { readonly kind: 'runs'; readonly groups: RunGroups | (() => RunGroups | { notEvaluated: string }); readonly partial?: boolean };

/** What the runner needs of a claim: its measurement and judgement, and its negative control's. */
export interface ClaimEvaluation<M, C> {
  measure(runs: readonly ProvidedRun[]): M;
  judge(measurement: M): Verdict;
  readonly control: {
    /** Measures the negative control; `measured` is the claim's measurement on the same runs. */
    measure(runs: readonly ProvidedRun[], measured: M): C;
    /** Must say not-replicated: a check that cannot fail is a defect. */
    judge(control: C): Verdict;
  };
}

export function record<M, C>(
  declaration: ClaimDeclaration,
  models: readonly ModelProvenance[],
  verdict: Verdict,
  measurement: M | null,
  control: { verdict: Verdict; measurement: C | null } | null,
  excluded: readonly ExcludedModel[] = [],
): ClaimRecord<M, C> {
  return {
    id: declaration.id,
    kind: declaration.kind,
    title: declaration.title,
    statement: declaration.statement,
    where: declaration.where,
    thresholds: thresholdRows(declaration.thresholds),
    verdict,
    measurement,
    control: control ? { description: declaration.negativeControl, ...control } : null,
    models,
    ...(excluded.length > 0 ? { excluded } : {}),
    createdAt: new Date().toISOString(),
  };
}

export function missing<M, C>(declaration: ClaimDeclaration, reason: string): ClaimRecord<M, C> {
  return record<M, C>(declaration, [], notEvaluated(reason), null, { verdict: notEvaluated(reason), measurement: null });
}

/** `measure` on the final checkpoint of each run, in order; `provided` is the run (its directory, config and training log). */
export function eachRun<T>(measure: (run: LoadedRun, seed: number, provided: ProvidedRun) => T): (runs: readonly ProvidedRun[]) => T[] {
  return (runs) =>
    runs.map((r, i) => {
      reportProgress({ phase: 'measuring', item: `${r.preset} seed ${r.seed}`, done: i, total: runs.length });
      const run = openRun(r);
      try {
        return measure(run, r.seed, r);
      } finally {
        run.dispose();
      }
    });
}

/**
 * The default negative control: `measure` on the untrained model of each run's preset and seed (its initial
 * weights, same data), given that run's trained measurement.
 */
export function eachUntrained<T>(measure: (run: LoadedRun, seed: number, trained: T) => T): (runs: readonly ProvidedRun[], trained: readonly T[]) => T[] {
  return (runs, trained) =>
    runs.map((r, i) => {
      reportProgress({ phase: 'negative control (untrained model)', item: `${r.preset} seed ${r.seed}`, done: i, total: runs.length });
      const u = untrainedRun(r);
      try {
        return measure(u, r.seed, trained[i]);
      } finally {
        u.dispose();
      }
    });
}

/** Runs `measure` on the final checkpoint of each run (no control): for contrasts and extra controls. */
export function measureEach<T>(runs: readonly ProvidedRun[], measure: (run: LoadedRun, seed: number) => T): T[] {
  return eachRun((run, seed) => measure(run, seed))(runs);
}

/** A run a claim asked for and did not get: missing, refused (a check failed, with why) or failed to train. */
type AbsentRun = Extract<Provision, { ok: false }>;

const ABSENT_WORDS: Readonly<Record<AbsentRun['status'], string>> = { missing: 'missing', refused: 'refused', failed: 'failed to train' };

/**
 * "1 of 3 runs refused", "2 of 3 runs missing", or "2 of 3 runs not available (1 missing, 1 refused)": the
 * absent runs counted by why (issue 31: a refused fixture was counted as missing).
 */
function absentPhrase(absent: readonly AbsentRun[], total: number): string {
  const counts = (['missing', 'refused', 'failed'] as const)
    .map((status) => [status, absent.filter((a) => a.status === status).length] as const)
    .filter(([, n]) => n > 0);
  if (counts.length === 1) return `${absent.length} of ${total} runs ${ABSENT_WORDS[counts[0][0]]}`;
  return `${absent.length} of ${total} runs not available (${counts.map(([status, n]) => `${n} ${ABSENT_WORDS[status]}`).join(', ')})`;
}

/** Provides every run of the groups; those that are not provided, with why. */
async function provideGroups(groups: RunGroups): Promise<{ runs: ProvidedRun[]; absent: AbsentRun[]; absentOptional: string[] }> {
  const runs: ProvidedRun[] = [];
  const absent: AbsentRun[] = [];
  const absentOptional: string[] = [];
  for (const { preset, seeds, optional } of groups) {
    const missingHere: number[] = [];
    const refusedHere: string[] = [];
    for (const seed of seeds) {
      const provided = await provide(preset, seed);
      if (provided.ok) runs.push(provided.run);
      else if (!optional) absent.push(provided);
      else if (provided.status === 'missing') missingHere.push(seed);
      else refusedHere.push(describeAbsent(provided));
    }
    if (missingHere.length > 0) absentOptional.push(`no checkpoint: ${preset} seed${missingHere.length > 1 ? 's' : ''} ${missingHere.join(', ')}`);
    absentOptional.push(...refusedHere);
  }
  return { runs, absent, absentOptional };
}

/**
 * Evaluates a claim into its record (module header). A claim whose models cannot be loaded (a corrupt or
 * mismatched checkpoint) is "not evaluated" with the reason — never a crash and never a verdict. Only
 * grokdiff's own typed errors are turned into a reason; anything else is a bug and propagates.
 */
export async function evaluateClaim<M, C>(declaration: ClaimDeclaration, models: ClaimModels, evaluation: ClaimEvaluation<M, C>): Promise<ClaimRecord<M, C>> {
  try {
    if (models.kind === 'runs') return await evaluateRuns(declaration, models.groups, evaluation, models.partial ?? false);
    return await evaluateTiers((preset) => evaluateRuns(declaration, [{ preset, seeds: CLAIM_SEEDS }], evaluation, false), models.extraReduced ?? []);
  } catch (err) {
    if (err instanceof GrokdiffError) return missing<M, C>(declaration, `could not load the models: ${err.message}`);
    throw err;
  }
}

/** One tier of a record. */
function tierOf<M, C>(tier: ClaimTier['tier'], preset: string, rec: ClaimRecord<M, C>): ClaimTier<M, C> {
  return { tier, preset, verdict: rec.verdict, measurement: rec.measurement, control: rec.control, models: rec.models, excluded: rec.excluded ?? [] };
}

/**
 * A claim evaluated on the paper-width N = 1 preset and on the reduced one (`evaluateFor` evaluates it on a
 * preset), and on any `extraReduced` presets (e.g. the reduced model under the unordered split). The record's
 * verdict, measurement and models are the paper-width tier's; when that tier is not evaluated (its models are
 * missing or did not grok) the verdict says so and names the reduced tier's outcome.
 */
async function evaluateTiers<M, C>(evaluateFor: (preset: string) => Promise<ClaimRecord<M, C>>, extraReduced: readonly string[]): Promise<ClaimRecord<M, C>> {
  const paper = await evaluateFor(PAPER_WIDTH_PRESET);
  const tiers = [tierOf('paper-width', PAPER_WIDTH_PRESET, paper)];
  for (const preset of [SINGLE_IMAGE_PRESET, ...extraReduced]) tiers.push(tierOf('reduced', preset, await evaluateFor(preset)));
  const reduced = tiers[1];
  const verdict: Verdict =
    paper.verdict.outcome === 'not-evaluated'
      ? notEvaluated(
          `paper width (${PAPER_WIDTH_PRESET}): ${paper.verdict.summary} — reduced tier (${SINGLE_IMAGE_PRESET}, reported beside it): ${reduced.verdict.outcome}: ${reduced.verdict.summary}`,
        )
      : paper.verdict;
  return { ...paper, verdict, tiers };
}

/** Measures and judges the claim and its control on `runs`. */
function measureAndJudge<M, C>(
  evaluation: ClaimEvaluation<M, C>,
  runs: readonly ProvidedRun[],
): { measurement: M; verdict: Verdict; control: { measurement: C; verdict: Verdict } } {
  const measurement = evaluation.measure(runs);
  const control = evaluation.control.measure(runs, measurement);
  return { measurement, verdict: evaluation.judge(measurement), control: { measurement: control, verdict: evaluation.control.judge(control) } };
}

/**
 * Some of a claim's runs are missing (and it is not judged on part of them): "not evaluated" with the first
 * missing run's reason, but the record still names the runs that are there, with their grok status (and, for
 * a claim about grokked models, which of them did not grok), so a reader sees how far the claim is from a
 * verdict. Nothing is measured: no verdict can come from part of the seeds.
 */
function incomplete<M, C>(
  declaration: ClaimDeclaration,
  available: readonly ModelProvenance[],
  gate: { readonly excluded: readonly ExcludedModel[] },
  provided: number,
  absent: readonly AbsentRun[],
): ClaimRecord<M, C> {
  const grokNote =
    declaration.precondition === 'grokked'
      ? `; of the ${provided} available, ${provided - gate.excluded.length} grokked` +
        (gate.excluded.length > 0 ? ` (${gate.excluded.map((e) => grokNumbers(e.model)).join('; ')})` : '')
      : '';
  const reason = `${absentPhrase(absent, provided + absent.length)}${grokNote}; ${describeAbsent(absent[0])}`;
  return record<M, C>(declaration, available, notEvaluated(reason), null, { verdict: notEvaluated(reason), measurement: null }, gate.excluded);
}

/**
 * A claim evaluated on the provided runs of several presets (their checkpoints or their training logs), with
 * its own control. With `partial`, missing runs do not stop the judgement when the available ones already
 * falsify the claim; otherwise a missing run makes the claim "not evaluated" with the command to train it.
 */
async function evaluateRuns<M, C>(
  declaration: ClaimDeclaration,
  groups: RunGroups | (() => RunGroups | { notEvaluated: string }),
  evaluation: ClaimEvaluation<M, C>,
  partial: boolean,
): Promise<ClaimRecord<M, C>> {
  const g = typeof groups === 'function' ? groups() : groups;
  if ('notEvaluated' in g) return missing(declaration, g.notEvaluated);
  const { runs, absent, absentOptional } = await provideGroups(g);
  if (runs.length === 0) return missing(declaration, absent[0] ? describeAbsent(absent[0]) : `contrast only, not provided: ${absentOptional.join('; ')}`);
  return judgeRuns(declaration, evaluation, runs, { gatedPresets: new Set([g[0].preset]), absent, absentOptional, partial });
}

/**
 * Judges a claim on runs already provided: the grokked gate on the runs of `gatedPresets` (others pass through),
 * the measurement, the verdict and the control, with the notes on missing runs (`absent`: required runs that
 * are missing; `absentOptional`: contrasts that are).
 */
function judgeRuns<M, C>(
  declaration: ClaimDeclaration,
  evaluation: ClaimEvaluation<M, C>,
  runs: readonly ProvidedRun[],
  options: { gatedPresets: ReadonlySet<string>; absent: readonly AbsentRun[]; absentOptional: readonly string[]; partial: boolean },
): ClaimRecord<M, C> {
  const { absent, absentOptional, partial } = options;
  const contrastNote = absentOptional.length > 0 ? `contrast not measured, ${absentOptional.join('; ')}` : null;
  const provenance = new Map(runs.map((run) => [run, modelProvenance(run)] as const));
  const models = (list: readonly ProvidedRun[]) => list.map((run) => provenance.get(run)!);
  const gate =
    declaration.precondition === 'grokked' ? grokkedGate(runs, provenance, options.gatedPresets) : { judged: [...runs], excluded: [], notEvaluated: null };
  if (absent.length > 0 && !partial) return incomplete(declaration, models(runs), gate, runs.length, absent);
  if (gate.notEvaluated !== null) {
    // Measured anyway: the excluded seeds' numbers stay in the record, and the negative control is still judged.
    const all = measureAndJudge(evaluation, runs);
    const reason = contrastNote ? `${gate.notEvaluated} (${contrastNote})` : gate.notEvaluated;
    return record(declaration, models(runs), notEvaluated(reason), all.measurement, all.control, gate.excluded);
  }
  const r = measureAndJudge(evaluation, gate.judged);
  if (absent.length > 0 && r.verdict.outcome !== 'not-replicated') {
    return record(
      declaration,
      models(gate.judged),
      notEvaluated(
        `${runs.length} of ${runs.length + absent.length} runs available (${absentPhrase(absent, runs.length + absent.length)}) and none falsifies the claim; ${describeAbsent(absent[0])}`,
      ),
      r.measurement,
      { verdict: notEvaluated('not all runs are available'), measurement: r.control.measurement },
      gate.excluded,
    );
  }
  const notes = [
    ...(absent.length > 0 ? [`judged on the ${runs.length} available runs; ${absentPhrase(absent, runs.length + absent.length)}`] : []),
    ...(gate.excluded.length > 0 ? [`judged on the ${gate.judged.length} grokked seeds; ${gate.excluded.length} excluded: did not grok`] : []),
    ...(contrastNote ? [contrastNote] : []),
  ];
  const note = notes.length > 0 ? ` (${notes.join('; ')})` : '';
  return record(declaration, models(gate.judged), { ...r.verdict, summary: r.verdict.summary + note }, r.measurement, r.control, gate.excluded);
}

// ---- runs given by the user (`grokdiff replicate --run`, issue 30) ---------------------------------------------

/** The runs of a claim among the given ones, or why the claim does not apply to them. */
export type GivenRuns =
  | { readonly applies: true; readonly runs: ProvidedRun[]; readonly family: string }
  | { readonly applies: false; readonly reason: string };

/** The fields that make the family of models a claim is about: one image per symbol or more, depth, the FFN sandwich, shuffled targets. */
export function modelFamily(config: RunConfig): string {
  const { data, model } = config;
  return `${data.N === 1 ? 'N = 1' : 'N > 1'}, depth ${model.depth}, ${model.preAttentionFfn ? 'with' : 'no'} FFN sandwich${data.shuffleTargets ? ', shuffled targets' : ''}`;
}

/**
 * Which given runs a claim is judged on: those of the family of the claim's own models (the paper-width N = 1
 * preset for the N = 1 claims, the one preset of a single-group claim), and — for a claim measured on the training
 * log — only runs that have one. A claim over several presets (a study that compares trained configurations)
 * does not apply to given runs.
 */
export function givenRunsFor(models: ClaimModels, needs: { readonly trainingLog: boolean }, runs: readonly ProvidedRun[]): GivenRuns {
  let reference: string;
  if (models.kind === 'n1-tiers') {
    reference = PAPER_WIDTH_PRESET;
  } else {
    const groups = typeof models.groups === 'function' ? null : models.groups;
    const required = groups?.filter((g) => !g.optional) ?? [];
    if (!groups || required.length !== 1 || groups.length !== 1 || models.partial) {
      const presets = groups ? groups.map((g) => g.preset).join(', ') : 'chosen when it runs';
      return {
        applies: false,
        reason: `the claim compares several trained configurations (presets ${presets}); replicate --run judges the claims about one family of models`,
      };
    }
    reference = required[0].preset;
  }
  const family = modelFamily(getPreset(reference));
  const withLog = needs.trainingLog ? runs.filter((r) => r.metrics.length > 0) : [...runs];
  if (withLog.length === 0) {
    return {
      applies: false,
      reason: 'the claim is measured on the training log (metrics.jsonl), and none of the given runs has one (an imported model has none)',
    };
  }
  const matching = withLog.filter((r) => modelFamily(r.config) === family);
  if (matching.length === 0) {
    const given = [...new Set(withLog.map((r) => modelFamily(r.config)))].join('; ');
    return { applies: false, reason: `the claim is about models with ${family} (like preset ${reference}); the given runs have ${given}` };
  }
  return { applies: true, runs: matching, family };
}

/**
 * Evaluates a claim on runs given by the user (`replicate --run`): the claim's own measurement, judgement and
 * negative control (the untrained model of each run's config), with the same gates (the grokked precondition
 * with at least PAPER.minGrokkedSeeds grokked runs); "not evaluated" with the reason when the claim does not
 * apply to them or they cannot be loaded. The record's models say where each run came from ("imported …").
 */
export async function evaluateClaimOnRuns<M, C>(
  declaration: ClaimDeclaration,
  models: ClaimModels,
  evaluation: ClaimEvaluation<M, C>,
  runs: readonly ProvidedRun[],
  needs: { readonly trainingLog: boolean },
): Promise<ClaimRecord<M, C>> {
  const given = givenRunsFor(models, needs, runs);
  if (!given.applies) return missing<M, C>(declaration, `does not apply to the given runs: ${given.reason}`);
  try {
    const rec = judgeRuns(declaration, evaluation, given.runs, {
      gatedPresets: new Set(given.runs.map((r) => r.preset)),
      absent: [],
      absentOptional: [],
      partial: false,
    });
    const sources = [...new Set(given.runs.map((r) => r.source))].join(', ');
    const note = ` [judged on ${given.runs.length} given run${given.runs.length > 1 ? 's' : ''} (${sources}; ${given.family}) of ${runs.length}]`;
    return { ...rec, verdict: { ...rec.verdict, summary: rec.verdict.summary + note } };
  } catch (err) {
    if (err instanceof GrokdiffError) return missing<M, C>(declaration, `could not load the given runs: ${err.message}`);
    throw err;
  }
}
