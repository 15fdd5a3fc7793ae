// Tests of a run's data: the mirror bookkeeping of held-out pairs (novel = mirror not trained), the
// evaluation images of held-out pairs (N = 1: the training images; N > 1: unseen test-split images, paper
// Appendix C.2), and step batches that depend only on (seed, step) so a resumed run sees the same batches.
import { beforeAll, describe, expect, it } from 'vitest';
import { rootRng } from '../engine/random.ts';
import { loadEmnistPool, type EmnistPool } from '../data/pool.ts';
import { getPreset } from './presets.ts';
import { applyOverrides } from './config.ts';
import { novelHeldoutIndices, prepareRunData, runDataFromSeed, stepBatch } from './run-data.ts';

let pool: EmnistPool;
beforeAll(() => {
  pool = loadEmnistPool();
});
const key = (s: { file: string; fileIndex: number }): string => `${s.file}#${s.fileIndex}`;

describe('novelHeldoutIndices', () => {
  it('keeps the held-out pairs whose mirror is not trained', () => {
    const train = [
      { a: 0, b: 1, c: 1 },
      { a: 2, b: 2, c: 1 },
    ];
    const heldout = [
      { a: 1, b: 0, c: 1 },
      { a: 0, b: 2, c: 2 },
      { a: 2, b: 0, c: 2 },
    ];
    expect(novelHeldoutIndices(3, train, heldout)).toEqual([1, 2]);
  });
});

describe('prepareRunData: held-out operand images', () => {
  it('N = 1 evaluates held-out pairs with the training images', () => {
    const data = prepareRunData(applyOverrides(getPreset('cpu-n1'), [], { seed: 1 }), rootRng(1).fork('data'), pool);
    expect(data.heldoutImagesKind).toBe('training-images');
    expect(data.heldoutSymbols.images).toBe(data.symbols.images);
  });

  it('N = 4 evaluates held-out pairs with test-split images never used in training', () => {
    const data = prepareRunData(applyOverrides(getPreset('cpu-n4'), [], { seed: 1 }), rootRng(1).fork('data'), pool);
    expect(data.heldoutImagesKind).toBe('unseen-test-split-images');
    const trained = new Set(data.symbols.sources.flat().map(key));
    const unseen = data.heldoutSymbols.sources.flat();
    expect(unseen.length).toBe(23 * data.heldoutSymbols.N);
    expect(unseen.some((s) => trained.has(key(s)))).toBe(false);
    expect(data.heldoutSymbols.side).toBe(data.symbols.side);
  });
});

describe('runDataFromSeed: data.seed', () => {
  it("draws the images, split and evaluation images of data.seed, whatever the run seed; absent, the run seed's", () => {
    const base = getPreset('cpu-n1-unordered');
    const of = (seed: number, extra: string[] = []) => runDataFromSeed(applyOverrides(base, extra, { seed }), pool);
    const seed2 = of(2);
    const seed1WithData2 = of(1, ['data.seed=2']);
    expect(seed1WithData2.train).toEqual(seed2.train);
    expect(seed1WithData2.heldout).toEqual(seed2.heldout);
    expect(seed1WithData2.symbols.images).toEqual(seed2.symbols.images);
    expect(of(1).train).not.toEqual(seed2.train);
    expect(applyOverrides(base, ['data.seed=2'], { seed: 1 }).seed).toBe(1);
  });

  it('is validated: a whole number from 0 to 2^32 − 1', () => {
    for (const bad of ['data.seed=-1', 'data.seed=1.5', 'data.seed=4294967296', 'data.seed="2"']) {
      expect(() => applyOverrides(getPreset('cpu-n1'), [bad]), bad).toThrow(/data\.seed must be an integer from 0 to 4294967295/);
    }
  });
});

describe('stepBatch', () => {
  it('depends only on (run stream, step): the same step twice is identical, another step differs', () => {
    const data = prepareRunData(applyOverrides(getPreset('cpu-n4'), [], { seed: 2 }), rootRng(2).fork('data'), pool);
    const rng = rootRng(2).fork('train');
    const a = stepBatch(data, rng, 17);
    const b = stepBatch(data, rng, 17);
    const c = stepBatch(data, rng, 18);
    expect(a.aRows).toEqual(b.aRows);
    expect(a.noise).toEqual(b.noise);
    expect(a.aRows).not.toEqual(c.aRows);
    // Rows point at images of the right symbol: row = symbol·N + j.
    for (let i = 0; i < data.train.length; i++) expect(Math.floor(a.cRows[i] / data.symbols.N)).toBe(data.train[i].c);
  });
});
