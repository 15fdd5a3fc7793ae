// `grokdiff replicate`: the main job. Uses the committed fixture models (or the local cache, or trains them
// with --train), evaluates every claim with its negative control, writes reports/claims.json, one badge per
// claim and reports/REPORT.md, prints a summary table, and exits non-zero only when a claim that was
// evaluated is not replicated or a negative control was not rejected (a check that cannot fail is a defect).
// "Not evaluated" claims (missing or refused models) do not fail the run, and the rest of the report is written.
// With --fail-on new, a claim whose non-replication its module declares (knownDeviation, also in claims.json)
// does not fail the run either: only new failures and negative controls that were not rejected do (CI).
// While a claim is evaluated, a progress line on stderr says which claim of how many, which model and phase,
// the time so far and an estimate of what is left (io/work-progress.ts; not for claims done within 10 s).
// With --run DIR (repeatable) the claims are judged on the given run folders instead of the fixtures (issue 30:
// models imported from PyTorch by `grokdiff import`), each claim on the runs of its family, with the same gates.
//
// The report is written into a temporary folder beside --out and swapped in whole at the end, so a report
// folder always belongs to one run: a run that stops half-way leaves the previous report as it was.

import { Command, Option } from 'commander';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CLAIMS, saveRecord } from '../claims/catalog.ts';
import { failureOf } from '../report/report-text.ts';
import { formatDuration, progressLines, withProgress } from '../io/work-progress.ts';
import { writeReplicationReport } from '../report/replication-report.ts';
import { overrideEnvironment } from '../config/environment.ts';
import { ConfigError } from '../errors.ts';
import { checkOutputFolder, makeOutputFolder } from '../train/run-folder.ts';
import { setupBackend } from './backend-option.ts';
import { collect, existingFolder, k49DirOption } from './common.ts';
import { readGivenRun } from '../claims/provider.ts';

/** The claim ids of `--only`, each checked against the catalog (ConfigError 'cli-only' otherwise). */
export function parseOnly(text: string, known: readonly string[] = CLAIMS.map((e) => e.declaration.id)): string[] {
  const ids = text.split(',').map((s) => s.trim());
  if (ids.some((id) => id === '')) throw new ConfigError('cli-only', `--only "${text}": give comma-separated claim ids (${known.join(', ')})`);
  const unknown = ids.filter((id) => !known.includes(id));
  if (unknown.length > 0)
    throw new ConfigError(
      'cli-only',
      `--only: unknown claim id${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}; claims: ${known.join(', ')}`,
    );
  return [...new Set(ids)];
}

/** Entries a report folder of ours holds; an --out with anything else is refused (it would be replaced). */
const REPORT_ENTRIES = new Set(['REPORT.md', 'claims.json', 'claims', 'badges', 'plots']);

/** Refuses an --out that exists and is not a report folder (replacing it would delete someone's files). */
export function checkReportFolder(outDir: string): void {
  checkOutputFolder(outDir);
  if (!existsSync(outDir)) return;
  const foreign = readdirSync(outDir).filter((n) => !n.startsWith('.') && !REPORT_ENTRIES.has(n));
  if (foreign.length > 0) {
    throw new ConfigError(
      'out-not-report',
      `--out ${outDir} is not a grokdiff report folder (it holds ${foreign.slice(0, 5).join(', ')}); it would be replaced, so nothing was written. Choose another --out`,
    );
  }
}

/** Puts the finished report folder `tmp` in place of `outDir`: the old one is moved aside, then removed. */
export function swapInReport(tmp: string, outDir: string): void {
  const old = join(dirname(outDir), `.${basename(outDir)}.old-${process.pid}-${randomBytes(4).toString('hex')}`);
  const hadOld = existsSync(outDir);
  if (hadOld) renameSync(outDir, old);
  try {
    renameSync(tmp, outDir);
  } catch (err) {
    if (hadOld) renameSync(old, outDir);
    throw new ConfigError('out-swap', `--out ${outDir}: could not move the new report in place (${(err as Error).message}); the previous report is unchanged`, {
      cause: err,
    });
  }
  if (hadOld) rmSync(old, { recursive: true, force: true });
}

