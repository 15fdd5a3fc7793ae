// The replication report as `grokdiff replicate` and the claims' global teardown both write it: the claim
// records already saved under <outDir>/claims, plus what needs the models — learning curves from the N = 1
// fixture runs' metrics (the paper-width tier of the verdicts and the reduced tier) and a labelled
// generated-sample grid per run (held-out pairs) under <outDir>/plots; every figure is captioned with its tier,
// preset, seed and step (report-text.ts).

import { mkdirSync } from 'node:fs';
import { GrokdiffError } from '../errors.ts';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { writeClaimsReport, type ReportRun, type SampleFigure } from './claims-report.ts';
import type { ClaimRecord } from '../claims/contract.ts';
import { sampleGridPng } from './sample-grid.ts';
import type { ProvidedRun } from '../claims/provider.ts';
import { CLAIM_SEEDS, openRun, PAPER_WIDTH_PRESET, provideAll, sharedPool, SINGLE_IMAGE_PRESET } from '../claims/setup.ts';
import { runLossReferences } from '../train/loss-references.ts';
import { runDataFromSeed } from '../train/run-data.ts';

export const SAMPLE_PAIRS = 8;

/** One labelled sample grid per run; a run whose checkpoint cannot be loaded (a typed error) gets none, with the reason logged. */
export function writeSampleFigures(
  outDir: string,
  runs: readonly ProvidedRun[],
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  fileName: (run: ProvidedRun, index: number) => string = (r) => `samples-${r.preset}-seed-${r.seed}.png`,
): SampleFigure[] {
  mkdirSync(join(outDir, 'plots'), { recursive: true });
  return runs.flatMap((r, index) => {
    let run: ReturnType<typeof openRun>;
    try {
      run = openRun(r);
    } catch (err) {
      if (!(err instanceof GrokdiffError)) throw err;
      log(`grokdiff: no sample figure for ${r.preset} seed ${r.seed}: ${err.message}`);
      return [];
    }
    try {
      const path = join('plots', fileName(r, index));
      writeFileAtomic(join(outDir, path), sampleGridPng(run, run.data.heldout.slice(0, SAMPLE_PAIRS)));
      return { preset: r.preset, seed: r.seed, step: run.step, path };
    } finally {
      run.dispose();
    }
  });
}

/** The learning curves of runs that have a training log, with their loss references. */
function reportRuns(runs: readonly ProvidedRun[]): ReportRun[] {
  return runs
    .filter((r) => r.metrics.length > 0)
    .map((r) => ({
      preset: r.preset,
      seed: r.seed,
      metrics: r.metrics,
      lossReferences: runLossReferences(runDataFromSeed(r.config, sharedPool(r.config.data.dataset))),
    }));
}

/**
 * Writes claims.json, badges and REPORT.md (with curves and samples of the N = 1 fixture runs of both tiers
 * that are there). With `given` (replicate --run), the samples are drawn from the given runs instead, and the
 * curves from their training logs (an imported run has none).
 */
export async function writeReplicationReport(outDir: string, given?: readonly ProvidedRun[]): Promise<{ records: ClaimRecord[]; table: string }> {
  if (given) {
    const figures = writeSampleFigures(outDir, given, undefined, (r, i) => `samples-${r.source}-${i + 1}-seed-${r.seed}.png`);
    return writeClaimsReport(outDir, reportRuns(given), figures);
  }
  const runs: ProvidedRun[] = [];
  for (const preset of [PAPER_WIDTH_PRESET, SINGLE_IMAGE_PRESET]) {
    const provided = await provideAll(preset, CLAIM_SEEDS);
    if (provided.ok) runs.push(...provided.runs);
  }
  return writeClaimsReport(outDir, reportRuns(runs), writeSampleFigures(outDir, runs));
}
