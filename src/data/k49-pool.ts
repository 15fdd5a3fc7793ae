// The Kuzushiji-49 image pool (paper appendix: P = 39, 43, 47) from the official files in one folder:
// k49-train-imgs.npz, k49-train-labels.npz, k49-test-imgs.npz, k49-test-labels.npz and optionally
// k49_classmap.csv (the committed fixtures/k49 copy is used otherwise). The images are not in this
// repository; a user who has the official files points `grokdiff data --k49 DIR` (or this function) at them.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../errors.ts';
import { FIXTURES_DIR } from './files.ts';
import { loadK49Split, readK49ClassMap } from './k49.ts';
import { poolFromSplits, type EmnistPool } from './pool.ts';

export const K49_FILES = ['k49-train-imgs.npz', 'k49-train-labels.npz', 'k49-test-imgs.npz', 'k49-test-labels.npz'] as const;

export function loadK49Pool(dir: string): EmnistPool {
  const missing = K49_FILES.filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) {
    throw new DataError(
      'k49-missing',
      `${dir}: missing the official Kuzushiji-49 file(s) ${missing.join(', ')}; download them from https://github.com/rois-codh/kmnist (CC BY-SA 4.0)`,
    );
  }
  const mapPath = existsSync(join(dir, 'k49_classmap.csv')) ? join(dir, 'k49_classmap.csv') : join(FIXTURES_DIR, 'k49', 'k49_classmap.csv');
  const chars = readK49ClassMap(mapPath).map((c) => c.char);
  const train = loadK49Split({ images: join(dir, K49_FILES[0]), labels: join(dir, K49_FILES[1]), classCount: chars.length });
  const test = loadK49Split({ images: join(dir, K49_FILES[2]), labels: join(dir, K49_FILES[3]), classCount: chars.length });
  return poolFromSplits(train, test, chars, dir);
}
