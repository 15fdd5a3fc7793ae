// How a claim is run into a ClaimRecord: provide its models (fixtures, cache or training), measure every
// trained run and the untrained model of the same preset and seed (the default negative control), judge
// both with the same function, and record what was used. `modelClaim` runs the N = 1 claims on two tiers,
// the paper-width preset (the verdict) and the reduced CPU preset (reported beside it); `runsClaim` runs a
// study over several presets (moduli sweeps, depth, N); `providedRunsClaim`, which all build on, judges the
// provided runs with any evaluation (training logs too). Every record names its models with their width and
// grok status (provenance.ts); a claim with the `grokked` precondition is judged only on the seeds of its
// first preset that grokked, and its negative control is still measured on every seed.

import type { LoadedRun } from '../eval/loaded-run.ts';
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
import { grokkedGate, modelProvenance } from './provenance.ts';
import type { ProvidedRun } from './provider.ts';
import { CLAIM_SEEDS, openRun, PAPER_WIDTH_PRESET, provide, SINGLE_IMAGE_PRESET, untrainedRun } from './setup.ts';

export interface ClaimEntry {
  readonly declaration: ClaimDeclaration;
  evaluate(): Promise<ClaimRecord>;
}

export function record(
  declaration: ClaimDeclaration,
  models: readonly ModelProvenance[],
  verdict: Verdict,
  measurement: unknown,
  control: { verdict: Verdict; measurement: unknown } | null,
  excluded: readonly ExcludedModel[] = [],
): ClaimRecord {
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

export function missing(declaration: ClaimDeclaration, reason: string): ClaimRecord {
  return record(declaration, [], notEvaluated(reason), null, { verdict: notEvaluated(reason), measurement: null });
}

/**
 * Runs `measure` on the final checkpoint of each run, and `measureControl` (default: the same) on the
 * untrained model of the run's preset and seed; the control also sees that run's trained measurement.
 */
export function measureRuns<T>(
  runs: readonly ProvidedRun[],
  measure: (run: LoadedRun, seed: number, provided?: ProvidedRun) => T,
  measureControl: (run: LoadedRun, seed: number, trained: T) => T,
): { trained: T[]; untrained: T[] } {
  const trained: T[] = [];
  const untrained: T[] = [];
  for (const r of runs) {
    const run = openRun(r);
    let m: T;
    try {
      m = measure(run, r.seed, r);
      trained.push(m);
    } finally {
      run.dispose();
    }
    const u = untrainedRun(r.preset, r.seed);
    try {
      untrained.push(measureControl(u, r.seed, m));
    } finally {
      u.dispose();
    }
  }
  return { trained, untrained };
}

/** Runs `measure` on the final checkpoint of each run (no control): for contrasts and extra controls. */
export function measureEach<T>(runs: readonly ProvidedRun[], measure: (run: LoadedRun, seed: number) => T): T[] {
  return runs.map((r) => {
    const run = openRun(r);
    try {
      return measure(run, r.seed);
    } finally {
      run.dispose();
    }
  });
}

/** Presets and seeds a claim runs on. */
export type RunGroups = ReadonlyArray<{ readonly preset: string; readonly seeds: readonly number[] }>;

/** Provides every run of the groups; the reasons of those that are missing. */
async function provideGroups(groups: RunGroups): Promise<{ runs: ProvidedRun[]; absent: string[] }> {
  const runs: ProvidedRun[] = [];
  const absent: string[] = [];
  for (const { preset, seeds } of groups) {
    for (const seed of seeds) {
      const provided = await provide(preset, seed);
      if (provided.ok) runs.push(provided.run);
      else absent.push(provided.reason);
    }
  }
  return { runs, absent };
}

/**
 * A claim measured per run on several presets, judged over all of them; the control is the untrained models.
 * With `partial`, a sweep whose runs are only partly available is still judged when what is available
 * already falsifies it (a claim "at every P" fails on one failing P); otherwise it is "not evaluated".
 */
export function runsClaim<T>(
  declaration: ClaimDeclaration,
  groups: RunGroups | (() => RunGroups | { notEvaluated: string }),
  /** `provided` (the run's directory, config and training log) is given for trained runs, not for the control. */
  measure: (run: LoadedRun, seed: number, provided?: ProvidedRun) => T,
  judge: (m: readonly T[]) => Verdict,
  options: { measureControl?: (run: LoadedRun, seed: number, trained: T) => T; partial?: boolean } = {},
): ClaimEntry {
  const measureControl = options.measureControl ?? ((run: LoadedRun, seed: number) => measure(run, seed));
  return providedRunsClaim(
    declaration,
    groups,
    (runs) => {
      const { trained, untrained } = measureRuns(runs, measure, measureControl);
      return { measurement: trained, verdict: judge(trained), control: { measurement: untrained, verdict: judge(untrained) } };
    },
    { partial: options.partial },
  );
}

/**
 * A claim on the N = 1 models (CLAIM_SEEDS) at two widths: the paper-width preset gives the verdict, the
 * reduced CPU preset is judged the same way and reported beside it.
 */
export function modelClaim<T>(
  declaration: ClaimDeclaration,
  measure: (run: LoadedRun, seed: number) => T,
  judge: (m: readonly T[]) => Verdict,
  measureControl: (run: LoadedRun, seed: number, trained: T) => T = measure,
): ClaimEntry {
  return tieredClaim(declaration, (preset) => runsClaim(declaration, [{ preset, seeds: CLAIM_SEEDS }], measure, judge, { measureControl }));
}

/** One tier of a record. */
function tierOf(tier: ClaimTier['tier'], preset: string, rec: ClaimRecord): ClaimTier {
  return { tier, preset, verdict: rec.verdict, measurement: rec.measurement, control: rec.control, models: rec.models, excluded: rec.excluded ?? [] };
}

/**
 * A claim evaluated on the paper-width N = 1 preset and on the reduced one (`entryFor` builds the claim for a
 * preset), and on any `extraReduced` presets (e.g. the reduced model under the unordered split). The record's
 * verdict, measurement and models are the paper-width tier's; when that tier is not evaluated (its models are
 * missing or did not grok) the verdict says so and names the reduced tier's outcome.
 */
export function tieredClaim(declaration: ClaimDeclaration, entryFor: (preset: string) => ClaimEntry, extraReduced: readonly string[] = []): ClaimEntry {
  return {
    declaration,
    async evaluate() {
      const paper = await entryFor(PAPER_WIDTH_PRESET).evaluate();
      const tiers = [tierOf('paper-width', PAPER_WIDTH_PRESET, paper)];
      for (const preset of [SINGLE_IMAGE_PRESET, ...extraReduced]) tiers.push(tierOf('reduced', preset, await entryFor(preset).evaluate()));
      const reduced = tiers[1];
      const verdict: Verdict =
        paper.verdict.outcome === 'not-evaluated'
          ? notEvaluated(
              `paper width (${PAPER_WIDTH_PRESET}): ${paper.verdict.summary} — reduced tier (${SINGLE_IMAGE_PRESET}, reported beside it): ${reduced.verdict.outcome}: ${reduced.verdict.summary}`,
            )
          : paper.verdict;
      return { ...paper, verdict, tiers };
    },
  };
}

/**
 * A claim evaluated on the provided runs of several presets (their checkpoints or their training logs), with
 * its own control. With `partial`, missing runs do not stop the judgement when the available ones already
 * falsify the claim; otherwise a missing run makes the claim "not evaluated" with the command to train it.
 */
export function providedRunsClaim(
  declaration: ClaimDeclaration,
  groups: RunGroups | (() => RunGroups | { notEvaluated: string }),
  evaluate: (runs: readonly ProvidedRun[]) => { measurement: unknown; verdict: Verdict; control: { measurement: unknown; verdict: Verdict } },
  options: { partial?: boolean } = {},
): ClaimEntry {
  return {
    declaration,
    async evaluate() {
      const g = typeof groups === 'function' ? groups() : groups;
      if ('notEvaluated' in g) return missing(declaration, g.notEvaluated);
      const { runs, absent } = await provideGroups(g);
      if (absent.length > 0 && (!options.partial || runs.length === 0)) return missing(declaration, absent[0]);
      const provenance = new Map(runs.map((run) => [run, modelProvenance(run)] as const));
      const models = (list: readonly ProvidedRun[]) => list.map((run) => provenance.get(run)!);
      const gate =
        declaration.precondition === 'grokked'
          ? grokkedGate(runs, provenance, new Set([g[0].preset]))
          : { judged: [...runs], excluded: [], notEvaluated: null };
      if (gate.notEvaluated !== null) {
        // Measured anyway: the excluded seeds' numbers stay in the record, and the negative control is still judged.
        const all = evaluate(runs);
        return record(declaration, models(runs), notEvaluated(gate.notEvaluated), all.measurement, all.control, gate.excluded);
      }
      const r = evaluate(gate.judged);
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
      ];
      const note = notes.length > 0 ? ` (${notes.join('; ')})` : '';
      return record(declaration, models(gate.judged), { ...r.verdict, summary: r.verdict.summary + note }, r.measurement, r.control, gate.excluded);
    },
  };
}
