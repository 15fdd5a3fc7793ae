// The catalog of single-image claims: for each, how to evaluate it into a ClaimRecord (measurement, verdict,
// negative control and its verdict, models used). Used by the claim specs (claims/*.spec.ts) and by
// `grokdiff replicate`, so a claim is measured and judged by one piece of code wherever it runs.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../train/atomic-write.ts';
import { GrokdiffError } from '../errors.ts';
import type { LoadedRun } from '../train/loaded-run.ts';
import { notEvaluated, thresholdRows, type ClaimDeclaration, type ClaimRecord, type Verdict } from './contract.ts';
import type { ProvidedRun } from './provider.ts';
import { CLAIM_SEEDS, openRun, provideAll, REPORTS_DIR, SINGLE_IMAGE_PRESET, untrainedRun } from './setup.ts';
import { evaluateGrokkingLag, grokkingLagClaim } from './defs/grokking-lag.ts';
import { judgeFrequencies, measureFrequencies, selectiveFrequenciesClaim } from './defs/selective-frequencies.ts';
import { judgeTrig, measureTrig, trigIdentitiesClaim } from './defs/trig-identities.ts';
import { ablationClaim, ffnKeyFrequencies, judgeAblation, measureAblation } from './defs/ablation.ts';
import { judgeSingleStep, measureSingleStep, singleStepClaim } from './defs/single-step.ts';

export interface ClaimEntry {
  readonly declaration: ClaimDeclaration;
  evaluate(): Promise<ClaimRecord>;
}

function record(
  declaration: ClaimDeclaration,
  runs: readonly ProvidedRun[],
  verdict: Verdict,
  measurement: unknown,
  control: { verdict: Verdict; measurement: unknown } | null,
): ClaimRecord {
  return {
    id: declaration.id,
    title: declaration.title,
    statement: declaration.statement,
    where: declaration.where,
    thresholds: thresholdRows(declaration.thresholds),
    verdict,
    measurement,
    control: control ? { description: declaration.negativeControl, ...control } : null,
    models: runs.map((r) => ({ preset: r.preset, seed: r.seed, step: r.checkpoints[r.checkpoints.length - 1], source: `${r.source} ${r.dir}` })),
    createdAt: new Date().toISOString(),
  };
}

function missing(declaration: ClaimDeclaration, reason: string): ClaimRecord {
  return record(declaration, [], notEvaluated(reason), null, { verdict: notEvaluated(reason), measurement: null });
}

/**
 * Runs `measure` on the final checkpoint of each seed, and `measureControl` (default: the same) on the
 * untrained model of each seed; the control also sees that seed's trained measurement.
 */
function perSeed<T>(
  runs: readonly ProvidedRun[],
  measure: (run: LoadedRun, seed: number) => T,
  measureControl: (run: LoadedRun, seed: number, trained: T) => T,
): { trained: T[]; untrained: T[] } {
  const trained: T[] = [];
  const untrained: T[] = [];
  for (const r of runs) {
    const run = openRun(r);
    let m: T;
    try {
      m = measure(run, r.seed);
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

function modelClaim<T>(
  declaration: ClaimDeclaration,
  measure: (run: LoadedRun, seed: number) => T,
  judge: (m: readonly T[]) => Verdict,
  measureControl: (run: LoadedRun, seed: number, trained: T) => T = measure,
): ClaimEntry {
  return {
    declaration,
    async evaluate() {
      const provided = await provideAll(SINGLE_IMAGE_PRESET, CLAIM_SEEDS);
      if (!provided.ok) return missing(declaration, provided.reason);
      const { trained, untrained } = perSeed(provided.runs, measure, measureControl);
      return record(declaration, provided.runs, judge(trained), trained, { verdict: judge(untrained), measurement: untrained });
    },
  };
}

/**
 * A claim whose models cannot be loaded (a corrupt or mismatched checkpoint) is "not evaluated" with the
 * reason — never a crash and never a verdict. Only grokdiff's own typed errors are turned into a reason;
 * anything else is a bug and propagates.
 */
function guarded(entry: ClaimEntry): ClaimEntry {
  return {
    declaration: entry.declaration,
    async evaluate() {
      try {
        return await entry.evaluate();
      } catch (err) {
        if (err instanceof GrokdiffError) return missing(entry.declaration, `could not load the models: ${err.message}`);
        throw err;
      }
    },
  };
}

const UNGUARDED: readonly ClaimEntry[] = [
  {
    declaration: grokkingLagClaim,
    async evaluate() {
      const provided = await provideAll(SINGLE_IMAGE_PRESET, CLAIM_SEEDS);
      if (!provided.ok) return missing(grokkingLagClaim, provided.reason);
      const r = evaluateGrokkingLag(provided.runs);
      return record(grokkingLagClaim, provided.runs, r.verdict, r.measurement, r.control);
    },
  },
  modelClaim(selectiveFrequenciesClaim, measureFrequencies, judgeFrequencies),
  modelClaim(trigIdentitiesClaim, measureTrig, judgeTrig),
  // The ablation's control removes the trained model's key frequencies from the untrained model.
  modelClaim(
    ablationClaim,
    (run, seed) => measureAblation(run, seed, ffnKeyFrequencies(run)),
    judgeAblation,
    (run, seed, trained) => measureAblation(run, seed, trained.keySet),
  ),
  modelClaim(singleStepClaim, measureSingleStep, judgeSingleStep),
];

export const CLAIMS: readonly ClaimEntry[] = UNGUARDED.map(guarded);

export function claimById(id: string): ClaimEntry {
  const c = CLAIMS.find((e) => e.declaration.id === id);
  if (!c) throw new Error(`no claim "${id}"; claims: ${CLAIMS.map((e) => e.declaration.id).join(', ')}`);
  return c;
}

/** Writes one claim's record to reports/claims/<id>.json (read by the report builder). */
export function saveRecord(rec: ClaimRecord, dir = join(REPORTS_DIR, 'claims')): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${rec.id}.json`);
  writeJsonAtomic(path, rec);
  return path;
}
