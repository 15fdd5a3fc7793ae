// Symbol sets: the P symbols of Z_P drawn as images, N images each (paper Sec. 3-4, Figures 2 and 4:
// N = 1, 4 or 256 EMNIST images per symbol). Symbol k is EMNIST class k (PAPER.symbolChoice: the first P
// classes of the Balanced order, digits 0-9 then A, B, ...). The N images of each symbol are a seeded choice
// from the pool's train split; `heldoutImages` gives other images of the same classes from the pool's test
// split (for classifiers and evaluation). Pixels are mapped to PAPER.pixelRange (background = low end) and
// resized to the side S: S = 28 identity, S < 28 exact area averaging, S > 28 centred padding.

import { ConfigError, DataError } from '../errors.ts';
import type { Rng } from '../engine/random.ts';
import { PAPER } from '../paper/registry.ts';
import type { EmnistPool, ImageSource, PoolImage } from './pool.ts';

export interface SymbolSet {
  readonly P: number;
  readonly N: number;
  readonly side: number;
  /** EMNIST class of symbol k. */
  readonly classes: readonly number[];
  /** Character drawn for symbol k. */
  readonly chars: readonly string[];
  /** [P, N, side*side], row-major upright images, values in `pixelRange`, background = pixelRange[0]. */
  readonly images: Float32Array;
  readonly pixelRange: readonly [number, number];
  /** Where image (k, j) came from, [P][N]. */
  readonly sources: readonly (readonly ImageSource[])[];
  /** The random stream the choice was drawn from (for provenance). */
  readonly rngPath: string;
  readonly rngSeed: number;
}

export interface BuildSymbolSetConfig {
  readonly pool: EmnistPool;
  /** Number of symbols (default PAPER.modulus). */
  readonly P?: number;
  /** Images per symbol. */
  readonly N: number;
  /** Image side (default PAPER.imageSide). */
  readonly side?: number;
  /** A stream forked for this purpose by the caller; each class uses its own child `class-<c>`. */
  readonly rng: Rng;
}

export interface HeldoutImages {
  readonly side: number;
  readonly classes: readonly number[];
  /** Number of images per symbol. */
  readonly counts: readonly number[];
  /** Symbol index (0..P-1) of each image. */
  readonly symbols: Int32Array;
  /** [total, side*side] in the symbol set's pixel range. */
  readonly images: Float32Array;
  readonly sources: readonly ImageSource[];
}

export const MIN_SIDE = 4;
export const MAX_SIDE = 256;

function checkInt(name: string, v: unknown, min: number, max: number, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(`symbols-${name}`, `symbol set: ${name} = ${String(v)} is invalid; expected an integer in [${min}, ${max}] (${what})`);
  }
  return v;
}

// ---- resizing --------------------------------------------------------------------------------------

const weightCache = new Map<string, Float64Array>();

/** Area-averaging weights [dst, src]: the share of source pixel p inside destination pixel i. */
function areaWeights(src: number, dst: number): Float64Array {
  const key = `${src}>${dst}`;
  const hit = weightCache.get(key);
  if (hit) return hit;
  const w = new Float64Array(dst * src);
  const scale = src / dst;
  for (let i = 0; i < dst; i++) {
    const lo = i * scale;
    const hi = (i + 1) * scale;
    for (let p = Math.floor(lo); p < Math.min(src, Math.ceil(hi)); p++) {
      const overlap = Math.min(hi, p + 1) - Math.max(lo, p);
      if (overlap > 0) w[i * src + p] = overlap / scale;
    }
  }
  weightCache.set(key, w);
  return w;
}

/**
 * Write one uint8 image (src × src, 0..255) into `out` at `offset` as side × side floats in `range`
 * (background 0 → range[0]). Area averaging when side < src, centred padding when side > src.
 */
export function resizeInto(pixels: Uint8Array, src: number, side: number, range: readonly [number, number], out: Float32Array, offset: number): void {
  const [lo, hi] = range;
  const k = (hi - lo) / 255;
  if (side >= src) {
    const pad = Math.floor((side - src) / 2);
    out.fill(lo, offset, offset + side * side);
    for (let r = 0; r < src; r++) {
      for (let c = 0; c < src; c++) out[offset + (r + pad) * side + c + pad] = lo + k * pixels[r * src + c];
    }
    return;
  }
  const w = areaWeights(src, side);
  const tmp = new Float64Array(side * src); // rows reduced: [side, src]
  for (let i = 0; i < side; i++) {
    for (let p = 0; p < src; p++) {
      const wp = w[i * src + p];
      if (wp === 0) continue;
      for (let q = 0; q < src; q++) tmp[i * src + q] += wp * pixels[p * src + q];
    }
  }
  for (let i = 0; i < side; i++) {
    for (let j = 0; j < side; j++) {
      let s = 0;
      for (let q = 0; q < src; q++) s += w[j * src + q] * tmp[i * src + q];
      out[offset + i * side + j] = lo + k * s;
    }
  }
}

// ---- symbol sets -----------------------------------------------------------------------------------

