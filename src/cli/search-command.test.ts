// The preset search log (`grokdiff search`, docs/PRESET-SEARCH.md; issue 14): a run folder becomes one record
// with its overrides against the preset, and s_val on the novel held-out pairs read with the stability rule
// (a single lucky evaluation does not count); older records without it render as "n/r".
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyOverrides } from '../train/config.ts';
import type { MetricsRow } from '../train/grokking.ts';
import { getPreset } from '../train/presets.ts';
import { recordFromRunDir, renderSearchTable } from './search-command.ts';

const dir = mkdtempSync(join(tmpdir(), 'grokdiff-search-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const row = (step: number, novel: number): MetricsRow => ({
  step,
  loss: 0.01,
  lr: 1e-3,
  trainAcc: 1,
  trainInterval: [0.99, 1],
  heldoutAcc: 1,
  heldoutInterval: [0.95, 1],
  heldoutNovelAcc: novel,
  heldoutNovelInterval: [0, 1],
  wallSeconds: step / 10,
});

describe('recordFromRunDir', () => {
  it('records the overrides and s_val (novel) from the step the level holds, not a lucky evaluation', () => {
    const config = applyOverrides(getPreset('paper-n1'), ['train.lr=0.002', 'train.lrSchedule=cosine'], { seed: 1 });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    const novel = [1, 0, 0, 1, 1, 1, 1, 1, 1];
    writeFileSync(join(dir, 'metrics.jsonl'), `${novel.map((n, i) => JSON.stringify(row(100 * (i + 1), n))).join('\n')}\n`);
    const rec = recordFromRunDir(dir, 'paper-n1', 'probe')!;
    expect(rec.overrides).toEqual(['train.lr=0.002', 'train.lrSchedule="cosine"']);
    expect(rec.sVal).toBe(100);
    expect(rec.sValNovel).toBe(400);
    const table = renderSearchTable([rec, { ...rec, sValNovel: undefined }, { ...rec, sValNovel: null }]);
    const cells = table
      .trim()
      .split('\n')
      .slice(-3)
      .map((line) => line.split(' | ')[7]);
    expect(cells).toEqual(['400', 'n/r', '—']);
  });
});
