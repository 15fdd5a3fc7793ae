// Vitest global setup: after the test run, if any claim spec wrote a record, aggregate the records into
// reports/claims.json, the badges and reports/REPORT.md (the same report `grokdiff replicate` writes).
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export default function setup(): () => Promise<void> {
  return async () => {
    const { REPORTS_DIR } = await import('../src/claims/setup.ts');
    if (!existsSync(join(REPORTS_DIR, 'claims'))) return;
    const { initBackend } = await import('../src/engine/backend.ts');
    await initBackend(undefined, { log: () => {} });
    const { table } = await (await import('../src/claims/report-figures.ts')).writeReplicationReport(REPORTS_DIR);
    process.stdout.write(`\nclaims report: ${join(REPORTS_DIR, 'REPORT.md')}\n${table}\n`);
  };
}
