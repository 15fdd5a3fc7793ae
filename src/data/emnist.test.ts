// Tests of the EMNIST loader: the transpose to upright, length and label checks, the mapping file, and the
// orientation of the real fixtures (a statistic on the mean '1' and '7' that fails for stored, untransposed
// images).
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEmnistSplit, parseEmnistMapping, readEmnistMapping, transposeImages } from './emnist.ts';
import { EMNIST_FIXTURES_DIR } from './files.ts';
import { encodeIdx } from '../io/idx.ts';
import { expectDataError, gzip, tempDir } from '../../test-support/synthetic-data.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const fx = (name: string): string => join(EMNIST_FIXTURES_DIR, name);

describe('transposeImages', () => {
  it('gives upright[r][c] = stored[c][r] for every image, including non-square ones', () => {
    const stored = Uint8Array.from({ length: 2 * 2 * 3 }, (_, i) => i); // 2 images of 2×3
    const up = transposeImages(stored, 2, 2, 3); // 2 images of 3×2
    for (let k = 0; k < 2; k++) for (let r = 0; r < 3; r++) for (let c = 0; c < 2; c++) expect(up[k * 6 + r * 2 + c]).toBe(stored[k * 6 + c * 3 + r]);
  });
});

describe('loadEmnistSplit', () => {
  it('returns upright images and labels from a gzip pair', () => {
    const stored = Uint8Array.from({ length: 3 * 28 * 28 }, (_, i) => (i * 13) % 256);
    const images = tmp.write('ok-images.gz', gzip(encodeIdx('images', [3, 28, 28], stored)));
    const labels = tmp.write('ok-labels.gz', gzip(encodeIdx('labels', [3], Uint8Array.from([2, 0, 1]))));
    const s = loadEmnistSplit({ images, labels, classCount: 3 });
    expect(s.count).toBe(3);
    expect(Array.from(s.labels)).toEqual([2, 0, 1]);
    expect(s.images[784 + 5 * 28 + 9]).toBe(stored[784 + 9 * 28 + 5]);
  });

  it('rejects labels and images of different lengths, naming both files', () => {
    const images = tmp.write('n3-images', encodeIdx('images', [3, 28, 28], new Uint8Array(3 * 784)));
    const labels = tmp.write('n4-labels', encodeIdx('labels', [4], new Uint8Array(4)));
    expectDataError(() => loadEmnistSplit({ images, labels }), 'emnist-length-mismatch', images, labels, '4 labels', '3 images');
  });

  it('rejects a label outside the mapping', () => {
    const images = tmp.write('l-images', encodeIdx('images', [2, 28, 28], new Uint8Array(2 * 784)));
    const labels = tmp.write('l-labels', encodeIdx('labels', [2], Uint8Array.from([0, 47])));
    expectDataError(() => loadEmnistSplit({ images, labels, classCount: 47 }), 'emnist-label-range', labels, 'label 47 at index 1');
  });

  it('rejects swapped files and names a missing one', () => {
    const images = tmp.write('s-images', encodeIdx('images', [1, 28, 28], new Uint8Array(784)));
    const labels = tmp.write('s-labels', encodeIdx('labels', [1], new Uint8Array(1)));
    expectDataError(() => loadEmnistSplit({ images: labels, labels: images }), 'idx-magic', labels);
    const missing = join(tmp.dir, 'absent-images.gz');
    expectDataError(() => loadEmnistSplit({ images: missing, labels }), 'file-missing', missing);
  });
});

describe('EMNIST mapping', () => {
  it('parses the real CRLF mapping to 0-9, A-Z, a b d e f g h n q r t', () => {
    const chars = readEmnistMapping(fx('emnist-balanced-mapping.txt'));
    expect(chars.join('')).toBe('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabdefghnqrt');
  });

  it('accepts LF and a missing final newline; rejects bad lines and out-of-order indices', () => {
    expect(parseEmnistMapping('0 48\n1 65', 'm')).toEqual(['0', 'A']);
    expectDataError(() => parseEmnistMapping('0 48\r\n1 x\r\n', 'map.txt'), 'mapping-format', 'map.txt', 'line 2');
    expectDataError(() => parseEmnistMapping('0 48\r\n2 49\r\n', 'map.txt'), 'mapping-format', 'index 2', 'expected 1');
    expectDataError(() => parseEmnistMapping('', 'empty.txt'), 'mapping-empty', 'empty.txt');
  });
});

describe('orientation of the real fixtures', () => {
  const split = loadEmnistSplit({
    images: fx('emnist-balanced-train-images-idx3-ubyte.gz'),
    labels: fx('emnist-balanced-train-labels-idx1-ubyte.gz'),
    classCount: 47,
  });
  const stored = transposeImages(split.images, split.count, 28, 28); // transposing back gives the stored layout
  const mean = (images: Uint8Array, label: number): Float64Array => {
    const m = new Float64Array(784);
    let n = 0;
    for (let i = 0; i < split.count; i++) {
      if (split.labels[i] !== label) continue;
      n++;
      for (let p = 0; p < 784; p++) m[p] += images[i * 784 + p];
    }
    return m.map((v) => v / n);
  };
  // Ink of the mean '1' lies in a vertical band: the column profile is much more peaked than the row profile.
  const peakedness = (m: Float64Array, byColumn: boolean): number => {
    const prof = new Float64Array(28);
    for (let r = 0; r < 28; r++) for (let c = 0; c < 28; c++) prof[byColumn ? c : r] += m[r * 28 + c];
    return Math.max(...prof) / (prof.reduce((a, b) => a + b, 0) / 28);
  };
  // The mean '7' has its bar at the top: more ink in the top five rows than in the bottom five.
  const topMinusBottom = (m: Float64Array): number => {
    let top = 0;
    let bottom = 0;
    for (let c = 0; c < 28; c++)
      for (let r = 0; r < 5; r++) {
        top += m[(r + 4) * 28 + c];
        bottom += m[(19 + r) * 28 + c];
      }
    return top - bottom;
  };

  // Horizontal ink centroid: 'C' (class 12) leans left of the centre 13.5, '3' leans right.
  const centroidX = (m: Float64Array): number => {
    let sx = 0;
    let s = 0;
    for (let r = 0; r < 28; r++)
      for (let c = 0; c < 28; c++) {
        sx += c * m[r * 28 + c];
        s += m[r * 28 + c];
      }
    return sx / s;
  };

  // Together these single out the identity among the 8 flips/rotations/transposes of the square:
  // '1' rules out the four that swap axes, '7' the vertical flips, 'C' and '3' the horizontal mirror.
  it('shows upright characters (and the stored layout fails the same test)', () => {
    const one = mean(split.images, 1);
    expect(peakedness(one, true)).toBeGreaterThan(1.5 * peakedness(one, false));
    const oneStored = mean(stored, 1);
    expect(peakedness(oneStored, true)).toBeLessThan(peakedness(oneStored, false));
    expect(topMinusBottom(mean(split.images, 7))).toBeGreaterThan(0);
    expect(topMinusBottom(mean(stored, 7))).toBeLessThan(0);
    expect(centroidX(mean(split.images, 12))).toBeLessThan(13);
    expect(centroidX(mean(split.images, 3))).toBeGreaterThan(14);
  });
});
