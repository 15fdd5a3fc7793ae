// `grokdiff import`, `grokdiff export` and `grokdiff export-data` (issue 30, "bring your own model"; docs/BRING-YOUR-OWN.md): a model in
// the documented PyTorch layout (train/pytorch-layout.ts) becomes a run folder that eval, sample and replicate
// read like any other, and any run folder becomes such a file plus its JSON config. Import refuses pickled
// files (io/torch-files.ts: nothing is ever unpickled), names every tensor that is missing, unexpected, of the
// wrong shape or dtype, or non-finite, checks the function and not only the shapes (eval/function-check.ts:
// a transposed square matrix is an error naming it), and writes the folder whole or not at all: config.json, the
// checkpoint at the model's training step, provenance.json ("imported from FILE, sha256 …"), imported.json
// (train/imported-run.ts) and MANIFEST.sha256, in a temporary folder renamed into place at the end. export-data
// writes the images and pairs a config's model is trained and judged on, for training it in PyTorch.

import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CheckpointError, ConfigError } from '../errors.ts';
import { writeJsonAtomic } from '../io/atomic-write.ts';
import { readJsonFile } from '../io/json-file.ts';
import { decodeSafetensors, writeSafetensorsFile, type TensorMap } from '../io/safetensors.ts';
import { conversionCommand, isPickledTorchFile } from '../io/torch-files.ts';
import type { EmnistPool } from '../data/pool.ts';
import { loadCheckpoint, saveCheckpoint } from '../train/checkpoint.ts';
import { checkOutputFile, checkOutputFolder, runFolderOf, writeProvenance, writeRunConfig } from '../train/run-folder.ts';
import { runModelConfig, type RunConfig } from '../train/config.ts';
import { hasManifest, verifyManifest, writeManifest } from '../train/fixture-manifest.ts';
import { importedTrainPairs, readImportRecord, runDataWithPairs, writeImportRecord, type FunctionCheckRecord } from '../train/imported-run.ts';
import { collectProvenance } from '../train/provenance.ts';
import {
  exportConfig,
  fromPytorchTensors,
  parseImportConfig,
  PYTORCH_CONFIG_FORMAT,
  REFERENCE_BATCH,
  REFERENCE_TENSOR,
  toPytorchTensors,
} from '../train/pytorch-layout.ts';
import { checkAgainstReference, checkSelfConsistency, referenceOutput } from './function-check.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The config file written beside an exported FILE: FILE's stem (without .safetensors) + ".config.json". */
export function exportConfigPath(file: string): string {
  const ext = extname(file);
  return `${ext ? file.slice(0, -ext.length) : file}.config.json`;
}

export interface ExportResult {
  readonly file: string;
  readonly configFile: string;
  readonly step: number;
  readonly tensors: number;
  readonly config: RunConfig;
}

/**
 * Writes the checkpoint of a run folder (its latest, or `step`) in the PyTorch layout, with reference.x0hat (its
 * x̂0 on the reference input) so that the file checks itself on import, and the JSON config beside it.
 */
export function exportPytorch(options: { runDir: string; outFile: string; step?: number }): ExportResult {
  const runDir = runFolderOf(resolve(options.runDir));
  checkOutputFile(options.outFile);
  const configFile = exportConfigPath(options.outFile);
  checkOutputFile(configFile, `--out ${options.outFile}: config`);
  if (hasManifest(runDir)) verifyManifest(runDir);
  const ckpt = loadCheckpoint(resolve(options.runDir), { optimizer: false, ...(options.step !== undefined ? { step: options.step } : {}) });
  const model = runModelConfig(ckpt.config);
  const tensors = toPytorchTensors(model, ckpt.weights);
  tensors[REFERENCE_TENSOR] = { dtype: 'F32', shape: [REFERENCE_BATCH, model.imageSide * model.imageSide], data: referenceOutput(model, ckpt.weights) };
  const imported = readImportRecord(runDir);
  const origin = { run: runDir, preset: ckpt.config.preset, step: ckpt.step, ...(imported ? { imported: imported.provenance } : {}) };
  writeSafetensorsFile(options.outFile, tensors, { format: PYTORCH_CONFIG_FORMAT, layout: 'pytorch', step: String(ckpt.step) });
  writeJsonAtomic(configFile, exportConfig(ckpt.config, ckpt.step, importedTrainPairs(runDir, ckpt.config.data.P), origin));
  return { file: options.outFile, configFile, step: ckpt.step, tensors: Object.keys(tensors).length, config: ckpt.config };
}

export interface ImportResult {
  readonly runDir: string;
  readonly config: RunConfig;
  readonly step: number;
  readonly sha256: string;
  readonly check: FunctionCheckRecord;
}

/** The output folder of an import: one that does not exist yet, or an empty one. */
function checkImportFolder(outDir: string): void {
  checkOutputFolder(outDir);
  if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    throw new ConfigError('import-out-exists', `--out ${outDir} exists and is not empty; nothing was written. Choose a new folder`);
  }
}

