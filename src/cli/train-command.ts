// `grokdiff train --preset NAME [--set section.field=value ...] --seed N --out DIR [--resume]`: trains a run
// (paper Sec. 3) with a progress bar, checkpoints and a learning-curve plot; Ctrl-C saves and stops.

import { Command } from 'commander';
import { resolve } from 'node:path';
import { applyOverrides } from '../train/config.ts';
import { getPreset, presetNames } from '../train/presets.ts';
import { trainRun } from '../train/trainer.ts';
import { generationEvaluator } from '../eval/training-evaluation.ts';
import { createProgress } from '../train/progress.ts';
import { writeLearningCurves } from '../report/learning-curves.ts';
import { describeLossReferences } from '../train/loss-references.ts';
import { collect, intRangeOption, k49DirOption, seedOption } from './common.ts';
import { checkOutputFolder, readRunConfig } from '../train/run-folder.ts';
import { GrokdiffError } from '../errors.ts';
import { setupBackend } from './backend-option.ts';

interface TrainOpts {
  preset: string;
  set?: string[];
  seed?: number;
  out: string;
  resume?: boolean;
  steps?: number;
}

/**
 * The step budget of the run a plain `--resume` continues (its config.json), for the progress line; unknown
 * (infinite) when the folder has no readable config — trainRun then reports why with its own typed error.
 */
function resumedBudget(outDir: string): number {
  try {
    return readRunConfig(outDir).train.steps;
  } catch (err) {
    if (err instanceof GrokdiffError) return Number.POSITIVE_INFINITY;
    throw err;
  }
}

export function trainCommand(): Command {
  return new Command('train')
    .description('train a model from a preset (with overrides), writing checkpoints, metrics and a learning-curve plot')
    .option('--preset <name>', `preset: ${presetNames().join(', ')}`, 'cpu-n1')
    .option('--set <section.field=value>', 'override a config field, e.g. --set train.lr=0.001 (repeatable)', collect)
    .option('--seed <int>', 'seed for init, data choice, split, noise and time sampling', seedOption('--seed'))
    .option('--steps <int>', 'shorthand for --set train.steps=N', intRangeOption('--steps', 1, Number.MAX_SAFE_INTEGER))
    .requiredOption('--out <dir>', 'run directory (config, metrics, checkpoints, plots)')
    .option('--k49 <dir>', 'folder with the official Kuzushiji-49 files, for presets with data.dataset = "k49"', k49DirOption)
    .option('--resume', 'continue the run in --out from its latest checkpoint (with --steps N: extend it to N steps)')
    .action(async (opts: TrainOpts, command: Command) => {
      checkOutputFolder(opts.out);
      const backend = await setupBackend(command);
      const overrides = [...(opts.set ?? []), ...(opts.steps !== undefined ? [`train.steps=${opts.steps}`] : [])];
      const config = opts.resume ? undefined : applyOverrides(getPreset(opts.preset), overrides, opts.seed !== undefined ? { seed: opts.seed } : {});
      // Ctrl-C (SIGINT) and SIGTERM (kill, a job scheduler, docker stop) both save a checkpoint after the
      // current step and stop; a second signal quits without saving. Exit status 128 + the signal's number.
      const stopFlag = { stop: false };
      let stopSignal: NodeJS.Signals | null = null;
      const onSignal = (signal: NodeJS.Signals): void => {
        if (stopFlag.stop) process.exit(signal === 'SIGTERM' ? 143 : 130);
        stopFlag.stop = true;
        stopSignal = signal;
        process.stderr.write(
          `\n${signal === 'SIGINT' ? 'Ctrl-C' : signal}: saving a checkpoint after this step (${signal === 'SIGINT' ? 'press again' : 'send it again'} to quit without saving)\n`,
        );
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const outDir = resolve(opts.out);
      const total = opts.steps ?? config?.train.steps ?? (opts.resume ? resumedBudget(outDir) : Number.POSITIVE_INFINITY);
      try {
        const result = await trainRun({
          evaluator: generationEvaluator,
          ...(config ? { config } : {}),
          outDir,
          resume: Boolean(opts.resume),
          ...(opts.resume && opts.steps !== undefined ? { extendSteps: opts.steps } : {}),
          progress: createProgress(Number.isFinite(total) ? total : 0),
          stopFlag,
          backend,
        });
        const plot = await writeLearningCurves(
          outDir,
          result.metrics,
          result.grokking,
          `${result.config.preset} seed ${result.config.seed}`,
          result.lossReferences,
        );
        const g = result.grokking;
        console.log(`run: ${outDir}`);
        console.log(`steps: ${result.lastStep}${result.interrupted ? ' (interrupted)' : ''}, wall ${result.wallSeconds.toFixed(1)} s, backend ${backend}`);
        console.log(
          `s_train (train acc ≥ ${g.trainLevel}): ${g.sTrain ?? 'not reached'}; s_val (held-out acc ≥ ${g.heldoutLevel}): ${g.sVal ?? 'not reached'}${g.ratio !== null ? `; ratio ${g.ratio.toFixed(2)}` : ''}`,
        );
        const last = result.metrics.at(-1);
        console.log(describeLossReferences(result.lossReferences, last ? { value: last.loss, step: last.step } : undefined));
        if (plot) console.log(`learning curves: ${plot.png} (and ${plot.svg})`);
        if (result.interrupted) process.exitCode = stopSignal === 'SIGTERM' ? 143 : 130;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
