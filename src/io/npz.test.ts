// Tests of the .npy/.npz reader: round trips through our encoder (all dtypes, header v1/v2/v3), files
// written by NumPy itself (fixtures/npz), and every malformed-file error.
import { unzipSync, zipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../data/files.ts';
import { encodeNpy, encodeNpz, npyIntegers, npzArray, parseNpy, parseNpyHeaderDict, parseNpz, readNpzFile, type NpyData } from './npz.ts';
import { expectDataError, tempDir } from '../../test-support/synthetic-data.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const NPZ_DIR = join(FIXTURES_DIR, 'npz');

describe('parseNpy round trips', () => {
  const cases: Array<[string, NpyData, number[]]> = [
    ['|u1', Uint8Array.from([0, 1, 255, 7, 8, 9]), [2, 3]],
    ['<f4', Float32Array.from([0.5, -1.25, 3e38, Number.NaN]), [4]],
    ['<f8', Float64Array.from([Math.PI, -0, 1e-300]), [3, 1]],
    ['<i4', Int32Array.from([-2147483648, -1, 0, 2147483647]), [2, 2]],
    ['<i8', BigInt64Array.from([-(2n ** 63n), 0n, 2n ** 53n]), [3]],
    ['|i1', Int8Array.from([-128, 127]), [2]],
    ['<u2', Uint16Array.from([65535, 1]), [2]],
  ];
  for (const version of [1, 2, 3] as const) {
    for (const [descr, data, shape] of cases) {
      it(`${descr} shape (${shape.join(',')}) header v${version}`, () => {
        const a = parseNpy(encodeNpy(data, shape, { version }), 'mem.npy');
        expect(a.descr).toBe(descr);
        expect(a.shape).toEqual(shape);
        expect(a.version).toBe(version);
        expect(Array.from(a.data as ArrayLike<unknown>)).toEqual(Array.from(data as ArrayLike<unknown>));
      });
    }
  }

  it("accepts '<u1' (numpy may write it) as uint8 and 0-d arrays", () => {
    const a = parseNpy(encodeNpy(Uint8Array.from([3, 4]), [2], { descr: '<u1' }), 'mem.npy');
    expect(a.descr).toBe('|u1');
    const s = parseNpy(encodeNpy(Float64Array.from([7]), []), 'scalar.npy');
    expect(s.shape).toEqual([]);
    expect(Array.from(s.data as Float64Array)).toEqual([7]);
  });

  it('parses header dicts with either quote, spacing and trailing commas', () => {
    expect(parseNpyHeaderDict(`{"descr":"<f4","fortran_order":False,"shape":(3,)}`, 'x')).toEqual({ descr: '<f4', fortran_order: false, shape: [3] });
    expect(parseNpyHeaderDict(`{'shape': (), 'descr': '|u1', 'fortran_order': False, }   \n`, 'x')).toEqual({ shape: [], descr: '|u1', fortran_order: false });
    expect(parseNpyHeaderDict(`{'shape': (2L, 3L), }`, 'x')).toEqual({ shape: [2, 3] });
  });
});

describe('files written by NumPy 2.4.6 (fixtures/npz)', () => {
  const expected = {
    arr_0: { descr: '|u1', shape: [2, 3], values: [0, 1, 2, 3, 4, 5] },
    u1: { descr: '|u1', shape: [2, 3, 4], values: Array.from({ length: 24 }, (_, i) => i * 10) },
    i8: { descr: '<i8', shape: [5], values: [0n, 48n, 1n, 47n, 2n] },
    f4: { descr: '<f4', shape: [3], values: [0.5, -1.25, Math.fround(3e38)] },
    f8: { descr: '<f8', shape: [2, 2], values: [1, -2.5, 1e-300, Math.PI] },
    i4: { descr: '<i4', shape: [4], values: [-2147483648, -1, 0, 2147483647] },
    scalar: { descr: '<f8', shape: [], values: [7] },
    empty: { descr: '|u1', shape: [0, 28, 28], values: [] },
  };
  for (const file of ['numpy-savez-compressed.npz', 'numpy-savez.npz']) {
    it(`reads every array of ${file}`, () => {
      const arrays = readNpzFile(join(NPZ_DIR, file));
      expect(Object.keys(arrays).sort()).toEqual(Object.keys(expected).sort());
      for (const [key, e] of Object.entries(expected)) {
        const a = arrays[key];
        expect(a.descr, key).toBe(e.descr);
        expect(a.shape, key).toEqual(e.shape);
        expect(Array.from(a.data as ArrayLike<unknown>), key).toEqual(e.values);
      }
      expect(npyIntegers(arrays.i8, file)).toEqual([0, 48, 1, 47, 2]);
    });
  }

  it('refuses fortran order, big-endian and complex members with clear errors', () => {
    const members = unzipSync(new Uint8Array(readFileSync(join(NPZ_DIR, 'numpy-unsupported.npz'))));
    expectDataError(() => parseNpy(members['fortran.npy'], 'fortran.npy'), 'npy-order', 'fortran.npy', 'fortran_order', 'True');
    expectDataError(() => parseNpy(members['bigendian.npy'], 'bigendian.npy'), 'npy-endian', "'>i4'", 'little-endian');
    expectDataError(() => parseNpy(members['complex.npy'], 'complex.npy'), 'npy-dtype', "'<c8'", 'not supported');
    expectDataError(() => readNpzFile(join(NPZ_DIR, 'numpy-unsupported.npz')), 'npy-order', 'numpy-unsupported.npz:fortran.npy');
  });
});

describe('parseNpz', () => {
  const imgs = encodeNpy(
    Uint8Array.from({ length: 2 * 28 * 28 }, (_, i) => i % 256),
    [2, 28, 28],
  );
  const good = encodeNpz({ arr_0: imgs });

  it('reads arr_0 from an fflate-written zip, compressed or stored', () => {
    for (const bytes of [good, encodeNpz({ arr_0: imgs }, false)]) {
      const a = npzArray(parseNpz(bytes, 'mem.npz'), 'mem.npz');
      expect(a.shape).toEqual([2, 28, 28]);
      expect((a.data as Uint8Array)[300]).toBe(300 % 256);
    }
  });

  it('names the keys present when arr_0 is missing', () => {
    const arrays = parseNpz(encodeNpz({ images: imgs }), 'other.npz');
    expectDataError(() => npzArray(arrays, 'other.npz'), 'npz-key', 'other.npz', "'arr_0'", "'images'");
  });

  it('rejects a truncated .npz', () => {
    const p = tmp.write('trunc.npz', good.subarray(0, good.length - 30));
    expectDataError(() => readNpzFile(p), 'npz-corrupt', p);
    const q = tmp.write('half.npz', good.subarray(0, Math.floor(good.length / 2)));
    expectDataError(() => readNpzFile(q), 'npz-corrupt', q);
  });

  it('rejects a corrupt member: damaged deflate data or a flipped byte in a stored member (CRC-32)', () => {
    const stored = encodeNpz({ arr_0: imgs }, false);
    const bad = stored.slice();
    bad[200] ^= 0x40; // inside the stored payload: inflate cannot notice, the CRC check must
    expectDataError(() => parseNpz(bad, 'flipped.npz'), 'npz-corrupt', 'flipped.npz', "'arr_0.npy'", 'CRC-32');
    const deflated = good.slice();
    for (let i = 60; i < 90; i++) deflated[i] ^= 0xa5;
    expectDataError(() => parseNpz(deflated, 'damaged.npz'), 'npz-corrupt', 'damaged.npz');
  });

  it('rejects a file that is not a zip, and a zip member that is not .npy', () => {
    expectDataError(() => parseNpz(imgs, 'plain.npy'), 'npz-magic', 'plain.npy', '50 4b');
    expectDataError(() => parseNpz(zipSync({ 'notes.txt': new Uint8Array([65]) }), 'odd.npz'), 'npz-member', "'notes.txt'");
    expectDataError(() => parseNpz(zipSync({}), 'empty.npz'), 'npz-empty', 'empty.npz');
  });

  it('rejects malformed .npy members: wrong magic, truncated or over-long payload, bad header, bad version', () => {
    expectDataError(() => parseNpy(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 'x.npy'), 'npy-magic', 'x.npy', '\\x93NUMPY');
    expectDataError(() => parseNpy(imgs.subarray(0, imgs.length - 5), 'short.npy'), 'npy-truncated', 'short.npy', '(2, 28, 28)', String(2 * 784));
    const long = new Uint8Array(imgs.length + 1);
    long.set(imgs);
    expectDataError(() => parseNpy(long, 'long.npy'), 'npy-trailing', 'long.npy');
    expectDataError(() => parseNpy(imgs.subarray(0, 40), 'head.npy'), 'npy-truncated', 'head.npy');
    const v9 = imgs.slice();
    v9[6] = 9;
    expectDataError(() => parseNpy(v9, 'v9.npy'), 'npy-version', '9.0');
    const garbled = imgs.slice();
    garbled[10] = 0x5b; // '[' instead of '{'
    expectDataError(() => parseNpy(garbled, 'garbled.npy'), 'npy-header', 'garbled.npy');
    expectDataError(() => parseNpy(encodeNpy(Uint8Array.from([1]), [1], { descr: '<U5' }), 'str.npy'), 'npy-dtype', "'<U5'");
  });

  it('names the path of a missing file', () => {
    const p = join(tmp.dir, 'missing-imgs.npz');
    expectDataError(() => readNpzFile(p), 'file-missing', p);
  });

  it('refuses floats and out-of-range int64 where integers are needed', () => {
    expectDataError(() => npyIntegers(parseNpy(encodeNpy(Float32Array.from([1]), [1]), 'f.npy'), 'f.npy'), 'npy-dtype', "'<f4'");
    expectDataError(() => npyIntegers(parseNpy(encodeNpy(BigInt64Array.from([2n ** 60n]), [1]), 'big.npy'), 'big.npy'), 'npy-range');
  });
});
