// The one registry of claims: every paper claim's module (src/claims/defs/<id>.ts, claim.ts), in the order
// they are evaluated — the N = 1 claims, then the studies (other moduli, depth, the diverse-image regime).
// Used by the claim specs (claims/<id>.spec.ts), by `grokdiff replicate` and by the report, which iterates
// this list and never names a claim, so a claim is measured, judged and reported by one module wherever it runs.

import { join } from 'node:path';
import { writeJsonAtomic } from '../io/atomic-write.ts';
import { makeFolder } from '../io/make-folder.ts';
import { ClaimError } from '../errors.ts';
import type { Claim, KnownDeviation } from './claim.ts';
import type { ClaimRecord } from './contract.ts';
import { reportsDir } from './setup.ts';
import { claim as grokkingLag } from './defs/grokking-lag.ts';
import { claim as selectiveFrequencies } from './defs/selective-frequencies.ts';
import { claim as trigIdentities } from './defs/trig-identities.ts';
import { claim as ablation } from './defs/ablation.ts';
import { claim as singleStep } from './defs/single-step.ts';
import { claim as criticalTimestep } from './defs/critical-timestep.ts';
import { claim as moduliEmnist } from './defs/moduli-emnist.ts';
import { claim as moduliK49 } from './defs/moduli-k49.ts';
import { claim as depthTwo } from './defs/depth-two.ts';
import { claim as diversityShrinksLag } from './defs/diversity-shrinks-lag.ts';
import { claim as sandwichGroks } from './defs/sandwich-groks.ts';
import { claim as sandwichSeparability } from './defs/sandwich-separability.ts';

export type { Claim };

export const CLAIMS: readonly Claim[] = [
  grokkingLag,
  selectiveFrequencies,
  trigIdentities,
  ablation,
  singleStep,
  criticalTimestep,
  moduliEmnist,
  moduliK49,
  depthTwo,
  diversityShrinksLag,
  sandwichGroks,
  sandwichSeparability,
];

function findClaim(id: string): Claim | undefined {
  return CLAIMS.find((e) => e.declaration.id === id);
}

export function claimById(id: string): Claim {
  const c = findClaim(id);
  if (!c) throw new ClaimError('unknown-claim', `no claim "${id}"; claims: ${CLAIMS.map((e) => e.declaration.id).join(', ')}`);
  return c;
}

/** The known deviation a claim's module declares (KnownDeviation in claim.ts), or null; null for an id that is not a claim. */
export function knownDeviation(id: string): KnownDeviation | null {
  return findClaim(id)?.knownDeviation ?? null;
}

/** Writes one claim's record to reports/claims/<id>.json (read by the report builder). */
export function saveRecord(rec: ClaimRecord, dir = join(reportsDir(), 'claims')): string {
  makeFolder(dir);
  const path = join(dir, `${rec.id}.json`);
  writeJsonAtomic(path, rec);
  return path;
}
