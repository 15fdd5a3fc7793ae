// Tests of the Kuzushiji-49 loader with small arrays written here under neutral names (no K49 images are
// available, and none are faked), and of the real class map in fixtures/k49.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from './files.ts';
import { K49_CLASS_COUNT, loadK49Split, parseK49ClassMap, readK49ClassMap } from './k49.ts';
import { encodeNpy, encodeNpz, type NpyData } from '../io/npz.ts';
import { expectDataError, tempDir } from '../../test-support/synthetic-data.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const npz = (name: string, data: NpyData, shape: number[], key = 'arr_0'): string => tmp.write(name, encodeNpz({ [key]: encodeNpy(data, shape) }));

describe('loadK49Split', () => {
  const imgs = Uint8Array.from({ length: 3 * 784 }, (_, i) => (i * 31) % 256);

  it('reads an images/labels pair in the official layout, upright as stored', () => {
    for (const labels of [Uint8Array.from([0, 48, 7]), BigInt64Array.from([0n, 48n, 7n])]) {
      const s = loadK49Split({ images: npz('tiny-imgs.npz', imgs, [3, 28, 28]), labels: npz('tiny-labels.npz', labels, [3]) });
      expect(s.count).toBe(3);
      expect([s.rows, s.cols]).toEqual([28, 28]);
      expect(Array.from(s.labels)).toEqual([0, 48, 7]);
      expect(s.images[784 + 28 * 3 + 5]).toBe(imgs[784 + 28 * 3 + 5]);
    }
  });

  it('rejects labels and images of different lengths', () => {
    const images = npz('len-imgs.npz', imgs, [3, 28, 28]);
    const labels = npz('len-labels.npz', Uint8Array.from([1, 2]), [2]);
    expectDataError(() => loadK49Split({ images, labels }), 'k49-length-mismatch', images, labels, '2 labels', '3 images');
  });

  it('rejects wrong dtypes or shapes and labels outside 0..48', () => {
    const floats = npz('f-imgs.npz', new Float32Array(784), [1, 28, 28]);
    const labels1 = npz('one-labels.npz', Uint8Array.from([0]), [1]);
    expectDataError(() => loadK49Split({ images: floats, labels: labels1 }), 'k49-shape', floats, "'<f4'");
    const flat = npz('flat-imgs.npz', new Uint8Array(784), [784]);
    expectDataError(() => loadK49Split({ images: flat, labels: labels1 }), 'k49-shape', '(784)');
    const images = npz('r-imgs.npz', new Uint8Array(784), [1, 28, 28]);
    const bad = npz('r-labels.npz', Uint8Array.from([49]), [1]);
    expectDataError(() => loadK49Split({ images, labels: bad }), 'k49-label-range', bad, 'label 49');
    const keyed = npz('k-labels.npz', Uint8Array.from([0]), [1], 'labels');
    expectDataError(() => loadK49Split({ images, labels: keyed }), 'npz-key', "'arr_0'", "'labels'");
  });

  it('names the path of a missing file', () => {
    const p = join(tmp.dir, 'absent-imgs.npz');
    expectDataError(() => loadK49Split({ images: p, labels: p }), 'file-missing', p);
  });
});

describe('K49 class map', () => {
  it('reads the real k49_classmap.csv: 49 classes あ … ゝ', () => {
    const classes = readK49ClassMap(join(FIXTURES_DIR, 'k49', 'k49_classmap.csv'));
    expect(classes).toHaveLength(K49_CLASS_COUNT);
    expect(classes[0]).toEqual({ index: 0, codepoint: 0x3042, char: 'あ' });
    expect(classes[48]).toEqual({ index: 48, codepoint: 0x309d, char: 'ゝ' });
    expect(classes.map((c) => c.char).join('')).toBe('あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわゐゑをんゝ');
  });

  it('rejects a wrong header, a malformed row, a wrong index or a char that is not its codepoint', () => {
    expectDataError(() => parseK49ClassMap('idx,cp,char\n', 'map.csv'), 'classmap-format', 'map.csv', 'header');
    expectDataError(() => parseK49ClassMap('index,codepoint,char\n0,3042,あ\n', 'map.csv'), 'classmap-format', 'row 2');
    expectDataError(() => parseK49ClassMap('index,codepoint,char\n1,U+3042,あ\n', 'map.csv'), 'classmap-format', 'index 1');
    expectDataError(() => parseK49ClassMap('index,codepoint,char\n0,U+3042,い\n', 'map.csv'), 'classmap-format', 'U+3042');
  });
});
