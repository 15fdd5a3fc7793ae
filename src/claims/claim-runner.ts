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
import type { ProvidedRun } from './provider.ts';
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
    runs.map((r) => {
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
      const u = untrainedRun(r.preset, r.seed);
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

/** Provides every run of the groups; the reasons of those that are missing. */
async function provideGroups(groups: RunGroups): Promise<{ runs: ProvidedRun[]; absent: string[]; absentOptional: string[] }> {
  const runs: ProvidedRun[] = [];
  const absent: string[] = [];
  const absentOptional: string[] = [];
  for (const { preset, seeds, optional } of groups) {
    const missingHere: number[] = [];
    for (const seed of seeds) {
      const provided = await provide(preset, seed);
      if (provided.ok) runs.push(provided.run);
      else if (optional) missingHere.push(seed);
      else absent.push(provided.reason);
    }
    if (missingHere.length > 0) absentOptional.push(`${preset} seed${missingHere.length > 1 ? 's' : ''} ${missingHere.join(', ')}`);
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
  absent: readonly string[],
): ClaimRecord<M, C> {
  const grokNote =
    declaration.precondition === 'grokked'
      ? `; of the ${provided} available, ${provided - gate.excluded.length} grokked` +
        (gate.excluded.length > 0 ? ` (${gate.excluded.map((e) => grokNumbers(e.model)).join('; ')})` : '')
      : '';
  const reason = `${absent.length} of ${provided + absent.length} runs missing${grokNote}; ${absent[0]}`;
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
  if (runs.length === 0) return missing(declaration, absent[0] ?? `no checkpoint for ${absentOptional.join('; ')}`);
  const contrastNote = absentOptional.length > 0 ? `contrast not measured, no checkpoint: ${absentOptional.join('; ')}` : null;
  const provenance = new Map(runs.map((run) => [run, modelProvenance(run)] as const));
  const models = (list: readonly ProvidedRun[]) => list.map((run) => provenance.get(run)!);
  const gate =
    declaration.precondition === 'grokked' ? grokkedGate(runs, provenance, new Set([g[0].preset])) : { judged: [...runs], excluded: [], notEvaluated: null };
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
      notEvaluated(`${runs.length} of ${runs.length + absent.length} runs available and none falsifies the claim; ${absent[0]}`),
      r.measurement,
      { verdict: notEvaluated('not all runs are available'), measurement: r.control.measurement },
      gate.excluded,
    );
  }
  const notes = [
    ...(absent.length > 0 ? [`judged on the ${runs.length} available runs; ${absent.length} missing`] : []),
    ...(gate.excluded.length > 0 ? [`judged on the ${gate.judged.length} grokked seeds; ${gate.excluded.length} excluded: did not grok`] : []),
    ...(contrastNote ? [contrastNote] : []),
  ];
  const note = notes.length > 0 ? ` (${notes.join('; ')})` : '';
  return record(declaration, models(gate.judged), { ...r.verdict, summary: r.verdict.summary + note }, r.measurement, r.control, gate.excluded);
}
