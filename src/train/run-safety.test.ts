// Runs that cannot be lost or mixed (issue 19), on a tiny real-data run (P = 5, 8×8 images): the run lock
// (a second writer is refused, a stale lock of a dead process is taken over), --out folders that are not
// ours are refused before anything is written, a resume checks that the folder holds one run and that the
// optimizer state is finite before config.json is rewritten, and prune keeps only complete checkpoints.
// Issue 31: a negative second moment or a missing optimizer file is refused at resume with every file left as it
// was (--restart-moments is the explicit way on), bad metrics rows are refused by line, nothing is written
// before the whole configuration is accepted, prune judges weights and optimizer apart, and the next writer
// clears the temporary files of a dead one.
// @module-tag reliability
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEmnistPool } from '../data/pool.ts';
import { initBackend } from '../engine/backend.ts';
import { CheckpointError, ConfigError } from '../errors.ts';
import { appendJsonl, readJsonl, writeJsonAtomic } from '../io/atomic-write.ts';
import { loadCheckpoint } from './checkpoint.ts';
import { checkpointDirName, listCheckpoints } from './run-folder.ts';
import { MANIFEST_NAME, verifyManifest } from './fixture-manifest.ts';
import { pruneRun } from './prune.ts';
import { acquireRunLock, LOCK_NAME } from './run-lock.ts';
import type { RunConfig } from './config.ts';
import { readSafetensorsFile, writeSafetensorsFile } from '../io/safetensors.ts';
import { trainRun } from './trainer.ts';
import { generationEvaluator } from '../eval/training-evaluation.ts';
import { tinyConfig } from '../../test-support/tiny-run-config.ts';

const pool = loadEmnistPool();
const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'grokdiff-safety-'));
  dirs.push(d);
  return d;
};
beforeAll(async () => {
  await initBackend('cpu', { log: () => {} });
});
afterAll(() =>
  dirs.forEach((d) => {
    rmSync(d, { recursive: true, force: true });
  }),
);

