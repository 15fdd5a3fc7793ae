// A run folder made by `grokdiff import` (issue 30): besides the files of any run (config.json, one checkpoint,
// provenance.json, MANIFEST.sha256) it holds imported.json, the import record: the file and config it came from
// with their sha256, how its function was checked (eval/function-check.ts), where it came from (the config's
// origin) and, when the user gave their own training pairs, those pairs — the split its novel pairs are defined
// by, which then replaces the split of the seed wherever the run's data is rebuilt (runDataWithPairs).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError } from '../errors.ts';
import { writeJsonAtomic } from '../io/atomic-write.ts';
import { readJsonFile } from '../io/json-file.ts';
import type { EmnistPool } from '../data/pool.ts';
import { pairAt, type Pair } from '../data/pairs.ts';
import type { RunConfig } from './config.ts';
import { novelHeldoutIndices, runDataFromSeed, type RunData } from './run-data.ts';

/** The import record's file in the run folder. */
export const IMPORT_RECORD_FILE = 'imported.json';
export const IMPORT_RECORD_FORMAT = 'grokdiff-import-v1';

/** How the imported weights were shown to compute the documented function (eval/function-check.ts). */
export interface FunctionCheckRecord {
  readonly kind: 'reference' | 'self-consistency';
  /** One line with the numbers. */
  readonly summary: string;
  readonly numbers: Record<string, number>;
}

export interface ImportRecord {
  readonly format: typeof IMPORT_RECORD_FORMAT;
  /** "imported from FILE, sha256 HEX". */
  readonly provenance: string;
  readonly file: string;
  readonly sha256: string;
  readonly configFile: string;
  readonly configSha256: string;
  readonly layout: 'pytorch';
  readonly functionCheck: FunctionCheckRecord;
  /** The user's training pairs [a, b] (null: the split of the config's seed). */
  readonly trainPairs: ReadonlyArray<readonly [number, number]> | null;
  readonly origin: unknown;
  readonly importedAt: string;
}

export function importRecordPath(runDir: string): string {
  return join(runDir, IMPORT_RECORD_FILE);
}

export function writeImportRecord(runDir: string, record: ImportRecord): void {
  writeJsonAtomic(importRecordPath(runDir), record);
}

/** The run's import record, or null when the folder was not made by `grokdiff import`; a malformed one is a CheckpointError. */
export function readImportRecord(runDir: string): ImportRecord | null {
  const path = importRecordPath(runDir);
  if (!existsSync(path)) return null;
  const raw = readJsonFile(path) as Partial<ImportRecord>;
  const pairsOk =
    raw.trainPairs === null ||
    (Array.isArray(raw.trainPairs) && raw.trainPairs.every((p) => Array.isArray(p) && p.length === 2 && p.every((x) => Number.isInteger(x) && x >= 0)));
  if (raw.format !== IMPORT_RECORD_FORMAT || typeof raw.provenance !== 'string' || typeof raw.sha256 !== 'string' || !pairsOk) {
    throw new CheckpointError(
      'import-record',
      `${path}: not an import record of format "${IMPORT_RECORD_FORMAT}" (needs format, provenance, sha256 and trainPairs: null or [[a, b], ...])`,
    );
  }
  return raw as ImportRecord;
}

/** The training pairs an imported run was given (null for any other run, or an import that used the seed's split). */
export function importedTrainPairs(runDir: string, P: number): Pair[] | null {
  const pairs = readImportRecord(runDir)?.trainPairs ?? null;
  if (!pairs) return null;
  return pairs.map(([a, b], i) => {
    if (a >= P || b >= P) throw new CheckpointError('import-record', `${importRecordPath(runDir)}: trainPairs[${i}] [${a}, ${b}] has an operand ≥ P = ${P}`);
    return pairAt(P, a * P + b);
  });
}

/**
 * A run's data with the given training pairs in place of the split of its seed (the symbol images are still
 * the seed's): held-out = every other pair, novel = the held-out pairs whose mirror is not trained. Null pairs:
 * the data of the seed, unchanged.
 */
export function runDataWithPairs(config: RunConfig, pool: EmnistPool | undefined, trainPairs: readonly Pair[] | null): RunData {
  const data = pool ? runDataFromSeed(config, pool) : runDataFromSeed(config);
  if (!trainPairs) return data;
  const P = config.data.P;
  const trained = new Set(trainPairs.map((p) => p.a * P + p.b));
  const heldout: Pair[] = [];
  for (let i = 0; i < P * P; i++) if (!trained.has(i)) heldout.push(pairAt(P, i));
  return { ...data, train: [...trainPairs], heldout, heldoutNovel: novelHeldoutIndices(P, trainPairs, heldout) };
}
