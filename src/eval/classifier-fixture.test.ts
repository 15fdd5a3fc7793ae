// Classifier fixture directories: save → load gives the same weights and the same predictions; a missing,
// corrupt or mismatched file (weights of another classifier, a tensor of the wrong shape, a missing or extra
// tensor, a classifier.json that is not valid or not consistent) is a CheckpointError naming the file.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../engine/backend.ts';
import { rootRng } from '../engine/random.ts';
import { loadEmnistPool } from '../data/pool.ts';
import { collectProvenance } from '../train/provenance.ts';
import { writeSafetensorsFile, type TensorMap } from '../io/safetensors.ts';
import { accuracyResult } from './accuracy.ts';
import {
  CLASSIFIER_FORMAT,
  CLASSIFIER_JSON,
  CLASSIFIER_WEIGHTS,
  loadClassifierFixture,
  saveClassifierFixture,
  type ClassifierRecord,
} from './classifier-fixture.ts';
import { CnnClassifier, cnnParamSpecs, defaultTrainOptions, initialCnnWeights, validateArchitecture, type CnnArchitecture } from './cnn-classifier.ts';
import { poolSplitImages } from './labelled-images.ts';
import { expectCheckpointError } from '../../test-support/synthetic-data.ts';

const arch = validateArchitecture({ kind: 'conv3x3-relu-maxpool', side: 8, classes: 3, pixelRange: [-1, 1], channels: [4, 8], hidden: 16 }, 'test');
const test = poolSplitImages(loadEmnistPool(), 'test', 3, 8);
const provenance = collectProvenance(process.cwd());
const dirs: string[] = [];
const live: CnnClassifier[] = [];

