// Tests of the report's generated text (report-text.ts, issue 29): REPORT.md rendered from records whose every
// number was altered (test-support/report-records.ts: the registered claims' golden measurements in records)
// changes every number it prints — a number typed by hand into a template stays the same and fails — and every
// number REPORT.md prints occurs in claims.json. Paper references (Figure 6, Table 3, Sec. 4.2, Appendix C.2,
// arXiv) and claim ids are not numbers of a run and are left out of both checks. Also: the control column
// says rejected / not rejected, the known deviations come from the records, figures are captioned with tier,
// preset, seed and step, and the terminal summary prints each claim's reason.

import { describe, expect, it } from 'vitest';
import { alterDigits, alterNumber, alterNumbers, goldenRecords, type Alteration } from '../../test-support/report-records.ts';
import { CLAIMS } from '../claims/catalog.ts';
import type { ClaimRecord } from '../claims/contract.ts';
import { claimsJson } from './claims-report.ts';
import { controlWord, failureOf, reportMarkdown, summaryTable, type ReportRun, type SampleFigure } from './report-text.ts';

/** References to the paper (and its arXiv id), to this project's issues, and claim ids: words of what a claim is, not numbers of a run. */
const REFERENCE =
  /\b(?:arXiv\s+\d+\.\d+|issues?\s+#?\d+|(?:Figures?|Tables?|Sec\.|Sections?|Appendix|Appendices|Eq\.)\s+[A-Z]?\d+(?:\.\d+)*[a-z]?(?:\s*[-–,]\s*[A-Z]?\d+(?:\.\d+)*[a-z]?)*)/g;

function stripReferences(text: string): string {
  let out = text.replace(REFERENCE, ' ');
  for (const id of CLAIMS.map((c) => c.declaration.id).filter((x) => /\d/.test(x))) out = out.split(id).join(' ');
  return out;
}

/** The numbers a line prints (1.2e-5 is one number), left of its references. */
const numbers = (line: string): string[] => stripReferences(line).match(/\d+(?:\.\d+)?(?:e[-+]?\d+)?/g) ?? [];

/**
 * The numbers of `original` that every one of the `altered` texts prints unchanged at the same place (line by
 * line; within a line by position when both print as many numbers, else any number the altered line also
 * prints), with their line.
 */
function unchangedNumbers(original: string, ...altered: string[]): string[] {
  const a = original.split('\n');
  const bs = altered.map((t) => t.split('\n'));
  for (const b of bs) if (a.length !== b.length) return [`the report has ${a.length} lines from the records and ${b.length} from altered records`];
  const found: string[] = [];
  a.forEach((line, i) => {
    const ta = numbers(line);
    const same = ta.map((t, j) =>
      bs.every((b) => {
        const tb = numbers(b[i]);
        return ta.length === tb.length ? t === tb[j] : tb.includes(t);
      }),
    );
    ta.forEach((t, j) => {
      if (same[j]) found.push(`${t} in line ${i + 1}: ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`);
    });
  });
  return found;
}

/** Every number in a JSON value: its numbers and the numbers inside its strings. */
function jsonNumbers(value: unknown, out: number[] = []): number[] {
  if (typeof value === 'number') out.push(value);
  else if (typeof value === 'string') for (const m of value.match(/\d+(?:\.\d+)?/g) ?? []) out.push(Number(m));
  else if (Array.isArray(value)) for (const v of value) jsonNumbers(v, out);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) jsonNumbers(v, out);
  return out;
}

/** The numbers of `markdown` that no number of `json` gives as printed (to its decimals, or as a percentage). */
function numbersNotIn(markdown: string, json: unknown): string[] {
  const values = jsonNumbers(json);
  const missing: string[] = [];
  markdown.split('\n').forEach((line, i) => {
    for (const t of numbers(line)) {
      const v = Number(t);
      const half = t.includes('e') ? Math.abs(v) * 0.05 : 0.5 * 10 ** -(t.split('.')[1]?.length ?? 0) + 1e-9;
      // Signs are printed apart (−, +, -), so the sizes are compared.
      if (!values.some((x) => Math.abs(Math.abs(x) - v) <= half || Math.abs(Math.abs(100 * x) - v) <= half))
        missing.push(`${t} in line ${i + 1}: ${line.slice(0, 200)}`);
    }
  });
  return missing;
}

/** Learning curves and sample grids of the paper-width models of the records (what replicate draws for the N = 1 tiers). */
function figuresOf(records: readonly ClaimRecord[]): { runs: ReportRun[]; samples: SampleFigure[] } {
  const tiered = records.find((r) => r.tiers && r.tiers.length > 1);
  const models = tiered?.tiers?.flatMap((t) => t.models) ?? [];
  return {
    runs: models.map((m) => ({
      preset: m.preset,
      seed: m.seed,
      metrics: [1, 2].map((k) => ({
        step: k * 100,
        loss: 0.1 / k,
        lr: 1e-3,
        trainAcc: 0.5 * k,
        trainInterval: [0.4, 0.6] as [number, number],
        heldoutAcc: 0.25 * k,
        heldoutInterval: [0.2, 0.3] as [number, number],
        wallSeconds: 10 * k,
      })),
    })),
    samples: models.map((m) => ({ preset: m.preset, seed: m.seed, step: m.step, path: `plots/samples-${m.preset}-seed-${m.seed}.png` })),
  };
}

