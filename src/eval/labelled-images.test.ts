// Labelled pool images for the symbol classifier: every train- or test-split image of the P classes, grouped
// by symbol in pool order, drawn as symbol sets draw them (the pixel range, the resize); bad sides and P are
// ConfigErrors.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { loadEmnistPool } from '../data/pool.ts';
import { resizeInto } from '../data/symbols.ts';
import { poolSplitImages } from './labelled-images.ts';

const pool = loadEmnistPool();

describe('labelled pool images', () => {
  it('holds every image of the P classes of a split, labelled by symbol, as symbol sets draw them', () => {
    const train = poolSplitImages(pool, 'train', 3, 16);
    expect(train.perClass).toEqual([0, 1, 2].map((c) => pool.train.byClass[c].length));
    expect(train.count).toBe(train.perClass.reduce((a, b) => a + b, 0));
    expect(train.images).toHaveLength(train.count * 256);
    expect(train.chars).toEqual(['0', '1', '2']);
    expect(Array.from(train.labels.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(train.labels[train.count - 1]).toBe(2);
    const first = new Float32Array(256);
    resizeInto(pool.train.byClass[0][0].pixels, pool.side, 16, [-1, 1], first, 0);
    expect(train.images.subarray(0, 256)).toEqual(first);
    expect(train.images.every((v) => v >= -1 && v <= 1)).toBe(true);
    expect(train.sources[0]).toEqual(pool.train.byClass[0][0].source);
  });

  it('refuses a side out of range and more symbols than classes', () => {
    expect(() => poolSplitImages(pool, 'test', 3, 2)).toThrow(ConfigError);
    expect(() => poolSplitImages(pool, 'test', 3, 2)).toThrow(/side = 2 is invalid/);
    expect(() => poolSplitImages(pool, 'test', 60, 16)).toThrow(/P = 60 but the pool has only 47 classes/);
  });
});
