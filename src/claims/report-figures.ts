// The replication report as `grokdiff replicate` and the claims' global teardown both write it: the claim
// records already saved under <outDir>/claims, plus what needs the models — learning curves from the
// fixture runs' metrics and a generated-sample grid per run (held-out pairs) under <outDir>/plots.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../train/atomic-write.ts';
import { writeClaimsReport, type ExtraFigure } from '../report/claims-report.ts';
import type { ClaimRecord } from './contract.ts';
import { sampleGridPng } from '../report/sample-grid.ts';
import type { ProvidedRun } from './provider.ts';
import { CLAIM_SEEDS, openRun, provideAll, sharedPool, SINGLE_IMAGE_PRESET } from './setup.ts';
import { runLossReferences } from '../train/loss-references.ts';
import { runDataFromSeed } from '../train/run-data.ts';

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

/** Writes claims.json, badges and REPORT.md (with curves and samples when the fixture runs are there). */
export async function writeReplicationReport(outDir: string): Promise<{ records: ClaimRecord[]; table: string }> {
  const provided = await provideAll(SINGLE_IMAGE_PRESET, CLAIM_SEEDS);
  const runs = provided.ok
    ? provided.runs.map((r) => ({
        seed: r.seed,
        metrics: r.metrics,
        lossReferences: runLossReferences(runDataFromSeed(r.config, sharedPool(r.config.data.dataset))),
      }))
    : [];
  const figures = provided.ok ? writeSampleFigures(outDir, provided.runs) : [];
  return writeClaimsReport(outDir, runs, figures);
}
