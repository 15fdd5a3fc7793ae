// The issue-27 recipe options through the real trainer (tiny real-data run, P = 5, 8×8 images): a run with
// operand conditioning (buffers, no optimizer moments), the loss on v and logit-normal t trains, and resuming it
// from a checkpoint reproduces the uninterrupted run exactly — the buffers are saved with the weights and the
// optimizer file has moments for the trained parameters only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../engine/backend.ts';
import { loadEmnistPool } from '../data/pool.ts';
import { generationEvaluator } from '../eval/training-evaluation.ts';
import { tinyConfig } from '../../test-support/tiny-run-config.ts';
import { loadCheckpoint } from './checkpoint.ts';
import { applyOverrides } from './config.ts';
import { trainRun } from './trainer.ts';

const pool = loadEmnistPool();
const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'grokdiff-recipe-'));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  await initBackend('cpu');
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('recipe options in training (issue 27)', () => {
  for (const conditioning of ['centered', 'zca'] as const) {
    it(`${conditioning} operands with the loss on v and logit-normal t: resuming reproduces the uninterrupted run exactly`, async () => {
      const config = applyOverrides(tinyConfig(), [`model.inputConditioning=${conditioning}`, 'train.lossWeighting=velocity', 'train.timeLaw=logit-normal']);
      const whole = tmp();
      const full = await trainRun({ evaluator: generationEvaluator, config, outDir: whole, pool });
      const split = tmp();
      await trainRun({ evaluator: generationEvaluator, config, outDir: split, pool, stopAtStep: 3 });
      const resumed = await trainRun({ evaluator: generationEvaluator, outDir: split, resume: true, pool });
      expect(resumed.lastStep).toBe(6);
      const strip = (rows: typeof full.metrics) => rows.map(({ wallSeconds: _w, ...r }) => r);
      expect(strip(resumed.metrics)).toEqual(strip(full.metrics));
      const a = loadCheckpoint(whole);
      const b = loadCheckpoint(split);
      for (const [name, w] of a.weights) expect(Array.from(b.weights.get(name) ?? []), name).toEqual(Array.from(w));
      // The buffers are saved and untouched by training; the optimizer holds no moments for them.
      expect(a.weights.has('input_cond.mean')).toBe(true);
      expect(a.optimizer?.m.has('input_cond.mean')).toBe(false);
      expect(a.optimizer?.m.has('patch_embed.weight')).toBe(true);
    });
  }
});
