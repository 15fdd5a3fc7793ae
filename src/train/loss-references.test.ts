// Tests of a run's loss references (loss-references.ts): class weights from the training pairs' results,
// the gap share, and reading the logged loss from a run or checkpoint folder.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { denoisingLossReferences } from '../analysis/denoising-floor.ts';
import { tempDir } from '../../test-support/synthetic-data.ts';
import type { RunData } from './run-data.ts';
import { describeLossReferences, gapClosed, loggedLoss, runLossReferences } from './loss-references.ts';

/** P = 3 symbols, N = 2 images of 2 pixels each; results c = 0, 0, 2 among the training pairs. */
function tinyRunData(): RunData {
  const images = Float32Array.from([0, 0, 1, 0, /* class 1 */ 0, 1, 0, 3, /* class 2 */ 2, 2, 2, 0]);
  const symbols = {
    P: 3,
    N: 2,
    side: 1,
    images,
    classes: [0, 1, 2],
    chars: ['a', 'b', 'c'],
    pixelRange: [0, 1] as const,
    sources: [],
    rngPath: 't',
    rngSeed: 0,
  };
  const train = [
    { a: 0, b: 0, c: 0 },
    { a: 1, b: 2, c: 0 },
    { a: 2, b: 0, c: 2 },
  ];
  return { symbols, train, heldout: [], heldoutNovel: [], heldoutSymbols: symbols, heldoutImagesKind: 'training-images', pixels: 2 } as unknown as RunData;
}

describe('run loss references', () => {
  it('weights each class by its share of the training results (a class never a result has no weight)', () => {
    const refs = runLossReferences(tinyRunData());
    const direct = denoisingLossReferences(tinyRunData().symbols.images, 6, 2, [0, 0, 1, 1, 2, 2], [2, 0, 1]);
    expect(refs.operandBlind).toBe(direct.operandBlind);
    expect(refs.cAware).toBe(direct.cAware);
    expect(refs.byClass[1]).toBeNull();
    expect(refs.operandBlind).toBeGreaterThan(refs.cAware);
  });

  it('the gap share is 0 at the blind level, 1 at the c-aware level, null when they coincide', () => {
    const refs = runLossReferences(tinyRunData());
    expect(gapClosed(refs.operandBlind, refs)).toBe(0);
    expect(gapClosed(refs.cAware, refs)).toBeCloseTo(1, 12);
    expect(gapClosed(0.1, { ...refs, cAware: refs.operandBlind })).toBeNull();
    expect(describeLossReferences(refs, { value: refs.cAware, step: 7 })).toMatch(/at step 7 closes 100 % of the gap/);
    expect(describeLossReferences(refs, { value: refs.operandBlind + 1, step: 7 })).toMatch(/at step 7 is above the operand-blind level$/);
  });

  it('reads the loss logged at or before a step from the run folder or a checkpoint folder inside it', () => {
    const tmp = tempDir('grokdiff-refs-');
    try {
      const run = tmp.dir;
      writeFileSync(
        join(run, 'metrics.jsonl'),
        `${[
          [100, 0.5],
          [200, 0.25],
          [300, 0.125],
        ]
          .map(([step, loss]) =>
            JSON.stringify({ step, loss, lr: 1e-3, trainAcc: 1, trainInterval: [0.9, 1], heldoutAcc: 0, heldoutInterval: [0, 0.1], wallSeconds: step / 100 }),
          )
          .join('\n')}\n`,
      );
      const ckpt = join(run, 'checkpoints', 'step-000250');
      mkdirSync(ckpt, { recursive: true });
      expect(loggedLoss(run, 300)).toEqual({ value: 0.125, step: 300 });
      expect(loggedLoss(ckpt, 250)).toEqual({ value: 0.25, step: 200 });
      expect(loggedLoss(run, 50)).toBeNull();
      expect(loggedLoss(join(run, 'nowhere'), 300)).toBeNull();
    } finally {
      tmp.cleanup();
    }
  });
});
