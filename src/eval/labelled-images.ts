// Labelled images of the P symbol classes from one split of an image pool, drawn exactly as symbol sets
// draw them (src/data/symbols.ts: symbolClasses, resizeInto, PAPER.pixelRange), for training and measuring
// the classifier that scores generated images (paper Sec. 3-4, generation accuracy with N > 1). The test
// split gives the same images as `heldoutImages` (the pool's test split is disjoint from every symbol set).

import { ConfigError } from '../errors.ts';
import type { EmnistPool, ImageSource, PoolSplitName } from '../data/pool.ts';
import { MAX_SIDE, MIN_SIDE, resizeInto, symbolClasses } from '../data/symbols.ts';
import { PAPER } from '../paper/registry.ts';

export interface LabelledImages {
  readonly P: number;
  readonly side: number;
  readonly split: PoolSplitName;
  /** Number of images. */
  readonly count: number;
  /** imagesByRow [count, side*side], upright, values in `pixelRange` (background = pixelRange[0]). */
  readonly images: Float32Array;
  /** Symbol (0..P-1) of each image [count]. */
  readonly labels: Int32Array;
  /** Images per symbol [P]. */
  readonly perClass: readonly number[];
  /** Pool class of symbol k, and its character. */
  readonly classes: readonly number[];
  readonly chars: readonly string[];
  readonly pixelRange: readonly [number, number];
  readonly sources: readonly ImageSource[];
}

/** Every image of the P symbol classes in one split of `pool`, in pool order, at `side` pixels. */
export function poolSplitImages(pool: EmnistPool, split: PoolSplitName, P: number, side: number): LabelledImages {
  if (!Number.isInteger(side) || side < MIN_SIDE || side > MAX_SIDE) {
    throw new ConfigError('classifier-side', `labelled images: side = ${side} is invalid; expected an integer in [${MIN_SIDE}, ${MAX_SIDE}]`);
  }
  const classes = symbolClasses(P, pool.classCount);
  const lists = classes.map((cls) => pool[split].byClass[cls]);
  const count = lists.reduce((n, l) => n + l.length, 0);
  const pixels = side * side;
  const range = PAPER.pixelRange.value;
  const images = new Float32Array(count * pixels);
  const labels = new Int32Array(count);
  const sources: ImageSource[] = [];
  let row = 0;
  lists.forEach((list, k) => {
    for (const im of list) {
      resizeInto(im.pixels, pool.side, side, range, images, row * pixels);
      labels[row++] = k;
      sources.push(im.source);
    }
  });
  return {
    P,
    side,
    split,
    count,
    images,
    labels,
    perClass: lists.map((l) => l.length),
    classes,
    chars: classes.map((c) => pool.chars[c]),
    pixelRange: range,
    sources,
  };
}
