// The arms of a `grokdiff search` (issue 28), trained in-process one after another or as separate processes
// (`--jobs J`, cli/child-runs.ts), all of a plan or one slice of it (`--shard i/n`, cli/search-plan.ts), into run
// folders named by the plan, so that `--resume` continues the unfinished ones and `--from-runs` merges the
// folders of several machines. Each arm's record is built from its run folder alone (the same function as
// `--from-runs`) and appended to the log in plan order, whatever order the arms finish in; a failed, crashed
// or killed arm is reported and the others go on. This is how the CPU presets are searched (docs/PRESET-SEARCH.md).

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.ts';
import { appendJsonl, readJsonl, writeFileAtomic, writeJsonAtomic } from '../io/atomic-write.ts';
import { readJsonFile } from '../io/json-file.ts';
import { PAPER } from '../paper/registry.ts';
import { applyOverrides, type RunConfig } from '../train/config.ts';
import { getPreset } from '../train/presets.ts';
import { grokkingSteps, stableLevelStep } from '../train/grokking.ts';
import { hasLatest, makeOutputFolder, readLatest, readMetrics, readProvenance, runFile } from '../train/run-folder.ts';
import { describeExit, runChild, runQueue } from './child-runs.ts';
import { searchPlan, shardArms, type SearchArm, type SearchPlan, type SearchPlanInput, type Shard } from './search-plan.ts';

/** One record of the search log (docs/preset-search.jsonl): one run, as its folder says. */
export interface SearchRecord {
  readonly preset: string;
  readonly overrides: string[];
  readonly seed: number;
  readonly steps: number;
  readonly sTrain: number | null;
  readonly sVal: number | null;
  readonly ratio: number | null;
  readonly wallSeconds: number;
  readonly finalTrainAcc: number;
  readonly finalHeldoutAcc: number;
  /** Held-out accuracy on pairs whose mirror was not trained (absent in older records). */
  readonly finalNovelAcc?: number;
  /**
   * First step from which the novel held-out accuracy holds its grokking level for PAPER.grokStabilityEvals
   * evaluations (or to the end of the log): where grokking happens. Null: never; absent in older records.
   */
  readonly sValNovel?: number | null;
  readonly backend: string;
  readonly note: string;
  readonly date: string;
  /** The search's plan id (search-plan.ts) and the arm's place in it; absent in records of older searches. */
  readonly search?: string;
  readonly arm?: number;
}

/** What a search leaves in each finished arm's run folder: which search and arm it is. */
export interface SearchArmFile {
  readonly search: string;
  readonly arm: number;
  readonly preset: string;
  readonly overrides: string[];
  readonly seed: number;
  readonly note: string;
  /** When the arm's training ended (it is written then). */
  readonly finished: string;
}

/** The arm file's name inside a run folder. */
export const SEARCH_ARM_FILE = 'search-arm.json';

export function readSearchArm(dir: string): SearchArmFile | null {
  const path = join(dir, SEARCH_ARM_FILE);
  return existsSync(path) ? (readJsonFile(path) as SearchArmFile) : null;
}

/**
 * A search record rebuilt from a run directory (also interrupted or extended runs). A folder a search left
 * (search-arm.json) gives its overrides as the search was asked them, its note (unless `note` is given) and its
 * place in the search; another gives its overrides against the preset `basePreset`.
 */
