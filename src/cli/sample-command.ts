// `grokdiff sample` draws c images for chosen pairs from a checkpoint and writes an image grid (operand a,
// operand b, generated c per row); `grokdiff eval` measures generation accuracy on the train and held-out
// pairs with Wilson 95 % intervals (paper Sec. 3), with a progress line on stderr before each set of pairs.

import { Command } from 'commander';
import { ConfigError } from '../errors.ts';
import { rootRng } from '../engine/random.ts';
import { pairAt, type Pair } from '../data/pairs.ts';
import type { SymbolSet } from '../data/symbols.ts';
import { generateForPairs, scoreGenerated } from '../eval/generation.ts';
import { describeFailures, describeNovelPair, novelPairBreakdown } from '../eval/novel-pairs.ts';
import { samplesToGridPng } from '../report/sample-grid.ts';
import { writeFileAtomic } from '../io/atomic-write.ts';
import { loadRun } from '../eval/loaded-run.ts';
import { describeLossReferences, gapClosed, loggedLoss, runLossReferences } from '../train/loss-references.ts';
import { existingFolder, intRangeOption, MAX_DRAWS, MAX_SAMPLING_STEPS, seedOption } from './common.ts';
import { checkOutputFile } from '../train/run-folder.ts';
import { setupBackend } from './backend-option.ts';
import { progressLines } from '../io/work-progress.ts';

function parsePairs(text: string, P: number): Pair[] {
  return text.split(',').map((item) => {
    const m = /^\s*(\d+)\s*\+\s*(\d+)\s*$/.exec(item);
    if (!m) throw new ConfigError('cli-pairs', `--pairs item "${item}" must look like a+b (e.g. 3+5)`);
    const a = Number(m[1]);
    const b = Number(m[2]);
    if (a >= P || b >= P) throw new ConfigError('cli-pairs', `--pairs item "${item}": operands must be < P = ${P}`);
    return pairAt(P, a * P + b);
  });
}

interface SampleOpts {
  run: string;
  step?: number;
  pairs?: string;
  draws: number;
  steps?: number;
  seed: number;
  out: string;
}

export function sampleCommand(): Command {
  return new Command('sample')
    .description('generate c images for pairs from a checkpoint and write a PNG grid (rows: a, b, generated c, labelled with the symbol read in it)')
    .requiredOption('--run <dir>', 'run directory or checkpoint directory')
    .option('--step <int>', 'checkpoint step (default: latest)', intRangeOption('--step', 0, Number.MAX_SAFE_INTEGER))
    .option('--pairs <list>', 'pairs like 1+2,3+4 (default: the first 8 held-out pairs)')
    .option('--draws <int>', `noise draws per pair (1 to ${MAX_DRAWS})`, intRangeOption('--draws', 1, MAX_DRAWS), 1)
    .option('--steps <int>', 'Euler sampling steps (default: the run config)', intRangeOption('--steps', 1, MAX_SAMPLING_STEPS))
    .option('--seed <int>', 'noise seed', seedOption('--seed'), 0)
    .option('--out <file>', 'output PNG', 'samples.png')
    .action(async (opts: SampleOpts, command: Command) => {
      const runDir = existingFolder('--run', opts.run);
      checkOutputFile(opts.out);
      await setupBackend(command);
      const run = loadRun(runDir, opts.step !== undefined ? { step: opts.step } : {});
      try {
        const pairs = opts.pairs ? parsePairs(opts.pairs, run.model.P) : run.data.heldout.slice(0, 8);
        const gen = generateForPairs(run.model, run.params, run.data.symbols, pairs, {
          draws: opts.draws,
          steps: opts.steps ?? run.config.train.samplingSteps,
          rng: rootRng(opts.seed).fork('sample'),
        });
        const scored = scoreGenerated(gen, run.classifier);
        for (let i = 0; i < gen.count; i++) {
          const p = pairs[Math.floor(i / opts.draws)];
          console.log(
            `${p.a} + ${p.b} = ${p.c} (mod ${run.model.P}): generated image classified as ${scored.predictions[i]}${scored.predictions[i] === p.c ? '' : '  ✗'}`,
          );
        }
        writeFileAtomic(opts.out, samplesToGridPng(run, pairs, opts.draws, gen.images, scored.predictions));
        console.log(`accuracy ${scored.correct}/${scored.total}; grid written to ${opts.out}`);
      } finally {
        run.dispose();
      }
    });
}

interface EvalOpts {
  run: string;
  step?: number;
  draws: number;
  steps?: number;
  seed: number;
  json?: boolean;
}

/** " 92.5%  (49/53; Wilson 95 % [82.1, 97.0])" */
function accuracyLine(r: { correct: number; total: number; accuracy: number; interval: readonly [number, number] }): string {
  return `${(100 * r.accuracy).toFixed(1).padStart(5)}%  (${r.correct}/${r.total}; Wilson 95 % [${(100 * r.interval[0]).toFixed(1)}, ${(100 * r.interval[1]).toFixed(1)}])`;
}

