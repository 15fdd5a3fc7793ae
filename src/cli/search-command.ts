// `grokdiff search`: trains every combination of a grid of overrides on top of a preset, for each seed,
// and appends one record per run (config, s_train, s_val, ratio, wall time, final accuracies) to a JSONL
// log (default docs/preset-search.jsonl) and renders the log as a markdown table (docs/PRESET-SEARCH.md).
// This is how the CPU presets were found; the log shows every configuration tried, not only the winner.
// Issue 28: `--jobs J` trains up to J arms at once as separate processes (one native thread each), `--shard i/n`
// trains the i-th of n slices of the grid (the same slicing on every machine), `--resume` continues the
// unfinished arms of a search, and `--from-runs DIR...` merges the run folders of several machines into one log
// (cli/search-plan.ts, cli/search-runner.ts; .github/workflows/search.yml runs the shards on GitHub's runners).

import { Command } from 'commander';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import { getPreset } from '../train/presets.ts';
import { appendJsonl, readJsonl, writeFileAtomic } from '../io/atomic-write.ts';
import { applyOverrides, parseOverride } from '../train/config.ts';
import { createProgress } from '../train/progress.ts';
import { trainRun } from '../train/trainer.ts';
import { generationEvaluator } from '../eval/training-evaluation.ts';
import { collect, existingFolder, intListOption, intRangeOption } from './common.ts';
import { checkOutputFile, checkOutputFolder, readLatest } from '../train/run-folder.ts';
import { setupBackend } from './backend-option.ts';
import { stopSignals } from './stop-signals.ts';
import { parseShard, type Shard } from './search-plan.ts';
import { childArmTrainer, recordFromRunDir, recordsFromFolders, renderSearchTable, runSearch, type ArmTrainer, type SearchRecord } from './search-runner.ts';

export { recordFromRunDir, renderSearchTable, type SearchRecord };

/** Expands `field=v1,v2` grid axes into the list of override combinations. */
export function expandGrid(axes: readonly string[]): string[][] {
  let combos: string[][] = [[]];
  for (const axis of axes) {
    const eq = axis.indexOf('=');
    if (eq < 0) throw new ConfigError('search-grid', `--grid "${axis}" must look like section.field=v1,v2,...`);
    const key = axis.slice(0, eq);
    const values = axis.slice(eq + 1).split(',');
    for (const v of values) parseOverride(`${key}=${v}`);
    combos = combos.flatMap((c) => values.map((v) => [...c, `${key}=${v}`]));
  }
  return combos;
}

interface SearchOpts {
  preset: string;
  grid?: string[];
  set?: string[];
  seeds: number[];
  out: string;
  log: string;
  note: string;
  fromRuns?: string[];
  jobs: number;
  shard?: Shard;
  resume?: boolean;
}

