// Vitest global setup: after the test run, if a claim spec of this run wrote a record, aggregate the records
// into reports/claims.json, the badges and reports/REPORT.md (the same report `grokdiff replicate` writes).
// A run of unit tests alone leaves the report as it was.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Whether any file in `dir` was modified at or after `sinceMs`. */
function writtenSince(dir: string, sinceMs: number): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some((name) => statSync(join(dir, name)).mtimeMs >= sinceMs);
}

export default function setup(): () => Promise<void> {
  // File times can be coarser than Date.now(): allow a second of slack.
  const started = Date.now() - 1000;
  return async () => {
    const reports = (await import('../src/claims/setup.ts')).reportsDir();
    if (!writtenSince(join(reports, 'claims'), started)) return;
    const { initBackend } = await import('../src/engine/backend.ts');
    await initBackend(undefined, { log: () => {} });
    const { table } = await (await import('../src/report/replication-report.ts')).writeReplicationReport(reports);
    process.stdout.write(`\nclaims report: ${join(reports, 'REPORT.md')}\n${table}\n`);
  };
}
