// Generated-image grids for the report (paper Figures 1 and 8 style): for the first held-out pairs of a
// trained run, one row per pair — image of a, image of b, generated image of c (K = PAPER.samplingSteps
// Euler steps from noise) — so a reader sees what "accuracy" means.

import { rootRng } from '../engine/random.ts';
import type { Pair } from '../data/pairs.ts';
import { generateForPairs } from '../eval/generation.ts';
import { PAPER } from '../paper/registry.ts';
import type { LoadedRun } from '../eval/loaded-run.ts';
import { imageGridPng } from '../plot/plot.ts';

/**
 * PNG with one row per generated example: image of a, image of b (the first image of each symbol), the
 * generated image of c. `generated` holds pairs.length × draws images, example i = pair ⌊i/draws⌋.
 */
export function samplesToGridPng(run: LoadedRun, pairs: readonly Pair[], draws: number, generated: Float32Array): Uint8Array {
  const px = run.data.pixels;
  const N = run.data.symbols.N;
  const imgs = run.data.symbols.images;
  const count = pairs.length * draws;
  const grid = new Float32Array(count * 3 * px);
  for (let i = 0; i < count; i++) {
    const p = pairs[Math.floor(i / draws)];
    grid.set(imgs.subarray(p.a * N * px, (p.a * N + 1) * px), 3 * i * px);
    grid.set(imgs.subarray(p.b * N * px, (p.b * N + 1) * px), (3 * i + 1) * px);
    grid.set(generated.subarray(i * px, (i + 1) * px), (3 * i + 2) * px);
  }
  return imageGridPng(grid, count * 3, run.model.imageSide, { columns: 3, scale: 4 });
}

/** Samples `pairs` (one draw each, K = PAPER.samplingSteps) and returns the a | b | c grid PNG. */
export function sampleGridPng(run: LoadedRun, pairs: readonly Pair[], seed = 0): Uint8Array {
  const gen = generateForPairs(run.model, run.params, run.data.symbols, pairs, {
    draws: 1,
    steps: PAPER.samplingSteps.value,
    rng: rootRng(seed).fork('report-samples'),
  });
  return samplesToGridPng(run, pairs, 1, gen.images);
}
