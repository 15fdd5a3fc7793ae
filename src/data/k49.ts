// Kuzushiji-49 loader: the official `k49-{train,test}-imgs.npz` / `k49-{train,test}-labels.npz` pair (each a
// zip with one `arr_0.npy`: images uint8 [N, 28, 28], labels [N]) and the class map `k49_classmap.csv`
// (header `index,codepoint,char`). Serves the paper's appendix study on Kuzushiji-49 (P = 39, 43, 47).
// K49 images are stored upright (no transpose, unlike EMNIST). The image arrays are not in this repository
// (see fixtures/k49/PROVENANCE.md); users who have the official files pass their paths.

import type { LabelledImages } from './emnist.ts';
import { DataError } from '../errors.ts';
import { readBytes } from '../io/file-bytes.ts';
import { npyIntegers, npzArray, readNpzFile } from '../io/npz.ts';

/** Number of classes in Kuzushiji-49. */
export const K49_CLASS_COUNT = 49;

export type K49Split = LabelledImages;

export interface K49Class {
  readonly index: number;
  readonly codepoint: number;
  readonly char: string;
}

/** Load an official K49 images/labels `.npz` pair (key `arr_0` in each). */
export function loadK49Split(paths: { images: string; labels: string; classCount?: number }): K49Split {
  const classCount = paths.classCount ?? K49_CLASS_COUNT;
  const img = npzArray(readNpzFile(paths.images), paths.images);
  const lab = npzArray(readNpzFile(paths.labels), paths.labels);
  if (img.descr !== '|u1' || img.shape.length !== 3) {
    throw new DataError(
      'k49-shape',
      `${paths.images}: arr_0 is '${img.descr}' with shape (${img.shape.join(', ')}); expected uint8 ('|u1') images of shape (N, 28, 28)`,
    );
  }
  if (lab.shape.length !== 1) {
    throw new DataError('k49-shape', `${paths.labels}: arr_0 has shape (${lab.shape.join(', ')}); expected labels of shape (N,)`);
  }
  const [count, rows, cols] = img.shape;
  if (lab.shape[0] !== count) {
    throw new DataError(
      'k49-length-mismatch',
      `K49 labels ${paths.labels} hold ${lab.shape[0]} labels but images ${paths.images} hold ${count} images; expected equal counts`,
    );
  }
  const values = npyIntegers(lab, paths.labels);
  const labels = new Uint8Array(count);
  values.forEach((v, i) => {
    if (v < 0 || v >= classCount) {
      throw new DataError('k49-label-range', `${paths.labels}: label ${v} at index ${i} is outside 0..${classCount - 1}`);
    }
    labels[i] = v;
  });
  return { count, rows, cols, images: img.data as Uint8Array, labels, imagesPath: paths.images, labelsPath: paths.labels };
}

/** Parse `k49_classmap.csv`: header `index,codepoint,char`, then one row per class in index order. */
export function parseK49ClassMap(text: string, source: string): K49Class[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines[0] !== 'index,codepoint,char') {
    throw new DataError('classmap-format', `${source}: header is ${JSON.stringify(lines[0] ?? '')}; expected "index,codepoint,char"`);
  }
  return lines.slice(1).map((line, k) => {
    const fields = line.split(',');
    const m = fields.length === 3 ? /^U\+([0-9A-Fa-f]{4,6})$/.exec(fields[1]) : null;
    if (!m || !/^\d+$/.test(fields[0])) {
      throw new DataError('classmap-format', `${source}: row ${k + 2} is ${JSON.stringify(line)}; expected "index,U+XXXX,char"`);
    }
    const index = Number(fields[0]);
    const codepoint = Number.parseInt(m[1], 16);
    if (index !== k) throw new DataError('classmap-format', `${source}: row ${k + 2} has index ${index}; expected ${k}`);
    if (fields[2] !== String.fromCodePoint(codepoint)) {
      throw new DataError('classmap-format', `${source}: row ${k + 2}: char ${JSON.stringify(fields[2])} is not U+${m[1]}`);
    }
    return { index, codepoint, char: fields[2] };
  });
}

/** Read and parse a `k49_classmap.csv`. */
export function readK49ClassMap(path: string): K49Class[] {
  return parseK49ClassMap(new TextDecoder().decode(readBytes(path, 'K49 class map')), path);
}
