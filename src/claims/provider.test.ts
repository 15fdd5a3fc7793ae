// The model provider: committed fixtures must match their preset exactly (a changed preset or model code
// fails with the command that retrains the fixture); a missing run is "not evaluated" with the reason.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
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
import { FIXTURE_RUNS_DIR, describeAbsent, firstDifference, provideRun, readRunDir } from './provider.ts';

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
  it('a corrupt fixture is "refused" with why, distinct from a missing run (issue 31: it was reported as missing)', async () => {
    const root = fakeRun([]);
    const weights = join(root, 'cpu-n1', 'seed-1', 'checkpoints', 'step-000010', 'weights.safetensors');
    const bytes = readFileSync(weights);
    bytes[bytes.length - 1] ^= 0x01;
    writeFileSync(weights, bytes);
    const p = await provideRun('cpu-n1', 1, { fixturesRoot: root, cacheRoot: root, allowTraining: false, log: () => {} });
    expect(p.ok).toBe(false);
    if (p.ok) return;
    expect(p.status).toBe('refused');
    expect(describeAbsent(p)).toMatch(/^preset "cpu-n1" seed 1 refused \(.*weights\.safetensors: sha256 [0-9a-f]+ differs/);
    const empty = mkdtempSync(join(tmpdir(), 'grokdiff-empty-'));
    dirs.push(empty);
    const m = await provideRun('cpu-n1', 1, { fixturesRoot: empty, cacheRoot: empty, allowTraining: false, log: () => {} });
    expect(!m.ok && m.status).toBe('missing');
    if (!m.ok) expect(describeAbsent(m)).toMatch(/^no checkpoint for preset "cpu-n1" seed 1/);
  });
  it('a cached run is checked against its manifest like a fixture (issue 31: it was used unchecked)', async () => {
    const cache = fakeRun([]);
    const noFixtures = mkdtempSync(join(tmpdir(), 'grokdiff-empty-'));
    dirs.push(noFixtures);
    const provide = () => provideRun('cpu-n1', 1, { fixturesRoot: noFixtures, cacheRoot: cache, allowTraining: false, log: () => {} });
    const ok = await provide();
    expect(ok.ok && ok.run.source).toBe('cache');
    // A changed file: refused, naming it and how to rebuild the cached run.
    const config = join(cache, 'cpu-n1', 'seed-1', 'config.json');
    writeFileSync(config, readFileSync(config, 'utf8').replace('"seed": 1', '"seed": 1 '));
    const changed = await provide();
    expect(!changed.ok && changed.status).toBe('refused');
    if (!changed.ok) expect(changed.reason).toMatch(/config\.json: sha256 .* differs .*rm -r .*GROKDIFF_TRAIN_MISSING=1/);
    // No manifest at all (a cache from before, or a training that did not finish here): refused, not used unchecked.
    unlinkSync(join(cache, 'cpu-n1', 'seed-1', 'MANIFEST.sha256'));
    const unchecked = await provide();
    expect(!unchecked.ok && unchecked.status).toBe('refused');
    if (!unchecked.ok) expect(unchecked.reason).toMatch(/has no MANIFEST\.sha256: its files cannot be checked/);
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
