// Pruning a run directory down to the checkpoints the claims need, so fixture runs stay small in git:
// the memorisation-phase checkpoint (paper Figure 2's plateau: train fitted, held-out not yet) and the final
// one. "Held-out not yet" is read on the novel held-out pairs where the log has them (their mirror was not
// trained; under the ordered split the mirrored pairs are answered by commutativity long before the model
// fits its training pairs), and the kept checkpoint is the first one from s_train on (train ≥ its grokking
// level) before the novel pairs first reach half their level — the last one before that when train never
// fits first. Optimizer moments are dropped (claims only evaluate). The kept steps are recorded in
// fixture.json beside the run, latest.json points at the final one, and MANIFEST.sha256 records every file
// (train/fixture-manifest.ts).
//
// Only complete checkpoints are candidates: a state file that parses and weights that load against the
// config. The optimizer state is judged apart (issue 31: a step folder whose weights were fine but whose
// optimizer file was bad was an orphan, and --delete-orphans deleted its weights): a bad optimizer file makes
// the checkpoint unresumable, not unloadable, and prune drops optimizer files anyway. A step folder a crash or
// a full disk left half-written (its weights or state do not load) is an orphan: it is never chosen as
// "final", it is deleted only when asked (deleteOrphans), and loadable weights are never deleted as orphans.
// A metrics log whose last line a killed writer cut short is cut back to its complete lines (reported).

import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError, GrokdiffError } from '../errors.ts';
import { PAPER } from '../paper/registry.ts';
import { loadCheckpoint } from './checkpoint.ts';
import { CHECKPOINT_FILES, checkpointDir, listCheckpoints, readMetricsWithStatus, writeFixtureRecord, writeLatest, writeMetrics } from './run-folder.ts';
import { writeManifest } from './fixture-manifest.ts';
import type { MetricsRow } from './grokking.ts';
import { acquireRunLock } from './run-lock.ts';

export interface KeptSteps {
  /**
   * First checkpoint at or after s_train that is before (novel) held-out accuracy first reaches half its
   * level; else the last one before that; null if none (or it would be the final one).
   */
  readonly memorisation: number | null;
  readonly final: number;
}

/** A step folder of a run: complete (its state and weights load) or an orphan, with the reason. */
export interface CheckpointStatus {
  readonly step: number;
  readonly complete: boolean;
  readonly problem?: string;
  /** Why its optimizer file cannot be used (it is present but corrupt), judged apart from the weights. */
  readonly optimizerProblem?: string;
}

/** Held-out accuracy of a log row on the novel pairs where it has them, else on all held-out pairs. */
function novelOrHeldout(row: MetricsRow): number {
  return row.heldoutNovelAcc !== undefined && Number.isFinite(row.heldoutNovelAcc) ? row.heldoutNovelAcc : row.heldoutAcc;
}

/** Chooses the checkpoints to keep from the metrics and the steps of the complete checkpoints. */
export function selectKeptSteps(metrics: readonly MetricsRow[], checkpoints: readonly number[]): KeptSteps {
  if (checkpoints.length === 0) throw new CheckpointError('prune-empty', 'cannot prune a run without complete checkpoints');
  const halfLevel = PAPER.grokHeldoutLevel.value / 2;
  const rows = [...metrics].sort((a, b) => a.step - b.step);
  const sorted = [...checkpoints].sort((a, b) => a - b);
  const final = sorted[sorted.length - 1];
  const generalisedAt = rows.find((r) => novelOrHeldout(r) >= halfLevel)?.step ?? Infinity;
  const fittedAt = rows.find((r) => r.trainAcc >= PAPER.grokTrainLevel.value)?.step ?? Infinity;
  const candidates = sorted.filter((s) => s < generalisedAt && s !== final);
  const memorisation = candidates.find((s) => s >= fittedAt) ?? candidates[candidates.length - 1] ?? null;
  return { memorisation, final };
}

/** The message of a grokdiff error thrown by `f`, or null when it returns. */
function problemOf(f: () => unknown): string | null {
  try {
    f();
    return null;
  } catch (err) {
    if (err instanceof GrokdiffError) return err.message;
    throw err;
  }
}

