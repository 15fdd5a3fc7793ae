// EMNIST loader: an images + labels IDX pair and the class mapping file, returning **upright** images.
// Serves paper Sec. 3 (symbols 0..P-1 drawn as EMNIST characters). EMNIST stores every image transposed
// relative to the written character, so upright[r][c] = stored[c][r] (a 90° rotation alone is wrong);
// see /work/shared/data/README.md "Orientation".

import { DataError } from '../errors.ts';
import { readIdxFile } from '../io/idx.ts';
import { readBytes } from '../io/file-bytes.ts';

/** A labelled set of upright images as read from an official file pair (EMNIST IDX, K49 npz). */
export interface LabelledImages {
  /** Number of images. */
  readonly count: number;
  /** Upright image side lengths (EMNIST: 28 × 28). */
  readonly rows: number;
  readonly cols: number;
  /** Upright images, row-major, [count, rows, cols], 0 = background, 255 = ink. */
  readonly images: Uint8Array;
  /** Class index of each image. */
  readonly labels: Uint8Array;
  readonly imagesPath: string;
  readonly labelsPath: string;
}

export type EmnistSplit = LabelledImages;

export interface EmnistSplitPaths {
  readonly images: string;
  readonly labels: string;
  /** When given, every label must index this mapping (its length is the class count). */
  readonly classCount?: number;
}

/** Transpose each [rows, cols] image of a [count, rows, cols] stack: out[k][c][r] = in[k][r][c]. */
export function transposeImages(data: Uint8Array, count: number, rows: number, cols: number): Uint8Array {
  const size = rows * cols;
  if (data.length !== count * size) {
    throw new DataError('emnist-shape', `transposeImages: ${data.length} bytes do not hold ${count} images of ${rows}×${cols}`);
  }
  const out = new Uint8Array(data.length);
  for (let k = 0; k < count; k++) {
    const base = k * size;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) out[base + c * rows + r] = data[base + r * cols + c];
    }
  }
  return out;
}

/** Load one EMNIST split and return upright images with their labels. */
export function loadEmnistSplit(paths: EmnistSplitPaths): EmnistSplit {
  const img = readIdxFile(paths.images, 'images');
  const lab = readIdxFile(paths.labels, 'labels');
  const [count, storedRows, storedCols] = img.dims;
  if (lab.dims[0] !== count) {
    throw new DataError(
      'emnist-length-mismatch',
      `EMNIST labels ${paths.labels} hold ${lab.dims[0]} labels but images ${paths.images} hold ${count} images; expected equal counts`,
    );
  }
  if (paths.classCount !== undefined) {
    for (let i = 0; i < lab.data.length; i++) {
      if (lab.data[i] >= paths.classCount) {
        throw new DataError(
          'emnist-label-range',
          `${paths.labels}: label ${lab.data[i]} at index ${i} is outside the mapping's ${paths.classCount} classes (0..${paths.classCount - 1})`,
        );
      }
    }
  }
  return {
    count,
    rows: storedCols,
    cols: storedRows,
    images: transposeImages(img.data, count, storedRows, storedCols),
    labels: lab.data,
    imagesPath: paths.images,
    labelsPath: paths.labels,
  };
}

/**
 * Parse an EMNIST mapping file: one "index ascii" pair per line (the official files use CRLF; LF is also
 * accepted), indices 0..K-1 in order. Returns the K characters.
 */
export function parseEmnistMapping(text: string, source: string): string[] {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new DataError('mapping-empty', `${source}: EMNIST mapping file is empty; expected lines "index ascii"`);
  return lines.map((line, k) => {
    const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(line);
    if (!m) {
      throw new DataError('mapping-format', `${source}: line ${k + 1} is ${JSON.stringify(line)}; expected "index ascii" (two integers)`);
    }
    const index = Number(m[1]);
    const code = Number(m[2]);
    if (index !== k) throw new DataError('mapping-format', `${source}: line ${k + 1} has index ${index}; expected ${k} (indices in order from 0)`);
    if (code < 32 || code > 0x10ffff) {
      throw new DataError('mapping-format', `${source}: line ${k + 1} has code ${code}; expected a printable character code`);
    }
    return String.fromCodePoint(code);
  });
}

/** Read and parse an EMNIST mapping file. */
export function readEmnistMapping(path: string): string[] {
  return parseEmnistMapping(new TextDecoder().decode(readBytes(path, 'EMNIST mapping file')), path);
}
