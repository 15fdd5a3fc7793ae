// Where a run's time goes (issue 28): the timer adds each part's seconds and counts on top of a resumed run's
// timing.json, and a run trained in two sessions (stopped, then resumed) writes a timing.json that covers both.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyConfig } from '../../test-support/tiny-run-config.ts';
import { loadEmnistPool } from '../data/pool.ts';
import { initBackend } from '../engine/backend.ts';
import { generationEvaluator } from '../eval/training-evaluation.ts';
import { readTiming } from './run-folder.ts';
import { EMPTY_TIMING, evalShare, isRunTiming, runTimer } from './run-timing.ts';
import { trainRun } from './trainer.ts';

const dir = mkdtempSync(join(tmpdir(), 'grokdiff-timing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runTimer', () => {
  it('adds each part to the base and counts steps and evaluations; the total runs from the base on', async () => {
    let clock = 1000;
    const timer = runTimer({ ...EMPTY_TIMING, trainSeconds: 10, evalSeconds: 5, totalSeconds: 20, steps: 100, evaluations: 2 }, () => clock);
    timer.time('train', () => {
      clock += 2000;
    });
    timer.time('eval', () => {
      clock += 1000;
    });
    await timer.timeAsync('checkpoint', async () => {
      clock += 500;
    });
    clock += 500;
    expect(timer.current()).toEqual({ trainSeconds: 12, evalSeconds: 6, checkpointSeconds: 0.5, totalSeconds: 24, steps: 101, evaluations: 3 });
    expect(evalShare(timer.current())).toBe(0.25);
    expect(evalShare(EMPTY_TIMING)).toBeNull();
  });

  it('counts the time of a part that throws', () => {
    let clock = 0;
    const timer = runTimer(EMPTY_TIMING, () => clock);
    expect(() =>
      timer.time('eval', () => {
        clock += 3000;
        throw new Error('x');
      }),
    ).toThrow('x');
    expect(timer.current().evalSeconds).toBe(3);
  });

  it('recognises a timing.json and refuses other objects', () => {
    expect(isRunTiming(EMPTY_TIMING)).toBe(true);
    expect(isRunTiming({ ...EMPTY_TIMING, evalSeconds: -1 })).toBe(false);
    expect(isRunTiming({ trainSeconds: 1 })).toBe(false);
    expect(isRunTiming(null)).toBe(false);
  });
});

describe('timing.json of a run', () => {
  const pool = loadEmnistPool();
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('is written at each checkpoint and continued by --resume', async () => {
    const config = tinyConfig({ train: { steps: 6, evalEvery: 2, checkpointEvery: 3 } });
    const out = join(dir, 'run');
    await trainRun({ evaluator: generationEvaluator, config, outDir: out, pool, stopAtStep: 3 });
    const first = readTiming(out);
    expect(first).not.toBeNull();
    expect(first?.steps).toBe(3);
    expect(first?.evaluations).toBe(1);
    await trainRun({ evaluator: generationEvaluator, outDir: out, resume: true, pool });
    const both = readTiming(out);
    expect(both?.steps).toBe(6);
    expect(both?.evaluations).toBe(3);
    for (const k of ['trainSeconds', 'evalSeconds', 'checkpointSeconds', 'totalSeconds'] as const) expect(both?.[k]).toBeGreaterThan(first?.[k] ?? Infinity);
    expect((both?.trainSeconds ?? 0) + (both?.evalSeconds ?? 0) + (both?.checkpointSeconds ?? 0)).toBeLessThanOrEqual(both?.totalSeconds ?? 0);
  });
});
