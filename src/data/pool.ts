// The EMNIST image pool the symbol sets are drawn from (paper Sec. 3: N = 1, 4 or 256 images per symbol).
// train = the Balanced-train subset ∪ the first 320 ByMerge-test images of each class; test = the
// Balanced-test subset ∪ the next 80 ByMerge-test images of each class. Balanced was re-split from
// ByMerge's pool, so the folders overlap: images are de-duplicated by exact pixel content, keeping the first
// copy in the order train (Balanced, then ByMerge) → test (Balanced, then ByMerge) and dropping later ones,
// so no image appears twice in a split or in both splits. Every dropped copy is reported.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, DataError } from '../errors.ts';
import { loadEmnistSplit, readEmnistMapping, type EmnistSplit, type LabelledImages } from './emnist.ts';
import { EMNIST_FIXTURES_DIR } from './files.ts';

/** Where an image came from: the file, its position in that file, and its official EMNIST index if known. */
export interface ImageSource {
  readonly file: string;
  readonly fileIndex: number;
  /** Index in the official split (file offset + position); null where the subset does not record it. */
  readonly officialIndex: number | null;
}

export interface PoolImage {
  readonly label: number;
  /** Upright pixels, row-major side × side, 0 = background, 255 = ink (a view, do not modify). */
  readonly pixels: Uint8Array;
  readonly source: ImageSource;
}

export type PoolSplitName = 'train' | 'test';

export interface PoolSplit {
  readonly name: PoolSplitName;
  /** Kept images in pool order (Balanced file order, then ByMerge file order). */
  readonly images: readonly PoolImage[];
  /** The same images grouped by class, each list in pool order. */
  readonly byClass: readonly (readonly PoolImage[])[];
}

export interface DroppedImage {
  readonly split: PoolSplitName;
  readonly label: number;
  readonly source: ImageSource;
  /** The kept copy it duplicates. */
  readonly keptIn: PoolSplitName;
  readonly keptSource: ImageSource;
}

export interface PoolClassCount {
  readonly label: number;
  readonly char: string;
  readonly train: number;
  readonly test: number;
  readonly droppedTrain: number;
  readonly droppedTest: number;
}

export interface EmnistPool {
  readonly side: number;
  readonly classCount: number;
  /** Character of each class (from the mapping file). */
  readonly chars: readonly string[];
  readonly train: PoolSplit;
  readonly test: PoolSplit;
  /** Every image left out as a pixel-identical copy of an earlier one. */
  readonly dropped: readonly DroppedImage[];
  readonly counts: readonly PoolClassCount[];
  readonly summary: {
    readonly candidates: { readonly train: number; readonly test: number };
    readonly kept: { readonly train: number; readonly test: number };
    readonly droppedWithinTrain: number;
    readonly droppedWithinTest: number;
    readonly droppedTestAlreadyInTrain: number;
  };
  readonly dir: string;
}

export interface PoolOptions {
  /** ByMerge-test images per class that go to train (default 320). */
  readonly bymergeTrainPerClass?: number;
  /** ByMerge-test images per class after those that go to test (default 80). */
  readonly bymergeTestPerClass?: number;
  /** Receives one line per summary fact (counts of what was dropped). */
  readonly log?: (line: string) => void;
}

/** The subset rule of fixtures/emnist: ByMerge test, first 320 per class → train, next 80 → test. */
export const BYMERGE_TRAIN_PER_CLASS = 320;
export const BYMERGE_TEST_PER_CLASS = 80;

const FILES = {
  balancedTrainImages: ['emnist-balanced', 'emnist-balanced-train-images-idx3-ubyte.gz'],
  balancedTrainLabels: ['emnist-balanced', 'emnist-balanced-train-labels-idx1-ubyte.gz'],
  balancedTestImages: ['emnist-balanced', 'emnist-balanced-test-images-idx3-ubyte.gz'],
  balancedTestLabels: ['emnist-balanced', 'emnist-balanced-test-labels-idx1-ubyte.gz'],
  balancedMapping: ['emnist-balanced', 'emnist-balanced-mapping.txt'],
  bymergeTestImages: ['emnist-bymerge', 'emnist-bymerge-test-images-idx3-ubyte.gz'],
  bymergeTestLabels: ['emnist-bymerge', 'emnist-bymerge-test-labels-idx1-ubyte.gz'],
  bymergeMapping: ['emnist-bymerge', 'emnist-bymerge-mapping.txt'],
} as const;

