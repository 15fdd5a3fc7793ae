// A trained symbol classifier (cnn-classifier.ts) as a fixture directory, so the classifier that scores
// generated images for N > 1 (paper Sec. 3-4, Figures 2 and 4; Appendix C) is committed, traceable and
// checked when loaded:
//   weights.safetensors   the parameters (F32, tf.conv2d layouts), written first
//   classifier.json       P, side, pixel range, classes, architecture, seed, training counts and log, held-out
//                         accuracy with its Wilson interval, per-class accuracy, confusions, the image files'
//                         sha256, package versions; written last (atomically), so a half-written fixture has
//                         no classifier.json. It records the weights file's sha256: a weights file that does
//                         not belong to its JSON is refused.
// Loading validates every field it uses and every tensor against the architecture, with errors naming the
// file and the tensor.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError, GrokdiffError } from '../errors.ts';
import type { Provenance } from '../train/provenance.ts';
import { writeJsonAtomic } from '../io/atomic-write.ts';
import { readJsonFile } from '../io/json-file.ts';
import { readSafetensorsFile, writeSafetensorsFile, type TensorMap } from '../io/safetensors.ts';
import { CnnClassifier, cnnParamSpecs, validateArchitecture, type CnnArchitecture, type CnnEpochLog, type CnnTrainOptions } from './cnn-classifier.ts';
import type { ClassAccuracy, Confusion } from './classifier-evaluation.ts';
import type { AccuracyResult } from './accuracy.ts';

export const CLASSIFIER_FORMAT = 'grokdiff-symbol-classifier-v1';
export const CLASSIFIER_JSON = 'classifier.json';
export const CLASSIFIER_WEIGHTS = 'weights.safetensors';

export interface SourceFile {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface ClassifierRecord {
  readonly format: typeof CLASSIFIER_FORMAT;
  readonly name: string;
  /** Data set of the images (the pool the classifier was trained and measured on). */
  readonly dataset: string;
  readonly P: number;
  readonly side: number;
  readonly pixelRange: readonly [number, number];
  /** Pool class and character of each symbol. */
  readonly classes: readonly number[];
  readonly chars: readonly string[];
  readonly architecture: CnnArchitecture;
  readonly seed: number;
  readonly rngPath: string;
  readonly training: {
    readonly split: 'train';
    readonly images: number;
    readonly perClass: readonly number[];
    readonly options: CnnTrainOptions;
    readonly epochs: readonly CnnEpochLog[];
    readonly seconds: number;
    readonly backend: string;
  };
  readonly heldout: {
    readonly split: 'test';
    readonly images: number;
    readonly perClass: readonly number[];
    readonly accuracy: AccuracyResult;
    readonly perClassAccuracy: readonly ClassAccuracy[];
    readonly confusions: readonly Confusion[];
    /** PAPER.classifierMinAccuracy when measured, and whether the lower Wilson bound reached it. */
    readonly minAccuracy: number;
    readonly meetsMinAccuracy: boolean;
  };
  readonly source: {
    /** The pool folder (relative to the repository when inside it) and its files' checksums. */
    readonly dir: string;
    readonly files: readonly SourceFile[];
    readonly note: string;
  };
  readonly weights: {
    readonly file: typeof CLASSIFIER_WEIGHTS;
    readonly sha256: string;
    readonly tensors: Readonly<Record<string, readonly number[]>>;
  };
  /** The command that made the fixture. */
  readonly command: string;
  readonly provenance: Provenance;
}

export interface LoadedClassifierFixture {
  readonly dir: string;
  readonly record: ClassifierRecord;
  readonly classifier: CnnClassifier;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The tensors of a classifier's weights, in the architecture's order and shapes. */
function weightTensors(arch: CnnArchitecture, weights: ReadonlyMap<string, Float32Array>): TensorMap {
  const tensors: TensorMap = {};
  for (const spec of cnnParamSpecs(arch)) tensors[spec.name] = { dtype: 'F32', shape: [...spec.shape], data: weights.get(spec.name)! };
  return tensors;
}

/**
 * Writes the fixture: weights first, then classifier.json (with the weights' sha256 and shapes) last.
 * `record` is everything but the `weights` entry, which is filled in here.
 */
export function saveClassifierFixture(dir: string, classifier: CnnClassifier, record: Omit<ClassifierRecord, 'weights'>): ClassifierRecord {
  const weightsPath = join(dir, CLASSIFIER_WEIGHTS);
  const tensors = weightTensors(classifier.arch, classifier.readWeights());
  writeSafetensorsFile(weightsPath, tensors, { format: CLASSIFIER_FORMAT, name: record.name });
  const full: ClassifierRecord = {
    ...record,
    weights: {
      file: CLASSIFIER_WEIGHTS,
      sha256: sha256(readFileSync(weightsPath)),
      tensors: Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, t.shape])),
    },
  };
  writeJsonAtomic(join(dir, CLASSIFIER_JSON), full);
  return full;
}

