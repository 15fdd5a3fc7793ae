// A run folder and every file in it (issue 18: a run's files are read and written here, and only here).
// Layout:
//   config.json                      the validated RunConfig
//   provenance.json                  git commit, package versions, machine, backend, classifier (written at start)
//   metrics.jsonl                    one MetricsRow per evaluation (JSON Lines, appended)
//   checkpoints/step-000500/         one checkpoint: weights.safetensors, optimizer.safetensors (latest only),
//                                    state.json (their format: checkpoint.ts)
//   latest.json                      {step, dir} of the latest complete checkpoint: written last, so a crash
//                                    mid-save keeps the previous one
//   fixture.json                     the steps `grokdiff prune` kept (fixtures)
//   timing.json                      seconds spent training, evaluating and checkpointing (train/run-timing.ts)
//   MANIFEST.sha256                  the sha256 of every file (fixtures; fixture-manifest.ts)
//   curves.png, curves.svg           learning curves (report/learning-curves.ts)
//
// What may be written where (issue 19): the checks a training makes on its --out folder before it writes
// anything, and the checks a resume makes that the folder holds one run.
//
// A new run's --out must be a folder that does not exist yet, an empty folder, or a run of ours that never
// completed a checkpoint and has the same config (a restart). A file, a path under a file, a folder that
// cannot be written, a folder with other files, or a finished run is refused with a ConfigError (or
// 'train-out-exists') before anything is created.
//
// A resume checks that config.json, every checkpoint's state.json and the metrics log belong to one run: the
// same config (train.steps may differ: `--resume --steps N` extends a run), metrics steps strictly
// increasing, a row for the checkpoint's step when it is an evaluation step (the optimizer state's step is
// checked when the checkpoint loads: checkpoint.ts). Two processes writing one folder (before the run lock
// existed) leave exactly these traces. Every metrics row is checked field by field when it is read.

import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CheckpointError, ConfigError, GrokdiffError } from '../errors.ts';
import { appendJsonl, readJsonlWithStatus, writeFileAtomic, writeJsonAtomic } from '../io/atomic-write.ts';
import { makeFolder, pseudoFilesystem } from '../io/make-folder.ts';
import { readJsonFile } from '../io/json-file.ts';
import { validateRunConfig, type RunConfig } from './config.ts';
import type { MetricsRow } from './grokking.ts';
import { isRunTiming, type RunTiming } from './run-timing.ts';

/** The files and folders of a run folder (see the layout above). */
export const RUN_FILES = {
  config: 'config.json',
  provenance: 'provenance.json',
  metrics: 'metrics.jsonl',
  checkpoints: 'checkpoints',
  latest: 'latest.json',
  fixture: 'fixture.json',
  timing: 'timing.json',
} as const;

/** The files of one checkpoint folder (their format: checkpoint.ts). */
export const CHECKPOINT_FILES = {
  weights: 'weights.safetensors',
  optimizer: 'optimizer.safetensors',
  state: 'state.json',
} as const;

/** The path of one of a run folder's files or folders. */
export function runFile(runDir: string, file: keyof typeof RUN_FILES): string {
  return join(runDir, RUN_FILES[file]);
}

/** The folder name of the checkpoint at `step` (under checkpoints/). */
export function checkpointDirName(step: number): string {
  return `step-${String(step).padStart(6, '0')}`;
}

/** The folder of the checkpoint at `step`. */
export function checkpointDir(runDir: string, step: number): string {
  return join(runDir, RUN_FILES.checkpoints, checkpointDirName(step));
}

/** The path of one file of the checkpoint at `step`. */
export function checkpointFile(runDir: string, step: number, file: keyof typeof CHECKPOINT_FILES): string {
  return join(checkpointDir(runDir, step), CHECKPOINT_FILES[file]);
}

