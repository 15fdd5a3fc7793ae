// Tests of the progress lines (work-progress.ts): quiet for short work, at most one line per gap, the label,
// item, phase, units, elapsed time and an estimate of what is left; reports reach the reporter installed around
// the work (across awaits), and nothing is printed without one.

import { describe, expect, it } from 'vitest';
import { formatDuration, progressLines, reportProgress, withProgress } from './work-progress.ts';

function clock() {
  let t = 0;
  return { now: () => t, advance: (seconds: number) => (t += seconds * 1000) };
}

describe('progress lines', () => {
  it('stay quiet for the first seconds, then print label, item, phase, units, elapsed and an estimate, at most one per gap', () => {
    const c = clock();
    const lines: string[] = [];
    const p = progressLines({ label: 'claim 6/12 critical-timestep', write: (l) => lines.push(l), now: c.now, quietSeconds: 10, minGapSeconds: 5 });
    p.report({ phase: 'measuring', item: 'cpu-n4 seed 1', done: 0, total: 3 });
    c.advance(12);
    p.report({ phase: 'measuring', item: 'cpu-n4 seed 2', done: 1, total: 3 });
    c.advance(1);
    p.report({ phase: 'measuring', item: 'cpu-n4 seed 2', done: 1, total: 3 });
    c.advance(11);
    p.report({ phase: 'measuring', item: 'cpu-n4 seed 3', done: 2, total: 3 });
    c.advance(6);
    p.report({ phase: 'negative control' });
    expect(lines).toEqual([
      'claim 6/12 critical-timestep · cpu-n4 seed 2: measuring (1 of 3) · 12 s elapsed · about 24 s left in this phase',
      'claim 6/12 critical-timestep · cpu-n4 seed 3: measuring (2 of 3) · 24 s elapsed · about 12 s left in this phase',
      'claim 6/12 critical-timestep: negative control · 30 s elapsed',
    ]);
    expect(p.elapsed()).toBe(30);
  });

  it('formats durations', () => {
    expect(formatDuration(4.4)).toBe('4 s');
    expect(formatDuration(185)).toBe('3 m 05 s');
    expect(formatDuration(3720)).toBe('1 h 02 m');
  });

  it('reach the reporter installed around the work, across awaits, and nothing without one', async () => {
    const c = clock();
    const lines: string[] = [];
    const p = progressLines({ label: 'x', write: (l) => lines.push(l), now: c.now, quietSeconds: 0, minGapSeconds: 0 });
    reportProgress({ phase: 'outside' });
    await withProgress(p, async () => {
      reportProgress({ phase: 'before' });
      await new Promise((resolve) => setTimeout(resolve, 1));
      reportProgress({ phase: 'after' });
    });
    reportProgress({ phase: 'outside again' });
    expect(lines).toEqual(['x: before · 0 s elapsed', 'x: after · 0 s elapsed']);
  });
});
