// Trainer tests on a tiny real-data run (P = 5, 8×8 images, d_model 16): resume from a checkpoint gives the
// same metrics and weights as an uninterrupted run (same seed, same backend), also with issue 27's recipe options
// (conditioned operands, the loss on v, logit-normal t); a non-finite loss stops with
// a clear error and keeps the last good checkpoint; a run directory is not overwritten; an N > 1 run without
// a classifier fixture is refused with the command that makes one.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resetEnvironment } from '../config/environment.ts';
import { initBackend } from '../engine/backend.ts';
import { loadEmnistPool } from '../data/pool.ts';
import { PAPER } from '../paper/registry.ts';
import { loadCheckpoint } from './checkpoint.ts';
import { listCheckpoints } from './run-folder.ts';
import { tinyConfig } from '../../test-support/tiny-run-config.ts';
import { learningRate, trainRun } from './trainer.ts';
import { applyOverrides, validateRunConfig, type RunConfig } from './config.ts';
import { generationEvaluator } from '../eval/training-evaluation.ts';

const pool = loadEmnistPool();
const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'grokdiff-train-'));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  await initBackend('cpu');
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * Trains `config` (6 steps) whole and, in a second folder, to step 3 then resumed to 6; expects the same metrics
 * (wall time aside) and bit-identical weights. Returns both folders.
 */
async function expectExactResume(config: RunConfig): Promise<{ whole: string; split: string }> {
  const whole = tmp();
  const full = await trainRun({ evaluator: generationEvaluator, config, outDir: whole, pool });
  const split = tmp();
  const first = await trainRun({ evaluator: generationEvaluator, config, outDir: split, pool, stopAtStep: 3 });
  expect(first.lastStep).toBe(3);
  const resumed = await trainRun({ evaluator: generationEvaluator, outDir: split, resume: true, pool });
  expect(resumed.lastStep).toBe(6);
  const strip = (rows: typeof full.metrics) => rows.map(({ wallSeconds: _w, ...r }) => r);
  expect(strip(resumed.metrics)).toEqual(strip(full.metrics));
  const a = loadCheckpoint(whole);
  const b = loadCheckpoint(split);
  expect(b.step).toBe(6);
  for (const [name, w] of a.weights) expect(Array.from(b.weights.get(name) ?? []), name).toEqual(Array.from(w));
  return { whole, split };
}

describe('trainer', () => {
  it('resuming from a checkpoint reproduces the uninterrupted run exactly', async () => {
    const { whole } = await expectExactResume(tinyConfig());
    expect(listCheckpoints(whole)).toEqual([3, 6]);
  });

  // Issue 27's recipe options: conditioned operands (buffers saved with the weights, no optimizer moments), the
  // loss on v and logit-normal t.
  for (const conditioning of ['centered', 'zca'] as const) {
    it(`${conditioning} operands with the loss on v and logit-normal t: resuming reproduces the uninterrupted run exactly`, async () => {
      const config = applyOverrides(tinyConfig(), [`model.inputConditioning=${conditioning}`, 'train.lossWeighting=velocity', 'train.timeLaw=logit-normal']);
      const { whole } = await expectExactResume(config);
      const a = loadCheckpoint(whole);
      expect(a.weights.has('input_cond.mean')).toBe(true);
      expect(a.optimizer?.m.has('input_cond.mean')).toBe(false);
      expect(a.optimizer?.m.has('patch_embed.weight')).toBe(true);
    });
  }

  it('a non-finite loss stops with a clear error and keeps the last good checkpoint', async () => {
    const out = tmp();
    const config = tinyConfig({ train: { lr: 9, warmupSteps: 0, steps: 40, checkpointEvery: 1, evalEvery: 50 } });
    await expect(trainRun({ evaluator: generationEvaluator, config, outDir: out, pool })).rejects.toThrow(
      /(loss|the optimizer state) became (NaN|Infinity|-Infinity|non-finite) at step \d+.*; stopped\. The last good checkpoint \(step \d+\) is kept/,
    );
    const ckpt = loadCheckpoint(out);
    expect(ckpt.step).toBeGreaterThanOrEqual(1);
  });

  it('refuses to overwrite a run directory without --resume', async () => {
    const out = tmp();
    const config = tinyConfig({ train: { steps: 1, evalEvery: 1, checkpointEvery: 1 } });
    await trainRun({ evaluator: generationEvaluator, config, outDir: out, pool });
    await expect(trainRun({ evaluator: generationEvaluator, config, outDir: out, pool })).rejects.toThrow(/already holds a run; use --resume/);
  });

  it('provenance names the backend and whether the native wasm kernels ran (null off wasm)', async () => {
    const out = tmp();
    await trainRun({ evaluator: generationEvaluator, config: tinyConfig({ train: { steps: 1, evalEvery: 1, checkpointEvery: 1 } }), outDir: out, pool });
    const provenance = JSON.parse(readFileSync(join(out, 'provenance.json'), 'utf8')) as Record<string, unknown>;
    expect(provenance.backend).toBe('cpu');
    expect(provenance).toHaveProperty('wasmNative', null);
    expect(provenance.resumedFromStep).toBe(0);
  });

  it('an N > 1 run is scored by the classifier fixture of its P and side, and refused without one', async () => {
    const out = tmp();
    vi.stubEnv('GROKDIFF_CLASSIFIER_DIR', tmp());
    resetEnvironment();
    try {
      const config = tinyConfig({ data: { N: PAPER.nearestImageMaxN.value + 1 }, train: { steps: 1 } });
      await expect(trainRun({ evaluator: generationEvaluator, config, outDir: out, pool })).rejects.toThrow(
        /no classifier fixture at .*emnist-p5-s8 .* npx grokdiff classifier --P 5 --side 8 --seed 1 --out /,
      );
      expect(existsSync(join(out, 'config.json')), 'a refused run leaves nothing behind').toBe(false);
    } finally {
      vi.unstubAllEnvs();
      resetEnvironment();
    }
  });

  it('warm-up is linear up to lr, then constant', () => {
    const config = tinyConfig({ train: { lr: 1e-3, warmupSteps: 4 } });
    expect([1, 2, 4, 5, 100].map((s) => learningRate(config, s))).toEqual([2.5e-4, 5e-4, 1e-3, 1e-3, 1e-3]);
  });

  it('cosine schedule: the same warm-up, then half a cosine from lr to 0 at the last step', () => {
    const config = tinyConfig({ train: { lr: 1e-3, warmupSteps: 4, steps: 104, lrSchedule: 'cosine' } });
    const lrs = [2, 4, 54, 104].map((s) => learningRate(config, s));
    expect(lrs[0]).toBe(5e-4);
    expect(lrs[1]).toBe(1e-3);
    expect(lrs[2]).toBeCloseTo(5e-4, 12);
    expect(lrs[3]).toBeCloseTo(0, 12);
  });

  it('train.lrSchedule: absent or "cosine" validate; anything else is a ConfigError naming the field', () => {
    expect(validateRunConfig(tinyConfig()).train.lrSchedule).toBeUndefined();
    expect(validateRunConfig(tinyConfig({ train: { lrSchedule: 'cosine' } })).train.lrSchedule).toBe('cosine');
    expect(() => validateRunConfig(tinyConfig({ train: { lrSchedule: 'linear' } }))).toThrow(
      /train\.lrSchedule must be one of "constant", "cosine", got "linear"/,
    );
  });
});
