// `grokdiff search`: trains every combination of a grid of overrides on top of a preset, for each seed,
// and appends one record per run (config, s_train, s_val, ratio, wall time, final accuracies) to a JSONL
// log (default docs/preset-search.jsonl) and renders the log as a markdown table (docs/PRESET-SEARCH.md).
// This is how the CPU presets were found; the log shows every configuration tried, not only the winner.

import { Command } from 'commander';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import { getPreset } from '../train/presets.ts';
import { appendJsonl, readJsonl, writeFileAtomic } from '../io/atomic-write.ts';
import { applyOverrides, parseOverride, type RunConfig } from '../train/config.ts';
import { grokkingSteps, stableLevelStep } from '../train/grokking.ts';
import { PAPER } from '../paper/registry.ts';
import { readJsonFile } from '../io/json-file.ts';
import { createProgress } from '../train/progress.ts';
import { trainRun } from '../train/trainer.ts';
import { generationEvaluator } from '../eval/training-evaluation.ts';
import { collect, existingFolder, intListOption } from './common.ts';
import { checkOutputFile, checkOutputFolder, readMetrics, readProvenance, runFile } from '../train/run-folder.ts';
import { setupBackend } from './backend-option.ts';
import { stopSignals } from './stop-signals.ts';

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
}

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

/** A search record rebuilt from a run directory (also interrupted or extended runs). */
export function recordFromRunDir(dir: string, basePreset: string, note: string): SearchRecord | null {
  if (!existsSync(runFile(dir, 'config')) || !existsSync(runFile(dir, 'metrics'))) return null;
  const config = readJsonFile(runFile(dir, 'config')) as RunConfig;
  const metrics = readMetrics(dir);
  const base = getPreset(basePreset);
  const overrides: string[] = [];
  for (const section of ['data', 'model', 'train'] as const) {
    for (const [k, v] of Object.entries(config[section])) {
      const b = (base[section] as Record<string, unknown>)[k];
      if (JSON.stringify(b) !== JSON.stringify(v)) overrides.push(`${section}.${k}=${JSON.stringify(v)}`);
    }
  }
  const g = grokkingSteps(metrics);
  const last = metrics.at(-1);
  const provenance = readProvenance(dir) as { backend?: unknown } | null;
  const backend = provenance ? String(provenance.backend ?? '?') : '?';
  return {
    preset: basePreset,
    overrides,
    seed: config.seed,
    steps: last?.step ?? 0,
    sTrain: g.sTrain,
    sVal: g.sVal,
    ratio: g.ratio,
    wallSeconds: last?.wallSeconds ?? 0,
    finalTrainAcc: last?.trainAcc ?? 0,
    finalHeldoutAcc: last?.heldoutAcc ?? 0,
    ...(last?.heldoutNovelAcc !== undefined
      ? { finalNovelAcc: last.heldoutNovelAcc, sValNovel: stableLevelStep(metrics, 'novel', PAPER.grokHeldoutLevel.value) }
      : {}),
    backend,
    note: `${note}${last && last.step < config.train.steps ? ` (stopped at ${last.step} of ${config.train.steps})` : ''}`,
    date: statSync(runFile(dir, 'metrics')).mtime.toISOString(),
  };
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

interface SearchOpts {
  preset: string;
  grid?: string[];
  set?: string[];
  seeds: number[];
  out: string;
  log: string;
  note: string;
  fromRuns?: string[];
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
    .option('--from-runs <dir>', 'instead of training: rebuild the log from every run directory under DIR (interrupted runs too; repeatable)', collect)
    .action(async (opts: SearchOpts, command: Command) => {
      checkOutputFile(opts.log, '--log');
      if (opts.fromRuns) {
        const folders = opts.fromRuns.map((dir) => existingFolder('--from-runs', dir));
        const records = folders
          .flatMap((dir) => readdirSync(dir).map((name) => join(dir, name)))
          .filter((dir) => statSync(dir).isDirectory())
          .map((dir) => recordFromRunDir(dir, opts.preset, opts.note))
          .filter((r): r is SearchRecord => r !== null)
          .sort((a, b) => a.date.localeCompare(b.date));
        const logPath = resolve(opts.log);
        writeFileAtomic(logPath, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
        writeFileAtomic(join(resolve(opts.log, '..'), 'PRESET-SEARCH.md'), renderSearchTable(records));
        console.log(`${records.length} runs logged to ${logPath}`);
        return;
      }
      const seeds = opts.seeds;
      checkOutputFolder(opts.out);
      const combos = expandGrid(opts.grid ?? []);
      for (const combo of combos) for (const seed of seeds) applyOverrides(getPreset(opts.preset), [...(opts.set ?? []), ...combo], { seed });
      const backend = await setupBackend(command);
      const logPath = resolve(opts.log);
      // Ctrl-C / SIGTERM: the run in progress saves a checkpoint and stops, and no further run starts (cli/stop-signals.ts).
      const signals = stopSignals();
      try {
        await searchRuns();
      } finally {
        signals.dispose();
      }
      const code = signals.exitCode();
      if (code !== undefined) process.exitCode = code;

      async function searchRuns(): Promise<void> {
        for (const combo of combos) {
          for (const seed of seeds) {
            if (signals.flag.stop) return;
            const overrides = [...(opts.set ?? []), ...combo];
            const config = applyOverrides(getPreset(opts.preset), overrides, { seed });
            const name = `${opts.preset}-${overrides.join('_').replace(/[^a-zA-Z0-9.=_-]/g, '')}-s${seed}-${Date.now()}`;
            process.stderr.write(`\n== ${opts.preset} ${overrides.join(' ')} seed ${seed}\n`);
            const result = await trainRun({
              evaluator: generationEvaluator,
              config,
              outDir: join(resolve(opts.out), name),
              progress: createProgress(config.train.steps),
              stopFlag: signals.flag,
              onRunOpen: signals.arm,
              backend,
            });
            const last = result.metrics.at(-1);
            const record: SearchRecord = {
              preset: opts.preset,
              overrides,
              seed,
              steps: result.lastStep,
              sTrain: result.grokking.sTrain,
              sVal: result.grokking.sVal,
              ratio: result.grokking.ratio,
              wallSeconds: result.wallSeconds,
              finalTrainAcc: last?.trainAcc ?? 0,
              finalHeldoutAcc: last?.heldoutAcc ?? 0,
              backend,
              note: result.interrupted ? `${opts.note}${opts.note ? ' ' : ''}(interrupted at step ${result.lastStep})` : opts.note,
              date: new Date().toISOString(),
            };
            appendJsonl(logPath, record);
            console.log(JSON.stringify(record));
            const all = existsSync(logPath) ? readJsonl<SearchRecord>(logPath) : [record];
            writeFileAtomic(join(resolve(opts.log, '..'), 'PRESET-SEARCH.md'), renderSearchTable(all));
          }
        }
      }
    });
}
