// Pruning a run directory down to the checkpoints the claims need, so fixture runs stay small in git:
// the memorisation-phase checkpoint (the last one before held-out accuracy first reaches half its grokking
// level: train fitted, held-out not yet; paper Figure 2's plateau) and the final one. Optimizer moments are
// dropped (claims only evaluate). The kept steps are recorded in fixture.json beside the run.

import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError } from '../errors.ts';
import { PAPER } from '../paper/registry.ts';
import { writeJsonAtomic } from './atomic-write.ts';
import { checkpointDirName, listCheckpoints } from './checkpoint.ts';
import type { MetricsRow } from './grokking.ts';

export interface KeptSteps {
  /** Last checkpoint before held-out accuracy reached half its level, or null if none. */
  readonly memorisation: number | null;
  readonly final: number;
}

/** Chooses the checkpoints to keep from the metrics and the available checkpoint steps. */
export function selectKeptSteps(metrics: readonly MetricsRow[], checkpoints: readonly number[]): KeptSteps {
  if (checkpoints.length === 0) throw new CheckpointError('prune-empty', 'cannot prune a run without checkpoints');
  const halfLevel = PAPER.grokHeldoutLevel.value / 2;
  const firstHalf = [...metrics].sort((a, b) => a.step - b.step).find((r) => r.heldoutAcc >= halfLevel)?.step ?? Infinity;
  const before = checkpoints.filter((s) => s < firstHalf);
  const final = checkpoints[checkpoints.length - 1];
  const memorisation = before.length > 0 ? before[before.length - 1] : null;
  return { memorisation: memorisation === final ? null : memorisation, final };
}

/** Removes every checkpoint not in `keep` and all optimizer files; writes fixture.json. */
export function pruneRun(runDir: string, kept: KeptSteps): number[] {
  const keep = new Set([kept.final, ...(kept.memorisation !== null ? [kept.memorisation] : [])]);
  for (const step of listCheckpoints(runDir)) {
    const dir = join(runDir, 'checkpoints', checkpointDirName(step));
    if (!keep.has(step)) rmSync(dir, { recursive: true, force: true });
    else if (existsSync(join(dir, 'optimizer.safetensors'))) rmSync(join(dir, 'optimizer.safetensors'));
  }
  writeJsonAtomic(join(runDir, 'fixture.json'), { memorisationStep: kept.memorisation, finalStep: kept.final, note: 'pruned by grokdiff prune: optimizer state dropped' });
  return [...keep].sort((a, b) => a - b);
}
