// Vitest global setup: after the test run, if any claim spec wrote a record, aggregate the records into
// reports/claims.json, the badges and reports/REPORT.md (the same report `grokdiff replicate` writes).
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export default function setup(): () => Promise<void> {
  return async () => {
    const { REPORTS_DIR } = await import('../src/claims/setup.ts');
    if (!existsSync(join(REPORTS_DIR, 'claims'))) return;
    const { writeClaimsReport } = await import('../src/report/claims-report.ts');
    const { provideAll, CLAIM_SEEDS, SINGLE_IMAGE_PRESET } = await import('../src/claims/setup.ts');
    const provided = await provideAll(SINGLE_IMAGE_PRESET, CLAIM_SEEDS);
    const runs = provided.ok ? provided.runs.map((r) => ({ seed: r.seed, metrics: r.metrics })) : [];
    let figures: Awaited<ReturnType<typeof import('../src/claims/report-figures.ts')['writeSampleFigures']>> = [];
    if (provided.ok) {
      const { initBackend } = await import('../src/engine/backend.ts');
      await initBackend(undefined, { log: () => {} });
      figures = (await import('../src/claims/report-figures.ts')).writeSampleFigures(REPORTS_DIR, provided.runs);
    }
    const { table } = await writeClaimsReport(REPORTS_DIR, runs, figures);
    process.stdout.write(`\nclaims report: ${join(REPORTS_DIR, 'REPORT.md')}\n${table}\n`);
  };
}
