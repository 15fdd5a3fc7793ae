// Tests of the EMNIST image pool on the real fixtures: the subset rule, de-duplication (no pixel-identical
// image twice in a split or in both splits, checked independently of the pool's own hashing), per-class
// counts (N = 256 must work for P up to 35), sources, and the file errors.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMNIST_FIXTURES_DIR } from './files.ts';
import { BYMERGE_TEST_PER_CLASS, BYMERGE_TRAIN_PER_CLASS, loadEmnistPool, type EmnistPool, type ImageSource, type PoolImage } from './pool.ts';
import { expectDataError, tempDir } from '../../test-support/synthetic-data.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

let pool: EmnistPool;
const logLines: string[] = [];
beforeAll(() => {
  pool = loadEmnistPool(EMNIST_FIXTURES_DIR, { log: (l) => logLines.push(l) });
});

const key = (im: { pixels: Uint8Array }): string => Buffer.from(im.pixels).toString('latin1');
const srcKey = (s: ImageSource): string => `${s.file}#${s.fileIndex}`;
const isMerge = (im: PoolImage): boolean => im.source.file.startsWith('emnist-bymerge');

describe('EMNIST pool (fixtures)', () => {
  it('has no pixel-identical image twice in a split or in both splits', async ({ annotate }) => {
    const train = new Set<string>();
    for (const im of pool.train.images) {
      expect(train.has(key(im)), `train duplicate ${srcKey(im.source)}`).toBe(false);
      train.add(key(im));
    }
    const test = new Set<string>();
    let inBoth = 0;
    for (const im of pool.test.images) {
      if (train.has(key(im))) inBoth++;
      expect(test.has(key(im)), `test duplicate ${srcKey(im.source)}`).toBe(false);
      test.add(key(im));
    }
    expect(inBoth).toBe(0);
    await annotate(logLines.join('\n'));
  });

  it('drops only true duplicates (each dropped image equals its kept copy) and accounts for every candidate', () => {
    const all = new Map<string, PoolImage>();
    for (const im of [...pool.train.images, ...pool.test.images]) all.set(srcKey(im.source), im);
    expect(pool.dropped.length).toBeGreaterThan(0);
    for (const d of pool.dropped) {
      const kept = all.get(srcKey(d.keptSource))!;
      expect(kept, `kept copy of ${srcKey(d.source)}`).toBeDefined();
      expect(kept.label).toBe(d.label);
      expect(all.has(srcKey(d.source))).toBe(false);
    }
    const s = pool.summary;
    expect(s.kept.train + s.droppedWithinTrain).toBe(s.candidates.train);
    expect(s.kept.test + s.droppedWithinTest + s.droppedTestAlreadyInTrain).toBe(s.candidates.test);
    // 9,120 Balanced-train + 47·320 ByMerge; 304 Balanced-test + 47·80 ByMerge.
    expect(s.candidates).toEqual({ train: 9120 + 47 * BYMERGE_TRAIN_PER_CLASS, test: 304 + 47 * BYMERGE_TEST_PER_CLASS });
    // The shared README counts 383 + 12 Balanced images that reappear in the ByMerge subset: all are dropped once.
    expect(s.droppedWithinTrain + s.droppedWithinTest + s.droppedTestAlreadyInTrain).toBe(383 + 12);
  });

  it('follows the subset rule: ByMerge ranks 0..319 of each class in train, 320..399 in test', () => {
    const rank = new Map<string, number>();
    const seen = new Array(47).fill(0);
    const merge = [...pool.train.images, ...pool.test.images, ...pool.dropped.map((d) => ({ ...d, pixels: new Uint8Array(0) }))]
      .filter((im) => im.source.file.startsWith('emnist-bymerge'))
      .sort((a, b) => a.source.fileIndex - b.source.fileIndex);
    for (const im of merge) rank.set(srcKey(im.source), seen[im.label]++);
    expect(seen).toEqual(new Array(47).fill(400));
    for (const im of pool.train.images.filter(isMerge)) expect(rank.get(srcKey(im.source))).toBeLessThan(320);
    for (const im of pool.test.images.filter(isMerge)) expect(rank.get(srcKey(im.source))).toBeGreaterThanOrEqual(320);
  });

  it('keeps each image source; Balanced images carry their official index', () => {
    const first = pool.train.images[0];
    expect(first.source).toEqual({ file: 'emnist-balanced-train-images-idx3-ubyte.gz', fileIndex: 0, officialIndex: 103680 });
    expect(first.label).toBe(28);
    const t = pool.test.images[0];
    expect(t.source.officialIndex).toBe(18496);
    expect(pool.train.images.filter(isMerge).every((im) => im.source.officialIndex === null)).toBe(true);
    for (const split of [pool.train, pool.test]) {
      split.byClass.forEach((list, c) => {
        list.forEach((im) => {
          expect(im.label).toBe(c);
        });
      });
      expect(split.byClass.flat().length).toBe(split.images.length);
    }
  });

  it('has ≥ 256 train images in each of the first 35 classes (N = 256 works for P ≤ 35)', async ({ annotate }) => {
    const table = pool.counts.map((c) => `${c.label} ${c.char}: train ${c.train} test ${c.test} (dropped ${c.droppedTrain}/${c.droppedTest})`);
    await annotate(`per-class pool counts after de-duplication\n${table.join('\n')}`);
    const short = pool.counts.slice(0, 35).filter((c) => c.train < 256);
    expect(short).toEqual([]);
    expect(Math.min(...pool.counts.map((c) => c.train))).toBeGreaterThanOrEqual(256);
    expect(Math.min(...pool.counts.map((c) => c.test))).toBeGreaterThanOrEqual(60);
    expect(pool.chars.slice(0, 23).join('')).toBe('0123456789ABCDEFGHIJKLM');
  });
});

describe('EMNIST pool errors and layouts', () => {
  const names = [
    'emnist-balanced-train-images-idx3-ubyte.gz',
    'emnist-balanced-train-labels-idx1-ubyte.gz',
    'emnist-balanced-test-images-idx3-ubyte.gz',
    'emnist-balanced-test-labels-idx1-ubyte.gz',
    'emnist-balanced-mapping.txt',
    'emnist-bymerge-test-images-idx3-ubyte.gz',
    'emnist-bymerge-test-labels-idx1-ubyte.gz',
    'emnist-bymerge-mapping.txt',
  ];

  it('names the missing file', () => {
    const empty = join(tmp.dir, 'empty');
    mkdirSync(empty);
    expectDataError(() => loadEmnistPool(empty), 'file-missing', join(empty, 'emnist-balanced-mapping.txt'));
  });

  it('reads the nested layout of the shared data folder, and refuses mappings that disagree', () => {
    const root = join(tmp.dir, 'nested');
    for (const n of names) {
      const folder = join(root, n.startsWith('emnist-balanced') ? 'emnist-balanced' : 'emnist-bymerge');
      mkdirSync(folder, { recursive: true });
      copyFileSync(join(EMNIST_FIXTURES_DIR, n), join(folder, n));
    }
    const nested = loadEmnistPool(root, { bymergeTrainPerClass: 10, bymergeTestPerClass: 5 });
    expect(nested.summary.candidates).toEqual({ train: 9120 + 470, test: 304 + 235 });
    expect(nested.train.images[0].source.officialIndex).toBe(null); // no provenance.json there
    writeFileSync(join(root, 'emnist-bymerge', 'emnist-bymerge-mapping.txt'), '0 49\r\n');
    expectDataError(() => loadEmnistPool(root), 'mapping-mismatch', 'emnist-bymerge-mapping.txt');
  });
});
