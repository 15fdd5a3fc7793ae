// The replication report (issue #6): after a claims run, reads every claim record (reports/claims/*.json,
// checked against the record format: claims/record-format.ts) and writes reports/claims.json (all records, each
// with its `knownDeviation`: false, or the declared reason and the registry entry it rests on), one SVG badge
// per claim (badge-maker: replicated green with the key number, not replicated red, not evaluated grey; the
// label names the claim and its kind, `paper` or `reviewer-requested`) and reports/REPORT.md, whose text is
// generated from the records (report-text.ts: summary table, known deviations, verdict provenance, thresholds,
// captioned figures: learning curves, each claim's own report section, generated samples). The report names no
// claim and reads no measurement itself.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { makeBadge } from 'badge-maker';
import type { ClaimRecord, Outcome } from '../claims/contract.ts';
import { parseRecord } from '../claims/record-format.ts';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic-write.ts';
import { claimKind, reportMarkdown, summaryTable, withDeviation, type ReportRun, type SampleFigure } from './report-text.ts';

export { claimKind, summaryTable, type ReportRun, type SampleFigure };

const COLOURS: Record<Outcome, string> = { replicated: 'brightgreen', 'not-replicated': 'red', 'not-evaluated': 'lightgrey' };

/**
 * The records under `dir`, by file name, each checked against the record format (a ClaimError 'record-shape'
 * names the file and the field otherwise, e.g. a record written by another grokdiff version: re-run its claim).
 */
export function readRecords(dir: string): ClaimRecord[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => parseRecord(JSON.parse(readFileSync(join(dir, f), 'utf8')), join(dir, f)));
}

export function badgeSvg(rec: ClaimRecord): string {
  const o = rec.verdict.outcome;
  const message =
    o === 'replicated'
      ? `replicated${rec.verdict.keyNumber ? ` · ${rec.verdict.keyNumber}` : ''}`
      : o === 'not-replicated'
        ? `not replicated${rec.verdict.keyNumber ? ` · ${rec.verdict.keyNumber}` : ''}`
        : 'not evaluated';
  return makeBadge({ label: `${rec.id} (${claimKind(rec)})`, message, color: COLOURS[o] });
}

/** What claims.json holds: when it was written and every record, each with its known deviation. */
export function claimsJson(records: readonly ClaimRecord[], createdAt = new Date().toISOString()): { createdAt: string; claims: ClaimRecord[] } {
  return { createdAt, claims: records.map(withDeviation) };
}

/** Writes claims.json, the badges and REPORT.md (figures drawn under plots/) from the records under outDir/claims; returns the records and the summary table. */
export async function writeClaimsReport(
  outDir: string,
  runs: readonly ReportRun[] = [],
  samples: readonly SampleFigure[] = [],
): Promise<{ records: ClaimRecord[]; table: string }> {
  const records = readRecords(join(outDir, 'claims')).map(withDeviation);
  writeJsonAtomic(join(outDir, 'claims.json'), claimsJson(records));
  mkdirSync(join(outDir, 'badges'), { recursive: true });
  for (const r of records) writeFileAtomic(join(outDir, 'badges', `${r.id}.svg`), badgeSvg(r));
  const { markdown, figures } = reportMarkdown(records, { runs, samples, where: (id) => join(outDir, 'claims', `${id}.json`) });
  const plotDir = join(outDir, 'plots');
  mkdirSync(plotDir, { recursive: true });
  for (const f of figures) writeFileAtomic(join(plotDir, f.file), (await f.draw()).png);
  writeFileAtomic(join(outDir, 'REPORT.md'), markdown);
  removeStalePlots(outDir, new Set([...figures.map((f) => f.file), ...samples.map((f) => basename(f.path))]));
  return { records, table: summaryTable(records) };
}

/** Removes PNGs under outDir/plots that the report no longer links (`linked`: file names), e.g. figures of models a claim no longer uses. */
function removeStalePlots(outDir: string, linked: ReadonlySet<string>): void {
  const plotDir = join(outDir, 'plots');
  if (!existsSync(plotDir)) return;
  for (const name of readdirSync(plotDir)) if (name.endsWith('.png') && !linked.has(name)) rmSync(join(plotDir, name));
}

export function reportPathFor(outDir: string, cwd = process.cwd()): string {
  return relative(cwd, join(outDir, 'REPORT.md'));
}
