// Test helpers for data files and typed errors: temporary folders, gzip, a small synthetic EMNIST-like pool
// (so error paths of symbol sets can be tested without loading the real fixtures), and expectations that a
// call throws a DataError / ConfigError / CheckpointError with a given code and message fragments.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect } from 'vitest';
import { CheckpointError, ConfigError, DataError } from '../src/errors.ts';
import type { EmnistPool, PoolImage, PoolSplit } from '../src/data/pool.ts';

/** A fresh temporary folder and a function that removes it. */
export function tempDir(prefix = 'grokdiff-data-'): { dir: string; cleanup: () => void; write: (name: string, bytes: Uint8Array | string) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
    write: (name, bytes) => {
      const p = join(dir, name);
      writeFileSync(p, bytes);
      return p;
    },
  };
}

export const gzip = (bytes: Uint8Array): Uint8Array => new Uint8Array(gzipSync(bytes));

/**
 * A synthetic pool: `perClass[c]` train images of class c (and `testPerClass` test images), each 28×28 with a
 * unique pixel pattern (pixel 0 = class, pixel 1 = index, pixel 2 = 1 for test) so sources can be traced.
 */
export function syntheticPool(perClass: number[], testPerClass = 2, side = 28): EmnistPool {
  const chars = perClass.map((_, c) => String.fromCharCode(c < 10 ? 48 + c : 55 + c));
  const split = (name: 'train' | 'test', counts: number[]): PoolSplit => {
    const images: PoolImage[] = [];
    counts.forEach((n, label) => {
      for (let i = 0; i < n; i++) {
        const pixels = new Uint8Array(side * side);
        pixels[0] = label;
        pixels[1] = i % 256;
        pixels[2] = name === 'test' ? 1 : 0;
        pixels[3] = Math.floor(i / 256);
        images.push({ label, pixels, source: { file: `synthetic-${name}`, fileIndex: images.length, officialIndex: null } });
      }
    });
    const byClass = counts.map((_, c) => images.filter((im) => im.label === c));
    return { name, images, byClass };
  };
  const train = split('train', perClass);
  const test = split(
    'test',
    perClass.map(() => testPerClass),
  );
  return {
    side,
    classCount: perClass.length,
    chars,
    train,
    test,
    dropped: [],
    counts: chars.map((char, label) => ({ label, char, train: perClass[label], test: testPerClass, droppedTrain: 0, droppedTest: 0 })),
    summary: {
      candidates: { train: train.images.length, test: test.images.length },
      kept: { train: train.images.length, test: test.images.length },
      droppedWithinTrain: 0,
      droppedWithinTest: 0,
      droppedTestAlreadyInTrain: 0,
    },
    dir: '(synthetic)',
  };
}

/** Assert that `fn` throws `cls` (DataError by default) with `code` and a message containing each fragment. */
export function expectDataError(fn: () => unknown, code: string, ...fragments: string[]): void {
  expectError(DataError, fn, code, ...fragments);
}

export function expectConfigError(fn: () => unknown, code: string, ...fragments: string[]): void {
  expectError(ConfigError, fn, code, ...fragments);
}

/** Expects `fn` to throw a CheckpointError with this code whose message contains every fragment. */
export function expectCheckpointError(fn: () => unknown, code: string, ...fragments: string[]): void {
  expectError(CheckpointError, fn, code, ...fragments);
}

function expectError(cls: typeof DataError | typeof ConfigError | typeof CheckpointError, fn: () => unknown, code: string, ...fragments: string[]): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  if (thrown === undefined) throw new Error(`expected ${cls.name} ${code}, nothing was thrown`);
  expect(thrown).toBeInstanceOf(cls);
  expect((thrown as DataError).code).toBe(code);
  for (const f of fragments) expect((thrown as Error).message).toContain(f);
}
