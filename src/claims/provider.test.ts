// The model provider: committed fixtures must match their preset exactly (a changed preset or model code
// fails with the command that retrains the fixture); a missing run is "not evaluated" with the reason.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rootRng } from '../engine/random.ts';
import { initialValues } from '../model/params.ts';
import { getPreset } from '../train/presets.ts';
import { writeJsonAtomic } from '../io/atomic-write.ts';
import { saveCheckpoint } from '../train/checkpoint.ts';
import { writeManifest } from '../train/fixture-manifest.ts';
import { applyOverrides, runModelConfig } from '../train/config.ts';
import { FIXTURE_RUNS_DIR, firstDifference, provideRun, readRunDir } from './provider.ts';

const dirs: string[] = [];
afterAll(() =>
  dirs.forEach((d) => {
    rmSync(d, { recursive: true, force: true });
  }),
);

function fakeRun(overrides: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'grokdiff-fixture-'));
  dirs.push(root);
  const dir = join(root, 'cpu-n1', 'seed-1');
  const config = applyOverrides(getPreset('cpu-n1'), overrides, { seed: 1 });
  writeJsonAtomic(join(dir, 'config.json'), config);
  saveCheckpoint(dir, config, 10, initialValues(runModelConfig(config), rootRng(1)));
  writeManifest(dir);
  return root;
}

describe('model provider', () => {
  it('accepts a run whose config equals the preset', () => {
    const root = fakeRun([]);
    expect(readRunDir(join(root, 'cpu-n1', 'seed-1'), 'cpu-n1', 1, 'fixture').checkpoints).toEqual([10]);
  });
  it('refuses a stale fixture, naming the field and the retrain command', () => {
    const root = fakeRun(['train.lr=0.01']);
    expect(() => readRunDir(join(root, 'cpu-n1', 'seed-1'), 'cpu-n1', 1, 'fixture')).toThrow(
      /different config than preset "cpu-n1" seed 1 now gives \(field train\.lr: 0\.01 in the run, .* in the preset\)\. Retrain with: npx grokdiff train --preset cpu-n1 --seed 1 --out fixtures\/checkpoints\/cpu-n1\/seed-1/,
    );
  });
  it('a missing run is a reason, never a throw', async () => {
    const root = mkdtempSync(join(tmpdir(), 'grokdiff-empty-'));
    dirs.push(root);
    const p = await provideRun('cpu-n1', 9, { fixturesRoot: root, cacheRoot: root, allowTraining: false, log: () => {} });
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.reason).toMatch(/no checkpoint for preset "cpu-n1" seed 9 .* train it with: npx grokdiff train/);
  });
  it('firstDifference finds the first differing path', () => {
    expect(firstDifference({ a: { b: 1, c: 2 } }, { a: { b: 1, c: 3 } })).toBe('a.c');
    expect(firstDifference({ a: 1 }, { a: 1 })).toBeNull();
  });
  it('every committed fixture run matches its preset (else: retrain it with the command in the message)', () => {
    if (!existsSync(FIXTURE_RUNS_DIR)) return;
    // Folders only: fixtures/checkpoints also holds a README.
    for (const preset of readdirSync(FIXTURE_RUNS_DIR, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)) {
      for (const seedDir of readdirSync(join(FIXTURE_RUNS_DIR, preset))) {
        const seed = Number(seedDir.replace('seed-', ''));
        expect(() => readRunDir(join(FIXTURE_RUNS_DIR, preset, seedDir), preset, seed, 'fixture')).not.toThrow();
      }
    }
  });
});
