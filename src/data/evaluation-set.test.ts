// Tests of the N > 1 evaluation set (paper Appendix C.2): operand images never used in training, a seeded
// choice of `perSymbol` per symbol laid out like a symbol set; N = 1 evaluates with the training images; a
// class without enough unseen images is refused with an error naming it.
import { beforeAll, describe, expect, it } from 'vitest';
import { rootRng } from '../engine/random.ts';
import { loadEmnistPool, type EmnistPool } from './pool.ts';
import { buildSymbolSet } from './symbols.ts';
import { evaluationImages } from './evaluation-set.ts';

let pool: EmnistPool;
beforeAll(() => {
  pool = loadEmnistPool();
});
const key = (s: { file: string; fileIndex: number }): string => `${s.file}#${s.fileIndex}`;

describe('evaluationImages', () => {
  it('N = 1: the held-out pairs are drawn with the training images themselves', () => {
    const train = buildSymbolSet({ pool, P: 5, N: 1, side: 16, rng: rootRng(1).fork('symbols') });
    const ev = evaluationImages(train, pool, rootRng(1).fork('eval'));
    expect(ev.kind).toBe('training-images');
    expect(ev.symbols).toBe(train);
  });

  it('N = 4: perSymbol unseen test-split images per symbol, none of them a training image, [P, perSymbol, pixels]', () => {
    const train = buildSymbolSet({ pool, P: 6, N: 4, side: 16, rng: rootRng(2).fork('symbols') });
    const ev = evaluationImages(train, pool, rootRng(2).fork('eval'), 8);
    expect(ev.kind).toBe('unseen-test-split-images');
    expect([ev.symbols.P, ev.symbols.N, ev.symbols.side]).toEqual([6, 8, 16]);
    expect(ev.symbols.images.length).toBe(6 * 8 * 256);
    const trained = new Set(train.sources.flat().map(key));
    for (const row of ev.symbols.sources) {
      expect(row).toHaveLength(8);
      for (const s of row) {
        expect(trained.has(key(s))).toBe(false);
        expect(s.file).toMatch(/test/);
      }
    }
    expect(ev.symbols.chars).toEqual(train.chars);
  });

  it('is seeded: the same stream gives the same images, another stream other images', () => {
    const train = buildSymbolSet({ pool, P: 4, N: 4, side: 16, rng: rootRng(3).fork('symbols') });
    const a = evaluationImages(train, pool, rootRng(3).fork('eval'), 8);
    const b = evaluationImages(train, pool, rootRng(3).fork('eval'), 8);
    const c = evaluationImages(train, pool, rootRng(4).fork('eval'), 8);
    expect(a.symbols.images).toEqual(b.symbols.images);
    expect(a.symbols.images).not.toEqual(c.symbols.images);
  });

  it('refuses a symbol without enough unseen images, naming it', () => {
    const train = buildSymbolSet({ pool, P: 3, N: 4, side: 16, rng: rootRng(5).fork('symbols') });
    expect(() => evaluationImages(train, pool, rootRng(5).fork('eval'), 100000)).toThrow(
      /symbol 0 \('0'\) has only \d+ unseen test-split images; 100000 are needed/,
    );
  });
});