/** Find `name` in `dir` (flat, as in fixtures/emnist) or in `dir/<folder>` (as in the shared data folder). */
function locate(dir: string, [folder, name]: readonly [string, string]): string {
  const flat = join(dir, name);
  if (existsSync(flat)) return flat;
  const nested = join(dir, folder, name);
  if (existsSync(nested)) return nested;
  throw new DataError('file-missing', `EMNIST file not found: ${flat} (also looked for ${nested})`);
}

/** Official-index offsets recorded in `provenance.json` (file → officialIndexStart), when present. */
function officialOffsets(dir: string): Map<string, number> {
  const path = join(dir, 'provenance.json');
  const out = new Map<string, number>();
  if (!existsSync(path)) return out;
  let json: { files?: Record<string, { officialIndexStart?: unknown }> };
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new DataError('provenance-json', `${path}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  for (const [file, entry] of Object.entries(json.files ?? {})) {
    if (typeof entry.officialIndexStart === 'number') out.set(file, entry.officialIndexStart);
  }
  return out;
}

function checkPerClass(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0) throw new ConfigError('pool-option', `loadEmnistPool: ${name} must be a non-negative integer, got ${v}`);
  return v;
}

interface Candidate {
  readonly label: number;
  readonly pixels: Uint8Array;
  readonly source: ImageSource;
}

function candidates(split: EmnistSplit, offsets: Map<string, number>, pick?: (label: number, i: number) => boolean): Candidate[] {
  const file = split.imagesPath.split(/[\\/]/).pop()!;
  const start = offsets.get(file);
  const size = split.rows * split.cols;
  const out: Candidate[] = [];
  for (let i = 0; i < split.count; i++) {
    const label = split.labels[i];
    if (pick && !pick(label, i)) continue;
    out.push({
      label,
      pixels: split.images.subarray(i * size, (i + 1) * size),
      source: { file, fileIndex: i, officialIndex: start === undefined ? null : start + i },
    });
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Load the EMNIST pool from `dir` (default: the committed fixtures) and de-duplicate it. */
export function loadEmnistPool(dir: string = EMNIST_FIXTURES_DIR, options: PoolOptions = {}): EmnistPool {
  const trainPer = checkPerClass('bymergeTrainPerClass', options.bymergeTrainPerClass ?? BYMERGE_TRAIN_PER_CLASS);
  const testPer = checkPerClass('bymergeTestPerClass', options.bymergeTestPerClass ?? BYMERGE_TEST_PER_CLASS);
  const path = (k: keyof typeof FILES): string => locate(dir, FILES[k]);

  const chars = readEmnistMapping(path('balancedMapping'));
  const mergeChars = readEmnistMapping(path('bymergeMapping'));
  if (mergeChars.join('') !== chars.join('')) {
    throw new DataError(
      'mapping-mismatch',
      `${path('bymergeMapping')} maps classes to "${mergeChars.join('')}" but ${path('balancedMapping')} to "${chars.join('')}"; the pool needs one class scheme`,
    );
  }
  const classCount = chars.length;
  const load = (images: keyof typeof FILES, labels: keyof typeof FILES): EmnistSplit =>
    loadEmnistSplit({ images: path(images), labels: path(labels), classCount });
  const balTrain = load('balancedTrainImages', 'balancedTrainLabels');
  const balTest = load('balancedTestImages', 'balancedTestLabels');
  const merge = load('bymergeTestImages', 'bymergeTestLabels');
  for (const s of [balTest, merge]) {
    if (s.rows !== balTrain.rows || s.cols !== balTrain.cols) {
      throw new DataError('emnist-shape', `${s.imagesPath}: images are ${s.rows}×${s.cols}; ${balTrain.imagesPath} has ${balTrain.rows}×${balTrain.cols}`);
    }
  }
  if (balTrain.rows !== balTrain.cols) {
    throw new DataError('emnist-shape', `${balTrain.imagesPath}: images are ${balTrain.rows}×${balTrain.cols}; expected square images`);
  }

  // ByMerge test, walked in file order: first `trainPer` of each class → train, next `testPer` → test.
  const seen = new Array<number>(classCount).fill(0);
  const mergeRole = new Array<PoolSplitName | null>(merge.count).fill(null);
  for (let i = 0; i < merge.count; i++) {
    const n = seen[merge.labels[i]]++;
    mergeRole[i] = n < trainPer ? 'train' : n < trainPer + testPer ? 'test' : null;
  }
  const offsets = officialOffsets(dir);
  const lists: Record<PoolSplitName, Candidate[]> = {
    train: [...candidates(balTrain, offsets), ...candidates(merge, offsets, (_, i) => mergeRole[i] === 'train')],
    test: [...candidates(balTest, offsets), ...candidates(merge, offsets, (_, i) => mergeRole[i] === 'test')],
  };

  const index = new Map<string, Array<{ split: PoolSplitName; image: Candidate }>>();
  const dropped: DroppedImage[] = [];
  const kept: Record<PoolSplitName, PoolImage[]> = { train: [], test: [] };
  for (const split of ['train', 'test'] as const) {
    for (const image of lists[split]) {
      const key = createHash('sha1').update(image.pixels).digest('base64');
      const bucket = index.get(key) ?? [];
      const twin = bucket.find((b) => sameBytes(b.image.pixels, image.pixels));
      if (twin) {
        dropped.push({ split, label: image.label, source: image.source, keptIn: twin.split, keptSource: twin.image.source });
        continue;
      }
      bucket.push({ split, image });
      index.set(key, bucket);
      kept[split].push(image);
    }
  }

  const makeSplit = (name: PoolSplitName): PoolSplit => {
    const byClass: PoolImage[][] = Array.from({ length: classCount }, () => []);
    for (const im of kept[name]) byClass[im.label].push(im);
    return { name, images: kept[name], byClass };
  };
  const train = makeSplit('train');
  const test = makeSplit('test');
  const counts: PoolClassCount[] = chars.map((char, label) => ({
    label,
    char,
    train: train.byClass[label].length,
    test: test.byClass[label].length,
    droppedTrain: dropped.filter((d) => d.label === label && d.split === 'train').length,
    droppedTest: dropped.filter((d) => d.label === label && d.split === 'test').length,
  }));
  const summary = {
    candidates: { train: lists.train.length, test: lists.test.length },
    kept: { train: train.images.length, test: test.images.length },
    droppedWithinTrain: dropped.filter((d) => d.split === 'train').length,
    droppedWithinTest: dropped.filter((d) => d.split === 'test' && d.keptIn === 'test').length,
    droppedTestAlreadyInTrain: dropped.filter((d) => d.split === 'test' && d.keptIn === 'train').length,
  };
  options.log?.(
    `EMNIST pool from ${dir}: train ${summary.kept.train} of ${summary.candidates.train} candidates, ` +
      `test ${summary.kept.test} of ${summary.candidates.test}; dropped ${summary.droppedWithinTrain} duplicates within train, ` +
      `${summary.droppedWithinTest} within test, ${summary.droppedTestAlreadyInTrain} test images already in train`,
  );
  return { side: balTrain.rows, classCount, chars, train, test, dropped, counts, summary, dir };
}

/**
 * A pool from an official labelled train/test pair (e.g. the Kuzushiji-49 npz files, whose official splits
 * are disjoint): every image kept in file order, no de-duplication, no dropped images. Lets the symbol
 * builder work on any such data set. `chars` names each class.
 */
export function poolFromSplits(train: LabelledImages, test: LabelledImages, chars: readonly string[], dir: string): EmnistPool {
  if (train.rows !== train.cols || test.rows !== train.rows || test.cols !== train.cols) {
    throw new DataError(
      'pool-shape',
      `${dir}: train images are ${train.rows}×${train.cols} and test images ${test.rows}×${test.cols}; expected equal square images`,
    );
  }
  const side = train.rows;
  const classCount = chars.length;
  const split = (name: PoolSplitName, s: LabelledImages): PoolSplit => {
    const images: PoolImage[] = [];
    const byClass: PoolImage[][] = Array.from({ length: classCount }, () => []);
    for (let i = 0; i < s.count; i++) {
      const label = s.labels[i];
      if (label >= classCount)
        throw new DataError('pool-label', `${s.labelsPath}: label ${label} at index ${i} is outside the ${classCount} classes of the class map`);
      const img: PoolImage = {
        label,
        pixels: s.images.subarray(i * side * side, (i + 1) * side * side),
        source: { file: s.imagesPath, fileIndex: i, officialIndex: i },
      };
      images.push(img);
      byClass[label].push(img);
    }
    return { name, images, byClass };
  };
  const trainSplit = split('train', train);
  const testSplit = split('test', test);
  return {
    side,
    classCount,
    chars,
    train: trainSplit,
    test: testSplit,
    dropped: [],
    counts: chars.map((char, label) => ({
      label,
      char,
      train: trainSplit.byClass[label].length,
      test: testSplit.byClass[label].length,
      droppedTrain: 0,
      droppedTest: 0,
    })),
    summary: {
      candidates: { train: train.count, test: test.count },
      kept: { train: train.count, test: test.count },
      droppedWithinTrain: 0,
      droppedWithinTest: 0,
      droppedTestAlreadyInTrain: 0,
    },
    dir,
  };
}
