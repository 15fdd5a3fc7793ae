// `grokdiff train --preset NAME [--set section.field=value ...] --seed N --out DIR [--resume]`: trains a run
// (paper Sec. 3) with a progress bar, checkpoints and a learning-curve plot; Ctrl-C saves and stops.
// `--resume` continues the run in --out with its own config: --preset, --set and --seed, which it cannot
// honour, are refused (issue 31: they were ignored without a word); --steps N extends the run, and
// --restart-moments continues from the weights with fresh AdamW moments where the optimizer state is missing
// or corrupt (otherwise an error that names the file).
// Signals: until the run is open (checks, data, the classifier, the first files) SIGINT and SIGTERM keep their
// default action and end the process at once, even inside a long native call (a lock left behind is stale and
// taken over, temporary files are cleared by the next writer); from then on the first one saves a checkpoint
// after the current step and stops (exit 130 / 143), a second quits at once, as does one after the last step.
// One rule for "grokked" (issue 29): the trainer's log, its early stop and s_train / s_val read one fixed noise
// draw per pair and say so; at the end the summary re-measures the final checkpoint as the claims judge it
// (fresh draws, K = PAPER.samplingSteps, Wilson intervals against the levels: eval/grok-status.ts), unless
// --no-judge (the search and screen children, which judge or log their runs themselves).

import { Command } from 'commander';
import { resolve } from 'node:path';
import { applyOverrides, MAX_STEPS } from '../train/config.ts';
import { getPreset, presetNames } from '../train/presets.ts';
import { trainRun } from '../train/trainer.ts';
import { generationEvaluator } from '../eval/training-evaluation.ts';
import { createProgress } from '../train/progress.ts';
import { writeLearningCurves } from '../report/learning-curves.ts';
import { describeLossReferences } from '../train/loss-references.ts';
import { collect, intRangeOption, k49DirOption, seedOption } from './common.ts';
import { checkOutputFolder, readRunConfig } from '../train/run-folder.ts';
import { ConfigError, GrokdiffError } from '../errors.ts';
import { setupBackend } from './backend-option.ts';
import { stopSignals } from './stop-signals.ts';
import { loadRun } from '../eval/loaded-run.ts';
import { measureGrokStatus, type GrokStatus } from '../eval/grok-status.ts';
import { progressLines, withProgress } from '../io/work-progress.ts';

interface TrainOpts {
  preset: string;
  set?: string[];
  seed?: number;
  out: string;
  resume?: boolean;
  restartMoments?: boolean;
  steps?: number;
  /** false with --no-judge. */
  judge: boolean;
}

/** The final checkpoint of a run judged as the claims judge it (eval/grok-status.ts), with progress lines on stderr. */
function judgeFinalCheckpoint(outDir: string): GrokStatus {
  const run = loadRun(outDir);
  try {
    return withProgress(progressLines({ label: 'judging the final checkpoint on fresh draws', quietSeconds: 0, minGapSeconds: 10 }), () =>
      measureGrokStatus(run),
    );
  } finally {
    run.dispose();
  }
}

/** Refuses the flags a resume cannot honour (the run keeps its own config), and --restart-moments without --resume. */
function checkResumeFlags(opts: TrainOpts, command: Command): void {
  if (!opts.resume) {
    if (opts.restartMoments) throw new ConfigError('cli-resume-flag', '--restart-moments applies only with --resume');
    return;
  }
  const ignored = [
    ...(command.getOptionValueSource('preset') === 'cli' ? ['--preset'] : []),
    ...((opts.set ?? []).length > 0 ? ['--set'] : []),
    ...(opts.seed !== undefined ? ['--seed'] : []),
  ];
  if (ignored.length > 0) {
    throw new ConfigError(
      'cli-resume-flag',
      `--resume continues the run in --out ${opts.out} with its own config (its config.json), so ${ignored.join(', ')} cannot be honoured; drop ${ignored.length > 1 ? 'them' : 'it'}, or train a new run into another --out (--steps N extends the resumed run)`,
    );
  }
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
    .option('--steps <int>', 'shorthand for --set train.steps=N', intRangeOption('--steps', 1, MAX_STEPS, '100 × the paper-width budget'))
    .requiredOption('--out <dir>', 'run directory (config, metrics, checkpoints, plots)')
    .option('--k49 <dir>', 'folder with the official Kuzushiji-49 files, for presets with data.dataset = "k49"', k49DirOption)
    .option('--resume', 'continue the run in --out from its latest checkpoint, with its own config (with --steps N: extend it to N steps)')
    .option('--no-judge', "skip re-measuring the final checkpoint on fresh draws with the claims' rule at the end")
    .option(
      '--restart-moments',
      "with --resume: continue from the checkpoint's weights with fresh AdamW moments (when its optimizer state is missing or corrupt)",
    )
    .action(async (opts: TrainOpts, command: Command) => {
      checkResumeFlags(opts, command);
      checkOutputFolder(opts.out);
      const overrides = [...(opts.set ?? []), ...(opts.steps !== undefined ? [`train.steps=${opts.steps}`] : [])];
      const config = opts.resume ? undefined : applyOverrides(getPreset(opts.preset), overrides, opts.seed !== undefined ? { seed: opts.seed } : {});
      const backend = await setupBackend(command);
      // Signals: default action until the run is open, then save-and-stop (cli/stop-signals.ts).
      const signals = stopSignals();
      const outDir = resolve(opts.out);
      const total = opts.steps ?? config?.train.steps ?? (opts.resume ? resumedBudget(outDir) : Number.POSITIVE_INFINITY);
      try {
        const result = await trainRun({
          evaluator: generationEvaluator,
          ...(config ? { config } : {}),
          outDir,
          resume: Boolean(opts.resume),
          restartMoments: Boolean(opts.restartMoments),
          ...(opts.resume && opts.steps !== undefined ? { extendSteps: opts.steps } : {}),
          progress: createProgress(Number.isFinite(total) ? total : 0),
          stopFlag: signals.flag,
          onRunOpen: signals.arm,
          backend,
        });
        signals.finished();
        const plot = await writeLearningCurves(
          outDir,
          result.metrics,
          result.grokking,
          `${result.config.preset} seed ${result.config.seed} (accuracies on the trainer's fixed evaluation draw)`,
          result.lossReferences,
        );
        const g = result.grokking;
        console.log(`run: ${outDir}`);
        console.log(`steps: ${result.lastStep}${result.interrupted ? ' (interrupted)' : ''}, wall ${result.wallSeconds.toFixed(1)} s, backend ${backend}`);
        console.log(
          `on the trainer's fixed evaluation draw (one noise draw per pair): s_train (train acc ≥ ${g.trainLevel}): ${g.sTrain ?? 'not reached'}; ` +
            `s_val (held-out acc ≥ ${g.heldoutLevel}): ${g.sVal ?? 'not reached'}${g.ratio !== null ? `; ratio ${g.ratio.toFixed(2)}` : ''}`,
        );
        const last = result.metrics.at(-1);
        console.log(describeLossReferences(result.lossReferences, last ? { value: last.loss, step: last.step } : undefined));
        if (plot) console.log(`learning curves: ${plot.png} (and ${plot.svg})`);
        if (opts.judge && !result.interrupted) {
          const status = judgeFinalCheckpoint(outDir);
          console.log(`judged as the claims judge (fresh draws, eval/grok-status.ts): ${status.grokked ? 'GROKKED' : 'not grokked'} — ${status.summary}`);
        }
        if (result.interrupted) process.exitCode = signals.exitCode() ?? 130;
      } finally {
        signals.dispose();
      }
    });
}