export function searchCommand(): Command {
  return new Command('search')
    .description('train a grid of override combinations × seeds and log s_train, s_val and wall time for each')
    .option('--preset <name>', 'base preset', 'cpu-n1')
    .option('--grid <section.field=v1,v2>', 'a grid axis (repeatable)', collect)
    .option('--set <section.field=value>', 'a fixed override for every run (repeatable)', collect)
    .option('--seeds <list>', 'comma-separated seeds', intListOption('--seeds', 0, 0xffffffff), [1])
    .option('--out <dir>', 'where the runs are written', 'runs/search')
    .option('--log <file>', 'JSONL log (the markdown table is written beside it as PRESET-SEARCH.md)', 'docs/preset-search.jsonl')
    .option('--note <text>', 'a note stored with each record', '')
    .option(
      '--from-runs <dir...>',
      "instead of training: rebuild the log from every run folder under each DIR (interrupted runs too; the folders of a search's shards, from several machines, merge into the log of the whole search)",
    )
    .option(
      '--jobs <n>',
      'arms trained at once, as separate processes (one native thread each unless GROKDIFF_NATIVE_THREADS is set)',
      intRangeOption('--jobs', 1, 64),
      1,
    )
    .option('--shard <i/n>', 'train only the i-th of n slices of the grid × seeds (the same slices on every machine)', parseShard)
    .option('--resume', 'continue a search in --out: finished arms are kept (logged if the log lacks them), unfinished ones resumed, missing ones trained')
    .action(async (opts: SearchOpts, command: Command) => {
      checkOutputFile(opts.log, '--log');
      if (opts.fromRuns) {
        const folders = [...new Set(opts.fromRuns.map((dir) => existingFolder('--from-runs', dir)))];
        const records = recordsFromFolders(folders, opts.preset, opts.note);
        const logPath = resolve(opts.log);
        writeFileAtomic(logPath, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
        writeFileAtomic(join(resolve(opts.log, '..'), 'PRESET-SEARCH.md'), renderSearchTable(records));
        console.log(`${records.length} runs logged to ${logPath}`);
        return;
      }
      const seeds = opts.seeds;
      checkOutputFolder(opts.out);
      const combos = expandGrid(opts.grid ?? []);
      const base = getPreset(opts.preset);
      for (const combo of combos) for (const seed of seeds) applyOverrides(base, [...(opts.set ?? []), ...combo], { seed });
      const flag = (command.optsWithGlobals() as { backend?: string }).backend;
      // Children choose their backend as `grokdiff train` does (--backend passed on); in-process runs choose it here.
      const backend = opts.jobs > 1 ? undefined : await setupBackend(command);
      const logPath = resolve(opts.log);
      // Ctrl-C / SIGTERM: the arms in progress save a checkpoint and stop (children get SIGTERM), and no further
      // arm starts (cli/stop-signals.ts). With children the handlers are armed at once: they hold the runs.
      const signals = stopSignals();
      const abort = new AbortController();
      const watch = setInterval(() => signals.flag.stop && abort.abort(), 200);
      if (opts.jobs > 1) signals.arm();
      const interrupted = new Map<string, number>();
      const inProcess: ArmTrainer = async (arm, config, dir, resume) => {
        process.stderr.write(`\n== ${opts.preset} ${arm.overrides.join(' ')} seed ${arm.seed}\n`);
        const result = await trainRun({
          evaluator: generationEvaluator,
          ...(resume ? { resume: true } : { config }),
          outDir: dir,
          progress: createProgress(config.train.steps),
          stopFlag: signals.flag,
          onRunOpen: signals.arm,
          backend,
        });
        if (!result.interrupted) return { ok: true };
        interrupted.set(dir, result.lastStep);
        return { ok: false, reason: `interrupted at step ${result.lastStep}`, interrupted: true };
      };
      try {
        const result = await runSearch({
          input: { preset: opts.preset, set: opts.set ?? [], combos, seeds },
          base,
          out: resolve(opts.out),
          log: logPath,
          note: opts.note,
          jobs: opts.jobs,
          shard: opts.shard,
          resume: Boolean(opts.resume),
          train: opts.jobs > 1 ? childArmTrainer(opts.preset, { backend: flag, abort: abort.signal }) : inProcess,
          stop: () => signals.flag.stop,
        });
        // A run stopped by Ctrl-C is logged as it stands, as before (a later --resume finishes and logs it again).
        for (const [dir, step] of interrupted) {
          const record = recordFromRunDir(dir, opts.preset, opts.note, base);
          if (record)
            appendJsonl(logPath, { ...record, note: `${record.note}${record.note ? ' ' : ''}(interrupted at step ${readLatest(dir)?.step ?? step})` });
        }
        if (interrupted.size > 0) writeFileAtomic(join(resolve(opts.log, '..'), 'PRESET-SEARCH.md'), renderSearchTable(readJsonl<SearchRecord>(logPath)));
        const shard = opts.shard ? ` (shard ${opts.shard.index}/${opts.shard.count})` : '';
        console.log(
          `search ${result.plan.id}${shard}: ${result.arms.length} arm(s), ${result.logged} logged to ${logPath}, ${result.failed} failed or interrupted`,
        );
        if (result.failed > 0) process.exitCode = 1;
      } finally {
        clearInterval(watch);
        signals.dispose();
      }
      const code = signals.exitCode();
      if (code !== undefined) process.exitCode = code;
    });
}
