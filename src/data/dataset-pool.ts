// The image pool of a run's data set (paper Sec. 3 and its Kuzushiji-49 appendix): EMNIST from the committed
// fixtures, or Kuzushiji-49 from the official files the user points at (`--k49 DIR` or GROKDIFF_K49_DIR).
// K49 images are not in this repository and nothing else is ever substituted under the K49 name: without the
// files a K49 run stops with a DataError that says how to provide them.

import { environment, VARIABLES } from '../config/environment.ts';
import { DataError } from '../errors.ts';
import { loadK49Pool } from './k49-pool.ts';
import { loadEmnistPool, type EmnistPool } from './pool.ts';

export type DatasetName = 'emnist' | 'k49';

/** Environment variable naming the folder with the official K49 files (`--k49 DIR` takes precedence). */
export const K49_DIR_ENV = VARIABLES.k49Dir.name;

/** The K49 folder given by the user (`--k49 DIR` or GROKDIFF_K49_DIR), or null. */
export function givenK49Dir(): string | null {
  return environment().k49Dir;
}

export function k49NotGivenMessage(what: string): string {
  return (
    `${what} needs the official Kuzushiji-49 files (k49-train-imgs.npz, k49-train-labels.npz, k49-test-imgs.npz, ` +
    `k49-test-labels.npz from https://github.com/rois-codh/kmnist); they are not in this repository. ` +
    `Pass --k49 DIR or set ${K49_DIR_ENV}=DIR.`
  );
}

/** Loads the pool of a data set. K49 reads `k49Dir` (default: GROKDIFF_K49_DIR) and refuses to run without it. */
export function loadDatasetPool(dataset: DatasetName, options: { k49Dir?: string } = {}): EmnistPool {
  if (dataset === 'emnist') return loadEmnistPool();
  const dir = options.k49Dir ?? givenK49Dir();
  if (!dir) throw new DataError('k49-not-given', k49NotGivenMessage('data set "k49"'));
  return loadK49Pool(dir);
}
