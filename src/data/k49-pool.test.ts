// The Kuzushiji-49 pool on small npz files written by the test itself (the official K49 arrays are not in
// this repository; nothing here is K49 data): the four official file names load into a pool that the
// symbol builder and `grokdiff data --k49` use; a missing file is named with where to get it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rootRng } from '../engine/random.ts';
import { DataError } from '../errors.ts';
import { loadK49Pool, K49_FILES } from './k49-pool.ts';
import { encodeNpy, encodeNpz } from '../io/npz.ts';
import { buildSymbolSet } from './symbols.ts';

const dir = mkdtempSync(join(tmpdir(), 'grokdiff-k49-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeSplit(imgs: string, labels: string, n: number, seed: number): void {
  const r = rootRng(seed);
  const images = new Uint8Array(n * 28 * 28).map(() => r.int(256));
  const lab = new Uint8Array(n).map((_, i) => i % 5);
  writeFileSync(join(dir, imgs), encodeNpz({ arr_0: encodeNpy(images, [n, 28, 28]) }));
  writeFileSync(join(dir, labels), encodeNpz({ arr_0: encodeNpy(lab, [n]) }));
}

describe('Kuzushiji-49 pool (test-written npz files)', () => {
  it('reports the missing official files and where to get them', () => {
    expect(() => loadK49Pool(dir)).toThrow(DataError);
    expect(() => loadK49Pool(dir)).toThrow(/missing the official Kuzushiji-49 file\(s\) k49-train-imgs\.npz, k49-train-labels\.npz/);
  });
  it('loads the four files into a pool that the symbol builder uses', () => {
    writeSplit(K49_FILES[0], K49_FILES[1], 20, 1);
    writeSplit(K49_FILES[2], K49_FILES[3], 10, 2);
    const pool = loadK49Pool(dir);
    expect(pool.classCount).toBe(49);
    expect(pool.chars[0]).toBe('あ');
    expect(pool.train.images.length).toBe(20);
    expect(pool.counts[0]).toMatchObject({ train: 4, test: 2 });
    const set = buildSymbolSet({ pool, P: 3, N: 2, side: 28, rng: rootRng(0).fork('symbols') });
    expect(set.chars).toEqual(['あ', 'い', 'う']);
    expect(set.images.length).toBe(3 * 2 * 28 * 28);
  });
});
