// Models for claims (issue #6): one function gives a claim spec its trained run for (preset, seed). It looks
// in fixtures/checkpoints/<preset>/seed-<n> (committed, trained by the project's own CLI), then in the local
// cache .cache/runs/<preset>/seed-<n>, and trains into the cache only when allowed (GROKDIFF_TRAIN_MISSING=1
// or `grokdiff replicate --train`). It says which happened. A fixture whose config no longer equals the
// preset's (a changed preset or model code) is refused with the exact command that retrains it. A fixture is
// content-addressed: every file is checked against its MANIFEST.sha256 first (train/fixture-manifest.ts), and a
// file that differs is refused naming it and the command that rebuilds it (the claim is then "not evaluated").
// A cached run is checked the same way (issue 31): training into the cache writes its manifest, and a cached
// run without one, or with a file that differs, is refused. A run that is not there is "missing"; one that is
// there but fails a check is "refused" with the reason; the claims say which.
// `grokdiff replicate --run DIR` gives run folders directly instead (readGivenRun): a folder made by `grokdiff
// import` (source "imported", issue 30) or any other run folder of ours (source "given"), judged as it is.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { environment } from '../config/environment.ts';
import { CheckpointError, GrokdiffError } from '../errors.ts';
import { getPreset } from '../train/presets.ts';
import { applyOverrides, type RunConfig } from '../train/config.ts';
import { listCheckpoints, readMetrics, readRunConfig, runFile } from '../train/run-folder.ts';
import { readImportRecord } from '../train/imported-run.ts';
import { fixtureCommandsHint, hasManifest, verifyManifest, writeManifest } from '../train/fixture-manifest.ts';
import { acquireRunLock } from '../train/run-lock.ts';
import { readJsonFile } from '../io/json-file.ts';
import type { MetricsRow } from '../train/grokking.ts';
import { trainRun } from '../train/trainer.ts';
import { generationEvaluator } from '../eval/training-evaluation.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The committed fixture runs. */
export const FIXTURE_RUNS_DIR = join(REPO_ROOT, 'fixtures', 'checkpoints');
/** Where the claims look for fixture runs: GROKDIFF_FIXTURES_DIR (tests, a user's own checkpoints), else the committed ones. */
export function fixtureRunsDir(): string {
  return environment().fixturesDir ?? FIXTURE_RUNS_DIR;
}
export const CACHE_RUNS_DIR = join(REPO_ROOT, '.cache', 'runs');

export type RunSource = 'fixture' | 'cache' | 'trained' | 'imported' | 'given';

export interface ProvidedRun {
  readonly preset: string;
  readonly seed: number;
  readonly dir: string;
  readonly source: RunSource;
  readonly config: RunConfig;
  readonly metrics: MetricsRow[];
  /** Steps with a saved checkpoint. */
  readonly checkpoints: number[];
  /** For an imported run: "imported from FILE, sha256 HEX" (its import record), shown in the verdict's provenance. */
  readonly origin?: string;
}

/** Why a run was not provided: not there ('missing'), there but failing a check ('refused'), or its training failed ('failed'). */
export type AbsentStatus = 'missing' | 'refused' | 'failed';

export type Provision =
  | { readonly ok: true; readonly run: ProvidedRun }
  | { readonly ok: false; readonly status: AbsentStatus; readonly preset: string; readonly seed: number; readonly reason: string };

/** One line for a run that was not provided: a refused one says "refused (why)", distinct from a missing one. */
export function describeAbsent(p: { readonly status: AbsentStatus; readonly preset: string; readonly seed: number; readonly reason: string }): string {
  return p.status === 'refused' ? `preset "${p.preset}" seed ${p.seed} refused (${p.reason})` : p.reason;
}

/** How to rebuild or accept a cached run whose files do not match its manifest. */
function cacheHint(preset: string, seed: number): (runDir: string) => string {
  return (runDir) =>
    `remove it (rm -r ${runDir}) and train it again with GROKDIFF_TRAIN_MISSING=1 (or npx grokdiff replicate --train), or train it with: ${retrainCommand(preset, seed)}; if its files are right, record them with: npx grokdiff fixtures --write-manifest ${runDir}`;
}

export function fixtureRunDir(preset: string, seed: number, root = fixtureRunsDir()): string {
  return join(root, preset, `seed-${seed}`);
}

export function retrainCommand(preset: string, seed: number): string {
  return `npx grokdiff train --preset ${preset} --seed ${seed} --out fixtures/checkpoints/${preset}/seed-${seed} && npx grokdiff prune --run fixtures/checkpoints/${preset}/seed-${seed}`;
}

/** The first field path where two JSON values differ, or null when equal. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null)) return path || '(root)';
  if (typeof a !== 'object' || a === null) return a === b ? null : path || '(root)';
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  for (const k of keys) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
    if (d) return d;
  }
  return null;
}

function valueAt(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/**
 * Checks that a run directory holds a completed run of exactly the preset's config for this seed. Returns
 * the run, or throws a CheckpointError whose message says what differs and how to retrain.
 */
