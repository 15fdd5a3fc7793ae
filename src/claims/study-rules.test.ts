// The judging rules of the study claims, on hand-made inputs: the Wilson-interval level decision of
// depth-two (generalisation.ts) and the stable-checkpoint rule of the moduli claims (moduli.ts).

import { describe, expect, it } from 'vitest';
import { accuracyResult } from '../eval/accuracy.ts';
import { PAPER } from '../paper/registry.ts';
import type { MetricsRow } from '../train/grokking.ts';
import { decideLevel } from './generalisation.ts';
import { judgeModuli, STABLE_EVALS, stableCheckpoint, stabilityOf, type ModulusMeasurement } from './moduli.ts';

describe('decideLevel (Wilson 95 % interval against a level)', () => {
  it('at the level only when the lower bound reaches it, below only when the upper bound is under it', () => {
    expect(decideLevel(accuracyResult(106, 106), 0.95)).toBe('at-level'); // lower 0.965
    expect(decideLevel(accuracyResult(50, 53), 0.95)).toBe('undecided'); // 94.3 %, [84.6, 98.1]
    expect(decideLevel(accuracyResult(6400, 6784), 0.95)).toBe('below-level'); // 94.3 %, upper 0.949
    expect(decideLevel(accuracyResult(53, 53), 0.95)).toBe('undecided'); // 100 % of 53 is not enough: lower 0.932
    expect(decideLevel(accuracyResult(0, 0), 0.95)).toBe('undecided');
  });
});

function row(step: number, trainAcc: number, heldoutAcc: number): MetricsRow {
  return { step, trainAcc, heldoutAcc, loss: 0.01 } as unknown as MetricsRow;
}

/** Evaluations every 50 steps up to 8000, at the levels, with the given overrides. */
function log(overrides: Record<number, [number, number]> = {}): MetricsRow[] {
  const rows: MetricsRow[] = [];
  for (let s = 50; s <= 8000; s += 50) rows.push(row(s, ...(overrides[s] ?? (s < 1000 ? [0.5, 0.1] : [1, 1]))));
  return rows;
}

describe('stable-checkpoint rule (moduli claims)', () => {
  it('judges the final checkpoint when the log holds both levels over the last STABLE_EVALS evaluations', () => {
    expect(STABLE_EVALS).toBe(5);
    expect(stableCheckpoint(log(), [750, 8000])).toBe(8000);
  });

  it('a dip in the window, train or held-out, moves the judged checkpoint back, or leaves none among the stored ones', () => {
    const spike = log({ 8000: [0.98, 0.951] });
    expect(stableCheckpoint(spike, [750, 8000])).toBeNull();
    expect(stableCheckpoint(spike, [750, 7750, 8000])).toBe(7750);
    // a dip 4 evaluations before the checkpoint is inside the window, 5 before is not
    expect(stableCheckpoint(log({ 7800: [1, 0.9] }), [8000])).toBeNull();
    expect(stableCheckpoint(log({ 7750: [1, 0.9] }), [8000])).toBe(8000);
    // the levels are the registry's
    const atLevels = log({ 8000: [PAPER.grokTrainLevel.value, PAPER.grokHeldoutLevel.value] });
    expect(stableCheckpoint(atLevels, [8000])).toBe(8000);
  });

  it('a checkpoint without its own evaluation, or with fewer than STABLE_EVALS before it, is not stable', () => {
    expect(stableCheckpoint(log(), [7999])).toBeNull();
    expect(stableCheckpoint([row(100, 1, 1), row(150, 1, 1)], [150])).toBeNull();
  });

  it('stabilityOf reports the window the decision rests on', () => {
    const s = stabilityOf({ metrics: log({ 8000: [0.98, 0.951] }), checkpoints: [8000, 750] });
    expect(s).toMatchObject({ finalStep: 8000, judgedStep: null, storedCheckpoints: [750, 8000] });
    expect(s.window.map((r) => r.step)).toEqual([7800, 7850, 7900, 7950, 8000]);
  });
});

function measured(P: number, seed: number, pass: boolean, judged: boolean): ModulusMeasurement {
  return {
    P,
    seed,
    step: 8000,
    pass,
    judged,
    stability: null,
    generalisation: {
      train: accuracyResult(pass ? 100 : 90, 100),
      heldout: accuracyResult(100, 100),
      samplingSteps: 10,
      draws: 2,
      generalises: pass,
    },
    frequencies: { union: [1, 3], coverage: [0.9, 0.9, 0.9], pass } as unknown as ModulusMeasurement['frequencies'],
  } as ModulusMeasurement;
}

describe('judgeModuli', () => {
  it('judges only the judged runs, needs one at every P, and a failing judged run falsifies the claim', () => {
    expect(judgeModuli([measured(23, 1, true, true), measured(23, 2, false, false), measured(27, 1, true, true)]).outcome).toBe('replicated');
    expect(judgeModuli([measured(23, 1, true, true), measured(27, 1, true, false)]).outcome).toBe('not-evaluated');
    expect(judgeModuli([measured(23, 1, false, true), measured(27, 1, true, false)]).outcome).toBe('not-replicated');
    expect(judgeModuli([]).outcome).toBe('not-evaluated');
  });
});
