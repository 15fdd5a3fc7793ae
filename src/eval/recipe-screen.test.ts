// The recipe screen's file, judgements and table (issue 27): the committed, pre-registered screen file
// validates; a malformed one is a ConfigError naming the field; the table is generated from judgement files
// (a number changed in a judgement changes the table); a run judged at two budgets is read at each.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { getPreset } from '../train/presets.ts';
import { applyOverrides } from '../train/config.ts';
import {
  armMeanNovel,
  armSeeds,
  extendsArm,
  judgementFile,
  readJudgement,
  readScreenSpec,
  renderScreenResults,
  replaceScreenResults,
  type ScreenJudgement,
} from './recipe-screen.ts';

const dir = mkdtempSync(join(tmpdir(), 'grokdiff-screen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const writeSpec = (obj: unknown): string => {
  const p = join(dir, `spec-${Math.random()}.json`);
  writeFileSync(p, JSON.stringify(obj));
  return p;
};
const SPEC = {
  preset: 'cpu-n1-unordered',
  seeds: [1, 2],
  budgetSteps: 100,
  stages: [
    {
      name: 's1',
      registered: '2026-12-06',
      arms: [{ id: 'A', tier: 'practice', overrides: ['model.inputConditioning=unit'], what: 'x' }],
      extension: { registered: 'r', steps: 200, ifMeanNovelAtLeast: 0.5 },
    },
  ],
};

function judgement(seed: number, step: number, novel: number, grokked: boolean): ScreenJudgement {
  const level = {
    correct: 0,
    total: 0,
    accuracy: novel,
    interval: [novel - 0.01, novel + 0.01] as [number, number],
    pairs: 53,
    drawsPerPair: 8,
    level: 0.95,
    decision: 'below' as const,
  };
  const zero = { 'c±1': 0, 'P−1': 0, a: 0, b: 0, other: 3 };
  return {
    arm: 'A',
    seed,
    step,
    budgetSteps: step,
    wallSeconds: 12,
    sTrain: 50,
    sValNovel: null,
    status: { K: 50, train: { ...level, accuracy: 1, decision: 'at-level' as const }, novel: level, grokked, summary: '' },
    wrapping: { correct: 1, total: 2, pairs: 1 },
    notWrapping: { correct: 2, total: 2, pairs: 1 },
    failures: { wrapping: zero, notWrapping: zero },
    missedPairs: [],
    judgedAt: '',
  };
}

describe('readScreenSpec', () => {
  it('the committed screen file is valid and every arm applies to its preset', () => {
    const spec = readScreenSpec('docs/recipe-screen.json');
    for (const arm of spec.stages.flatMap((s) => s.arms))
      for (const seed of armSeeds(spec, arm)) applyOverrides(getPreset(spec.preset), arm.overrides, { seed });
    expect(spec.seeds.length).toBeGreaterThanOrEqual(3);
  });
  it("an arm's own seeds replace the screen's, in its table rows too", () => {
    const spec = readScreenSpec(writeSpec({ ...SPEC, stages: [{ ...SPEC.stages[0], arms: [{ id: 'D', tier: 'diagnostic', overrides: [], seeds: [7, 9] }] }] }));
    const arm = spec.stages[0].arms[0];
    expect(armSeeds(spec, arm)).toEqual([7, 9]);
    expect(armSeeds(spec, { ...arm, seeds: undefined })).toEqual(spec.seeds);
    const table = renderScreenResults(spec, (_arm, seed, budget) => (budget === 100 && seed === 7 ? judgement(seed, 100, 0.5, false) : null));
    expect(table).toContain('| D | 7 | 100 / 100 |');
    expect(table).toContain('| D | 9 | not judged |');
    expect(table).toContain('0 of 1 judged (2 registered)');
    expect(() => readScreenSpec(writeSpec({ ...SPEC, stages: [{ ...SPEC.stages[0], arms: [{ id: 'D', tier: 'text', overrides: [], seeds: [] }] }] }))).toThrow(
      /arms\[0\]\.seeds/,
    );
  });
  it('a malformed file is a ConfigError naming the field', () => {
    expect(() => readScreenSpec(writeSpec({ ...SPEC, seeds: [] }))).toThrow(/"seeds"/);
    expect(() => readScreenSpec(writeSpec({ ...SPEC, stages: [{ ...SPEC.stages[0], arms: [{ id: 'A', tier: 'maybe', overrides: [] }] }] }))).toThrow(
      /arms\[0\]\.tier/,
    );
    expect(() =>
      readScreenSpec(writeSpec({ ...SPEC, stages: [{ ...SPEC.stages[0], arms: [{ id: 'A', tier: 'text', overrides: ['model.nope=1'] }] }] })),
    ).toThrow(ConfigError);
    expect(() => readScreenSpec(writeSpec({ ...SPEC, stages: [{ ...SPEC.stages[0], extension: { steps: 1 } }] }))).toThrow(/extension/);
  });
});

describe('judgements and the table', () => {
  it('a run judged at two budgets is read at each; none above the budget is used', () => {
    const run = join(dir, 'A', 'seed-1');
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, judgementFile(100)), JSON.stringify(judgement(1, 100, 0.4, false)));
    writeFileSync(join(run, judgementFile(200)), JSON.stringify(judgement(1, 200, 0.97, true)));
    expect(readJudgement(run, 100)?.step).toBe(100);
    expect(readJudgement(run, 200)?.step).toBe(200);
    expect(readJudgement(run, 50)).toBeNull();
  });
  it('the table comes from the judgements: changing a number changes the text; the extension lists arms above the bar', () => {
    const spec = readScreenSpec(writeSpec(SPEC));
    const table = (novel: number) =>
      renderScreenResults(spec, (_arm, seed, budget) =>
        budget === 100 ? judgement(seed, 100, novel, false) : seed === 1 ? judgement(seed, 200, 0.99, true) : null,
      );
    const a = table(0.6);
    const b = table(0.7);
    expect(a).toContain('60.0 %');
    expect(b).toContain('70.0 %');
    expect(b).not.toContain('60.0 %');
    expect(a).toContain('extended to 200 steps');
    expect(table(0.3)).toContain('No arm reached the bar');
    expect(armMeanNovel([judgement(1, 1, 0.5, false), judgement(2, 1, 1, true)])).toBe(0.75);
  });
  it('the results are written between the markers, which must exist', () => {
    const doc = 'x\n<!-- screen-results: generated by `npx grokdiff screen table`; do not edit -->\nold\n<!-- /screen-results -->\ny';
    expect(replaceScreenResults(doc, 'new', 'd.md')).toBe(
      'x\n<!-- screen-results: generated by `npx grokdiff screen table`; do not edit -->\nnew\n<!-- /screen-results -->\ny',
    );
    expect(() => replaceScreenResults('no markers', 'new', 'd.md')).toThrow(/d.md: the results markers/);
  });
});

describe('extendsArm', () => {
  const fits = (novel: number) => judgement(1, 100, novel, false);
  it('extends an arm at the bar, and an arm a seed of which did not fit its training pairs; not one below the bar that fits', () => {
    expect(extendsArm([fits(0.6), fits(0.5)], 0.5)).toBe(true);
    expect(extendsArm([fits(0.2), fits(0.3)], 0.5)).toBe(false);
    const unfit = { ...fits(0.1), status: { ...fits(0.1).status, train: { ...fits(0.1).status.train, accuracy: 0.2, decision: 'below' as const } } };
    expect(extendsArm([fits(0.2), unfit], 0.5)).toBe(true);
  });
});
