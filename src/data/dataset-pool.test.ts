// The data-set switch of a run: EMNIST from the fixtures; Kuzushiji-49 only from the folder the user gives
// (--k49 DIR / GROKDIFF_K49_DIR), refused with a message that says how when it is not given. The K49 files
// here are tiny npz files written by the test (nothing here is K49 data).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { resetEnvironment } from '../config/environment.ts';
import { rootRng } from '../engine/random.ts';
import { DataError } from '../errors.ts';
import { getPreset } from '../train/presets.ts';
import { applyOverrides } from '../train/config.ts';
import { prepareRunData } from '../train/run-data.ts';
import { givenK49Dir, K49_DIR_ENV, loadDatasetPool } from './dataset-pool.ts';
import { K49_FILES } from './k49-pool.ts';
import { encodeNpy, encodeNpz } from '../io/npz.ts';

const dir = mkdtempSync(join(tmpdir(), 'grokdiff-k49-ds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** Sets GROKDIFF_K49_DIR (undefined: unset) for one test; the settings are read again. */
function k49Dir(value: string | undefined): void {
  vi.stubEnv(K49_DIR_ENV, value);
  resetEnvironment();
}
afterEach(() => {
  vi.unstubAllEnvs();
  resetEnvironment();
});

function writeSplit(imgs: string, labels: string, perClass: number, classes: number, seed: number): void {
  const n = perClass * classes;
  const r = rootRng(seed);
  const images = new Uint8Array(n * 28 * 28).map(() => r.int(256));
  const lab = new Uint8Array(n).map((_, i) => i % classes);
  writeFileSync(join(dir, imgs), encodeNpz({ arr_0: encodeNpy(images, [n, 28, 28]) }));
  writeFileSync(join(dir, labels), encodeNpz({ arr_0: encodeNpy(lab, [n]) }));
}

describe('loadDatasetPool', () => {
  it('k49 without a folder is refused, naming the files, --k49 and the environment variable', () => {
    k49Dir(undefined);
    expect(givenK49Dir()).toBeNull();
    expect(() => loadDatasetPool('k49')).toThrow(DataError);
    expect(() => loadDatasetPool('k49')).toThrow(/k49-train-imgs\.npz.*not in this repository.*--k49 DIR.*GROKDIFF_K49_DIR/s);
  });

  it('a K49 preset cannot prepare its data without the files (never falls back to EMNIST)', () => {
    k49Dir(undefined);
    const config = applyOverrides(getPreset('cpu-k49-p39'), [], { seed: 1 });
    expect(config.data.dataset).toBe('k49');
    expect(() => prepareRunData(config, rootRng(1).fork('data'))).toThrow(/Kuzushiji-49/);
  });

  it('k49 with GROKDIFF_K49_DIR loads the given files, and a K49 run draws its symbols from them', () => {
    writeSplit(K49_FILES[0], K49_FILES[1], 2, 49, 1);
    writeSplit(K49_FILES[2], K49_FILES[3], 1, 49, 2);
    k49Dir(dir);
    const pool = loadDatasetPool('k49');
    expect(pool.dir).toBe(dir);
    expect(pool.classCount).toBe(49);
    const config = applyOverrides(getPreset('cpu-k49-p39'), [], { seed: 1 });
    const data = prepareRunData(config, rootRng(1).fork('data'));
    expect(data.symbols.P).toBe(39);
    expect(data.symbols.chars[0]).toBe('あ');
    expect(data.symbols.sources[0][0].file).toContain('k49-train-imgs.npz');
  });

  it('emnist is the committed fixture pool', () => {
    const pool = loadDatasetPool('emnist');
    expect(pool.chars.slice(0, 3)).toEqual(['0', '1', '2']);
  });
});
