// Checkpoint files: round trip, and clear CheckpointErrors for a missing run, a truncated weights file,
// weights that do not match the config, a config of another P or preset, and a corrupt state.json.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
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
import { writeSafetensorsFile } from '../io/safetensors.ts';

const config = tinyConfig({ seed: 1 });
const weights = initialValues(runModelConfig(config), rootRng(1));
const dirs: string[] = [];
function savedRun(): string {
  const d = mkdtempSync(join(tmpdir(), 'grokdiff-ckpt-'));
  dirs.push(d);
  saveCheckpoint(d, config, 3, weights);
  saveCheckpoint(d, config, 6, weights, { step: 6, m: weights, v: weights }, { lossSum: 1, lossCount: 2, grokStreak: 0 });
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
