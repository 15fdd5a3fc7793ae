// Models for claims (issue #6): one function gives a claim spec its trained run for (preset, seed). It looks
// in fixtures/checkpoints/<preset>/seed-<n> (committed, trained by the project's own CLI), then in the local
// cache .cache/runs/<preset>/seed-<n>, and trains into the cache only when allowed (GROKDIFF_TRAIN_MISSING=1
// or `grokdiff replicate --train`). It says which happened. A fixture whose config no longer equals the
// preset's (a changed preset or model code) is refused with the exact command that retrains it. A fixture is
// content-addressed: every file is checked against its MANIFEST.sha256 first (train/fixture-manifest.ts), and a
// file that differs is refused naming it and the command that rebuilds it (the claim is then "not evaluated").
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
import { fixtureCommandsHint, verifyManifest } from '../train/fixture-manifest.ts';
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

export type Provision = { readonly ok: true; readonly run: ProvidedRun } | { readonly ok: false; readonly reason: string };

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
  if (source === 'fixture') verifyManifest(dir, { required: true, hint: (d) => fixtureCommandsHint(preset, seed, d) });
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
  const metrics = readMetrics(dir);
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

/** Finds (or trains) the run of a preset and seed. Never throws for a missing run: returns the reason. */
export async function provideRun(preset: string, seed: number, options: ProvideOptions = {}): Promise<Provision> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const fixture = fixtureRunDir(preset, seed, options.fixturesRoot);
  const cache = fixtureRunDir(preset, seed, options.cacheRoot ?? CACHE_RUNS_DIR);
  try {
    if (existsSync(fixture)) {
      const run = readRunDir(fixture, preset, seed, 'fixture');
      log(`grokdiff: ${preset} seed ${seed}: loaded the committed fixture ${fixture}`);
      return { ok: true, run };
    }
    if (existsSync(join(cache, 'latest.json'))) {
      const run = readRunDir(cache, preset, seed, 'cache');
      log(`grokdiff: ${preset} seed ${seed}: loaded the cached run ${cache}`);
      return { ok: true, run };
    }
  } catch (err) {
    if (err instanceof GrokdiffError) return { ok: false, reason: err.message };
    throw err;
  }
  const allow = options.allowTraining ?? environment().trainMissing;
  if (!allow) {
    return {
      ok: false,
      reason: `no checkpoint for preset "${preset}" seed ${seed} (looked in ${fixture} and ${cache}); train it with: ${retrainCommand(preset, seed)}, or set GROKDIFF_TRAIN_MISSING=1`,
    };
  }
  log(`grokdiff: ${preset} seed ${seed}: no fixture or cache, training into ${cache}`);
  try {
    await trainRun({
      evaluator: generationEvaluator,
      config: applyOverrides(getPreset(preset), [], { seed }),
      outDir: cache,
      resume: existsSync(join(cache, 'latest.json')),
    });
    return { ok: true, run: { ...readRunDir(cache, preset, seed, 'cache'), source: 'trained' } };
  } catch (err) {
    if (err instanceof GrokdiffError) return { ok: false, reason: `training ${preset} seed ${seed} failed: ${err.message}` };
    throw err;
  }
}
