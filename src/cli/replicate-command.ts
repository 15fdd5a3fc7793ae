// `grokdiff replicate`: the main job. Uses the committed fixture models (or the local cache, or trains them
// with --train), evaluates every claim with its negative control, writes reports/claims.json, one badge per
// claim and reports/REPORT.md, prints a summary table, and exits non-zero only when a claim that was
// evaluated is not replicated or a negative control was not rejected (a check that cannot fail is a defect).
// "Not evaluated" claims (missing models) do not fail the run.

import { Command } from 'commander';
import { resolve } from 'node:path';
import { CLAIMS, saveRecord } from '../claims/catalog.ts';
import { KNOWN_DEVIATIONS } from '../claims/deviations.ts';
import { writeReplicationReport } from '../claims/report-figures.ts';
import { setupBackend } from './backend-option.ts';
import { k49DirOption } from './common.ts';

export function replicateCommand(): Command {
  return new Command('replicate')
    .description('evaluate every paper claim on the fixture models (or train them with --train); write the report and badges')
    .option('--train', 'train the models that have no fixture or cached run (slow on CPU)')
    .option('--only <ids>', 'comma-separated claim ids to run')
    .option('--out <dir>', 'report directory', 'reports')
    .option('--k49 <dir>', 'folder with the official Kuzushiji-49 files: evaluates the K49 study (otherwise "not evaluated")', k49DirOption)
    .action(async (opts: { train?: boolean; only?: string; out: string; k49?: string }, command: Command) => {
      const backend = await setupBackend(command);
      if (opts.train) process.env.GROKDIFF_TRAIN_MISSING = '1';
      const outDir = resolve(opts.out);
      process.env.GROKDIFF_REPORTS_DIR = outDir;
      const only = opts.only?.split(',').map((s) => s.trim());
      const t0 = performance.now();
      for (const entry of CLAIMS) {
        if (only && !only.includes(entry.declaration.id)) continue;
        const t = performance.now();
        const rec = await entry.evaluate();
        saveRecord(rec, resolve(outDir, 'claims'));
        process.stderr.write(`${entry.declaration.id}: ${rec.verdict.outcome} (${((performance.now() - t) / 1000).toFixed(1)} s) — ${rec.verdict.summary}\n`);
      }
      const { records, table } = await writeReplicationReport(outDir);
      console.log(table);
      console.log(`\nbackend ${backend}; ${((performance.now() - t0) / 1000).toFixed(0)} s; report: ${resolve(outDir, 'REPORT.md')}; badges: ${resolve(outDir, 'badges')}`);
      const failed = records.filter((r) => r.verdict.outcome === 'not-replicated' || r.control?.verdict.outcome === 'replicated');
      if (failed.length > 0) {
        const known = failed.filter((r) => KNOWN_DEVIATIONS[r.id] && r.control?.verdict.outcome !== 'replicated').map((r) => r.id);
        console.log(`not replicated (or negative control not rejected): ${failed.map((r) => r.id).join(', ')}`);
        if (known.length > 0) console.log(`declared known deviations (reasons in REPORT.md and src/claims/deviations.ts): ${known.join(', ')}`);
        process.exitCode = 1;
      }
    });
}