// ---- loading -----------------------------------------------------------------------------------------

function bad(path: string, field: string, expected: string, got: unknown): never {
  throw new CheckpointError('classifier-json', `${path}: ${field} must be ${expected}, got ${JSON.stringify(got)}`);
}

function intField(path: string, obj: Record<string, unknown>, field: string, min: number): number {
  const v = obj[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) bad(path, field, `an integer ≥ ${min}`, v);
  return v;
}

function objectField(path: string, obj: Record<string, unknown>, field: string): Record<string, unknown> {
  const v = obj[field];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(path, field, 'an object', v);
  return v as Record<string, unknown>;
}

function checkAccuracy(path: string, v: unknown): void {
  const a = v as Partial<AccuracyResult> | null;
  const ok =
    a !== null &&
    typeof a === 'object' &&
    Number.isInteger(a.correct) &&
    Number.isInteger(a.total) &&
    typeof a.accuracy === 'number' &&
    Array.isArray(a.interval) &&
    a.interval.length === 2 &&
    a.interval.every((x) => typeof x === 'number');
  if (!ok) bad(path, 'heldout.accuracy', '{correct, total, accuracy, interval: [lower, upper]}', v);
}

/** Validates the fields of classifier.json that loading and scoring rely on; the rest is kept as written. */
export function validateClassifierRecord(raw: unknown, path: string): ClassifierRecord {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad(path, 'the file', 'a JSON object', raw);
  const r = raw as Record<string, unknown>;
  if (r.format !== CLASSIFIER_FORMAT) bad(path, 'format', `"${CLASSIFIER_FORMAT}"`, r.format);
  if (typeof r.name !== 'string' || r.name === '') bad(path, 'name', 'a non-empty string', r.name);
  if (typeof r.dataset !== 'string' || r.dataset === '') bad(path, 'dataset', 'a non-empty string', r.dataset);
  const P = intField(path, r, 'P', 2);
  const side = intField(path, r, 'side', 4);
  let arch: CnnArchitecture;
  try {
    arch = validateArchitecture(r.architecture, path);
  } catch (err) {
    throw new CheckpointError('classifier-json', (err as Error).message, { cause: err });
  }
  const range = r.pixelRange;
  if (!Array.isArray(range) || range.length !== 2 || range[0] !== arch.pixelRange[0] || range[1] !== arch.pixelRange[1]) {
    bad(path, 'pixelRange', `[${arch.pixelRange.join(', ')}] (the architecture's)`, range);
  }
  if (arch.classes !== P) bad(path, 'architecture.classes', `P = ${P}`, arch.classes);
  if (arch.side !== side) bad(path, 'architecture.side', `side = ${side}`, arch.side);
  if (!Array.isArray(r.classes) || r.classes.length !== P || !r.classes.every((c) => Number.isInteger(c))) bad(path, 'classes', `${P} integers`, r.classes);
  if (!Array.isArray(r.chars) || r.chars.length !== P || !r.chars.every((c) => typeof c === 'string')) bad(path, 'chars', `${P} strings`, r.chars);
  checkAccuracy(path, objectField(path, r, 'heldout').accuracy);
  const w = objectField(path, r, 'weights');
  if (w.file !== CLASSIFIER_WEIGHTS) bad(path, 'weights.file', `"${CLASSIFIER_WEIGHTS}"`, w.file);
  if (typeof w.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(w.sha256)) bad(path, 'weights.sha256', 'a sha256 in hex', w.sha256);
  return { ...(r as unknown as ClassifierRecord), architecture: arch };
}