export function recordFromRunDir(dir: string, basePreset: string, note: string, base: RunConfig | null = null): SearchRecord | null {
  if (!existsSync(runFile(dir, 'config')) || !existsSync(runFile(dir, 'metrics'))) return null;
  const config = readJsonFile(runFile(dir, 'config')) as RunConfig;
  const metrics = readMetrics(dir);
  const arm = readSearchArm(dir);
  const overrides: string[] = [];
  if (arm) overrides.push(...arm.overrides);
  else {
    const preset = base ?? getPreset(basePreset);
    for (const section of ['data', 'model', 'train'] as const) {
      for (const [k, v] of Object.entries(config[section])) {
        const b = (preset[section] as Record<string, unknown>)[k];
        if (JSON.stringify(b) !== JSON.stringify(v)) overrides.push(`${section}.${k}=${JSON.stringify(v)}`);
      }
    }
  }
  const g = grokkingSteps(metrics);
  const last = metrics.at(-1);
  const provenance = readProvenance(dir) as { backend?: unknown } | null;
  const backend = provenance ? String(provenance.backend ?? '?') : '?';
  const text = note || arm?.note || '';
  return {
    preset: arm?.preset ?? basePreset,
    overrides,
    seed: config.seed,
    steps: last?.step ?? 0,
    sTrain: g.sTrain,
    sVal: g.sVal,
    ratio: g.ratio,
    wallSeconds: last?.wallSeconds ?? 0,
    finalTrainAcc: last?.trainAcc ?? 0,
    finalHeldoutAcc: last?.heldoutAcc ?? 0,
    ...(last?.heldoutNovelAcc !== undefined && last.heldoutNovelAcc !== null
      ? { finalNovelAcc: last.heldoutNovelAcc, sValNovel: stableLevelStep(metrics, 'novel', PAPER.grokHeldoutLevel.value) }
      : {}),
    backend,
    note: `${text}${last && last.step < config.train.steps ? `${text ? ' ' : ''}(stopped at ${last.step} of ${config.train.steps})` : ''}`,
    date: statSync(runFile(dir, 'metrics')).mtime.toISOString(),
    ...(arm ? { search: arm.search, arm: arm.arm } : {}),
  };
}

/**
 * The log's order for merged folders: the arms of one search in plan order, searches (and folders of older
 * searches, one by one) by their first date. The same folders give the same log on every machine.
 */