export function readRunDir(dir: string, preset: string, seed: number, source: RunSource): ProvidedRun {
  verifyManifest(dir, { required: true, hint: source === 'fixture' ? (d) => fixtureCommandsHint(preset, seed, d) : cacheHint(preset, seed) });
  const expected = applyOverrides(getPreset(preset), [], { seed });
  // Read raw (not validated): a stale fixture's config is compared field by field with the preset's, to say what differs.
  const actual = readJsonFile(runFile(dir, 'config'));
  const diff = firstDifference(actual, expected);
  if (diff) {
    throw new CheckpointError(
      'fixture-stale',
      `${dir} was trained with a different config than preset "${preset}" seed ${seed} now gives (field ${diff}: ` +
        `${JSON.stringify(valueAt(actual, diff))} in the run, ${JSON.stringify(valueAt(expected, diff))} in the preset). Retrain with: ${retrainCommand(preset, seed)}`,
    );
  }
  const checkpoints = listCheckpoints(dir);
  if (checkpoints.length === 0) throw new CheckpointError('fixture-empty', `${dir} has no checkpoints. Retrain with: ${retrainCommand(preset, seed)}`);
  const metrics = readMetrics(dir, { complete: true });
  return { preset, seed, dir, source, config: expected, metrics, checkpoints };
}

/**
 * A run folder given by the user (`replicate --run`): checked against its MANIFEST.sha256 when it has one (an
 * imported folder always has), its config validated, at least one checkpoint. Source "imported" for a folder
 * made by `grokdiff import`, else "given". Throws a typed error naming the folder otherwise.
 */
export function readGivenRun(dir: string): ProvidedRun {
  const imported = readImportRecord(dir);
  verifyManifest(dir, {
    required: imported !== null,
    hint: (d) => `import the model again into a new folder, or record the files with: npx grokdiff fixtures --write-manifest ${d}`,
  });
  const config = readRunConfig(dir);
  const checkpoints = listCheckpoints(dir);
  if (checkpoints.length === 0)
    throw new CheckpointError('run-empty', `${dir} has no checkpoints: it is not a run folder of grokdiff train or grokdiff import`);
  return {
    preset: config.preset,
    seed: config.seed,
    dir,
    source: imported ? 'imported' : 'given',
    config,
    metrics: readMetrics(dir),
    checkpoints,
    ...(imported ? { origin: imported.provenance } : {}),
  };
}

export interface ProvideOptions {
  /** Train into the cache when neither a fixture nor a cached run exists (default: GROKDIFF_TRAIN_MISSING=1). */
  readonly allowTraining?: boolean;
  readonly fixturesRoot?: string;
  readonly cacheRoot?: string;
  readonly log?: (line: string) => void;
}

/**
 * Writes the manifest of a run just trained into the cache (under its lock), so that it is checked like a
 * fixture whenever it is used again.
 */
function recordCachedRun(dir: string): void {
  const lock = acquireRunLock(dir, 'grokdiff: manifest of a cached run');
  try {
    writeManifest(dir);
  } finally {
    lock.release();
  }
}

/** Finds (or trains) the run of a preset and seed. Never throws for a missing or refused run: returns the reason. */
export async function provideRun(preset: string, seed: number, options: ProvideOptions = {}): Promise<Provision> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const fixture = fixtureRunDir(preset, seed, options.fixturesRoot);
  const cache = fixtureRunDir(preset, seed, options.cacheRoot ?? CACHE_RUNS_DIR);
  const absent = (status: AbsentStatus, reason: string): Provision => ({ ok: false, status, preset, seed, reason });
  try {
    if (existsSync(fixture)) {
      const run = readRunDir(fixture, preset, seed, 'fixture');
      log(`grokdiff: ${preset} seed ${seed}: loaded the committed fixture ${fixture}`);
      return { ok: true, run };
    }
    // A cached run without its manifest is one whose training did not finish here: resumed when training is allowed, else refused.
    if (existsSync(join(cache, 'latest.json')) && (hasManifest(cache) || !(options.allowTraining ?? environment().trainMissing))) {
      const run = readRunDir(cache, preset, seed, 'cache');
      log(`grokdiff: ${preset} seed ${seed}: loaded the cached run ${cache}`);
      return { ok: true, run };
    }
  } catch (err) {
    if (err instanceof GrokdiffError) return absent('refused', err.message);
    throw err;
  }
  const allow = options.allowTraining ?? environment().trainMissing;
  if (!allow) {
    return absent(
      'missing',
      `no checkpoint for preset "${preset}" seed ${seed} (looked in ${fixture} and ${cache}); train it with: ${retrainCommand(preset, seed)}, or set GROKDIFF_TRAIN_MISSING=1`,
    );
  }
  log(`grokdiff: ${preset} seed ${seed}: no fixture or cache, training into ${cache}`);
  try {
    await trainRun({
      evaluator: generationEvaluator,
      config: applyOverrides(getPreset(preset), [], { seed }),
      outDir: cache,
      resume: existsSync(join(cache, 'latest.json')),
    });
    recordCachedRun(cache);
    return { ok: true, run: { ...readRunDir(cache, preset, seed, 'cache'), source: 'trained' } };
  } catch (err) {
    if (err instanceof GrokdiffError) return absent('failed', `training ${preset} seed ${seed} failed: ${err.message}`);
    throw err;
  }
}