/** Checks the weights file against the record: same bytes as recorded, F32 tensors of the architecture's shapes. */
function readWeights(path: string, record: ClassifierRecord, jsonPath: string): Map<string, Float32Array> {
  if (!existsSync(path)) throw new CheckpointError('classifier-weights-missing', `${path} does not exist (${jsonPath} expects it)`);
  const bytes = readFileSync(path);
  const digest = sha256(bytes);
  if (digest !== record.weights.sha256) {
    throw new CheckpointError(
      'classifier-weights-mismatch',
      `${path}: sha256 ${digest} differs from ${record.weights.sha256} recorded in ${jsonPath}; the weights do not belong to this classifier.json (or are corrupt)`,
    );
  }
  const { tensors } = readSafetensorsFile(path);
  const specs = cnnParamSpecs(record.architecture);
  const out = new Map<string, Float32Array>();
  for (const spec of specs) {
    const t = tensors[spec.name];
    if (!t)
      throw new CheckpointError(
        'classifier-tensor-missing',
        `${path}: tensor "${spec.name}" is missing; the architecture in ${jsonPath} needs [${spec.shape.join(', ')}]`,
      );
    if (t.dtype !== 'F32') throw new CheckpointError('classifier-tensor-dtype', `${path}: tensor "${spec.name}" is ${t.dtype}, expected F32`);
    if (t.shape.length !== spec.shape.length || t.shape.some((d, i) => d !== spec.shape[i])) {
      throw new CheckpointError(
        'classifier-tensor-shape',
        `${path}: tensor "${spec.name}" has shape [${t.shape.join(', ')}]; the architecture in ${jsonPath} needs [${spec.shape.join(', ')}]`,
      );
    }
    out.set(spec.name, Float32Array.from(t.data as Float32Array));
  }
  const extra = Object.keys(tensors).filter((name) => !specs.some((s) => s.name === name));
  if (extra.length > 0)
    throw new CheckpointError('classifier-tensor-unexpected', `${path}: tensor "${extra[0]}" is not a parameter of the architecture in ${jsonPath}`);
  return out;
}

/** Loads a classifier fixture directory (no accuracy judgement: see classifier-for-run.ts). */
export function loadClassifierFixture(dir: string): LoadedClassifierFixture {
  const jsonPath = join(dir, CLASSIFIER_JSON);
  if (!existsSync(jsonPath)) throw new CheckpointError('classifier-missing', `${jsonPath} does not exist: ${dir} is not a classifier fixture`);
  const record = validateClassifierRecord(readJsonFile(jsonPath), jsonPath);
  const weights = readWeights(join(dir, record.weights.file), record, jsonPath);
  try {
    const classifier = new CnnClassifier(record.architecture, weights, join(dir, record.weights.file));
    classifier.heldout = record.heldout.accuracy;
    return { dir, record, classifier };
  } catch (err) {
    if (err instanceof GrokdiffError) throw err;
    throw new CheckpointError('classifier-load', `${dir}: cannot build the classifier (${(err as Error).message})`, { cause: err });
  }
}

/** sha256 and size of each data file (not documentation) in a pool folder, for classifier.json. */
export function sourceFiles(dir: string, names: readonly string[]): SourceFile[] {
  return names.map((file) => {
    const bytes = readFileSync(join(dir, file));
    return { file, bytes: bytes.length, sha256: sha256(bytes) };
  });
}