/**
 * Imports a PyTorch-layout safetensors file with its JSON config into a new run folder (module comment). Every
 * refusal is a typed error (exit 2 in the CLI) and leaves nothing behind.
 */
export function importPytorch(options: { file: string; configFile: string; outDir: string; pool?: EmnistPool }): ImportResult {
  const file = resolve(options.file);
  if (!existsSync(file) || !statSync(file).isFile()) throw new ConfigError('import-file', `${options.file}: no such file`);
  if (isPickledTorchFile(file)) {
    throw new CheckpointError(
      'import-pickle',
      `${options.file} is a pickled PyTorch file (torch.save); grokdiff never unpickles a file (unpickling can run code). Convert it to safetensors with: ${conversionCommand(options.file)}`,
    );
  }
  const configFile = resolve(options.configFile);
  const configBytes = existsSync(configFile) ? readFileSync(configFile) : null;
  const { config, trainPairs, step, origin } = parseImportConfig(readJsonFile(configFile), options.configFile);
  const outDir = resolve(options.outDir);
  checkImportFolder(outDir);
  const bytes = readFileSync(file);
  const digest = sha256(bytes);
  const model = runModelConfig(config);
  const { weights, reference } = fromPytorchTensors(model, decodeSafetensors(bytes, options.file), options.file);
  const check = reference
    ? checkAgainstReference(model, weights, reference, options.file)
    : checkSelfConsistency(model, weights, runDataWithPairs(config, options.pool, trainPairs), options.file);
  const provenance = `imported from ${file}, sha256 ${digest}`;
  mkdirSync(dirname(outDir), { recursive: true });
  const tmp = join(dirname(outDir), `.${basename(outDir)}.import-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(tmp);
  try {
    writeRunConfig(tmp, config);
    saveCheckpoint(tmp, config, step, weights);
    writeProvenance(tmp, { source: 'imported', provenance, ...collectProvenance(REPO_ROOT) });
    writeImportRecord(tmp, {
      format: 'grokdiff-import-v1',
      provenance,
      file,
      sha256: digest,
      configFile,
      configSha256: configBytes ? sha256(configBytes) : '',
      layout: 'pytorch',
      functionCheck: check,
      trainPairs: trainPairs ? trainPairs.map((p) => [p.a, p.b] as const) : null,
      origin,
      importedAt: new Date().toISOString(),
    });
    writeManifest(tmp);
    if (existsSync(outDir)) rmSync(outDir, { recursive: true });
    renameSync(tmp, outDir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { runDir: outDir, config, step, sha256: digest, check };
}

/**
 * The data a model for a config is trained and judged on, as safetensors for PyTorch (`grokdiff export-data`):
 * `symbols.images` [P, N, S·S] (the operand and target images, pixel range [−1, 1], background −1), `pairs.train`
 * and `pairs.heldout` [n, 3] int32 rows (a, b, c = (a + b) mod P), `pairs.heldout_novel` (rows of pairs.heldout
 * whose mirror is not trained), and for N > 1 `heldout.images` [P, M, S·S], the unseen operand images of the
 * held-out evaluation. The config is the JSON config of an import (its seed chooses the images and, without
 * trainPairs, the split).
 */
export function exportData(options: { configFile: string; outFile: string; pool?: EmnistPool }): { file: string; train: number; heldout: number } {
  checkOutputFile(options.outFile);
  const { config, trainPairs } = parseImportConfig(readJsonFile(resolve(options.configFile)), options.configFile);
  const data = runDataWithPairs(config, options.pool, trainPairs);
  const { P, N, side } = data.symbols;
  const rows = (pairs: readonly { a: number; b: number; c: number }[]) => ({
    dtype: 'I32' as const,
    shape: [pairs.length, 3],
    data: Int32Array.from(pairs.flatMap((p) => [p.a, p.b, p.c])),
  });
  const tensors: TensorMap = {
    'symbols.images': { dtype: 'F32', shape: [P, N, side * side], data: data.symbols.images },
    'pairs.train': rows(data.train),
    'pairs.heldout': rows(data.heldout),
    'pairs.heldout_novel': { dtype: 'I32', shape: [data.heldoutNovel.length], data: Int32Array.from(data.heldoutNovel) },
  };
  if (data.heldoutImagesKind === 'unseen-test-split-images') {
    const h = data.heldoutSymbols;
    tensors['heldout.images'] = { dtype: 'F32', shape: [h.P, h.N, side * side], data: h.images };
  }
  writeSafetensorsFile(options.outFile, tensors, {
    format: 'grokdiff-data-v1',
    seed: String(config.seed),
    dataset: config.data.dataset,
    symbols: data.symbols.chars.join(''),
  });
  return { file: options.outFile, train: data.train.length, heldout: data.heldout.length };
}
