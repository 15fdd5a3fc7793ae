// Figures of the claims report that need the models (not only the claim records): a generated-sample grid
// per fixture run (held-out pairs), written under <outDir>/plots. Used by `grokdiff replicate` and the
// claims' global teardown.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../train/atomic-write.ts';
import type { ExtraFigure } from '../report/claims-report.ts';
import { sampleGridPng } from '../report/sample-grid.ts';
import type { ProvidedRun } from './provider.ts';
import { openRun } from './setup.ts';

export const SAMPLE_PAIRS = 8;

export function writeSampleFigures(outDir: string, runs: readonly ProvidedRun[]): ExtraFigure[] {
  mkdirSync(join(outDir, 'plots'), { recursive: true });
  return runs.map((r) => {
    const run = openRun(r);
    try {
      const path = join('plots', `samples-seed-${r.seed}.png`);
      writeFileAtomic(join(outDir, path), sampleGridPng(run, run.data.heldout.slice(0, SAMPLE_PAIRS)));
      return { caption: `${r.preset} seed ${r.seed} (step ${run.step}): held-out pairs, columns a | b | generated c`, path };
    } finally {
      run.dispose();
    }
  });
}
