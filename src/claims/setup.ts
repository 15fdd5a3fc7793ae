// What the single-image (N = 1) claims run on: the preset and seeds of the committed fixture runs, the
// statistics settings, and a per-process cache of loaded checkpoints (loading rebuilds the symbol set, so
// claims that share a model share the load).

import { loadRun, openInitialWeights, type LoadedRun } from '../eval/loaded-run.ts';
import { describeAbsent, provideRun, REPO_ROOT, type Provision, type ProvidedRun } from './provider.ts';
import { join } from 'node:path';
import type { EmnistPool } from '../data/pool.ts';
import { loadDatasetPool, type DatasetName } from '../data/dataset-pool.ts';
import { environment } from '../config/environment.ts';
import { importedTrainPairs } from '../train/imported-run.ts';

/** The paper-width N = 1 preset: its verdict is the claim's (issue 14). */
export const PAPER_WIDTH_PRESET = 'paper-n1';
/** The reduced (CPU-width) N = 1 preset, judged and reported beside the paper-width verdict. */
export const SINGLE_IMAGE_PRESET = 'cpu-n1';
/** The reduced preset under the unordered pair split (a pair and its mirror on the same side). */
export const UNORDERED_SPLIT_PRESET = 'cpu-n1-unordered';
/** The seeds of the N = 1 claims (three seeds, each a committed fixture). */
export const CLAIM_SEEDS: readonly number[] = [1, 2, 3];
/** Where the claims tests write claim records, badges and the report (GROKDIFF_REPORTS_DIR, else reports/). */
export function reportsDir(): string {
  return environment().reportsDir ?? join(REPO_ROOT, 'reports');
}
/** Seed of the statistics (bootstrap resampling, random non-key frequency choice). */
export const STATS_SEED = 20260417;
/** Noise seed of the shared noise image of the grid analyses. */
export const GRID_NOISE_SEED = 7;

const pools = new Map<DatasetName, EmnistPool>();
/** The image pool of a data set, loaded once per process (K49 only when its files are given). */
export function sharedPool(dataset: DatasetName = 'emnist'): EmnistPool {
  let pool = pools.get(dataset);
  if (!pool) {
    pool = loadDatasetPool(dataset);
    pools.set(dataset, pool);
  }
  return pool;
}

const provisions = new Map<string, Promise<Provision>>();
/** The fixture (or cached) run of a preset and seed, provided once per process. */
export function provide(preset: string, seed: number): Promise<Provision> {
  const key = `${preset}/${seed}`;
  let p = provisions.get(key);
  if (!p) {
    p = provideRun(preset, seed);
    provisions.set(key, p);
  }
  return p;
}

/** Provides every seed; the first failure's reason when any is missing. */
export async function provideAll(preset: string, seeds: readonly number[]): Promise<{ ok: true; runs: ProvidedRun[] } | { ok: false; reason: string }> {
  const runs: ProvidedRun[] = [];
  for (const seed of seeds) {
    const p = await provide(preset, seed);
    if (!p.ok) return { ok: false, reason: describeAbsent(p) };
    runs.push(p.run);
  }
  return { ok: true, runs };
}

/** Loads a checkpoint of a provided run (the final one by default). The caller disposes it. */
export function openRun(run: ProvidedRun, step?: number): LoadedRun {
  return loadRun(run.dir, { pool: sharedPool(run.config.data.dataset), expect: { preset: run.preset }, ...(step !== undefined ? { step } : {}) });
}

/**
 * The untrained model of a provided run (negative control): initial weights of its config and seed, same data
 * (an imported run's own training pairs included). For a fixture this is the preset's config with the seed.
 */
export function untrainedRun(run: ProvidedRun): LoadedRun {
  return openInitialWeights(run.config, sharedPool(run.config.data.dataset), importedTrainPairs(run.dir, run.config.data.P));
}