export function replicateCommand(): Command {
  return new Command('replicate')
    .description('evaluate every paper claim on the fixture models (or train them with --train); write the report and badges')
    .option('--train', 'train the models that have no fixture or cached run (slow on CPU)')
    .option('--only <ids>', 'comma-separated claim ids to run')
    .option('--out <dir>', 'report directory (replaced as a whole when the run ends)', 'reports')
    .option('--k49 <dir>', 'folder with the official Kuzushiji-49 files: evaluates the K49 study (otherwise "not evaluated")', k49DirOption)
    .option(
      '--run <dir>',
      'judge the claims that apply on this run folder instead of the fixtures (grokdiff import writes one from a PyTorch model); repeat for several seeds',
      collect,
    )
    .addOption(
      new Option('--fail-on <which>', 'exit 1 on any failure, or only on new ones (a declared known deviation does not fail the run)')
        .choices(['any', 'new'])
        .default('any'),
    )
    .action(async (opts: { train?: boolean; only?: string; out: string; k49?: string; run?: string[]; failOn: 'any' | 'new' }, command: Command) => {
      const only = opts.only !== undefined ? parseOnly(opts.only) : undefined;
      const outDir = resolve(opts.out);
      checkReportFolder(outDir);
      if (opts.run && opts.train) throw new ConfigError('cli-run', '--run judges the given runs; --train (train missing fixtures) does not go with it');
      const given = opts.run?.map((dir) => readGivenRun(existingFolder('--run', dir)));
      const backend = await setupBackend(command);
      // --train stands for GROKDIFF_TRAIN_MISSING=1. The report goes to outDir through explicit arguments below
      // (saveRecord's dir, writeReplicationReport's folder), not through GROKDIFF_REPORTS_DIR.
      if (opts.train) overrideEnvironment({ trainMissing: true });
      makeOutputFolder(dirname(outDir), `--out ${opts.out}: folder`);
      const tmp = join(dirname(outDir), `.${basename(outDir)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
      makeOutputFolder(tmp, `--out ${opts.out}: temporary report folder`);
      const t0 = performance.now();
      try {
        const chosen = CLAIMS.filter((entry) => !only || only.includes(entry.declaration.id));
        for (const [i, entry] of chosen.entries()) {
          const progress = progressLines({ label: `claim ${i + 1}/${chosen.length} ${entry.declaration.id}` });
          const rec = await withProgress(progress, () => (given ? entry.evaluateOn(given) : entry.evaluate()));
          saveRecord(rec, join(tmp, 'claims'));
          process.stderr.write(
            `claim ${i + 1}/${chosen.length} ${entry.declaration.id}: ${rec.verdict.outcome} (${formatDuration(progress.elapsed())}; ${formatDuration((performance.now() - t0) / 1000)} in all) — ${rec.verdict.summary}\n`,
          );
        }
        const { records, table } = await withProgress(progressLines({ label: 'report' }), () => writeReplicationReport(tmp, given));
        swapInReport(tmp, outDir);
        console.log(table);
        console.log(
          `\nbackend ${backend}; ${((performance.now() - t0) / 1000).toFixed(0)} s; report: ${resolve(outDir, 'REPORT.md')}; badges: ${resolve(outDir, 'badges')}`,
        );
        const failed = records.map((r) => ({ id: r.id, ...failureOf(r) })).filter((f) => f.failed);
        if (failed.length > 0) {
          const known = failed.filter((f) => f.declared).map((f) => f.id);
          const fresh = failed.filter((f) => !f.declared).map((f) => f.id);
          console.log(`not replicated (or negative control not rejected): ${failed.map((f) => f.id).join(', ')}`);
          if (known.length > 0)
            console.log(`declared known deviations (knownDeviation in claims.json; reasons in REPORT.md and src/claims/defs/<id>.ts): ${known.join(', ')}`);
          if (fresh.length > 0) console.log(`new failures (no declared deviation): ${fresh.join(', ')}`);
          if (opts.failOn === 'any' || fresh.length > 0) process.exitCode = 1;
        }
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    });
}