/** The EMNIST classes used for symbols 0..P-1 under PAPER.symbolChoice. */
export function symbolClasses(P: number, classCount: number): number[] {
  const rule = PAPER.symbolChoice.value;
  if (rule !== 'first-P-classes-of-emnist-balanced-order') {
    throw new ConfigError('symbols-choice', `PAPER.symbolChoice '${rule}' is not implemented by src/data/symbols.ts`);
  }
  if (P > classCount) {
    throw new ConfigError('symbols-P', `symbol set: P = ${P} but the pool has only ${classCount} classes; expected P ≤ ${classCount}`);
  }
  return Array.from({ length: P }, (_, k) => k);
}

/** N distinct positions of 0..length-1 by a partial Fisher–Yates shuffle (prefix-stable in N). */
function choose(length: number, N: number, rng: Rng): number[] {
  const idx = Array.from({ length }, (_, i) => i);
  for (let i = 0; i < N; i++) {
    const j = i + rng.int(length - i);
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx.slice(0, N);
}

/**
 * Build the symbol set. Candidates of each class are the pool's train images of that class in pool order;
 * the N images are the first N draws of a seeded shuffle from `rng.fork('class-<c>')`, so the set for N = 4
 * starts with the set for N = 1 and symbol k's images do not depend on P.
 */
export function buildSymbolSet(config: BuildSymbolSetConfig): SymbolSet {
  const { pool, rng } = config;
  const P = checkInt('P', config.P ?? PAPER.modulus.value, 2, Number.MAX_SAFE_INTEGER, 'number of symbols');
  const N = checkInt('N', config.N, 1, Number.MAX_SAFE_INTEGER, 'images per symbol');
  const side = checkInt('side', config.side ?? PAPER.imageSide.value, MIN_SIDE, MAX_SIDE, 'image side in pixels');
  const classes = symbolClasses(P, pool.classCount);
  const range = PAPER.pixelRange.value;
  const size = side * side;
  const images = new Float32Array(P * N * size);
  const sources: ImageSource[][] = [];
  classes.forEach((cls, k) => {
    const candidates = pool.train.byClass[cls];
    if (N > candidates.length) {
      throw new ConfigError(
        'symbols-N',
        `symbol set: N = ${N} images per symbol but class ${cls} ('${pool.chars[cls]}', symbol ${k}) has only ${candidates.length} ` +
          `images in the pool's train split; expected N ≤ ${candidates.length}`,
      );
    }
    const picked = choose(candidates.length, N, rng.fork(`class-${cls}`)).map((i) => candidates[i]);
    picked.forEach((im, j) => {
      resizeInto(im.pixels, pool.side, side, range, images, (k * N + j) * size);
    });
    sources.push(picked.map((im) => im.source));
  });
  return {
    P,
    N,
    side,
    classes,
    chars: classes.map((c) => pool.chars[c]),
    images,
    pixelRange: range,
    sources,
    rngPath: rng.path,
    rngSeed: rng.seed,
  };
}

/** The image (k, j) of a symbol set: a view of side*side floats. */
export function symbolImage(set: SymbolSet, k: number, j: number): Float32Array {
  if (!Number.isInteger(k) || k < 0 || k >= set.P || !Number.isInteger(j) || j < 0 || j >= set.N) {
    throw new DataError('symbols-index', `symbolImage: (${k}, ${j}) is outside the set's [${set.P}, ${set.N}]`);
  }
  const size = set.side * set.side;
  return set.images.subarray((k * set.N + j) * size, (k * set.N + j + 1) * size);
}

const sourceKey = (s: ImageSource): string => `${s.file}#${s.fileIndex}`;

/**
 * Images of the set's classes that are not among its chosen images, from the pool's test split (disjoint by
 * pixel content from the train split). `maxPerClass` keeps a seeded choice of at most that many per class
 * (needs `rng`); without it every test image is returned, in pool order.
 */
export function heldoutImages(set: SymbolSet, pool: EmnistPool, options: { maxPerClass?: number; rng?: Rng } = {}): HeldoutImages {
  const chosen = new Set(set.sources.flat().map(sourceKey));
  const perClass: PoolImage[][] = set.classes.map((cls, k) => {
    if (pool.chars[cls] !== set.chars[k]) {
      throw new DataError('symbols-pool', `heldoutImages: pool class ${cls} is '${pool.chars[cls]}', the symbol set drew '${set.chars[k]}'`);
    }
    let list = pool.test.byClass[cls].filter((im) => !chosen.has(sourceKey(im.source)));
    if (options.maxPerClass !== undefined) {
      const max = checkInt('maxPerClass', options.maxPerClass, 1, Number.MAX_SAFE_INTEGER, 'held-out images per class');
      if (list.length > max) {
        if (!options.rng) throw new ConfigError('symbols-rng', 'heldoutImages: maxPerClass needs an rng to choose the images');
        list = choose(list.length, max, options.rng.fork(`heldout-class-${cls}`)).map((i) => list[i]);
      }
    }
    return list;
  });
  const counts = perClass.map((l) => l.length);
  const total = counts.reduce((a, b) => a + b, 0);
  const size = set.side * set.side;
  const images = new Float32Array(total * size);
  const symbols = new Int32Array(total);
  const sources: ImageSource[] = [];
  let n = 0;
  perClass.forEach((list, k) => {
    for (const im of list) {
      resizeInto(im.pixels, pool.side, set.side, set.pixelRange, images, n * size);
      symbols[n++] = k;
      sources.push(im.source);
    }
  });
  return { side: set.side, classes: set.classes, counts, symbols, images, sources };
}
