// The classifier that scores a run's generated images of c (paper Sec. 3-4: generation accuracy, Figures 2
// and 4). N = 1: the nearest symbol template (exact: each symbol is one image). 1 < N ≤
// PAPER.nearestImageMaxN: the nearest of the run's P·N training images (exact for a model that draws its
// training images; the CNN cannot separate EMNIST's 1 / I / L strokes). Larger N: the trained CNN of
// the committed fixture `fixtures/classifiers/<dataset>-p<P>-s<side>` (GROKDIFF_CLASSIFIER_DIR replaces the
// folder `fixtures/classifiers`). A fixture is accepted for scoring only after its accuracy on the pool's
// held-out test split is measured again here and its lower Wilson bound reaches PAPER.classifierMinAccuracy,
// so a fixture's own JSON is never taken on trust; a missing fixture is refused with the command that makes it.

import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadDatasetPool } from '../data/dataset-pool.ts';
import { FIXTURES_DIR } from '../data/files.ts';
import type { EmnistPool } from '../data/pool.ts';
import type { SymbolSet } from '../data/symbols.ts';
import { environment, VARIABLES } from '../config/environment.ts';
import { CheckpointError } from '../errors.ts';
import type { DataConfig } from '../train/config.ts';
import { PAPER } from '../paper/registry.ts';
import { nearestImageClassifier, nearestTemplateClassifier, symbolTemplates, type Classifier } from './classifier.ts';
import { evaluateClassifier, requireAccurateClassifier, type ClassifierEvaluation } from './classifier-evaluation.ts';
import { CLASSIFIER_JSON, loadClassifierFixture, type ClassifierRecord } from './classifier-fixture.ts';
import type { CnnClassifier } from './cnn-classifier.ts';
import { poolSplitImages } from './labelled-images.ts';

/** Environment variable naming the folder that holds classifier fixtures (default fixtures/classifiers). */
export const CLASSIFIER_DIR_ENV = VARIABLES.classifierDir.name;

/** The committed classifier fixtures. */
export const CLASSIFIERS_DIR = join(FIXTURES_DIR, 'classifiers');

const REPO_ROOT = resolve(FIXTURES_DIR, '..');

/** Folder name of the classifier fixture for a data set, P and side, e.g. emnist-p23-s16. */
export function classifierFixtureName(dataset: string, P: number, side: number): string {
  return `${dataset}-p${P}-s${side}`;
}

/** The fixture folder for a data set, P and side: under GROKDIFF_CLASSIFIER_DIR when set, else fixtures/classifiers. */
export function classifierFixtureDir(dataset: string, P: number, side: number, classifierDir: string | null = environment().classifierDir): string {
  const root = classifierDir !== null ? resolve(classifierDir) : CLASSIFIERS_DIR;
  return join(root, classifierFixtureName(dataset, P, side));
}

/** The command that makes the fixture at `outDir` (relative to the repository when inside it). */
export function makeClassifierCommand(dataset: string, P: number, side: number, outDir: string, seed = 1): string {
  const rel = relative(REPO_ROOT, resolve(outDir));
  const out = rel.startsWith('..') || rel === '' ? resolve(outDir) : rel;
  const k49 = dataset === 'k49' ? ' --k49 DIR' : '';
  return `npx grokdiff classifier --P ${P} --side ${side} --seed ${seed}${k49} --out ${out}`;
}

export interface ScoringExpectation {
  readonly dataset: string;
  readonly P: number;
  readonly side: number;
  readonly pixelRange: readonly [number, number];
  /** Characters of symbols 0..P-1 (must equal the fixture's). */
  readonly chars: readonly string[];
}

export interface ScoringClassifier {
  readonly classifier: CnnClassifier;
  readonly record: ClassifierRecord;
  /** Held-out test-split accuracy measured at load time (also set as classifier.heldout). */
  readonly evaluation: ClassifierEvaluation;
}

function mismatch(dir: string, field: string, fixture: unknown, run: unknown, command: string): never {
  throw new CheckpointError(
    'classifier-mismatch',
    `${join(dir, CLASSIFIER_JSON)}: ${field} is ${JSON.stringify(fixture)} but the run needs ${JSON.stringify(run)}; make a matching classifier with: ${command}`,
  );
}

function checkRecord(dir: string, record: ClassifierRecord, expect: ScoringExpectation): void {
  const command = makeClassifierCommand(expect.dataset, expect.P, expect.side, dir);
  if (record.dataset !== expect.dataset) mismatch(dir, 'dataset', record.dataset, expect.dataset, command);
  if (record.P !== expect.P) mismatch(dir, 'P', record.P, expect.P, command);
  if (record.side !== expect.side) mismatch(dir, 'side', record.side, expect.side, command);
  if (record.pixelRange[0] !== expect.pixelRange[0] || record.pixelRange[1] !== expect.pixelRange[1])
    mismatch(dir, 'pixelRange', record.pixelRange, expect.pixelRange, command);
  if (record.chars.join('') !== expect.chars.join('')) mismatch(dir, 'chars', record.chars.join(''), expect.chars.join(''), command);
}

/**
 * Loads a classifier fixture for scoring: checks it matches the run, measures its accuracy on the pool's
 * test split and refuses it (CheckpointError 'classifier-inaccurate') below PAPER.classifierMinAccuracy.
 */
export function loadScoringClassifier(dir: string, expect: ScoringExpectation, pool: EmnistPool): ScoringClassifier {
  if (!existsSync(join(dir, CLASSIFIER_JSON))) {
    throw new CheckpointError(
      'classifier-missing',
      `no classifier fixture at ${dir} (${CLASSIFIER_JSON} missing): N > 1 runs at P = ${expect.P}, side ${expect.side} are scored by a trained CNN. ` +
        `Make it with: ${makeClassifierCommand(expect.dataset, expect.P, expect.side, dir)}`,
    );
  }
  const { record, classifier } = loadClassifierFixture(dir);
  try {
    checkRecord(dir, record, expect);
    const evaluation = evaluateClassifier(classifier, poolSplitImages(pool, 'test', expect.P, expect.side));
    requireAccurateClassifier(evaluation.accuracy, `classifier ${dir} (measured now on the ${pool.dir} test split)`);
    classifier.heldout = evaluation.accuracy;
    return { classifier, record, evaluation };
  } catch (err) {
    classifier.dispose();
    throw err;
  }
}

/**
 * The classifier of a run: nearest template for N = 1, nearest training image up to PAPER.nearestImageMaxN;
 * beyond, the fixture CNN for the run's data set, P
 * and side (`options.dir` overrides the fixture folder). Needs an initialised tfjs backend for N > 1.
 */
export function classifierForRun(
  config: { readonly data: Pick<DataConfig, 'dataset'> },
  symbols: SymbolSet,
  options: { pool?: EmnistPool; dir?: string } = {},
): Classifier {
  const pixels = symbols.side * symbols.side;
  if (symbols.N === 1) return nearestTemplateClassifier(symbolTemplates(symbols.images, symbols.P, symbols.N, pixels), symbols.P, pixels);
  if (symbols.N <= PAPER.nearestImageMaxN.value) return nearestImageClassifier(symbols.images, symbols.P, symbols.N, pixels);
  const dataset = config.data.dataset;
  const dir = options.dir ?? classifierFixtureDir(dataset, symbols.P, symbols.side);
  const expect = { dataset, P: symbols.P, side: symbols.side, pixelRange: symbols.pixelRange, chars: symbols.chars };
  return loadScoringClassifier(dir, expect, options.pool ?? loadDatasetPool(dataset)).classifier;
}