beforeAll(async () => {
  await initBackend('wasm', { source: 'classifier-fixture.test' });
});
afterAll(() => {
  for (const c of live) c.dispose();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function record(a: CnnArchitecture, name: string): Omit<ClassifierRecord, 'weights'> {
  return {
    format: CLASSIFIER_FORMAT,
    name,
    dataset: 'emnist',
    P: a.classes,
    side: a.side,
    pixelRange: a.pixelRange,
    classes: [0, 1, 2],
    chars: ['0', '1', '2'],
    architecture: a,
    seed: 1,
    rngPath: 'root/test',
    training: { split: 'train', images: 0, perClass: [0, 0, 0], options: defaultTrainOptions(8), epochs: [], seconds: 0, backend: 'wasm' },
    heldout: {
      split: 'test',
      images: 0,
      perClass: [0, 0, 0],
      accuracy: accuracyResult(0, 0),
      perClassAccuracy: [],
      confusions: [],
      minAccuracy: 0.9,
      meetsMinAccuracy: false,
    },
    source: { dir: 'fixtures/emnist', files: [], note: 'test' },
    command: 'test',
    provenance,
  };
}

/** A fixture of a classifier with seeded random weights; returns its directory and the classifier. */
function savedFixture(seed = 1): { dir: string; classifier: CnnClassifier } {
  const dir = mkdtempSync(join(tmpdir(), 'grokdiff-classifier-'));
  dirs.push(dir);
  const classifier = new CnnClassifier(arch, initialCnnWeights(arch, rootRng(seed)), 'test');
  live.push(classifier);
  saveClassifierFixture(dir, classifier, record(arch, classifier.name));
  return { dir, classifier };
}

/** Rewrites the weights file with `tensors` and records its sha256 in classifier.json (a consistent but wrong pair). */
function replaceWeights(dir: string, tensors: TensorMap): void {
  const path = join(dir, CLASSIFIER_WEIGHTS);
  writeSafetensorsFile(path, tensors);
  const json = JSON.parse(readFileSync(join(dir, CLASSIFIER_JSON), 'utf8'));
  json.weights.sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
  writeFileSync(join(dir, CLASSIFIER_JSON), JSON.stringify(json));
}

function tensorsOf(weights: Map<string, Float32Array>): TensorMap {
  return Object.fromEntries(cnnParamSpecs(arch).map((s) => [s.name, { dtype: 'F32', shape: [...s.shape], data: weights.get(s.name)! }])) as TensorMap;
}

describe('classifier fixtures', () => {
  it('save → load gives identical weights, predictions and record', () => {
    const { dir, classifier } = savedFixture();
    const loaded = loadClassifierFixture(dir);
    live.push(loaded.classifier);
    for (const [name, v] of classifier.readWeights()) expect(Array.from(loaded.classifier.readWeights().get(name)!)).toEqual(Array.from(v));
    expect(Array.from(loaded.classifier.classify(test.images, test.count))).toEqual(Array.from(classifier.classify(test.images, test.count)));
    expect(loaded.record.architecture).toEqual(arch);
    expect(loaded.record.weights.tensors['conv1.weight']).toEqual([3, 3, 4, 8]);
    expect(loaded.classifier.heldout).toEqual(accuracyResult(0, 0));
    expect(loaded.classifier.name).toBe(classifier.name);
  });

  it('a folder without classifier.json is not a fixture', () => {
    expectCheckpointError(() => loadClassifierFixture('/nonexistent/classifier'), 'classifier-missing', '/nonexistent/classifier/classifier.json');
  });

  it('corrupt weights or the weights of another classifier are refused by checksum', () => {
    const { dir } = savedFixture();
    const w = join(dir, CLASSIFIER_WEIGHTS);
    const bytes = readFileSync(w);
    bytes[bytes.length - 3] ^= 0x40;
    writeFileSync(w, bytes);
    expectCheckpointError(() => loadClassifierFixture(dir), 'classifier-weights-mismatch', w, 'classifier.json');
    const other = savedFixture(2);
    copyFileSync(join(other.dir, CLASSIFIER_WEIGHTS), w);
    expectCheckpointError(() => loadClassifierFixture(dir), 'classifier-weights-mismatch', 'do not belong');
    rmSync(w);
    expectCheckpointError(() => loadClassifierFixture(dir), 'classifier-weights-missing', w);
  });

  it('tensors that do not fit the architecture are named with both shapes', () => {
    const { dir } = savedFixture();
    const weights = initialCnnWeights(arch, rootRng(1));
    const wrongShape = tensorsOf(weights);
    wrongShape['fc.weight'] = { dtype: 'F32', shape: [16, 32], data: weights.get('fc.weight')! };
    replaceWeights(dir, wrongShape);
    expectCheckpointError(
      () => loadClassifierFixture(dir),
      'classifier-tensor-shape',
      CLASSIFIER_WEIGHTS,
      'tensor "fc.weight" has shape [16, 32]',
      'needs [32, 16]',
    );
    const missing = tensorsOf(weights);
    delete missing['out.bias'];
    replaceWeights(dir, missing);
    expectCheckpointError(() => loadClassifierFixture(dir), 'classifier-tensor-missing', 'tensor "out.bias" is missing');
    replaceWeights(dir, { ...tensorsOf(weights), extra: { dtype: 'F32', shape: [1], data: new Float32Array(1) } });
    expectCheckpointError(() => loadClassifierFixture(dir), 'classifier-tensor-unexpected', 'tensor "extra"');
    replaceWeights(dir, { ...tensorsOf(weights), 'out.bias': { dtype: 'F64', shape: [3], data: new Float64Array(3) } });
    expectCheckpointError(() => loadClassifierFixture(dir), 'classifier-tensor-dtype', 'tensor "out.bias" is F64');
  });

  it('a classifier.json that is not valid JSON, or not consistent, is named with the field', () => {
    const { dir } = savedFixture();
    const path = join(dir, CLASSIFIER_JSON);
    const good = JSON.parse(readFileSync(path, 'utf8'));
    const write = (v: unknown): void => writeFileSync(path, JSON.stringify(v));
    writeFileSync(path, '{"format": ');
    expectCheckpointError(() => loadClassifierFixture(dir), 'json-corrupt', path);
    write({ ...good, format: 'other' });
    expectCheckpointError(() => loadClassifierFixture(dir), 'classifier-json', path, 'format');
    write({ ...good, P: 4 });
    expectCheckpointError(() => loadClassifierFixture(dir), 'classifier-json', 'architecture.classes must be P = 4');
    write({ ...good, architecture: { ...good.architecture, hidden: 0 } });
    expectCheckpointError(() => loadClassifierFixture(dir), 'classifier-json', path, 'architecture.hidden');
    write({ ...good, chars: ['0', '1'] });
    expectCheckpointError(() => loadClassifierFixture(dir), 'classifier-json', 'chars must be 3 strings');
    write({ ...good, heldout: { ...good.heldout, accuracy: 0.95 } });
    expectCheckpointError(() => loadClassifierFixture(dir), 'classifier-json', 'heldout.accuracy');
    write({ ...good, weights: { ...good.weights, sha256: 'abc' } });
    expectCheckpointError(() => loadClassifierFixture(dir), 'classifier-json', 'weights.sha256');
  });
});
