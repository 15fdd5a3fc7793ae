// The memorisation-phase checkpoint a pruned fixture keeps (train/prune.ts; paper Figure 2's plateau): train
// fitted, novel held-out pairs not yet — chosen from the training log, so the paper-width runs, whose mirrored
// held-out pairs are answered long before the training pairs are fitted, keep a checkpoint that has memorised.
import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../errors.ts';
import type { MetricsRow } from './grokking.ts';
import { selectKeptSteps } from './prune.ts';

const row = (step: number, trainAcc: number, heldoutAcc: number, heldoutNovelAcc?: number): MetricsRow => ({
  step,
  loss: 0.01,
  lr: 1e-3,
  trainAcc,
  trainInterval: [trainAcc, trainAcc],
  heldoutAcc,
  heldoutInterval: [heldoutAcc, heldoutAcc],
  ...(heldoutNovelAcc !== undefined ? { heldoutNovelAcc } : {}),
  wallSeconds: step / 10,
});

describe('selectKeptSteps', () => {
  it('mirror plateau (all held-out high early, novel never): the first checkpoint from s_train on', () => {
    const log = [
      row(1000, 0.52, 0.32, 0),
      row(2000, 0.9, 0.74, 0),
      row(4000, 0.95, 0.9, 0),
      row(4200, 0.996, 0.9, 0),
      row(5000, 0.98, 0.89, 0),
      row(40000, 1, 0.92, 0),
    ];
    expect(selectKeptSteps(log, [1000, 2000, 3000, 4000, 5000, 6000, 40000])).toEqual({ memorisation: 5000, final: 40000 });
  });
  it('grokked run: a checkpoint after s_train and before the novel pairs reach half their level', () => {
    const log = [row(500, 0.5, 0.3, 0), row(1000, 1, 0.6, 0.1), row(3000, 1, 0.97, 0.9), row(4000, 1, 1, 1)];
    expect(selectKeptSteps(log, [500, 1000, 2000, 3000, 4000])).toEqual({ memorisation: 1000, final: 4000 });
  });
  it('generalises before it fits: the last checkpoint before the novel pairs reach half their level', () => {
    const log = [row(500, 0.5, 0.1, 0.1), row(1000, 0.8, 0.6, 0.6), row(2000, 1, 1, 1)];
    expect(selectKeptSteps(log, [500, 1000, 2000])).toEqual({ memorisation: 500, final: 2000 });
  });
  it('a log without novel accuracy (older runs, or no novel pairs) reads all held-out pairs', () => {
    const log = [row(500, 1, 0.1), row(1000, 1, 0.6), row(2000, 1, 1)];
    expect(selectKeptSteps(log, [500, 1000, 2000])).toEqual({ memorisation: 500, final: 2000 });
  });
  it('only the final checkpoint: no memorisation-phase one', () => {
    expect(selectKeptSteps([row(100, 1, 1, 1)], [100])).toEqual({ memorisation: null, final: 100 });
  });
  it('no checkpoint: a CheckpointError', () => {
    expect(() => selectKeptSteps([], [])).toThrow(CheckpointError);
  });
});