export function evalCommand(): Command {
  return new Command('eval')
    .description('generation accuracy of a checkpoint on train and held-out pairs, with Wilson 95 % intervals')
    .requiredOption('--run <dir>', 'run directory or checkpoint directory')
    .option('--step <int>', 'checkpoint step (default: latest)', intRangeOption('--step', 0, Number.MAX_SAFE_INTEGER))
    .option('--draws <int>', `noise draws per pair (M, 1 to ${MAX_DRAWS})`, intRangeOption('--draws', 1, MAX_DRAWS), 4)
    .option('--steps <int>', 'Euler sampling steps (K; default: the registry value 50)', intRangeOption('--steps', 1, MAX_SAMPLING_STEPS))
    .option('--seed <int>', 'noise seed', seedOption('--seed'), 0)
    .option('--json', 'print JSON')
    .action(async (opts: EvalOpts, command: Command) => {
      const runDir = existingFolder('--run', opts.run);
      await setupBackend(command);
      const run = loadRun(runDir, opts.step !== undefined ? { step: opts.step } : {});
      try {
        const { PAPER } = await import('../paper/registry.ts');
        const steps = opts.steps ?? PAPER.samplingSteps.value;
        const rng = rootRng(opts.seed).fork('eval');
        const result: Record<string, unknown> = {
          run: run.dir,
          step: run.step,
          draws: opts.draws,
          samplingSteps: steps,
          classifier: run.classifier.name,
          // The scoring classifier's own accuracy on held-out real images (null: nearest template, exact for N = 1).
          classifierHeldout: run.classifier.heldout ?? null,
          heldoutOperandImages: run.data.heldoutImagesKind,
        };
        if (!opts.json && run.classifier.heldout) {
          const h = run.classifier.heldout;
          console.log(
            `scored by ${run.classifier.name}: its own held-out accuracy ${(100 * h.accuracy).toFixed(1)}% (Wilson 95 % [${(100 * h.interval[0]).toFixed(1)}, ${(100 * h.interval[1]).toFixed(1)}])`,
          );
        }
        // Held-out pairs draw their operand images from the evaluation set (unseen images when N > 1). For N > 1
        // two more rows separate the two kinds of generalisation that the held-out row mixes: held-out pairs
        // drawn with the training images (the arithmetic alone) and training pairs drawn with unseen images
        // (reading new handwriting alone).
        const rows: [string, readonly Pair[], SymbolSet][] = [
          ['train', run.data.train, run.data.symbols],
          ['heldout', run.data.heldout, run.data.heldoutSymbols],
        ];
        if (run.data.heldoutImagesKind === 'unseen-test-split-images') {
          rows.push(['heldoutTrainingImages', run.data.heldout, run.data.symbols], ['trainUnseenImages', run.data.train, run.data.heldoutSymbols]);
        }
        const label: Record<string, string> = {
          train: 'train',
          heldout: 'held-out',
          heldoutTrainingImages: 'held-out pairs, training images',
          trainUnseenImages: 'train pairs, unseen images',
        };
        const width = Math.max(...rows.map(([name]) => label[name].length));
        // A line on stderr before each row (the rows are long single steps): which row, the samples so far, the time.
        const progress = progressLines({ label: `eval ${run.config.preset} seed ${run.config.seed} step ${run.step}`, quietSeconds: 0, minGapSeconds: 0 });
        const samples = rows.reduce((n, [, pairs]) => n + pairs.length * opts.draws, 0);
        let sampled = 0;
        for (const [name, pairs, symbols] of rows) {
          progress.report({
            phase: 'sampling (samples done)',
            item: `${label[name]}, ${pairs.length} pairs × ${opts.draws} draws, K = ${steps}`,
            done: sampled,
            total: samples,
          });
          sampled += pairs.length * opts.draws;
          const r = scoreGenerated(generateForPairs(run.model, run.params, symbols, pairs, { draws: opts.draws, steps, rng: rng.fork(name) }), run.classifier);
          result[name] = { correct: r.correct, total: r.total, accuracy: r.accuracy, interval: r.interval };
          if (!opts.json) console.log(`${label[name].padEnd(width)} ${accuracyLine(r)}`);
          // The novel held-out pairs (mirror not trained), one by one: where grokking shows (eval/novel-pairs.ts).
          if (name === 'heldout' && run.data.heldoutNovel.length > 0) {
            const novel = novelPairBreakdown(pairs, run.data.heldoutNovel, r.predictions, opts.draws, run.config.data.P);
            result.heldoutNovel = novel;
            if (!opts.json) {
              console.log(`  novel (mirror not trained) ${accuracyLine(novel.all)}`);
              console.log(`    sum wraps (a + b ≥ P)    ${accuracyLine(novel.wrapping)}, ${novel.wrapping.pairs} pairs`);
              console.log(`    sum does not wrap        ${accuracyLine(novel.notWrapping)}, ${novel.notWrapping.pairs} pairs`);
              console.log(`    wrong draws, sum wraps:         ${describeFailures(novel.failures.wrapping)}`);
              console.log(`    wrong draws, sum does not wrap: ${describeFailures(novel.failures.notWrapping)}`);
              for (const pair of novel.pairs) console.log(`    ${describeNovelPair(pair)}`);
            }
          }
        }
        // What the logged training loss means: the best affine denoiser without and with knowing c.
        const refs = runLossReferences(run.data);
        const loss = loggedLoss(run.dir, run.step);
        result.lossReferences = {
          operandBlind: refs.operandBlind,
          cAware: refs.cAware,
          loggedLoss: loss,
          gapClosed: loss ? gapClosed(loss.value, refs) : null,
        };
        if (opts.json) console.log(JSON.stringify(result, null, 2));
        else console.log(describeLossReferences(refs, loss ?? undefined));
      } finally {
        run.dispose();
      }
    });
}