/**
 * Every step folder of a run, checked by loading it: its state and weights decide whether it is complete; its
 * optimizer file, where present, is judged apart (optimizerProblem) and never makes loadable weights an orphan.
 */
export function checkpointStatuses(runDir: string): CheckpointStatus[] {
  return listCheckpoints(runDir).map((step) => {
    const problem = problemOf(() => loadCheckpoint(runDir, { step, optimizer: false }));
    if (problem !== null) return { step, complete: false, problem };
    const optimizerProblem = existsSync(join(checkpointDir(runDir, step), CHECKPOINT_FILES.optimizer))
      ? problemOf(() => loadCheckpoint(runDir, { step }))
      : null;
    return { step, complete: true, ...(optimizerProblem !== null ? { optimizerProblem } : {}) };
  });
}

export interface PruneResult {
  readonly kept: KeptSteps;
  /** Steps kept, ascending. */
  readonly steps: number[];
  /** Incomplete step folders, with the reason; deleted only with deleteOrphans. */
  readonly orphans: CheckpointStatus[];
  readonly orphansDeleted: boolean;
  /** Files in the manifest, or null when none was written. */
  readonly manifestFiles: number | null;
  /** Complete checkpoints whose optimizer file was corrupt (dropped with the others; the weights are kept or pruned as usual). */
  readonly badOptimizers: CheckpointStatus[];
  /** The cut last line of metrics.jsonl that was removed (a writer killed while logging), or null. */
  readonly metricsTailDropped: string | null;
}

/**
 * Prunes a run: keeps the memorisation-phase and final complete checkpoints, drops the others' folders and
 * every optimizer file, points latest.json at the final one, writes fixture.json and (unless `manifest:
 * false`) MANIFEST.sha256. Holds the run's lock. Deletes nothing when the run has no complete checkpoint.
 */
export function pruneRun(runDir: string, options: { deleteOrphans?: boolean; manifest?: boolean } = {}): PruneResult {
  const lock = acquireRunLock(runDir, 'grokdiff prune');
  try {
    const statuses = checkpointStatuses(runDir);
    const complete = statuses.filter((s) => s.complete).map((s) => s.step);
    const orphans = statuses.filter((s) => !s.complete);
    if (complete.length === 0) {
      const why = orphans.map((o) => `step ${o.step}: ${o.problem}`).join('; ');
      throw new CheckpointError('prune-no-complete', `${runDir} has no complete checkpoint, so nothing was pruned${why ? ` (${why})` : ''}`);
    }
    const { rows: metrics, truncatedTail } = readMetricsWithStatus(runDir);
    const kept = selectKeptSteps(metrics, complete);
    const keep = new Set([kept.final, ...(kept.memorisation !== null ? [kept.memorisation] : [])]);
    const deleteOrphans = Boolean(options.deleteOrphans);
    // Point latest.json at the final complete checkpoint before anything is deleted.
    writeLatest(runDir, kept.final);
    for (const step of complete) {
      const dir = checkpointDir(runDir, step);
      if (!keep.has(step)) rmSync(dir, { recursive: true, force: true });
      else if (existsSync(join(dir, CHECKPOINT_FILES.optimizer))) rmSync(join(dir, CHECKPOINT_FILES.optimizer));
    }
    if (deleteOrphans) for (const o of orphans) rmSync(checkpointDir(runDir, o.step), { recursive: true, force: true });
    // A fixture's log must be complete (the claims read it whole): the cut line of a killed writer goes.
    if (truncatedTail !== null) writeMetrics(runDir, metrics);
    writeFixtureRecord(runDir, { memorisationStep: kept.memorisation, finalStep: kept.final, note: 'pruned by grokdiff prune: optimizer state dropped' });
    const manifestFiles = options.manifest === false ? null : writeManifest(runDir).length;
    return {
      kept,
      steps: [...keep].sort((a, b) => a - b),
      orphans,
      orphansDeleted: deleteOrphans && orphans.length > 0,
      manifestFiles,
      badOptimizers: statuses.filter((s) => s.optimizerProblem !== undefined),
      metricsTailDropped: truncatedTail,
    };
  } finally {
    lock.release();
  }
}
