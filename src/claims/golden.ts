// Golden outputs (issue #6): the analysis results of each claim on the fixture checkpoints — FVE tables, key
// sets, trig coefficients, ablation accuracies, grokking steps — kept in golden/<claim>.json so a refactor
// that changes a number is caught. Comparison: integers, strings and booleans exactly; other numbers within
// a tolerance per claim (absolute for |x| ≤ 1, relative to |x| above) (GOLDEN_TOLERANCE, documented in golden/README.md), because wasm and cpu
// kernels differ in the last float32 bits and a sampled image can flip one classification. `npm run
// golden:update` (GROKDIFF_GOLDEN_UPDATE=1) rewrites the files and prints what changed.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../io/atomic-write.ts';
import { REPO_ROOT } from './provider.ts';

export const GOLDEN_DIR = join(REPO_ROOT, 'golden');

/** Absolute tolerance on non-integer numbers, per claim. */
export const GOLDEN_TOLERANCE: Record<string, number> = {
  'grokking-lag': 1e-9,
  'selective-frequencies': 2e-3,
  'trig-identities': 5e-3,
  ablation: 0.02,
  'single-step': 0.02,
  // Accuracies over 128 pairs (one flipped sample moves one by 0.008) and normalised entropies.
  'critical-timestep': 0.02,
  // Study claims: generation accuracies (one flipped sample moves them by ≤ 1/(2·pairs)) and FVE shares.
  'moduli-emnist': 0.02,
  'moduli-k49': 0.02,
  'depth-two': 0.02,
  'diversity-shrinks-lag': 1e-9,
  'sandwich-groks': 1e-9,
  'sandwich-separability': 0.01,
};

export interface GoldenDifference {
  readonly path: string;
  readonly expected: unknown;
  readonly actual: unknown;
}

/** Keys whose values are run-specific (not compared): absolute paths, times. */
const IGNORED_KEYS = new Set(['wallSecondsAtVal', 'createdAt', 'dir', 'source', 'pcaPoints']);

export function compareGolden(expected: unknown, actual: unknown, tolerance: number, path = '$'): GoldenDifference[] {
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (Number.isInteger(expected) && Number.isInteger(actual)) return expected === actual ? [] : [{ path, expected, actual }];
    // Absolute for numbers up to 1 in size (accuracies, FVE shares), relative above (Table 3's trig coefficients
    // are ~1e2 on the CPU models and ~1e5 at paper width, where an absolute 5e-3 would demand bit-equality).
    return Math.abs(expected - actual) <= tolerance * Math.max(1, Math.abs(expected)) ? [] : [{ path, expected, actual }];
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) return [{ path: `${path}.length`, expected: expected.length, actual: actual.length }];
    return expected.flatMap((e, i) => compareGolden(e, actual[i], tolerance, `${path}[${i}]`));
  }
  if (expected && actual && typeof expected === 'object' && typeof actual === 'object' && !Array.isArray(expected) && !Array.isArray(actual)) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    return [...keys]
      .filter((k) => !IGNORED_KEYS.has(k))
      .flatMap((k) => compareGolden((expected as Record<string, unknown>)[k], (actual as Record<string, unknown>)[k], tolerance, `${path}.${k}`));
  }
  return Object.is(expected, actual) ? [] : [{ path, expected, actual }];
}

export function goldenPath(id: string): string {
  return join(GOLDEN_DIR, `${id}.json`);
}

export function readGolden(id: string): unknown | null {
  const path = goldenPath(id);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as unknown) : null;
}

/** Normalises a value through JSON (typed arrays become plain arrays, undefined drops). */
export function toGolden(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

/** Writes golden/<id>.json and returns what changed against the previous file (all of it if none). */
export function updateGolden(id: string, value: unknown): GoldenDifference[] {
  const previous = readGolden(id);
  const next = toGolden(value);
  writeJsonAtomic(goldenPath(id), next);
  return previous === null ? [{ path: '$', expected: null, actual: '(new file)' }] : compareGolden(previous, next, 0);
}

export function formatDifferences(diffs: readonly GoldenDifference[], max = 12): string {
  const lines = diffs.slice(0, max).map((d) => `  ${d.path}: ${JSON.stringify(d.expected)} → ${JSON.stringify(d.actual)}`);
  if (diffs.length > max) lines.push(`  ... and ${diffs.length - max} more`);
  return lines.join('\n');
}
