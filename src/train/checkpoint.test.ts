// Checkpoint files: round trip, and clear CheckpointErrors for a missing run, a truncated weights file,
// weights that do not match the config, a config of another P or preset, and a corrupt state.json. The optimizer
// and trainer state are validated like the weights, on load and before a save (issue 31).
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rootRng } from '../engine/random.ts';
import { CheckpointError } from '../errors.ts';
import { initialValues } from '../model/params.ts';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { checkpointDirName, listCheckpoints } from './run-folder.ts';
import { runModelConfig } from './config.ts';
import { tinyConfig } from '../../test-support/tiny-run-config.ts';
import { readSafetensorsFile, writeSafetensorsFile } from '../io/safetensors.ts';
import { validateRunConfig } from './config.ts';

const config = tinyConfig({ seed: 1 });
const weights = initialValues(runModelConfig(config), rootRng(1));
/** Second moments: means of squares, never negative. */
const squares = new Map([...weights].map(([name, w]) => [name, w.map((x) => x * x)] as const));
const dirs: string[] = [];
function savedRun(): string {
  const d = mkdtempSync(join(tmpdir(), 'grokdiff-ckpt-'));
  dirs.push(d);
  saveCheckpoint(d, config, 3, weights);
  saveCheckpoint(d, config, 6, weights, { step: 6, m: weights, v: squares }, { lossSum: 1, lossCount: 2, grokStreak: 0 });
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('checkpoints', () => {
  it('round trip: latest, a given step, optimizer and trainer state', () => {
    const d = savedRun();
    expect(listCheckpoints(d)).toEqual([3, 6]);
    const latest = loadCheckpoint(d);
    expect(latest.step).toBe(6);
    expect(latest.config).toEqual(config);
    expect(Array.from(latest.weights.get('out_proj.weight')!)).toEqual(Array.from(weights.get('out_proj.weight')!));
    expect(latest.optimizer?.step).toBe(6);
    expect(latest.trainerState).toEqual({ lossSum: 1, lossCount: 2, grokStreak: 0 });
    expect(loadCheckpoint(d, { step: 3 }).step).toBe(3);
  });
  it('a missing run or step is named', () => {
    expect(() => loadCheckpoint('/nonexistent/run')).toThrow(/checkpoint path \/nonexistent\/run does not exist/);
    expect(() => loadCheckpoint(savedRun(), { step: 4 })).toThrow(/has no checkpoint at step 4; it has steps 3, 6/);
  });
  it('a truncated weights file is a CheckpointError naming the file', () => {
    const d = savedRun();
    const w = join(d, 'checkpoints', checkpointDirName(6), 'weights.safetensors');
    truncateSync(w, 200);
    expect(() => loadCheckpoint(d)).toThrow(CheckpointError);
    expect(() => loadCheckpoint(d)).toThrow(/weights\.safetensors/);
  });
  it('weights that do not match the config name the tensor and both shapes', () => {
    const d = savedRun();
    const w = join(d, 'checkpoints', checkpointDirName(6), 'weights.safetensors');
    const tensors: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> = {};
    for (const [name, data] of weights) tensors[name] = { dtype: 'F32', shape: [data.length], data };
    writeSafetensorsFile(w, tensors);
    expect(() => loadCheckpoint(d)).toThrow(/tensor "patch_embed.weight" has shape \[1024\], but the config needs \[64,16\]/);
  });
  it('a checkpoint of another P or preset is refused', () => {
    const d = savedRun();
    expect(() => loadCheckpoint(d, { expect: { P: 23 } })).toThrow(/checkpoint is for P = 5, but P = 23 was asked for/);
    expect(() => loadCheckpoint(d, { expect: { preset: 'cpu-n1' } })).toThrow(/of preset "test-tiny", expected "cpu-n1"/);
  });
  it('a corrupt state.json or config is a CheckpointError', () => {
    const d = savedRun();
    const s = join(d, 'checkpoints', checkpointDirName(6), 'state.json');
    const good = readFileSync(s, 'utf8');
    writeFileSync(s, good.slice(0, 40));
    expect(() => loadCheckpoint(d)).toThrow(/state.json is not valid JSON/);
    writeFileSync(s, good.replace('"heads": 2', '"heads": 3'));
    expect(() => loadCheckpoint(d)).toThrow(/heads 3 does not divide dModel 16/);
    copyFileSync(join(d, 'latest.json'), join(d, 'latest.bak'));
    writeFileSync(join(d, 'latest.json'), '{"step": "x"}');
    expect(() => loadCheckpoint(d)).toThrow(/latest.json: expected \{"step": number, "dir": string\}/);
  });
});

describe('optimizer and trainer state (issue 31)', () => {
  const optimizerFile = (d: string, step = 6): string => join(d, 'checkpoints', checkpointDirName(step), 'optimizer.safetensors');
  /** Rewrites the optimizer file of step 6 after `edit` changed its tensors or metadata. */
  function editOptimizer(d: string, edit: (file: ReturnType<typeof readSafetensorsFile>) => void): void {
    const file = readSafetensorsFile(optimizerFile(d));
    edit(file);
    writeSafetensorsFile(optimizerFile(d), file.tensors, file.metadata);
  }
  it.each([
    [
      'a negative second moment',
      (f: ReturnType<typeof readSafetensorsFile>) => ((f.tensors['v.out_proj.weight'].data as Float32Array)[4] = -1e-3),
      /moment "v\.out_proj\.weight" holds -0\.001\d* at element 4 \(negative/,
    ],
    [
      'Infinity in m',
      (f: ReturnType<typeof readSafetensorsFile>) => ((f.tensors['m.out_proj.bias'].data as Float32Array)[0] = Number.POSITIVE_INFINITY),
      /moment "m\.out_proj\.bias" holds Infinity at element 0/,
    ],
    [
      'a moment of no parameter',
      (f: ReturnType<typeof readSafetensorsFile>) => (f.tensors['v.nothing'] = { dtype: 'F32', shape: [1], data: Float32Array.of(1) }),
      /moment "v\.nothing" is not of a trained parameter/,
    ],
    ['a missing moment', (f: ReturnType<typeof readSafetensorsFile>) => delete f.tensors['m.pos_embed'], /moment "m\.pos_embed" is missing/],
    [
      'an AdamW step count off the checkpoint step',
      (f: ReturnType<typeof readSafetensorsFile>) => (f.metadata.optimizerStep = '5'),
      /optimizerStep 5 differs from 6 in .*state\.json/,
    ],
  ])('%s in the optimizer file is refused on load, naming the file', (_what, edit, message) => {
    const d = savedRun();
    editOptimizer(d, edit);
    expect(() => loadCheckpoint(d)).toThrow(CheckpointError);
    expect(() => loadCheckpoint(d)).toThrow(/optimizer\.safetensors: /);
    expect(() => loadCheckpoint(d)).toThrow(message);
    // The weights are judged apart: they still load without the optimizer.
    expect(loadCheckpoint(d, { optimizer: false }).step).toBe(6);
  });
  it('an optimizer step count that state.json does not match is refused', () => {
    const d = savedRun();
    const s = join(d, 'checkpoints', checkpointDirName(6), 'state.json');
    writeFileSync(s, readFileSync(s, 'utf8').replace('"optimizerStep": 6', '"optimizerStep": 7'));
    expect(() => loadCheckpoint(d)).toThrow(/optimizerStep 6 differs from 7 in .*state\.json; the optimizer file is not the one of this checkpoint/);
  });
  it('a lossSum of 1e999 (Infinity) in state.json is refused, not carried into the log as null', () => {
    const d = savedRun();
    const s = join(d, 'checkpoints', checkpointDirName(6), 'state.json');
    writeFileSync(s, readFileSync(s, 'utf8').replace('"lossSum": 1', '"lossSum": 1e999'));
    expect(() => loadCheckpoint(d)).toThrow(/"trainer" must be \{lossSum, lossCount, grokStreak\} \(lossSum must be a finite number ≥ 0, got Infinity\)/);
  });
  it('a save is refused before anything is written: non-finite weights, a negative second moment, an infinite lossSum; the previous checkpoint and its optimizer file stay', () => {
    const d = savedRun();
    const before = readdirSync(join(d, 'checkpoints')).sort();
    const latest = readFileSync(join(d, 'latest.json'), 'utf8');
    const nanWeights = new Map(weights);
    nanWeights.set(
      'out_proj.bias',
      Float32Array.from(weights.get('out_proj.bias')!, (x, i) => (i === 2 ? Number.NaN : x)),
    );
    const negative = new Map(squares);
    negative.set(
      'out_proj.bias',
      Float32Array.from(squares.get('out_proj.bias')!, (x, i) => (i === 0 ? -1 : x)),
    );
    const cases: Array<[() => unknown, RegExp]> = [
      [() => saveCheckpoint(d, config, 9, nanWeights, { step: 9, m: weights, v: squares }), /weights "out_proj\.bias" hold NaN at element 2/],
      [() => saveCheckpoint(d, config, 9, weights, { step: 9, m: weights, v: negative }), /moment "v\.out_proj\.bias" holds -1 at element 0 \(negative/],
      [() => saveCheckpoint(d, config, 9, weights, { step: 8, m: weights, v: squares }), /AdamW's step count is 8, but the checkpoint is at step 9/],
      [
        () => saveCheckpoint(d, config, 9, weights, { step: 9, m: weights, v: squares }, { lossSum: Number.POSITIVE_INFINITY, lossCount: 3, grokStreak: 0 }),
        /lossSum must be a finite number ≥ 0, got Infinity/,
      ],
    ];
    for (const [save, message] of cases) {
      expect(save).toThrow(message);
      expect(save).toThrow(/cannot save the checkpoint at step 9 .*; nothing was written/);
    }
    expect(readdirSync(join(d, 'checkpoints')).sort()).toEqual(before);
    expect(readFileSync(join(d, 'latest.json'), 'utf8')).toBe(latest);
    expect(existsSync(optimizerFile(d))).toBe(true);
    expect(loadCheckpoint(d).optimizer?.step).toBe(6);
  });
  it('a valid save replaces the previous optimizer file only after the new checkpoint reads back', () => {
    const d = savedRun();
    saveCheckpoint(d, config, 9, weights, { step: 9, m: weights, v: squares });
    expect(existsSync(optimizerFile(d, 6))).toBe(false);
    expect(loadCheckpoint(d).optimizer?.step).toBe(9);
  });
  it('moments restarted at a step: the AdamW step count counts from there, and state.json records it', () => {
    const d = savedRun();
    saveCheckpoint(d, config, 9, weights, { step: 3, m: weights, v: squares }, undefined, 6);
    const back = loadCheckpoint(d);
    expect(back.momentsRestartedAt).toBe(6);
    expect(back.optimizer?.step).toBe(3);
    expect(() => saveCheckpoint(d, config, 12, weights, { step: 12, m: weights, v: squares }, undefined, 6)).toThrow(/must be 6/);
  });
  it('a model with buffers (input conditioning): moments for the trained parameters only, and they load back', () => {
    const withBuffers = validateRunConfig({ ...config, model: { ...config.model, inputConditioning: 'centered' } });
    const values = initialValues(runModelConfig(withBuffers), rootRng(1), new Float32Array(5 * 64).fill(0.25));
    const trained = new Map([...values].filter(([name]) => !name.startsWith('input_cond.')));
    const d = mkdtempSync(join(tmpdir(), 'grokdiff-ckpt-'));
    dirs.push(d);
    saveCheckpoint(d, withBuffers, 2, values, { step: 2, m: trained, v: new Map([...trained].map(([n, w]) => [n, w.map((x) => x * x)] as const)) });
    expect([...loadCheckpoint(d).optimizer!.m.keys()].sort()).toEqual([...trained.keys()].sort());
  });
});
