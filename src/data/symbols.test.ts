// Tests of symbol sets: shape, pixel range and provenance on the real pool; seeded, nested choices
// (N = 1 ⊂ N = 4, P = 23 ⊂ P = 35); held-out companions; resizing; and every configuration error.
import { beforeAll, describe, expect, it } from 'vitest';
import { rootRng } from '../engine/random.ts';
import { PAPER } from '../paper/registry.ts';
import { loadEmnistPool, type EmnistPool } from './pool.ts';
import { buildSymbolSet, heldoutImages, resizeInto, symbolImage } from './symbols.ts';
import { expectConfigError, expectDataError, syntheticPool } from '../../test-support/synthetic-data.ts';

let pool: EmnistPool;
beforeAll(() => {
  pool = loadEmnistPool();
});
const rng = (seed = 7) => rootRng(seed).fork('symbols');
const key = (s: { file: string; fileIndex: number }): string => `${s.file}#${s.fileIndex}`;

describe('buildSymbolSet on the EMNIST pool', () => {
  it('builds P = 23, N = 4 at the registry side (32 px) by default: [P, N, S²] in [-1, 1], background -1', () => {
    const set = buildSymbolSet({ pool, N: 4, rng: rng() });
    const S = PAPER.imageSide.value;
    expect([set.P, set.N, set.side]).toEqual([PAPER.modulus.value, 4, S]);
    expect(set.images.length).toBe(23 * 4 * S * S);
    expect(set.classes).toEqual(Array.from({ length: 23 }, (_, k) => k));
    expect(set.chars.join('')).toBe('0123456789ABCDEFGHIJKLM');
    expect(set.pixelRange).toEqual(PAPER.pixelRange.value);
    let min = Infinity;
    let max = -Infinity;
    for (const v of set.images) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBe(-1);
    expect(max).toBeLessThanOrEqual(1);
    for (let k = 0; k < set.P; k++) for (let j = 0; j < set.N; j++) expect(symbolImage(set, k, j)[0]).toBe(-1); // corner = background
  });

  it('copies each chosen pool image exactly (28 px is the identity up to the pixel map)', () => {
    const set = buildSymbolSet({ pool, P: 5, N: 3, side: 28, rng: rng() });
    const bySource = new Map(pool.train.images.map((im) => [key(im.source), im]));
    for (let k = 0; k < 5; k++) {
      for (let j = 0; j < 3; j++) {
        const im = bySource.get(key(set.sources[k][j]))!;
        expect(im.label).toBe(k);
        const got = symbolImage(set, k, j);
        for (let p = 0; p < 784; p++) expect(got[p]).toBeCloseTo(-1 + (2 * im.pixels[p]) / 255, 6);
      }
    }
  });

  it('is reproducible, depends on the seed, and nests: N = 1 ⊂ N = 4, P = 23 ⊂ P = 35', () => {
    const a = buildSymbolSet({ pool, P: 23, N: 4, rng: rng(1) });
    const b = buildSymbolSet({ pool, P: 23, N: 4, rng: rng(1) });
    expect(b.images).toEqual(a.images);
    expect(b.sources).toEqual(a.sources);
    const c = buildSymbolSet({ pool, P: 23, N: 4, rng: rng(2) });
    expect(c.sources).not.toEqual(a.sources);
    const one = buildSymbolSet({ pool, P: 23, N: 1, rng: rng(1) });
    expect(one.sources.map((s) => s[0])).toEqual(a.sources.map((s) => s[0]));
    const wide = buildSymbolSet({ pool, P: 35, N: 4, rng: rng(1) });
    expect(wide.sources.slice(0, 23)).toEqual(a.sources);
    expect(rng(1).path).toBe(a.rngPath);
  });

  it('builds N = 256 for P = 35 with distinct train images per symbol', () => {
    const set = buildSymbolSet({ pool, P: 35, N: 256, rng: rng() });
    const train = new Set(pool.train.images.map((im) => key(im.source)));
    for (const list of set.sources) {
      expect(new Set(list.map(key)).size).toBe(256);
      for (const s of list) expect(train.has(key(s))).toBe(true);
    }
  });

  it('gives held-out images of the same classes from the test split, none of them chosen', () => {
    const set = buildSymbolSet({ pool, P: 23, N: 4, side: 28, rng: rng() });
    const h = heldoutImages(set, pool);
    expect(h.counts).toEqual(set.classes.map((c) => pool.test.byClass[c].length));
    expect(h.images.length).toBe(h.counts.reduce((x, y) => x + y, 0) * 784);
    const chosen = new Set(set.sources.flat().map(key));
    const test = new Set(pool.test.images.map((im) => key(im.source)));
    h.sources.forEach((s, i) => {
      expect(chosen.has(key(s))).toBe(false);
      expect(test.has(key(s))).toBe(true);
      expect(pool.test.images.find((im) => key(im.source) === key(s))!.label).toBe(set.classes[h.symbols[i]]);
    });
    const capped = heldoutImages(set, pool, { maxPerClass: 10, rng: rng().fork('heldout') });
    expect(capped.counts).toEqual(new Array(23).fill(10));
    expect(heldoutImages(set, pool, { maxPerClass: 10, rng: rng().fork('heldout') }).sources).toEqual(capped.sources);
    expectConfigError(() => heldoutImages(set, pool, { maxPerClass: 10 }), 'symbols-rng', 'rng');
  });

  it('resizes to 14 px (area average) and 32 px (centred padding)', () => {
    const s28 = buildSymbolSet({ pool, P: 3, N: 2, side: 28, rng: rng() });
    const s14 = buildSymbolSet({ pool, P: 3, N: 2, side: 14, rng: rng() });
    const s32 = buildSymbolSet({ pool, P: 3, N: 2, side: 32, rng: rng() });
    const a = symbolImage(s28, 2, 1);
    const d = symbolImage(s14, 2, 1);
    for (let r = 0; r < 14; r++)
      for (let c = 0; c < 14; c++) {
        const m = (a[2 * r * 28 + 2 * c] + a[2 * r * 28 + 2 * c + 1] + a[(2 * r + 1) * 28 + 2 * c] + a[(2 * r + 1) * 28 + 2 * c + 1]) / 4;
        expect(d[r * 14 + c]).toBeCloseTo(m, 5);
      }
    const u = symbolImage(s32, 2, 1);
    for (let r = 0; r < 32; r++)
      for (let c = 0; c < 32; c++) {
        const inside = r >= 2 && r < 30 && c >= 2 && c < 30;
        expect(u[r * 32 + c]).toBe(inside ? a[(r - 2) * 28 + c - 2] : -1);
      }
  });
});

