// A search run whole, in two shards merged with --from-runs, in parallel, and after a failure (issue 28), on tiny
// runs: the two shards' folders merge into the log of the unsharded search (the same records in the same order;
// only the wall time and the date of a training differ), records are logged in plan order whatever order the
// arms finish in, a failed arm is reported while the others go on, and --resume trains only what is missing.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyConfig } from '../../test-support/tiny-run-config.ts';
import { loadEmnistPool } from '../data/pool.ts';
import { initBackend } from '../engine/backend.ts';
import { generationEvaluator } from '../eval/training-evaluation.ts';
import { ConfigError } from '../errors.ts';
import { readJsonl } from '../io/atomic-write.ts';
import { trainRun } from '../train/trainer.ts';
import { recordsFromFolders, runSearch, SEARCH_ARM_FILE, type ArmTrainer, type SearchRecord } from './search-runner.ts';

const root = mkdtempSync(join(tmpdir(), 'grokdiff-search-runner-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const pool = loadEmnistPool();
beforeAll(async () => {
  await initBackend('cpu');
});

const base = tinyConfig({ train: { steps: 4, evalEvery: 2, checkpointEvery: 2 } });
const input = { preset: 'test-tiny', set: ['train.warmupSteps=1'], combos: [['train.lr=0.003'], ['train.lr=0.001']], seeds: [1, 2] };
const quiet = { print: () => {} };

/** Trains an arm in this process, as `grokdiff search --jobs 1` does. */
const inProcess: ArmTrainer = async (_arm, config, dir, resume) => {
  const r = await trainRun({ evaluator: generationEvaluator, ...(resume ? { resume } : { config }), outDir: dir, pool, backend: 'cpu' });
  return r.interrupted ? { ok: false, reason: 'interrupted', interrupted: true } : { ok: true };
};

/** A record without what differs between two trainings of one config: the wall time and the date. */
const comparable = ({ wallSeconds: _w, date: _d, ...rest }: SearchRecord) => rest;

describe('runSearch', () => {
  it('two shards merged with --from-runs give the log of the unsharded search', async () => {
    const whole = await runSearch({
      input,
      base,
      out: join(root, 'whole'),
      log: join(root, 'whole.jsonl'),
      note: 'tiny',
      jobs: 1,
      resume: false,
      train: inProcess,
      ...quiet,
    });
    expect(whole.failed).toBe(0);
    expect(whole.logged).toBe(4);
    for (const i of [1, 2]) {
      const shard = await runSearch({
        input,
        base,
        out: join(root, `shard-${i}`),
        log: join(root, `shard-${i}.jsonl`),
        note: 'tiny',
        jobs: 1,
        shard: { index: i, count: 2 },
        resume: false,
        train: inProcess,
        ...quiet,
      });
      expect(shard.arms.map((a) => a.index)).toEqual(i === 1 ? [1, 3] : [2, 4]);
    }
    const unsharded = readJsonl<SearchRecord>(join(root, 'whole.jsonl'));
    const merged = recordsFromFolders([join(root, 'shard-2'), join(root, 'shard-1')], 'test-tiny', '');
    expect(unsharded.map((r) => [r.arm, r.seed, r.overrides])).toEqual([
      [1, 1, ['train.warmupSteps=1', 'train.lr=0.003']],
      [2, 2, ['train.warmupSteps=1', 'train.lr=0.003']],
      [3, 1, ['train.warmupSteps=1', 'train.lr=0.001']],
      [4, 2, ['train.warmupSteps=1', 'train.lr=0.001']],
    ]);
    expect(merged.map(comparable)).toEqual(unsharded.map(comparable));
    // The merge is the unsharded search's own folders' log too, and the records say which arm they are.
    expect(recordsFromFolders([join(root, 'whole')], 'test-tiny', '')).toEqual(unsharded);
    expect(new Set(unsharded.map((r) => r.search)).size).toBe(1);
    expect(unsharded.every((r) => r.note === 'tiny' && r.steps === 4 && r.backend === 'cpu')).toBe(true);
    expect(readFileSync(join(root, 'PRESET-SEARCH.md'), 'utf8')).toContain('train.lr=0.001');
  });

  it('logs in plan order when arms finish out of order, reports a failed arm, and --resume trains only what is missing', async () => {
    const done = join(root, 'whole');
    const names = readJsonl<SearchRecord>(join(root, 'whole.jsonl')).map((r) => r.arm);
    expect(names).toEqual([1, 2, 3, 4]);
    const trained: number[] = [];
    // Copies the run an earlier test trained for the arm (without its arm file), arm 1 slowest, arm 3 failing once.
    let failOnce = true;
    const fake: ArmTrainer = async (arm, _config, dir) => {
      await new Promise((r) => setTimeout(r, arm.index === 1 ? 300 : 20));
      if (arm.index === 3 && failOnce) {
        failOnce = false;
        return { ok: false, reason: 'training killed by SIGKILL' };
      }
      trained.push(arm.index);
      cpSync(join(done, arm.name), dir, { recursive: true, filter: (src) => !src.endsWith(SEARCH_ARM_FILE) });
      return { ok: true };
    };
    const lines: string[] = [];
    const out = join(root, 'parallel');
    const log = join(root, 'parallel', 'log.jsonl');
    const first = await runSearch({ input, base, out, log, note: '', jobs: 2, resume: false, train: fake, print: (l) => lines.push(l) });
    expect(first.failed).toBe(1);
    expect(lines.find((l) => l.includes('arm 3/4'))).toMatch(/failed \(training killed by SIGKILL\)/);
    expect(trained.sort()).toEqual([1, 2, 4]);
    expect(readJsonl<SearchRecord>(log).map((r) => r.arm)).toEqual([1, 2, 4]);
    // Without --resume the folders of this search are refused; with it, only arm 3 trains and is logged.
    await expect(runSearch({ input, base, out, log, note: '', jobs: 2, resume: false, train: fake, ...quiet })).rejects.toThrow(ConfigError);
    trained.length = 0;
    const second = await runSearch({ input, base, out, log, note: '', jobs: 2, resume: true, train: fake, ...quiet });
    expect(second.failed).toBe(0);
    expect(trained).toEqual([3]);
    expect(readJsonl<SearchRecord>(log).map((r) => r.arm)).toEqual([1, 2, 4, 3]);
    expect(recordsFromFolders([out], 'test-tiny', '').map((r) => r.arm)).toEqual([1, 2, 3, 4]);
    expect(existsSync(join(out, '003-test-tiny-train.warmupSteps=1_train.lr=0.001-s1', SEARCH_ARM_FILE))).toBe(true);
  });

  it('makes --out before the first arm (the children write ARM.log beside their folders)', async () => {
    const out = join(root, 'new', 'deeper');
    const seen: boolean[] = [];
    const fake: ArmTrainer = async () => {
      seen.push(existsSync(out));
      return { ok: false, reason: 'not trained' };
    };
    const r = await runSearch({
      input: { ...input, seeds: [1] },
      base,
      out,
      log: join(root, 'z.jsonl'),
      note: '',
      jobs: 2,
      resume: false,
      train: fake,
      ...quiet,
    });
    expect(seen).toEqual([true, true]);
    expect(r.failed).toBe(2);
  });

  it('refuses an --out that holds an arm of another search (same folder name, other plan)', async () => {
    // A third seed: arm 1 (lr 0.003, seed 1) keeps its name, but the plan is another one.
    const other = { ...input, seeds: [1, 2, 3] };
    await expect(
      runSearch({ input: other, base, out: join(root, 'parallel'), log: join(root, 'y.jsonl'), note: '', jobs: 1, resume: true, train: inProcess, ...quiet }),
    ).rejects.toThrow(/holds an arm of another search/);
  });
});