/** Steps of all checkpoints in a run directory, ascending. */
export function listCheckpoints(runDir: string): number[] {
  const dir = runFile(runDir, 'checkpoints');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => /^step-(\d+)$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** The run's latest.json ({step, dir} of its latest complete checkpoint), or null when there is none yet. */
export function readLatest(runDir: string): { step: number; dir: string } | null {
  const path = runFile(runDir, 'latest');
  if (!existsSync(path)) return null;
  const raw = readJsonFile(path) as { step?: unknown; dir?: unknown };
  if (typeof raw.step !== 'number' || typeof raw.dir !== 'string') {
    throw new CheckpointError('latest-corrupt', `${path}: expected {"step": number, "dir": string}, got ${JSON.stringify(raw)}`);
  }
  return { step: raw.step, dir: raw.dir };
}

/** True when the run has a latest.json (it completed a checkpoint); its contents are checked by readLatest. */
export function hasLatest(runDir: string): boolean {
  return existsSync(runFile(runDir, 'latest'));
}

/** Points latest.json at the checkpoint at `step` (written atomically, after the checkpoint's own files). */
export function writeLatest(runDir: string, step: number): void {
  writeJsonAtomic(runFile(runDir, 'latest'), { step, dir: join(RUN_FILES.checkpoints, checkpointDirName(step)) });
}

/** True when `dir` has the config.json and checkpoints/ of a run made by grokdiff train. */
export function hasRunFiles(dir: string): boolean {
  return existsSync(runFile(dir, 'config')) && existsSync(runFile(dir, 'checkpoints'));
}

/** The run's config.json, validated (a ConfigError names the file and the field). */
export function readRunConfig(runDir: string): RunConfig {
  const path = runFile(runDir, 'config');
  return validateRunConfig(readJsonFile(path), path);
}

/** Writes the run's config.json (atomically). */
export function writeRunConfig(runDir: string, config: RunConfig): void {
  writeJsonAtomic(runFile(runDir, 'config'), config);
}

function isAccuracy(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1;
}

function isInterval(v: unknown): boolean {
  return Array.isArray(v) && v.length === 2 && isAccuracy(v[0]) && isAccuracy(v[1]) && v[0] <= v[1];
}

function isNonNegative(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

/**
 * One row of a metrics log, checked field by field (issue 31: a row cut short or holding a non-finite loss was
 * accepted, and gave null losses later). Throws CheckpointError 'metrics-row' naming the file, line and field.
 */
export function validateMetricsRow(raw: unknown, path: string, line: number): MetricsRow {
  const bad = (what: string): CheckpointError =>
    new CheckpointError('metrics-row', `${path}: line ${line} ${what}; the metrics log is corrupt (a row cut short or edited)`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad(`is ${JSON.stringify(raw)}, not a metrics row {step, loss, lr, ...}`);
  const r = raw as Record<string, unknown>;
  const shown = (v: unknown): string => (typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? 'nothing'));
  const field = (name: string, ok: boolean, expected: string): void => {
    if (!ok) throw bad(`has ${name} = ${shown(r[name])}, expected ${expected}`);
  };
  field('step', typeof r.step === 'number' && Number.isSafeInteger(r.step) && r.step >= 1, 'an integer ≥ 1');
  field('loss', isNonNegative(r.loss), 'a finite number ≥ 0');
  field('lr', isNonNegative(r.lr), 'a finite number ≥ 0');
  field('trainAcc', isAccuracy(r.trainAcc), 'an accuracy in [0, 1]');
  field('trainInterval', isInterval(r.trainInterval), 'an interval [lo, hi] in [0, 1]');
  field('heldoutAcc', isAccuracy(r.heldoutAcc), 'an accuracy in [0, 1]');
  field('heldoutInterval', isInterval(r.heldoutInterval), 'an interval [lo, hi] in [0, 1]');
  // Absent in logs written before the novel pairs were scored; null when a split has no novel pair (0 of 0).
  field('heldoutNovelAcc', r.heldoutNovelAcc === undefined || r.heldoutNovelAcc === null || isAccuracy(r.heldoutNovelAcc), 'an accuracy in [0, 1]');
  field(
    'heldoutNovelInterval',
    r.heldoutNovelInterval === undefined || r.heldoutNovelInterval === null || isInterval(r.heldoutNovelInterval),
    'an interval [lo, hi] in [0, 1]',
  );
  field('wallSeconds', isNonNegative(r.wallSeconds), 'a finite number ≥ 0');
  return raw as MetricsRow;
}

/** The rows of a run's metrics log, and the cut last line that was skipped (a run killed mid-append), if any. */
export function readMetricsWithStatus(runDir: string): { rows: MetricsRow[]; truncatedTail: string | null } {
  const path = runFile(runDir, 'metrics');
  if (!existsSync(path)) return { rows: [], truncatedTail: null };
  const { records, truncatedTail } = readJsonlWithStatus(path);
  return { rows: records.map((r, i) => validateMetricsRow(r, path, i + 1)), truncatedTail };
}

/**
 * The rows of the run's metrics log ([] when it has none), each checked (validateMetricsRow). A truncated last
 * line (a run killed mid-append) is skipped, unless `complete` (a finished run, e.g. one the claims judge):
 * then it is a CheckpointError 'metrics-truncated'. Any other bad line is a CheckpointError naming it.
 */
export function readMetrics(runDir: string, options: { complete?: boolean } = {}): MetricsRow[] {
  const { rows, truncatedTail } = readMetricsWithStatus(runDir);
  if (options.complete && truncatedTail !== null) {
    const shown = truncatedTail.length > 60 ? `${truncatedTail.slice(0, 57)}...` : truncatedTail;
    throw new CheckpointError(
      'metrics-truncated',
      `${runFile(runDir, 'metrics')}: the last line is cut short (${JSON.stringify(shown)}): a writer was killed while logging, so the log of this finished run is incomplete`,
    );
  }
  return rows;
}

/** Rewrites the run's metrics log with `rows` (atomically): a new run starts it empty, a resume cuts it at its checkpoint. */
export function writeMetrics(runDir: string, rows: readonly MetricsRow[]): void {
  writeFileAtomic(runFile(runDir, 'metrics'), rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

/** Appends one evaluation's row to the run's metrics log. */
export function appendMetrics(runDir: string, row: MetricsRow): void {
  appendJsonl(runFile(runDir, 'metrics'), row);
}

/** The run's timing.json (train/run-timing.ts), or null when it has none or it is not a timing (older runs). */
export function readTiming(runDir: string): RunTiming | null {
  const path = runFile(runDir, 'timing');
  if (!existsSync(path)) return null;
  try {
    const raw = readJsonFile(path);
    return isRunTiming(raw) ? raw : null;
  } catch (err) {
    if (err instanceof GrokdiffError) return null;
    throw err;
  }
}

/** Writes the run's timing.json (atomically). */
export function writeTiming(runDir: string, timing: RunTiming): void {
  writeJsonAtomic(runFile(runDir, 'timing'), timing);
}

/** Writes the run's provenance.json (atomically). */
export function writeProvenance(runDir: string, record: object): void {
  writeJsonAtomic(runFile(runDir, 'provenance'), record);
}

/** The run's provenance.json as written, or null when it has none. */
export function readProvenance(runDir: string): unknown {
  const path = runFile(runDir, 'provenance');
  return existsSync(path) ? readJsonFile(path) : null;
}

/** Writes fixture.json: the steps a prune kept. */
export function writeFixtureRecord(runDir: string, record: { memorisationStep: number | null; finalStep: number; note: string }): void {
  writeJsonAtomic(runFile(runDir, 'fixture'), record);
}

/** The run folder of a path that is a run folder or one of its checkpoint folders (…/checkpoints/step-N). */
export function runFolderOf(path: string): string {
  const parent = dirname(path);
  return basename(parent) === RUN_FILES.checkpoints && /^step-\d+$/.test(basename(path)) ? dirname(parent) : path;
}

/** The nearest existing path at or above `path`. */
function nearestExisting(path: string): string {
  let p = resolve(path);
  while (!existsSync(p)) {
    const parent = dirname(p);
    if (parent === p) break;
    p = parent;
  }
  return p;
}

/**
 * Checks that a folder can be created or written at `path` (an output folder given by `flag`): it is not a
 * file, not under a file, and its nearest existing folder is writable. Throws ConfigError naming the flag.
 */
export function checkOutputFolder(path: string, flag = '--out'): void {
  const abs = resolve(path);
  if (existsSync(abs) && !statSync(abs).isDirectory()) throw new ConfigError('out-not-folder', `${flag} ${path} is a file, not a folder`);
  const existing = nearestExisting(abs);
  if (!statSync(existing).isDirectory()) throw new ConfigError('out-under-file', `${flag} ${path}: ${existing} is a file, so no folder can be made under it`);
  const pseudo = pseudoFilesystem(existing);
  if (pseudo) throw new ConfigError('out-pseudo-fs', `${flag} ${path}: ${existing} is on a ${pseudo} filesystem, where no files or folders can be made`);
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch {
    throw new ConfigError('out-read-only', `${flag} ${path}: ${existing} is not writable`);
  }
}

/**
 * Creates the output folder `path` given by `flag` (and its parents) without looping on a filesystem that
 * refuses folders (io/make-folder.ts); a failure is a ConfigError 'out-create' naming the flag and the path.
 */
export function makeOutputFolder(path: string, flag = '--out'): void {
  try {
    makeFolder(path);
  } catch (err) {
    if (err instanceof GrokdiffError) throw new ConfigError('out-create', `${flag} ${path}: ${err.message}`, { cause: err });
    throw err;
  }
}

/** Checks that a file can be written at `path` (an output file given by `flag`): not a folder, its folder can be made. */
export function checkOutputFile(path: string, flag = '--out'): void {
  const abs = resolve(path);
  if (existsSync(abs) && statSync(abs).isDirectory()) throw new ConfigError('out-is-folder', `${flag} ${path} is a folder; give a file name`);
  const existing = nearestExisting(dirname(abs));
  if (!statSync(existing).isDirectory()) throw new ConfigError('out-under-file', `${flag} ${path}: ${existing} is a file, so no file can be made under it`);
  checkOutputFolder(dirname(abs), `${flag} ${path}: folder`);
}

/** Files and folders a grokdiff run folder holds (a run that crashed before its first checkpoint has a subset). */
const RUN_ENTRIES = new Set<string>([...Object.values(RUN_FILES), 'curves.png', 'curves.svg', 'MANIFEST.sha256']);

function firstDifferentField(a: unknown, b: unknown, path = ''): string | null {
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null)) return path || '(root)';
  if (typeof a !== 'object' || a === null) return a === b ? null : path || '(root)';
  for (const k of new Set([...Object.keys(a as object), ...Object.keys(b as object)])) {
    const d = firstDifferentField((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
    if (d) return d;
  }
  return null;
}

/** A config without train.steps (which an extended run changes), for comparing the files of one run. */
function withoutSteps(config: RunConfig): unknown {
  const { steps: _steps, ...train } = config.train;
  return { ...config, train };
}

/**
 * Checks the --out folder of a new run before anything is written (see the file comment). An unfinished run
 * of the same config passes (it is restarted).
 */
export function checkNewRunFolder(outDir: string, config: RunConfig): void {
  checkOutputFolder(outDir);
  if (!existsSync(outDir)) return;
  const entries = readdirSync(outDir).filter((n) => !n.startsWith('.'));
  if (entries.length === 0) return;
  if (hasLatest(outDir) || listCheckpoints(outDir).length > 0) {
    throw new CheckpointError('train-out-exists', `${outDir} already holds a run; use --resume to continue it or choose another --out`);
  }
  const foreign = entries.filter((n) => !RUN_ENTRIES.has(n));
  let existing: RunConfig | null = null;
  if (existsSync(runFile(outDir, 'config'))) {
    try {
      existing = readRunConfig(outDir);
    } catch (err) {
      if (!(err instanceof GrokdiffError)) throw err;
    }
  }
  if (!existing || foreign.length > 0) {
    const shown = (foreign.length > 0 ? foreign : entries).slice(0, 5).join(', ');
    throw new ConfigError(
      'out-not-run',
      `--out ${outDir} exists and is not a grokdiff run (it holds ${shown}); nothing was written. Choose another --out or an empty folder`,
    );
  }
  const diff = firstDifferentField(existing, config);
  if (diff) {
    throw new ConfigError(
      'out-other-run',
      `--out ${outDir} holds an unfinished run (no checkpoint) of another config (field ${diff}); nothing was written. Remove it or choose another --out`,
    );
  }
}

/**
 * Checks that a run folder about to be resumed from `ckpt` (its latest checkpoint) is one run: config.json,
 * every checkpoint's state.json and the metrics log agree. Throws CheckpointError 'run-inconsistent'.
 */
export function checkRunConsistency(outDir: string, ckpt: { readonly config: RunConfig; readonly step: number }): void {
  const inconsistent = (what: string): CheckpointError =>
    new CheckpointError('run-inconsistent', `${outDir} does not hold one run: ${what}. It cannot be resumed; train again into a new --out`);
  const config = readRunConfig(outDir);
  const expected = withoutSteps(ckpt.config);
  const diff = firstDifferentField(withoutSteps(config), expected);
  if (diff) throw inconsistent(`config.json differs from the config of the checkpoint at step ${ckpt.step} (field ${diff})`);
  for (const step of listCheckpoints(outDir)) {
    const statePath = checkpointFile(outDir, step, 'state');
    if (!existsSync(statePath)) continue; // an orphan of a crash mid-save: not a checkpoint
    let state: { config?: unknown };
    try {
      state = readJsonFile(statePath) as { config?: unknown };
    } catch (err) {
      if (err instanceof GrokdiffError) continue;
      throw err;
    }
    const d = state.config && typeof state.config === 'object' ? firstDifferentField(withoutSteps(state.config as RunConfig), expected) : '(root)';
    if (d) throw inconsistent(`the checkpoint at step ${step} was written with another config (field ${d})`);
  }
  const rows = readMetrics(outDir);
  for (let i = 0; i < rows.length; i++) {
    const step = rows[i]?.step;
    if (typeof step !== 'number' || !Number.isInteger(step)) throw inconsistent(`metrics.jsonl line ${i + 1} has no integer step`);
    if (i > 0 && step <= rows[i - 1].step)
      throw inconsistent(`metrics.jsonl line ${i + 1} has step ${step} after step ${rows[i - 1].step} (two writers logged into it)`);
  }
  // The trainer logs an evaluation step's row before it saves that step's checkpoint: a checkpoint at an
  // evaluation step without its row means rows of the log were lost (cut, or a line dropped).
  if (ckpt.step % ckpt.config.train.evalEvery === 0 && !rows.some((r) => r.step === ckpt.step)) {
    throw inconsistent(`metrics.jsonl has no row for step ${ckpt.step}, whose evaluation is logged before its checkpoint is saved (rows were lost)`);
  }
}