export function orderRecords(records: readonly SearchRecord[]): SearchRecord[] {
  const groups = new Map<string, SearchRecord[]>();
  records.forEach((r, i) => {
    const key = r.search !== undefined ? `search:${r.search}` : `run:${i}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  });
  const first = (g: SearchRecord[]): string => g.map((r) => r.date).sort()[0];
  return [...groups.values()]
    .map((g) => [...g].sort((a, b) => (a.arm ?? 0) - (b.arm ?? 0) || a.date.localeCompare(b.date)))
    .sort((a, b) => first(a).localeCompare(first(b)) || (a[0].search ?? '').localeCompare(b[0].search ?? ''))
    .flat();
}

/** The records of every run folder directly under each of `folders`, in orderRecords' order. */
export function recordsFromFolders(folders: readonly string[], basePreset: string, note: string): SearchRecord[] {
  const records = folders
    .flatMap((dir) => readdirSync(dir).map((name) => join(dir, name)))
    .filter((dir) => statSync(dir).isDirectory())
    .map((dir) => recordFromRunDir(dir, basePreset, note))
    .filter((r): r is SearchRecord => r !== null);
  return orderRecords(records);
}

/** How training one arm ended: finished (to its budget or the trainer's grokking stop), or why not. */
export type ArmOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly interrupted?: boolean };

/** Trains one arm: fresh into `dir` (with `config`), or continuing the run there (`resume`). */
export type ArmTrainer = (arm: SearchArm, config: RunConfig, dir: string, resume: boolean) => Promise<ArmOutcome>;

/**
 * Trains arms as `grokdiff train` child processes (one native thread each unless GROKDIFF_NATIVE_THREADS is set),
 * each writing its output to DIR.log beside its folder; `backend` is passed on as --backend; aborting sends SIGTERM.
 */
export function childArmTrainer(preset: string, options: { backend?: string; abort?: AbortSignal; bin?: string } = {}): ArmTrainer {
  return async (arm, _config, dir, resume) => {
    const global = options.backend ? ['--backend', options.backend] : [];
    const args = resume
      ? [...global, 'train', '--out', dir, '--resume']
      : [...global, 'train', '--preset', preset, '--seed', String(arm.seed), '--out', dir, ...arm.overrides.flatMap((o) => ['--set', o])];
    const exit = await runChild(args, `${dir}.log`, { abort: options.abort, bin: options.bin });
    if (exit.code === 0) return { ok: true };
    return { ok: false, reason: `training ${describeExit(exit)}; see ${dir}.log`, interrupted: options.abort?.aborted ?? false };
  };
}

export interface SearchRunOptions {
  /** The plan's flags, and the preset's config (base of every arm). */
  readonly input: SearchPlanInput;
  readonly base: RunConfig;
  readonly out: string;
  readonly log: string;
  readonly note: string;
  readonly jobs: number;
  readonly shard?: Shard;
  readonly resume: boolean;
  readonly train: ArmTrainer;
  /** True: start no further arm (Ctrl-C). */
  readonly stop?: () => boolean;
  /** Where the lines go (default console.log). */
  readonly print?: (line: string) => void;
}

export interface SearchRunResult {
  readonly plan: SearchPlan;
  /** The arms of this machine (the shard's, or all). */
  readonly arms: readonly SearchArm[];
  readonly failed: number;
  readonly logged: number;
}

/** The keys of the records already in a log: `search#arm`. */
function loggedArms(log: string): Set<string> {
  if (!existsSync(log)) return new Set();
  return new Set(
    readJsonl<SearchRecord>(log)
      .filter((r) => r.search !== undefined)
      .map((r) => `${r.search}#${r.arm}`),
  );
}

/** Refuses, before anything runs, folders of the plan that hold something unless --resume continues them. */
function checkArmFolders(plan: SearchPlan, arms: readonly SearchArm[], out: string, resume: boolean): void {
  const taken = arms.filter((a) => existsSync(join(out, a.name)) && readdirSync(join(out, a.name)).length > 0);
  if (taken.length > 0 && !resume) {
    throw new ConfigError(
      'search-out-exists',
      `--out ${out} already holds ${taken.length} arm(s) of this search (${taken
        .slice(0, 3)
        .map((a) => a.name)
        .join(', ')}${taken.length > 3 ? ', …' : ''}); continue them with --resume, or choose another --out`,
    );
  }
  for (const a of taken) {
    const arm = readSearchArm(join(out, a.name));
    if (arm && arm.search !== plan.id) {
      throw new ConfigError(
        'search-out-other',
        `--out ${out}: ${a.name} holds an arm of another search (${arm.search}, this one is ${plan.id}: other --grid, --set, --seeds or --preset); choose another --out`,
      );
    }
  }
}

/** Runs the search (see the module comment). */
export async function runSearch(o: SearchRunOptions): Promise<SearchRunResult> {
  const print = o.print ?? ((line: string) => console.log(line));
  const plan = searchPlan(o.input);
  const arms = o.shard ? shardArms(plan.arms, o.shard) : [...plan.arms];
  checkArmFolders(plan, arms, o.out, o.resume);
  makeOutputFolder(o.out); // the children's ARM.log files go beside the arm folders
  const configs = new Map(arms.map((a) => [a.index, applyOverrides(o.base, a.overrides, { seed: a.seed })]));
  const logged = loggedArms(o.log);
  const table = join(o.log, '..', 'PRESET-SEARCH.md');
  // Records are appended in plan order: an arm's record waits for the arms before it (of this machine) to end.
  const done = new Map<number, SearchRecord | null>();
  let next = 0;
  let appended = 0;
  const flush = (): void => {
    while (next < arms.length && done.has(arms[next].index)) {
      const record = done.get(arms[next].index);
      next++;
      if (!record) continue;
      appendJsonl(o.log, record);
      appended++;
      writeFileAtomic(table, renderSearchTable(readJsonl<SearchRecord>(o.log)));
    }
  };
  const one = async (arm: SearchArm): Promise<{ line: string; failed: boolean }> => {
    const dir = join(o.out, arm.name);
    const tag = `arm ${arm.index}/${plan.arms.length} ${arm.name}`;
    let record: SearchRecord | null = null;
    let outcome: { line: string; failed: boolean };
    try {
      if (logged.has(`${plan.id}#${arm.index}`)) outcome = { line: `${tag}: already in the log`, failed: false };
      else {
        let trained: ArmOutcome = { ok: true };
        if (!readSearchArm(dir)) {
          trained = await o.train(arm, configs.get(arm.index) as RunConfig, dir, o.resume && hasLatest(dir));
          if (trained.ok) {
            const armFile: SearchArmFile = {
              search: plan.id,
              arm: arm.index,
              preset: o.input.preset,
              overrides: [...arm.overrides],
              seed: arm.seed,
              note: o.note,
              finished: new Date().toISOString(),
            };
            writeJsonAtomic(join(dir, SEARCH_ARM_FILE), armFile);
          }
        }
        if (trained.ok) {
          record = recordFromRunDir(dir, o.input.preset, '', o.base);
          outcome = { line: `${tag}: ${record ? summary(record) : 'finished, but the folder holds no metrics'}`, failed: record === null };
        } else outcome = { line: `${tag}: ${trained.interrupted ? 'interrupted' : 'failed'} (${trained.reason})${latestNote(dir)}`, failed: true };
      }
    } catch (err) {
      outcome = { line: `${tag}: failed (${err instanceof Error ? err.message : String(err)})`, failed: true };
    }
    done.set(arm.index, record);
    flush();
    return outcome;
  };
  const failed = await runQueue(arms, o.jobs, one, { stop: o.stop, print });
  return { plan, arms, failed, logged: appended };
}

function latestNote(dir: string): string {
  const latest = existsSync(dir) ? readLatest(dir) : null;
  return latest ? `; checkpoint at step ${latest.step}, --resume continues it` : '';
}

function summary(r: SearchRecord): string {
  const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
  return `${r.steps} steps, train ${pct(r.finalTrainAcc)}, held-out ${pct(r.finalHeldoutAcc)}${r.finalNovelAcc !== undefined ? `, novel ${pct(r.finalNovelAcc)}` : ''}`;
}

export function renderSearchTable(records: readonly SearchRecord[]): string {
  const lines = [
    '# Preset search log',
    '',
    'Every configuration tried while choosing the CPU presets, in the order run (`grokdiff search`).',
    's_train: first evaluated step with train accuracy ≥ 99 %; s_val: first with held-out accuracy ≥ 95 %;',
    'ratio = s_val / s_train (the issue asks for ≥ 2). Wall time is the whole run on the backend shown (runs shared',
    'the 2 cores with other work, so times are upper bounds). "Overrides" are relative to the preset as it is now',
    '(src/train/presets.ts); "novel held-out" is accuracy on held-out pairs whose mirror (b, a) was not trained.',
    `s_val (novel): first step from which the novel held-out accuracy holds ≥ 95 % for ${PAPER.grokStabilityEvals.value} evaluations (or to the end`,
    'of the log): where grokking happens, the s_val of the mirrored held-out pairs being commutativity; "n/r": not recorded (older rows).',
    '',
    '| preset | overrides | seed | steps run | s_train | s_val | ratio | s_val (novel) | wall s | final train | final held-out | final novel held-out | backend | note |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of records) {
    const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
    lines.push(
      `| ${r.preset} | ${r.overrides.join(' ') || '—'} | ${r.seed} | ${r.steps} | ${r.sTrain ?? '—'} | ${r.sVal ?? '—'} | ${r.ratio?.toFixed(2) ?? '—'} | ${r.sValNovel === undefined ? 'n/r' : (r.sValNovel ?? '—')} | ${r.wallSeconds.toFixed(0)} | ${pct(r.finalTrainAcc)} | ${pct(r.finalHeldoutAcc)} | ${r.finalNovelAcc !== undefined ? pct(r.finalNovelAcc) : '—'} | ${r.backend} | ${r.note} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
