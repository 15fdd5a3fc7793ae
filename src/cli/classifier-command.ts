// `grokdiff classifier --P 23 --side 16 --seed 1 --out DIR`: trains the CNN that scores generated images
// when N > 1 (paper Sec. 3-4, generation accuracy; eval/cnn-classifier.ts) on the pool's train split,
// measures it on the test split (Wilson 95 % interval, per-class accuracy, confusions) and writes the
// fixture directory (weights.safetensors + classifier.json). Exits 1 when the classifier is below
// PAPER.classifierMinAccuracy: it is still written (with meetsMinAccuracy: false) but will be refused for scoring.

import { Command } from 'commander';
import { readdirSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { loadDatasetPool } from '../data/dataset-pool.ts';
import { FIXTURES_DIR } from '../data/files.ts';
import type { EmnistPool } from '../data/pool.ts';
import { rootRng } from '../engine/random.ts';
import { evaluateClassifier, formatAccuracy, formatConfusions } from '../eval/classifier-evaluation.ts';
import { saveClassifierFixture, sourceFiles, type ClassifierRecord } from '../eval/classifier-fixture.ts';
import { classifierFixtureName, CLASSIFIERS_DIR, makeClassifierCommand } from '../eval/classifier-for-run.ts';
import { defaultArchitecture, defaultTrainOptions, trainCnn } from '../eval/cnn-classifier.ts';
import { poolSplitImages } from '../eval/labelled-images.ts';
import { PAPER } from '../paper/registry.ts';
import { collectProvenance } from '../train/provenance.ts';
import { setupBackend } from './backend-option.ts';
import { intOption, intRangeOption, k49DirOption, seedOption } from './common.ts';
import { checkOutputFolder } from '../train/run-folder.ts';

const REPO_ROOT = resolve(FIXTURES_DIR, '..');

interface ClassifierOptions {
  P: number;
  side: number;
  seed: number;
  out?: string;
  epochs?: number;
  k49?: string;
}

/** The pool folder relative to the repository when inside it. */
function shownPath(path: string): string {
  const rel = relative(REPO_ROOT, path);
  return rel.startsWith('..') ? path : rel;
}

function sourceRecord(pool: EmnistPool): ClassifierRecord['source'] {
  const files = readdirSync(pool.dir)
    .filter((f) => /\.(gz|txt|npz|csv)$/.test(f))
    .sort();
  const s = pool.summary;
  return {
    dir: shownPath(resolve(pool.dir)),
    files: sourceFiles(pool.dir, files),
    note:
      `train = the pool's train split, held-out = its test split (src/data/pool.ts): disjoint by pixel content. ` +
      `Pool: train ${s.kept.train} of ${s.candidates.train} candidates, test ${s.kept.test} of ${s.candidates.test} ` +
      `(${s.droppedWithinTrain} duplicates dropped within train, ${s.droppedWithinTest} within test, ${s.droppedTestAlreadyInTrain} test images already in train).`,
  };
}

async function run(opts: ClassifierOptions, command: Command): Promise<void> {
  const dataset = opts.k49 ? 'k49' : 'emnist';
  const out = resolve(opts.out ?? resolve(CLASSIFIERS_DIR, classifierFixtureName(dataset, opts.P, opts.side)));
  checkOutputFolder(out);
  const backend = await setupBackend(command);
  const pool = loadDatasetPool(dataset, opts.k49 ? { k49Dir: opts.k49 } : {});
  const train = poolSplitImages(pool, 'train', opts.P, opts.side);
  const test = poolSplitImages(pool, 'test', opts.P, opts.side);
  const arch = defaultArchitecture(opts.P, opts.side, train.pixelRange);
  const options = { ...defaultTrainOptions(opts.side), ...(opts.epochs !== undefined ? { epochs: opts.epochs } : {}) };
  const rng = rootRng(opts.seed).fork('classifier');
  console.log(`training ${dataset} classifier P = ${opts.P}, side ${opts.side}, seed ${opts.seed} on ${train.count} train-split images (${backend})`);
  const { classifier, epochs } = trainCnn(arch, train, options, rng, (e) =>
    console.log(
      `  epoch ${e.epoch}/${options.epochs}: loss ${e.loss.toFixed(4)}, augmented train accuracy ${e.trainAccuracy.toFixed(4)}, ${e.seconds.toFixed(1)} s`,
    ),
  );
  try {
    const evaluation = evaluateClassifier(classifier, test);
    const level = PAPER.classifierMinAccuracy.value;
    const meets = evaluation.accuracy.interval[0] >= level;
    const record = saveClassifierFixture(out, classifier, {
      format: 'grokdiff-symbol-classifier-v1',
      name: classifier.name,
      dataset,
      P: opts.P,
      side: opts.side,
      pixelRange: train.pixelRange,
      classes: train.classes,
      chars: train.chars,
      architecture: arch,
      seed: opts.seed,
      rngPath: rng.path,
      training: { split: 'train', images: train.count, perClass: train.perClass, options, epochs, seconds: epochs.at(-1)?.seconds ?? 0, backend },
      heldout: {
        split: 'test',
        images: test.count,
        perClass: test.perClass,
        accuracy: evaluation.accuracy,
        perClassAccuracy: evaluation.perClass,
        confusions: evaluation.confusions,
        minAccuracy: level,
        meetsMinAccuracy: meets,
      },
      source: sourceRecord(pool),
      command: makeClassifierCommand(dataset, opts.P, opts.side, out, opts.seed) + (opts.epochs !== undefined ? ` --epochs ${opts.epochs}` : ''),
      provenance: collectProvenance(REPO_ROOT),
    });
    const worst = [...evaluation.perClass].sort((a, b) => a.accuracy - b.accuracy).slice(0, 5);
    console.log(`held-out (test split, ${test.count} images): ${formatAccuracy(record.heldout.accuracy)}`);
    console.log(`weakest classes: ${worst.map((c) => `${c.char} ${(100 * c.accuracy).toFixed(1)} %`).join(', ')}`);
    console.log(`confusions: ${formatConfusions(evaluation.confusions)}`);
    console.log(`wrote ${out} (${record.training.seconds.toFixed(1)} s training)`);
    if (!meets) {
      console.error(
        `grokdiff: the lower Wilson bound ${evaluation.accuracy.interval[0].toFixed(4)} is below PAPER.classifierMinAccuracy = ${level}: this classifier will be refused for scoring`,
      );
      process.exitCode = 1;
    }
  } finally {
    classifier.dispose();
  }
}

export function classifierCommand(): Command {
  return new Command('classifier')
    .description('train the CNN that scores generated images when N > 1, measure it on held-out test-split images, and write a fixture directory')
    .option('--P <int>', 'number of symbols', intOption('--P'), PAPER.modulus.value)
    .option('--side <px>', 'image side in pixels', intOption('--side'), PAPER.imageSide.value)
    .option('--seed <int>', 'seed for initialisation, batch order and augmentation', seedOption('--seed'), 1)
    .option('--out <dir>', 'fixture directory (default fixtures/classifiers/<dataset>-p<P>-s<side>)')
    .option('--epochs <int>', "training epochs (default: the fixtures' setting)", intRangeOption('--epochs', 1, 10_000))
    .option('--k49 <dir>', 'train on the official Kuzushiji-49 npz files in DIR instead of EMNIST', k49DirOption)
    .action(async (opts: ClassifierOptions, command: Command) => run(opts, command));
}
