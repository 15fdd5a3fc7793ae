// The ablation claim's judgement and report section when the readings were not measured (seeds that did not
// grok, or a baseline at chance): the verdict rejects, names why, and the section renders without a chart.

import { describe, expect, it } from 'vitest';
import type { ClaimRecord } from '../contract.ts';
import { ablationSection, judgeAblation, type SeedAblation } from './ablation.ts';

const acc = (correct: number, total: number) => ({ correct, total, accuracy: correct / total, interval: [0, 1] as [number, number] });

function unmeasured(seed: number, baseline: SeedAblation['baseline'], notMeasured: string): SeedAblation {
  return {
    seed,
    step: 20000,
    keySet: [1, 3],
    nonKeySet: [2, 5],
    baseline,
    grid: null,
    sumDirection: null,
    judgedReading: 'sum-direction',
    pass: false,
    notMeasured,
  };
}

function recordOf(measurement: SeedAblation[]): ClaimRecord<SeedAblation[]> {
  const verdict = judgeAblation(measurement);
  return {
    id: 'ablation',
    kind: 'reviewer-requested',
    title: 'ablation',
    statement: '',
    where: '',
    thresholds: [],
    verdict,
    measurement,
    control: null,
    models: [],
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('ablation with readings not measured', () => {
  const notGrokked = [unmeasured(1, null, 'not measured: did not grok'), unmeasured(2, null, 'not measured: did not grok')];

  it('rejects and says why, per seed', () => {
    const v = judgeAblation(notGrokked);
    expect(v.outcome).toBe('not-replicated');
    expect(v.summary).toContain('in 0/2 seeds');
    expect(v.summary).toContain('seed 1: key {1,3}, non-key {2,5}; not measured: did not grok');
    expect(v.keyNumber).toBe('readings not measured');
  });

  it('a baseline at chance (the untrained control) is rejected on its baseline alone', () => {
    const v = judgeAblation([unmeasured(1, acc(20, 1058), 'readings not measured: baseline at chance')]);
    expect(v.outcome).toBe('not-replicated');
    expect(v.summary).toContain('seed 1: base 1.9 %');
  });

  it('the report section lists the seeds and draws no chart', () => {
    const section = ablationSection(recordOf(notGrokked));
    expect(section.some((b) => typeof b === 'object')).toBe(false);
    expect(section.filter((b) => typeof b === 'string' && b.includes('not measured: did not grok'))).toHaveLength(2);
  });
});