/** The same figures for altered records: presets, seeds and steps altered as the records' are. */
function alteredFigures(f: { runs: ReportRun[]; samples: SampleFigure[] }, a: Alteration): { runs: ReportRun[]; samples: SampleFigure[] } {
  return {
    runs: f.runs.map((r) => ({ ...r, preset: alterDigits(r.preset, a), seed: alterNumber(r.seed, 0, a) })),
    samples: f.samples.map((s) => ({
      ...s,
      preset: alterDigits(s.preset, a),
      seed: alterNumber(s.seed, 0, a),
      step: alterNumber(s.step, 0, a),
      path: alterDigits(s.path, a),
    })),
  };
}

describe('the generated text of the report', () => {
  const records = goldenRecords();

  it('builds a record for every registered claim with a golden file', () => {
    expect(records.length).toBeGreaterThanOrEqual(10);
    expect(records.some((r) => r.tiers)).toBe(true);
  });

  it('prints every number from the records: with every number of the records altered, every number of REPORT.md changes', () => {
    const figures = figuresOf(records);
    const original = reportMarkdown(records, figures).markdown;
    const altered = ([1, 2] as const).map((a) => reportMarkdown(alterNumbers(records, a), alteredFigures(figures, a)).markdown);
    expect(numbers(original).length).toBeGreaterThan(500);
    expect(unchangedNumbers(original, ...altered), 'numbers in REPORT.md that do not come from the records (typed into a template?)').toEqual([]);
  });

  it('fails the check when a number is typed into the text by hand', () => {
    const sentence = 'The top key frequency is k = 2 in seed 1.';
    const typed = (text: string) => text.replace('## Verdict provenance', `## Verdict provenance\n\n${sentence}`);
    const found = unchangedNumbers(
      typed(reportMarkdown(records).markdown),
      typed(reportMarkdown(alterNumbers(records, 1)).markdown),
      typed(reportMarkdown(alterNumbers(records, 2)).markdown),
    );
    expect(found.filter((s) => s.endsWith(sentence)).map((s) => s.split(' in line')[0])).toEqual(['2', '1']);
    expect(numbersNotIn('a number 123456.789 nowhere in the records', claimsJson(records))).toHaveLength(1);
  });

  it('prints only numbers that occur in claims.json', () => {
    const figures = figuresOf(records);
    const md = reportMarkdown(records, figures).markdown;
    expect(numbersNotIn(md, claimsJson(records, '2026-12-01T12:00:00.000Z')), 'numbers in REPORT.md that claims.json does not hold').toEqual([]);
  });

  it('says rejected / not rejected for the negative controls, never the claim words', () => {
    const md = reportMarkdown(records).markdown;
    const controlColumn = md
      .split('\n')
      .filter((l) => l.startsWith('| ') && records.some((r) => l.startsWith(`| ${r.title} |`)))
      .map((l) => l.split(' | ').slice(5).join(' | '));
    expect(controlColumn.length).toBe(records.length);
    for (const c of controlColumn) expect(c).toMatch(/\*\*(rejected|not rejected|not evaluated)\*\*/);
    for (const c of controlColumn) expect(c).not.toMatch(/\*\*not-replicated\*\*|\*\*replicated\*\*/);
    expect(controlWord({ outcome: 'not-replicated', summary: '' })).toBe('rejected');
    expect(controlWord({ outcome: 'replicated', summary: '' })).toBe('not rejected');
  });

  it('gives each known deviation with its registry entry from the record, and each claim its reason in the terminal summary', () => {
    const md = reportMarkdown(records).markdown;
    const declared = records.filter((r) => r.knownDeviation);
    expect(declared.length).toBeGreaterThan(0);
    for (const r of declared) {
      const d = r.knownDeviation as { registryEntry: string };
      expect(md).toMatch(new RegExp(`- \\*\\*${r.id}\\*\\* \\(rests on \`${d.registryEntry}\``));
    }
    const table = summaryTable(records).split('\n');
    for (const r of records) {
      const line = table.find((l) => l.includes(` ${r.id} `));
      expect(line, r.id).toContain(r.verdict.summary);
      expect(line?.includes('[known deviation]'), r.id).toBe(Boolean(r.knownDeviation));
    }
  });

  it('captions every figure with its tier, preset, seeds and step', () => {
    const { markdown, figures } = reportMarkdown(records, figuresOf(records));
    const lines = markdown.split('\n');
    const images = lines.map((l, i) => [l, i] as const).filter(([l]) => l.startsWith('!['));
    const figureImages = images.filter(([l]) => !l.includes('](badges/'));
    expect(figureImages.length).toBe(figures.length + figuresOf(records).samples.length);
    for (const [l, i] of figureImages) {
      const caption = lines[i + 2] ?? '';
      expect(caption, l).toMatch(/^\*.*preset \S+, seeds? [\d, ]+, steps? \d/);
    }
    expect(markdown).toMatch(/\*Learning curves: paper-width tier, preset paper-n1, seed 1, step \d+/);
  });

  it('tells a declared known deviation from a new failure (replicate --fail-on new); a control not rejected is never declared', () => {
    const base = records.find((r) => r.knownDeviation && !r.tiers) as ClaimRecord;
    const rejected = { ...base.control!, verdict: { outcome: 'not-replicated' as const, summary: 'rejected' } };
    const failing = { ...base, verdict: { outcome: 'not-replicated' as const, summary: 'x' }, control: rejected };
    expect(failureOf(failing)).toEqual({ failed: true, declared: true });
    expect(failureOf({ ...failing, knownDeviation: false })).toEqual({ failed: true, declared: false });
    expect(failureOf({ ...failing, control: { ...rejected, verdict: { outcome: 'replicated', summary: 'control passed' } } })).toEqual({
      failed: true,
      declared: false,
    });
    expect(failureOf({ ...failing, verdict: { outcome: 'not-evaluated', summary: 'x' } })).toEqual({ failed: false, declared: false });
  });
});