describe('resizeInto', () => {
  const range = [-1, 1] as const;
  const img = Uint8Array.from({ length: 784 }, (_, i) => (i * 97 + 13) % 256);
  const mean = (x: ArrayLike<number>): number => Array.from(x).reduce((s, v) => s + v, 0) / x.length;

  it('preserves the mean intensity for integer and fractional factors', () => {
    for (const side of [14, 20, 7, 5]) {
      const out = new Float32Array(side * side);
      resizeInto(img, 28, side, range, out, 0);
      expect(mean(out), `side ${side}`).toBeCloseTo(-1 + (2 * mean(img)) / 255, 4);
    }
  });

  it('keeps a top-half block in the top half, and pads an odd margin right/bottom', () => {
    const half = Uint8Array.from({ length: 784 }, (_, i) => (i < 14 * 28 ? 255 : 0));
    const out = new Float32Array(14 * 14);
    resizeInto(half, 28, 14, range, out, 0);
    expect(Array.from(out.subarray(0, 7 * 14)).every((v) => v === 1)).toBe(true);
    expect(Array.from(out.subarray(7 * 14)).every((v) => v === -1)).toBe(true);
    const pad = new Float32Array(29 * 29);
    resizeInto(half, 28, 29, range, pad, 0);
    expect(pad[0]).toBe(1); // pad of 0 at top-left ...
    expect(pad[28]).toBe(-1); // ... and 1 at the right
  });
});

describe('buildSymbolSet errors', () => {
  const small = syntheticPool([6, 6, 6, 5, 6]);

  it('refuses P larger than the classes available, P < 2 and non-integer P', () => {
    expectConfigError(() => buildSymbolSet({ pool: small, P: 6, N: 1, rng: rng() }), 'symbols-P', 'P = 6', 'only 5 classes');
    expectConfigError(() => buildSymbolSet({ pool: small, P: 1, N: 1, rng: rng() }), 'symbols-P', 'P = 1');
    expectConfigError(() => buildSymbolSet({ pool: small, P: 2.5, N: 1, rng: rng() }), 'symbols-P', 'P = 2.5');
  });

  it('refuses N larger than the images of a class, naming the class and the counts, and N < 1', () => {
    expectConfigError(() => buildSymbolSet({ pool: small, P: 5, N: 6, rng: rng() }), 'symbols-N', 'N = 6', "class 3 ('3'", 'only 5 images');
    expect(buildSymbolSet({ pool: small, P: 3, N: 6, rng: rng() }).N).toBe(6); // class 3 not needed for P = 3
    expectConfigError(() => buildSymbolSet({ pool: small, P: 3, N: 0, rng: rng() }), 'symbols-N', 'N = 0');
    expectConfigError(() => buildSymbolSet({ pool: small, P: 3, N: 1.5, rng: rng() }), 'symbols-N', 'N = 1.5');
  });

  it('refuses an invalid side', () => {
    for (const side of [0, 3, 13.5, 1000, Number.NaN]) {
      expectConfigError(() => buildSymbolSet({ pool: small, P: 3, N: 1, side, rng: rng() }), 'symbols-side', `side = ${side}`);
    }
  });

  it('refuses an image index outside the set', () => {
    const set = buildSymbolSet({ pool: small, P: 3, N: 2, rng: rng() });
    expectDataError(() => symbolImage(set, 3, 0), 'symbols-index', '(3, 0)');
    expectDataError(() => symbolImage(set, 0, 2), 'symbols-index', '(0, 2)');
  });
});
