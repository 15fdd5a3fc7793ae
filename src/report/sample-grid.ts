// Generated-image grids for the report and `grokdiff sample` (paper Figures 1 and 8 style): one row per
// generated example — image of a, image of b, the image drawn for c (K = PAPER.samplingSteps Euler steps from
// noise in the report) — labelled "a + b → drew d: right/wrong" with the symbol the run's classifier reads in
// the drawn image, each cell at least 64 pixels wide (issue 29), so a reader sees what "accuracy" means.

import { rootRng } from '../engine/random.ts';
import type { Pair } from '../data/pairs.ts';
import { generateForPairs, scoreGenerated } from '../eval/generation.ts';
import { PAPER } from '../paper/registry.ts';
import type { LoadedRun } from '../eval/loaded-run.ts';
import { labelledImageGridPng } from '../plot/plot.ts';

/** A row's label: the pair, the symbol read in the drawn image, and whether it is a + b mod P. */
export function sampleLabel(p: Pair, read: number): string {
  return `${p.a} + ${p.b} → drew ${read}: ${read === p.c ? 'right' : `wrong (a + b = ${p.c})`}`;
}

/**
 * PNG with one labelled row per generated example: image of a, image of b (the first image of each symbol),
 * the drawn image of c. `generated` holds pairs.length × draws images, example i = pair ⌊i/draws⌋; `read` the
 * class the classifier reads in each.
 */
export function samplesToGridPng(run: LoadedRun, pairs: readonly Pair[], draws: number, generated: Float32Array, read: ArrayLike<number>): Uint8Array {
  const px = run.data.pixels;
  const N = run.data.symbols.N;
  const imgs = run.data.symbols.images;
  const rows = Array.from({ length: pairs.length * draws }, (_, i) => {
    const p = pairs[Math.floor(i / draws)];
    return {
      label: sampleLabel(p, read[i]),
      good: read[i] === p.c,
      images: [imgs.slice(p.a * N * px, (p.a * N + 1) * px), imgs.slice(p.b * N * px, (p.b * N + 1) * px), generated.slice(i * px, (i + 1) * px)],
    };
  });
  return labelledImageGridPng(rows, run.model.imageSide, { columnTitles: ['a', 'b', 'drawn c'] });
}

/** Samples `pairs` (one draw each, K = PAPER.samplingSteps), reads them with the run's classifier and returns the labelled grid PNG. */
export function sampleGridPng(run: LoadedRun, pairs: readonly Pair[], seed = 0): Uint8Array {
  const gen = generateForPairs(run.model, run.params, run.data.symbols, pairs, {
    draws: 1,
    steps: PAPER.samplingSteps.value,
    rng: rootRng(seed).fork('report-samples'),
  });
  return samplesToGridPng(run, pairs, 1, gen.images, scoreGenerated(gen, run.classifier).predictions);
}
