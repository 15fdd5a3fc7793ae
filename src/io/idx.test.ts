// Tests of the IDX reader: round trips, gzip detection, and every malformed-file error.
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIdx, parseIdx, readIdxFile } from './idx.ts';
import { expectDataError, gzip, tempDir } from '../../test-support/synthetic-data.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const images = encodeIdx(
  'images',
  [2, 3, 4],
  Uint8Array.from({ length: 24 }, (_, i) => i),
);
const labels = encodeIdx('labels', [5], Uint8Array.from([4, 3, 2, 1, 0]));

describe('parseIdx', () => {
  it('reads images and labels with big-endian dims', () => {
    const a = parseIdx(images, 'mem');
    expect(a.kind).toBe('images');
    expect(a.dims).toEqual([2, 3, 4]);
    expect(Array.from(a.data)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    const b = parseIdx(labels, 'mem', 'labels');
    expect(b.dims).toEqual([5]);
    expect(Array.from(b.data)).toEqual([4, 3, 2, 1, 0]);
    expect(Array.from(images.subarray(0, 8))).toEqual([0, 0, 8, 3, 0, 0, 0, 2]);
  });

  it('reads raw and gzip files alike (gzip detected by magic, not name)', () => {
    const raw = tmp.write('a-idx3-ubyte', images);
    const gz = tmp.write('b-idx3-ubyte', gzip(images)); // gzip without a .gz name
    expect(readIdxFile(raw).dims).toEqual([2, 3, 4]);
    expect(Array.from(readIdxFile(gz, 'images').data)).toEqual(Array.from(readIdxFile(raw).data));
  });

  it('rejects a wrong magic number', () => {
    const bad = images.slice();
    bad[0] = 0x12;
    expectDataError(() => parseIdx(bad, 'bad.idx'), 'idx-magic', 'bad.idx', '0x12000803', '0x00000803');
    const three = images.slice();
    three[3] = 2;
    expectDataError(() => parseIdx(three, 'two-dims.idx'), 'idx-magic', 'two-dims.idx', '0x00000802');
  });

  it('rejects a non-uint8 dtype byte', () => {
    const bad = images.slice();
    bad[2] = 0x0d;
    expectDataError(() => parseIdx(bad, 'float.idx'), 'idx-dtype', 'float.idx', '0x0d', '0x08');
  });

  it('rejects a labels file where images are expected, and the reverse', () => {
    expectDataError(() => parseIdx(labels, 'labels.idx', 'images'), 'idx-magic', 'labels.idx', '0x00000801', 'images');
    expectDataError(() => parseIdx(images, 'images.idx', 'labels'), 'idx-magic', 'images.idx', 'labels');
  });

  it('rejects truncated payloads, truncated headers and trailing bytes (dims/size mismatch)', () => {
    expectDataError(() => parseIdx(images.subarray(0, images.length - 1), 'short.idx'), 'idx-truncated', 'short.idx', '[2, 3, 4]', '40', '39');
    expectDataError(() => parseIdx(images.subarray(0, 10), 'header.idx'), 'idx-truncated', 'header.idx');
    expectDataError(() => parseIdx(images.subarray(0, 2), 'tiny.idx'), 'idx-truncated', 'tiny.idx');
    const long = new Uint8Array(images.length + 3);
    long.set(images);
    expectDataError(() => parseIdx(long, 'long.idx'), 'idx-trailing', 'long.idx', 'trailing', '43');
  });

  it('rejects a zero image side', () => {
    expectDataError(() => parseIdx(encodeIdx('images', [0, 0, 28], new Uint8Array(0)), 'zero.idx'), 'idx-dims', 'zero.idx');
  });

  it('rejects a truncated gzip file, naming it', () => {
    const gz = gzip(images);
    const p = tmp.write('trunc.gz', gz.subarray(0, gz.length - 10));
    expectDataError(() => readIdxFile(p), 'gzip-corrupt', p, 'truncated or corrupt');
  });

  it('rejects a corrupt gzip file (damaged deflate data or CRC), naming it', () => {
    const gz = gzip(
      encodeIdx(
        'images',
        [20, 28, 28],
        Uint8Array.from({ length: 20 * 784 }, (_, i) => (i * 7) % 251),
      ),
    );
    const bad = gz.slice();
    for (let i = 20; i < 40; i++) bad[i] ^= 0xff;
    const p = tmp.write('corrupt.gz', bad);
    expectDataError(() => readIdxFile(p), 'gzip-corrupt', p);
    const crc = gz.slice();
    crc[crc.length - 6] ^= 0x01; // CRC-32 trailer
    const q = tmp.write('crc.gz', crc);
    expectDataError(() => readIdxFile(q), 'gzip-corrupt', q);
  });

  it('names the path of a missing file', () => {
    const p = `${tmp.dir}/nope/emnist-x-images-idx3-ubyte.gz`;
    expectDataError(() => readIdxFile(p, 'images'), 'file-missing', p);
    expectDataError(() => readIdxFile(tmp.dir), 'file-unreadable', tmp.dir);
  });
});
