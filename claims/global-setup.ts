// Vitest global setup of the claims project: a folder where the run's claim processes share the grok statuses
// they measure (provided to the specs as `grokStatusDir`, removed after the run); and after the run, if a claim
// spec wrote a record, the records aggregated into reports/claims.json, the badges and reports/REPORT.md (the
// same report `grokdiff replicate` writes). A run of unit tests alone leaves the report as it was.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The claims run's shared grok-status folder (GROKDIFF_GROK_STATUS_DIR of the claim processes). */
    grokStatusDir: string;
  }
}

/** Whether any file in `dir` was modified at or after `sinceMs`. */
function writtenSince(dir: string, sinceMs: number): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some((name) => statSync(join(dir, name)).mtimeMs >= sinceMs);
}

export default function setup(project: TestProject): () => Promise<void> {
  // File times can be coarser than Date.now(): allow a second of slack.
  const started = Date.now() - 1000;
  const grokStatusDir = mkdtempSync(join(tmpdir(), 'grokdiff-grok-status-'));
  project.provide('grokStatusDir', grokStatusDir);
  return async () => {
    rmSync(grokStatusDir, { recursive: true, force: true });
    const reports = (await import('../src/claims/setup.ts')).reportsDir();
    if (!writtenSince(join(reports, 'claims'), started)) return;
    const { initBackend } = await import('../src/engine/backend.ts');
    await initBackend(undefined, { log: () => {} });
    const { table } = await (await import('../src/report/replication-report.ts')).writeReplicationReport(reports);
    process.stdout.write(`\nclaims report: ${join(reports, 'REPORT.md')}\n${table}\n`);
  };
}
