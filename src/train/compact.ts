// Compact fixture checkpoints (issue 14: the paper-width fixtures must keep the repository small): the
// weights of the kept checkpoints of a run are rewritten as F16 safetensors (io/half-precision.ts: round
// to nearest even) and the optimizer state, which evaluation never reads, is removed. A compacted run loads
// like any other (the reader widens F16 to float32) but cannot be resumed.
// The final checkpoint — the one every claim is judged on — stays float32 by default: measured on the cpu-n1
// fixtures (claims/compact-fixtures.test.ts), F16 weights keep the frequency, ablation, single-step and grok
// measurements within their golden tolerances, but move small Table 3 coefficients (−2.638 → −2.624 beside
// coefficients of ~130) beyond the trig golden's, so only the memorisation-phase checkpoints are narrowed.

import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError } from '../errors.ts';
import { fromHalfBits, toHalfArray } from '../io/half-precision.ts';
import { readSafetensorsFile, writeSafetensorsFile, type TensorMap } from '../io/safetensors.ts';
import { CHECKPOINT_FILES, runFile } from './run-folder.ts';

export interface CompactResult {
  readonly checkpoints: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  /** Largest |f16(w) − w| over all weights. */
  readonly maxAbsError: number;
}

/** Rewrites one weights file in F16 (in place, atomically); returns the largest rounding error. */
export function compactWeightsFile(path: string): number {
  const file = readSafetensorsFile(path);
  const out: TensorMap = {};
  let maxAbsError = 0;
  for (const [name, t] of Object.entries(file.tensors)) {
    if (t.dtype === 'F16') {
      out[name] = t;
      continue;
    }
    if (t.dtype !== 'F32')
      throw new CheckpointError('weights-dtype', `${path}: tensor "${name}" has dtype ${t.dtype}; only F32 weights can be compacted to F16`);
    const half = toHalfArray(t.data);
    for (let i = 0; i < t.data.length; i++) {
      if (!Number.isFinite(t.data[i])) throw new CheckpointError('weights-nonfinite', `${path}: tensor "${name}" holds a non-finite value at element ${i}`);
      if ((half[i] & 0x7c00) === 0x7c00) {
        throw new CheckpointError(
          'weights-f16-overflow',
          `${path}: tensor "${name}" element ${i} = ${t.data[i]} is beyond the F16 range (±65504); keep this run in F32`,
        );
      }
    }
    out[name] = { dtype: 'F16', shape: t.shape, data: half };
    maxAbsError = Math.max(maxAbsError, maxRoundingError(t.data, half));
  }
  writeSafetensorsFile(path, out, { ...file.metadata, storage: 'F16 (compacted fixture; trained in float32)' });
  return maxAbsError;
}

function maxRoundingError(values: Float32Array, half: Uint16Array): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(fromHalfBits(half[i]) - values[i]));
  return max;
}

/**
 * Compacts a run folder: optimizer state removed from every checkpoint, weights narrowed to F16 in every
 * checkpoint but the latest (with `finalToo`, the latest as well).
 */
export function compactRun(runDir: string, options: { finalToo?: boolean } = {}): CompactResult {
  const ckptRoot = runFile(runDir, 'checkpoints');
  if (!existsSync(ckptRoot)) throw new CheckpointError('run-not-found', `${runDir} has no checkpoints/ folder; expected a run folder made by grokdiff train`);
  let checkpoints = 0;
  let bytesBefore = 0;
  let bytesAfter = 0;
  let maxAbsError = 0;
  const names = readdirSync(ckptRoot)
    .filter((n) => /^step-\d+$/.test(n))
    .sort();
  for (const name of names) {
    const dir = join(ckptRoot, name);
    const narrow = options.finalToo === true || name !== names[names.length - 1];
    const weights = join(dir, CHECKPOINT_FILES.weights);
    if (!existsSync(weights)) continue;
    const optimizer = join(dir, CHECKPOINT_FILES.optimizer);
    bytesBefore += fileSize(weights) + (existsSync(optimizer) ? fileSize(optimizer) : 0);
    if (narrow) maxAbsError = Math.max(maxAbsError, compactWeightsFile(weights));
    if (existsSync(optimizer)) rmSync(optimizer);
    bytesAfter += fileSize(weights);
    checkpoints++;
  }
  return { checkpoints, bytesBefore, bytesAfter, maxAbsError };
}

function fileSize(path: string): number {
  return statSync(path).size;
}
