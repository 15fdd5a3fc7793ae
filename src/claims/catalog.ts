// The catalog of claims (the N = 1 claims here, the studies from study-claims.ts): for each, how to evaluate
// it into a ClaimRecord (measurement, verdict, negative control and its verdict, models used). Used by the
// claim specs (claims/*.spec.ts) and by `grokdiff replicate`, so a claim is measured and judged by one piece
// of code wherever it runs.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../train/atomic-write.ts';
import { GrokdiffError } from '../errors.ts';
import type { ClaimRecord } from './contract.ts';
import { missing, modelClaim, providedRunsClaim, tieredClaim, type ClaimEntry } from './claim-runner.ts';
import { reportsDir, CLAIM_SEEDS, UNORDERED_SPLIT_PRESET } from './setup.ts';
import { STUDY_CLAIMS } from './study-claims.ts';
import { evaluateGrokkingLag, grokkingLagClaim } from './defs/grokking-lag.ts';
import { judgeFrequencies, measureFrequencies, selectiveFrequenciesClaim } from './defs/selective-frequencies.ts';
import { judgeTrig, measureTrig, trigIdentitiesClaim } from './defs/trig-identities.ts';
import { ablationClaim, ffnKeyFrequencies, judgeAblation, measureAblation } from './defs/ablation.ts';
import { judgeSingleStep, measureSingleStep, singleStepClaim } from './defs/single-step.ts';
import {
  CONTRAST_PRESET,
  criticalTimestepClaim,
  CRITICAL_TIMESTEP_PRESET,
  CRITICAL_TIMESTEP_SEEDS,
  evaluateCriticalTimestep,
  SHUFFLED_C_PRESET,
  SHUFFLED_C_SEEDS,
} from './defs/critical-timestep.ts';

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
  // The reduced tier is also judged under the unordered split (every held-out pair novel): how much of the lag the mirror plateau hides.
  tieredClaim(grokkingLagClaim, (preset) => providedRunsClaim(grokkingLagClaim, [{ preset, seeds: CLAIM_SEEDS }], evaluateGrokkingLag), [UNORDERED_SPLIT_PRESET]),
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
  // The paper measures at N = 256; no N = 256 model learns here, so it is judged on the N = 4 model that does (see its declaration).
  providedRunsClaim(
    criticalTimestepClaim,
    [
      { preset: CRITICAL_TIMESTEP_PRESET, seeds: CRITICAL_TIMESTEP_SEEDS },
      { preset: SHUFFLED_C_PRESET, seeds: SHUFFLED_C_SEEDS },
      { preset: CONTRAST_PRESET, seeds: CLAIM_SEEDS },
    ],
    evaluateCriticalTimestep,
  ),
  ...STUDY_CLAIMS,
];

export type { ClaimEntry };
export const CLAIMS: readonly ClaimEntry[] = UNGUARDED.map(guarded);

export function claimById(id: string): ClaimEntry {
  const c = CLAIMS.find((e) => e.declaration.id === id);
  if (!c) throw new Error(`no claim "${id}"; claims: ${CLAIMS.map((e) => e.declaration.id).join(', ')}`);
  return c;
}

/** Writes one claim's record to reports/claims/<id>.json (read by the report builder). */
export function saveRecord(rec: ClaimRecord, dir = join(reportsDir(), 'claims')): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${rec.id}.json`);
  writeJsonAtomic(path, rec);
  return path;
}
