import { describe, expect, it } from 'vitest';
import { stableGrokkingSteps, stableLevelStep, type MetricsRow } from './grokking.ts';

function rows(values: Array<[number, number, number, number?]>): MetricsRow[] {
  return values.map(([step, trainAcc, heldoutAcc, heldoutNovelAcc]) => ({
    step,
    loss: 0,
    lr: 0,
    trainAcc,
    trainInterval: [0, 1],
    heldoutAcc,
    heldoutInterval: [0, 1],
    ...(heldoutNovelAcc !== undefined ? { heldoutNovelAcc, heldoutNovelInterval: [0, 1] as const } : {}),
    wallSeconds: step,
  }));
}

describe('stableLevelStep (the level must hold for k evaluations or to the end)', () => {
  it('skips a lucky evaluation that does not hold', () => {
    const log = rows([
      [100, 0.5, 0, 0],
      [200, 1, 0, 1],
      [300, 0.9, 0, 0],
      [400, 1, 0, 1],
      [500, 1, 0, 1],
      [600, 1, 0, 1],
    ]);
    expect(stableLevelStep(log, 'train', 0.99, 3)).toBe(400);
    expect(stableLevelStep(log, 'novel', 0.95, 3)).toBe(400);
    expect(stableLevelStep(log, 'train', 0.99, 1)).toBe(200);
  });

  it('accepts a level that holds to the end of a log shorter than k', () => {
    expect(
      stableLevelStep(
        rows([
          [100, 0, 0],
          [200, 1, 0],
          [300, 1, 0],
        ]),
        'train',
        0.99,
        5,
      ),
    ).toBe(200);
  });

  it('is null when the level never holds, and for logs without novel accuracy', () => {
    const log = rows([
      [100, 0.5, 0.2],
      [200, 0.6, 0.3],
    ]);
    expect(stableLevelStep(log, 'train', 0.99, 2)).toBeNull();
    expect(stableLevelStep(log, 'novel', 0.5, 1)).toBeNull();
  });

  it('refuses k < 1', () => {
    expect(() => stableLevelStep([], 'train', 0.5, 0)).toThrow(/k must be an integer ≥ 1/);
  });

  it('s_val on the novel pairs comes after s_val on all held-out pairs on a mirror plateau', () => {
    const log = rows([
      [100, 1, 0.9, 0],
      [200, 1, 0.96, 0.2],
      [300, 1, 0.97, 0.5],
      [400, 1, 1, 1],
      [500, 1, 1, 1],
    ]);
    expect(stableGrokkingSteps(log, 2)).toEqual({ sTrain: 100, sVal: 200, sValNovel: 400, k: 2 });
  });
});
