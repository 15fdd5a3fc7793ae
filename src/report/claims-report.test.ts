// Tests of the replication report writer (claims-report.ts): it writes REPORT.md, claims.json and a badge per
// record, keeps the figures it links, and removes stale plots that no claim links any more; a registered
// claim's record gets that claim's section (read through the claim's decoders), and a record whose measurement
// does not have its claim's shape is refused with a ClaimError naming the file and the field.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/synthetic-data.ts';
import type { ClaimRecord } from '../claims/contract.ts';
import { ClaimError } from '../errors.ts';
import { writeClaimsReport } from './claims-report.ts';

function record(id: string, kind: ClaimRecord['kind'] = 'paper'): ClaimRecord {
  return {
    id,
    kind,
    title: `claim ${id}`,
    statement: 'a statement',
    where: 'Sec. 0',
    thresholds: [],
    verdict: { outcome: 'not-replicated', summary: 'measured 1 %', keyNumber: '1 %' },
    measurement: null,
    control: { description: 'untrained', verdict: { outcome: 'not-replicated', summary: 'x' }, measurement: null },
    models: [],
    createdAt: '2026-11-25T00:00:00.000Z',
  };
}

describe('claims report', () => {
  it("shows each claim's kind on its badge, in the summary table and in the report", async () => {
    const tmp = tempDir('grokdiff-report-');
    try {
      const out = tmp.dir;
      mkdirSync(join(out, 'claims'), { recursive: true });
      writeFileSync(join(out, 'claims', 'a-paper-claim.json'), JSON.stringify(record('a-paper-claim')));
      writeFileSync(join(out, 'claims', 'an-asked-claim.json'), JSON.stringify(record('an-asked-claim', 'reviewer-requested')));
      const { table } = await writeClaimsReport(out);
      expect(readFileSync(join(out, 'badges', 'a-paper-claim.svg'), 'utf8')).toContain('a-paper-claim (paper)');
      expect(readFileSync(join(out, 'badges', 'an-asked-claim.svg'), 'utf8')).toContain('an-asked-claim (reviewer-requested)');
      expect(table).toMatch(/an-asked-claim\s+reviewer-requested/);
      const md = readFileSync(join(out, 'REPORT.md'), 'utf8');
      expect(md).toContain('| claim a-paper-claim | paper | Sec. 0 |');
      expect(md).toContain('| claim an-asked-claim | reviewer-requested | Sec. 0 |');
    } finally {
      tmp.cleanup();
    }
  });

  it('writes the report and badges, keeps linked figures and removes stale plots', async () => {
    const tmp = tempDir('grokdiff-report-');
    try {
      const out = tmp.dir;
      mkdirSync(join(out, 'claims'), { recursive: true });
      writeFileSync(join(out, 'claims', 'some-claim.json'), JSON.stringify(record('some-claim')));
      mkdirSync(join(out, 'plots'), { recursive: true });
      writeFileSync(join(out, 'plots', 'stale-figure.png'), 'old');
      writeFileSync(join(out, 'plots', 'samples-seed-1.png'), 'kept');
      writeFileSync(join(out, 'plots', 'notes.txt'), 'not a figure');
      const { records, table } = await writeClaimsReport(out, [], [{ preset: 'cpu-n1', seed: 1, step: 8000, path: join('plots', 'samples-seed-1.png') }]);
      expect(records.map((r) => r.id)).toEqual(['some-claim']);
      expect(table).toContain('some-claim');
      const md = readFileSync(join(out, 'REPORT.md'), 'utf8');
      expect(md).toContain('| claim some-claim | paper | Sec. 0 | **not-replicated** | measured 1 % |');
      expect(existsSync(join(out, 'badges', 'some-claim.svg'))).toBe(true);
      expect(existsSync(join(out, 'plots', 'stale-figure.png'))).toBe(false);
      expect(readFileSync(join(out, 'plots', 'samples-seed-1.png'), 'utf8')).toBe('kept');
      expect(existsSync(join(out, 'plots', 'notes.txt'))).toBe(true);
    } finally {
      tmp.cleanup();
    }
  });

  it("draws a registered claim's section from its record, and refuses a measurement of another shape", async () => {
    // A measured seed (the committed fixtures have none: no seed grokked, so no readings were measured).
    const acc = (correct: number) => ({ correct, total: 1058, accuracy: correct / 1058, interval: [0.9, 0.99] });
    const reading = (name: string) => ({
      reading: name,
      removeKey: acc(20),
      removeNonKey: acc(1000),
      keepKeyOnly: acc(990),
      keptFraction: 0.95,
      ...(name === 'sum-direction' ? { removeEveryNonKey: acc(1000) } : {}),
      pass: true,
    });
    const measurement = [
      {
        seed: 1,
        step: 8000,
        keySet: [1, 3],
        nonKeySet: [2, 5],
        baseline: acc(1040),
        grid: reading('grid'),
        sumDirection: reading('sum-direction'),
        judgedReading: 'sum-direction',
        pass: true,
      },
    ];
    const tmp = tempDir('grokdiff-report-');
    try {
      const out = tmp.dir;
      mkdirSync(join(out, 'claims'), { recursive: true });
      const file = join(out, 'claims', 'ablation.json');
      writeFileSync(file, JSON.stringify({ ...record('ablation', 'reviewer-requested'), measurement }));
      await writeClaimsReport(out);
      const md = readFileSync(join(out, 'REPORT.md'), 'utf8');
      expect(md).toContain('The verdict uses the **sum-direction** reading.');
      expect(md).toMatch(/\| 1 \| \{[\d, ]+\} \| \{[\d, ]+\} \| [\d.]+ % \| sum-direction \(judged\) \|/);
      expect(md).toContain('![ablation](plots/ablation.png)');
      expect(existsSync(join(out, 'plots', 'ablation.png'))).toBe(true);

      const renamed = (measurement as Array<Record<string, unknown>>).map(({ baseline, ...rest }) => ({ ...rest, unablated: baseline }));
      writeFileSync(file, JSON.stringify({ ...record('ablation', 'reviewer-requested'), measurement: renamed }));
      const err = await writeClaimsReport(out).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClaimError);
      expect((err as ClaimError).code).toBe('record-shape');
      expect((err as ClaimError).message).toBe(`${file}: measurement[0].baseline: expected an object, found nothing (the field is missing)`);
    } finally {
      tmp.cleanup();
    }
  });
});