/** A finished tiny run (6 steps, checkpoints at 3 and 6) in a new folder. */
async function finishedRun(over: Parameters<typeof tinyConfig>[0] = {}): Promise<string> {
  const out = join(tmp(), 'run');
  await trainRun({ evaluator: generationEvaluator, config: tinyConfig(over), outDir: out, pool });
  return out;
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

function errorOf(f: () => unknown): Error & { code?: string } {
  try {
    f();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected an error');
}

describe('run lock', () => {
  it('a second writer is refused while the first holds the lock; release frees it', () => {
    const run = tmp();
    const lock = acquireRunLock(run, 'test');
    const err = errorOf(() => acquireRunLock(run, 'second'));
    expect(err).toBeInstanceOf(CheckpointError);
    expect(err.code).toBe('run-locked');
    expect(err.message).toContain(`process ${process.pid} on ${hostname()} (test`);
    lock.release();
    expect(existsSync(join(run, LOCK_NAME))).toBe(false);
    acquireRunLock(run, 'third').release();
  });
  it('a stale lock (its process is gone) is detected by pid and taken over', () => {
    const run = tmp();
    writeFileSync(join(run, LOCK_NAME), JSON.stringify({ pid: deadPid(), host: hostname(), purpose: 'grokdiff train', startedAt: 'earlier', token: 'old' }));
    const lines: string[] = [];
    const lock = acquireRunLock(run, 'test', (l) => lines.push(l));
    expect(lines.join('\n')).toMatch(/removed the stale lock/);
    expect(JSON.parse(readFileSync(join(run, LOCK_NAME), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });
  it('two trainings on one --out: the second is refused with run-locked, the first completes', async () => {
    const out = join(tmp(), 'run');
    const first = trainRun({ evaluator: generationEvaluator, config: tinyConfig(), outDir: out, pool });
    await expect(trainRun({ evaluator: generationEvaluator, config: tinyConfig({}), outDir: out, pool })).rejects.toThrow(
      /is being written by process \d+ .*grokdiff train/,
    );
    await first;
    const metrics = readJsonl<{ step: number }>(join(out, 'metrics.jsonl')).map((r) => r.step);
    expect(metrics).toEqual([2, 4, 6]);
    expect(existsSync(join(out, LOCK_NAME))).toBe(false);
  });
  it('two resumes at once: the second is refused, metrics rows are not duplicated', async () => {
    const out = join(tmp(), 'run');
    await trainRun({ evaluator: generationEvaluator, config: tinyConfig(), outDir: out, pool, stopAtStep: 3 });
    const a = trainRun({ evaluator: generationEvaluator, outDir: out, resume: true, pool });
    await expect(trainRun({ evaluator: generationEvaluator, outDir: out, resume: true, pool })).rejects.toThrow(/run-locked|is being written by/);
    await a;
    expect(readJsonl<{ step: number }>(join(out, 'metrics.jsonl')).map((r) => r.step)).toEqual([2, 4, 6]);
  });
  it('a run killed with its lock held (kill -9) resumes: the stale lock is taken over', async () => {
    const out = join(tmp(), 'run');
    await trainRun({ evaluator: generationEvaluator, config: tinyConfig(), outDir: out, pool, stopAtStep: 3 });
    writeFileSync(join(out, LOCK_NAME), JSON.stringify({ pid: deadPid(), host: hostname(), purpose: 'grokdiff train', startedAt: 'earlier', token: 'old' }));
    const r = await trainRun({ evaluator: generationEvaluator, outDir: out, resume: true, pool });
    expect(r.lastStep).toBe(6);
  });
});

describe('--out of a new run', () => {
  it('an existing folder that is not a run is refused before anything is written', async () => {
    const out = tmp();
    writeFileSync(join(out, 'notes.txt'), 'mine');
    writeFileSync(join(out, 'metrics.jsonl'), 'my own log\n');
    await expect(trainRun({ evaluator: generationEvaluator, config: tinyConfig(), outDir: out, pool })).rejects.toThrow(
      /exists and is not a grokdiff run \(it holds notes\.txt\); nothing was written/,
    );
    expect(readdirSync(out).sort()).toEqual(['metrics.jsonl', 'notes.txt']);
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).toBe('my own log\n');
  });
  it('a file, or a path under a file, is a ConfigError', async () => {
    const file = join(tmp(), 'a-file');
    writeFileSync(file, 'x');
    await expect(trainRun({ evaluator: generationEvaluator, config: tinyConfig(), outDir: file, pool })).rejects.toThrow(ConfigError);
    await expect(trainRun({ evaluator: generationEvaluator, config: tinyConfig(), outDir: file, pool })).rejects.toThrow(/is a file, not a folder/);
    await expect(trainRun({ evaluator: generationEvaluator, config: tinyConfig(), outDir: join(file, 'run'), pool })).rejects.toThrow(
      /a-file is a file, so no folder can be made under it/,
    );
  });
  it('an empty folder, or an unfinished run (no checkpoint) of the same config, is accepted; of another config, refused', async () => {
    const empty = tmp();
    await trainRun({ evaluator: generationEvaluator, config: tinyConfig({ train: { steps: 1, evalEvery: 1, checkpointEvery: 1 } }), outDir: empty, pool });
    const unfinished = tmp();
    writeJsonAtomic(join(unfinished, 'config.json'), tinyConfig());
    writeFileSync(join(unfinished, 'metrics.jsonl'), '');
    await expect(trainRun({ evaluator: generationEvaluator, config: tinyConfig({ train: { lr: 1e-3 } }), outDir: unfinished, pool })).rejects.toThrow(
      /unfinished run \(no checkpoint\) of another config \(field train\.lr\)/,
    );
    expect((await trainRun({ evaluator: generationEvaluator, config: tinyConfig(), outDir: unfinished, pool })).lastStep).toBe(6);
  });
});

describe('resume checks that the folder holds one run', () => {
  it('a checkpoint written with another config (a second writer) is refused, and config.json is not rewritten', async () => {
    const out = await finishedRun();
    const state = join(out, 'checkpoints', checkpointDirName(3), 'state.json');
    const raw = JSON.parse(readFileSync(state, 'utf8'));
    raw.config.seed = 4;
    writeFileSync(state, JSON.stringify(raw));
    const before = readFileSync(join(out, 'config.json'), 'utf8');
    await expect(trainRun({ evaluator: generationEvaluator, outDir: out, resume: true, extendSteps: 9, pool })).rejects.toThrow(
      /does not hold one run: the checkpoint at step 3 was written with another config \(field seed\)/,
    );
    expect(readFileSync(join(out, 'config.json'), 'utf8')).toBe(before);
  });
  it('config.json of another seed than the latest checkpoint is refused', async () => {
    const out = await finishedRun();
    writeJsonAtomic(join(out, 'config.json'), { ...tinyConfig(), seed: 9 });
    await expect(trainRun({ evaluator: generationEvaluator, outDir: out, resume: true, extendSteps: 9, pool })).rejects.toThrow(
      /config\.json differs from the config of the checkpoint at step 6 \(field seed\)/,
    );
  });
  it('metrics.jsonl with a step twice (two writers) is refused', async () => {
    const out = await finishedRun();
    appendJsonl(join(out, 'metrics.jsonl'), readJsonl(join(out, 'metrics.jsonl'))[0]);
    await expect(trainRun({ evaluator: generationEvaluator, outDir: out, resume: true, extendSteps: 9, pool })).rejects.toThrow(
      /metrics\.jsonl line 4 has step 2 after step 6 \(two writers/,
    );
  });
  it('NaN in the optimizer state is refused at resume (not later as "loss became NaN"), before config.json is rewritten', async () => {
    const out = await finishedRun();
    const opt = join(out, 'checkpoints', checkpointDirName(6), 'optimizer.safetensors');
    const file = readSafetensorsFile(opt);
    const name = Object.keys(file.tensors).find((n) => n.startsWith('v.'))!;
    (file.tensors[name].data as Float32Array)[0] = Number.NaN;
    writeSafetensorsFile(opt, file.tensors, file.metadata);
    const before = readFileSync(join(out, 'config.json'), 'utf8');
    await expect(trainRun({ evaluator: generationEvaluator, outDir: out, resume: true, extendSteps: 9, pool })).rejects.toThrow(
      /optimizer\.safetensors: moment "v\..*" holds NaN at element 0 \(non-finite\); the optimizer state is corrupt/,
    );
    expect(readFileSync(join(out, 'config.json'), 'utf8')).toBe(before);
    expect(existsSync(join(out, LOCK_NAME))).toBe(false);
  });
  it('--resume on a folder without a run is a typed error', async () => {
    await expect(trainRun({ evaluator: generationEvaluator, outDir: tmp(), resume: true, pool })).rejects.toThrow(/holds no run to resume/);
  });
});

describe('prune', () => {
  /** A run with complete checkpoints 2, 4, 6 and an orphan step folder at 8 (made by `orphan`). */
  async function runWithOrphan(orphan: (dir: string) => void): Promise<string> {
    const out = await finishedRun({ train: { checkpointEvery: 2 } });
    const dir = join(out, 'checkpoints', checkpointDirName(8));
    mkdirSync(dir, { recursive: true });
    orphan(dir);
    return out;
  }
  it('a step folder without its state file (killed mid-save) is never "final"; complete ones are kept; the orphan stays unless asked', async () => {
    const out = await runWithOrphan((d) =>
      writeFileSync(join(d, 'weights.safetensors'), readFileSync(join(d, '..', checkpointDirName(6), 'weights.safetensors'))),
    );
    const r = pruneRun(out);
    expect(r.kept.final).toBe(6);
    expect(r.orphans.map((o) => o.step)).toEqual([8]);
    expect(r.orphans[0].problem).toMatch(/no state\.json/);
    expect(listCheckpoints(out)).toEqual([...r.steps, 8]);
    expect(loadCheckpoint(out).step).toBe(6);
    expect(verifyManifest(out, { required: true })).toBeGreaterThan(0);
    const again = pruneRun(out, { deleteOrphans: true });
    expect(again.orphansDeleted).toBe(true);
    expect(listCheckpoints(out)).toEqual(again.steps);
    expect(loadCheckpoint(out).step).toBe(6);
  });
  it('an empty step folder (full disk) is an orphan too', async () => {
    const out = await runWithOrphan(() => {});
    expect(pruneRun(out).kept.final).toBe(6);
    expect(loadCheckpoint(out).step).toBe(6);
  });
  it('a run without any complete checkpoint: an error, and nothing is deleted', async () => {
    const out = await finishedRun();
    for (const step of listCheckpoints(out)) unlinkSync(join(out, 'checkpoints', checkpointDirName(step), 'state.json'));
    const before = listCheckpoints(out);
    expect(() => pruneRun(out)).toThrow(/has no complete checkpoint, so nothing was pruned/);
    expect(listCheckpoints(out)).toEqual(before);
    for (const step of before) expect(statSync(join(out, 'checkpoints', checkpointDirName(step), 'weights.safetensors')).size).toBeGreaterThan(0);
  });
  it('a checkpoint whose weights do not load is not a candidate', async () => {
    const out = await finishedRun();
    writeFileSync(join(out, 'checkpoints', checkpointDirName(6), 'weights.safetensors'), 'garbage');
    const r = pruneRun(out);
    expect(r.kept.final).toBe(3);
    expect(r.orphans.map((o) => o.step)).toEqual([6]);
    expect(loadCheckpoint(out).step).toBe(3);
    expect(existsSync(join(out, MANIFEST_NAME))).toBe(true);
  });
  it('prune refuses a run another process is writing', async () => {
    const out = await finishedRun();
    const lock = acquireRunLock(out, 'grokdiff train');
    try {
      expect(() => pruneRun(out)).toThrow(/is being written by process/);
    } finally {
      lock.release();
    }
  });
});

/** sha256 of every file under `dir` (relative path → digest), but the run lock. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name !== LOCK_NAME) out[full.slice(dir.length + 1)] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

/** Rewrites the optimizer file of the checkpoint at `step` after `edit` changed its moments. */
function editOptimizer(out: string, step: number, edit: (tensors: Record<string, { data: unknown }>) => void): void {
  const path = join(out, 'checkpoints', checkpointDirName(step), 'optimizer.safetensors');
  const file = readSafetensorsFile(path);
  edit(file.tensors as Record<string, { data: unknown }>);
  writeSafetensorsFile(path, file.tensors, file.metadata);
}

describe('resume: the optimizer state and the log are checked, nothing is lost (issue 31)', () => {
  it('a negative second moment is refused at resume (it made NaN weights that replaced the last good state); every file stays byte for byte', async () => {
    const out = await finishedRun();
    editOptimizer(out, 6, (t) => {
      (t['v.out_proj.weight'].data as Float32Array)[3] = -0.5;
    });
    const before = snapshot(out);
    await expect(trainRun({ evaluator: generationEvaluator, outDir: out, resume: true, extendSteps: 9, pool })).rejects.toThrow(
      /optimizer\.safetensors: moment "v\.out_proj\.weight" holds -0\.5 at element 3 \(negative.*resume with --restart-moments/,
    );
    expect(snapshot(out)).toEqual(before);
  });
  it('a deleted optimizer file is an error naming it (it resumed with fresh moments, silently); --restart-moments is the explicit way on, and the run resumes normally after it', async () => {
    const out = await finishedRun();
    const opt = join(out, 'checkpoints', checkpointDirName(6), 'optimizer.safetensors');
    unlinkSync(opt);
    const before = snapshot(out);
    const err = await trainRun({ evaluator: generationEvaluator, outDir: out, resume: true, extendSteps: 9, pool }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as CheckpointError).code).toBe('resume-no-optimizer');
    expect((err as Error).message).toContain(`${opt} is missing`);
    expect(snapshot(out)).toEqual(before);
    const lines: string[] = [];
    const progress = { tick: () => {}, evaluated: () => {}, message: (l: string) => lines.push(l), done: () => {} };
    const r = await trainRun({ evaluator: generationEvaluator, outDir: out, resume: true, extendSteps: 9, restartMoments: true, pool, progress });
    expect(r.lastStep).toBe(9);
    expect(lines.join('\n')).toMatch(/AdamW's moments restart from zero at step 6 \(--restart-moments\)/);
    expect(loadCheckpoint(out).momentsRestartedAt).toBe(6);
    expect(loadCheckpoint(out).optimizer?.step).toBe(3);
    expect(JSON.parse(readFileSync(join(out, 'provenance.json'), 'utf8')).momentsRestartedAt).toBe(6);
    // The moments restarted once: later resumes continue them exactly, without the flag.
    expect((await trainRun({ evaluator: generationEvaluator, outDir: out, resume: true, extendSteps: 12, pool })).lastStep).toBe(12);
    expect(loadCheckpoint(out).optimizer?.step).toBe(6);
  });
  it('a metrics row with a loss of 1e999, or a row cut short, is refused at resume naming the line', async () => {
    const out = await finishedRun();
    const metrics = join(out, 'metrics.jsonl');
    const rows = readFileSync(metrics, 'utf8').split('\n');
    writeFileSync(metrics, [rows[0], rows[1].replace(/"loss":[^,]+/, '"loss":1e999'), ...rows.slice(2)].join('\n'));
    await expect(trainRun({ evaluator: generationEvaluator, outDir: out, resume: true, extendSteps: 9, pool })).rejects.toThrow(
      /metrics\.jsonl: line 2 has loss = Infinity, expected a finite number ≥ 0/,
    );
    writeFileSync(metrics, ['{"step":2,"loss":0.5}', ...rows.slice(1)].join('\n'));
    await expect(trainRun({ evaluator: generationEvaluator, outDir: out, resume: true, extendSteps: 9, pool })).rejects.toThrow(
      /metrics\.jsonl: line 1 has lr = nothing, expected a finite number ≥ 0/,
    );
  });
  it('a checkpoint at an evaluation step whose row is gone from the log is refused (rows were lost)', async () => {
    const out = await finishedRun();
    const metrics = join(out, 'metrics.jsonl');
    const rows = readFileSync(metrics, 'utf8').split('\n').filter(Boolean);
    writeFileSync(metrics, `${rows.slice(0, -1).join('\n')}\n`);
    await expect(trainRun({ evaluator: generationEvaluator, outDir: out, resume: true, extendSteps: 9, pool })).rejects.toThrow(
      /metrics\.jsonl has no row for step 6, whose evaluation is logged before its checkpoint is saved/,
    );
  });
});

describe('a new run writes nothing before its whole configuration is accepted (issue 31)', () => {
  it('beta1 = 1 (which AdamW refuses) leaves no --out behind, so a rerun into the same folder works', async () => {
    const out = join(tmp(), 'run');
    const good = tinyConfig();
    const bad = { ...good, train: { ...good.train, beta1: 1 } } as RunConfig;
    await expect(trainRun({ evaluator: generationEvaluator, config: bad, outDir: out, pool })).rejects.toThrow(/betas\[0\] must be in \[0, 1\)/);
    expect(existsSync(out)).toBe(false);
    expect((await trainRun({ evaluator: generationEvaluator, config: good, outDir: out, pool })).lastStep).toBe(6);
  });
});

describe('prune judges weights and optimizer apart (issue 31)', () => {
  it('a checkpoint whose weights load but whose optimizer file is corrupt is complete: --delete-orphans keeps its weights', async () => {
    const out = await finishedRun();
    editOptimizer(out, 6, (t) => {
      (t['m.out_proj.bias'].data as Float32Array)[0] = Number.NaN;
    });
    const weights = readFileSync(join(out, 'checkpoints', checkpointDirName(6), 'weights.safetensors'));
    const r = pruneRun(out, { deleteOrphans: true });
    expect(r.orphans).toEqual([]);
    expect(r.kept.final).toBe(6);
    expect(r.badOptimizers.map((b) => b.step)).toEqual([6]);
    expect(r.badOptimizers[0].optimizerProblem).toMatch(/moment "m\.out_proj\.bias" holds NaN/);
    expect(readFileSync(join(out, 'checkpoints', checkpointDirName(6), 'weights.safetensors')).equals(weights)).toBe(true);
    expect(existsSync(join(out, 'checkpoints', checkpointDirName(6), 'optimizer.safetensors'))).toBe(false);
    expect(loadCheckpoint(out).step).toBe(6);
  });
  it('a last metrics line cut by a killed writer is removed from a pruned run (the claims read a fixture log whole)', async () => {
    const out = await finishedRun();
    writeFileSync(join(out, 'metrics.jsonl'), `${readFileSync(join(out, 'metrics.jsonl'), 'utf8')}{"step":8,"lo`);
    const r = pruneRun(out);
    expect(r.metricsTailDropped).toBe('{"step":8,"lo');
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8').endsWith('}\n')).toBe(true);
    expect(verifyManifest(out, { required: true })).toBeGreaterThan(0);
  });
});

describe('litter of dead writers (issue 31)', () => {
  it("the next writer to take the lock removes a dead writer's temporary files and keeps (and reports) a live one's", async () => {
    const out = await finishedRun();
    const dead = deadPid();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      const step6 = join(out, 'checkpoints', checkpointDirName(6));
      const planted = [
        join(step6, `.weights.safetensors.${dead}.0123456789ab.tmp`),
        join(out, `.metrics.jsonl.${dead}.abcdefabcdef.tmp`),
        join(out, `${LOCK_NAME}.stale-${dead}-abcdef01`),
      ];
      const live = join(out, `.config.json.${child.pid}.0123456789ab.tmp`);
      for (const f of [...planted, live]) writeFileSync(f, 'partial');
      const lines: string[] = [];
      const lock = acquireRunLock(out, 'test', (l) => lines.push(l));
      lock.release();
      for (const f of planted) expect(existsSync(f), f).toBe(false);
      expect(existsSync(live)).toBe(true);
      expect(lines.join('\n')).toMatch(/removed 3 temporary file\(s\) left in .* by a writer that died/);
      expect(lines.join('\n')).toMatch(new RegExp(`kept 1 temporary file\\(s\\) .* whose writer is still running: \\.config\\.json\\.${child.pid}\\.`));
    } finally {
      child.kill();
    }
  });
});
