// Import and export in the PyTorch layout (issue 30). The committed fixtures/pytorch/ files were exported by
// PyTorch itself (make_pytorch_fixture.py: random weights and PyTorch's x̂0 on the reference input), so grokdiff's
// forward pass is checked against PyTorch's here without PyTorch. Then: export → import gives the same weights,
// data and samples; a square matrix stored transposed (same shape) is an error naming it, with a reference output
// and without one; pickles, bad folders and unverifiable models are refused and leave nothing behind; the user's own
// training pairs define the split; and, where PyTorch is installed, a freshly initialised module round-trips.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../engine/backend.ts';
import { rootRng } from '../engine/random.ts';
import { CheckpointError, GrokdiffError } from '../errors.ts';
import { loadEmnistPool } from '../data/pool.ts';
import { decodeSafetensors, encodeSafetensors, readSafetensorsFile, type TensorMap } from '../io/safetensors.ts';
import { loadCheckpoint } from '../train/checkpoint.ts';
import { runModelConfig } from '../train/config.ts';
import { readImportRecord } from '../train/imported-run.ts';
import { fromPytorchTensors, parseImportConfig, REFERENCE_TENSOR, transpose } from '../train/pytorch-layout.ts';
import { generateForPairs } from './generation.ts';
import { referenceOutput } from './function-check.ts';
import { loadRun } from './loaded-run.ts';
import { exportConfigPath, exportPytorch, importPytorch } from './pytorch-port.ts';

const FIXTURES = new URL('../../fixtures/pytorch/', import.meta.url).pathname;
// Seed 2 stopped at step 2250 of its 8000-step budget: the checkpoint's step is not train.steps.
const CPU_N1 = new URL('../../fixtures/checkpoints/cpu-n1/seed-2', import.meta.url).pathname;
const DOCS_MODULE = new URL('../../docs/pytorch/grokdiff_dit.py', import.meta.url).pathname;
/** The Python with PyTorch (Debian's python3-torch, bench/setup-peer.sh). */
const PYTHON = '/usr/bin/python3';
const torchAvailable = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

const root = mkdtempSync(join(tmpdir(), 'grokdiff-port-'));
const pool = loadEmnistPool();
let n = 0;
const fresh = (name: string) => join(root, `${name}-${++n}`);
beforeAll(async () => {
  await initBackend('cpu');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function thrown(f: () => unknown): GrokdiffError {
  try {
    f();
  } catch (err) {
    if (err instanceof GrokdiffError) return err;
    throw err;
  }
  throw new Error('expected a typed grokdiff error');
}

/** A copy of a safetensors file with its tensors changed by `edit`. */
function edited(path: string, edit: (t: TensorMap) => void): string {
  const file = readSafetensorsFile(path);
  edit(file.tensors);
  const out = fresh('edited.safetensors');
  writeFileSync(out, encodeSafetensors(file.tensors, file.metadata));
  return out;
}

function transposeIn(t: TensorMap, name: string): void {
  const [rows, cols] = t[name].shape;
  t[name] = { dtype: 'F32', shape: [cols, rows], data: transpose(t[name].data as Float32Array, rows, cols) };
}

/** Nothing of a refused import is left: no output folder, no temporary folder beside it. */
function nothingWritten(outDir: string): void {
  expect(existsSync(outDir)).toBe(false);
  expect(readdirSync(root).filter((f) => f.includes('.import-'))).toEqual([]);
}

describe('the PyTorch-exported fixtures (PyTorch not needed)', () => {
  const provenance = JSON.parse(readFileSync(join(FIXTURES, 'provenance.json'), 'utf8')) as { files: Record<string, { sha256: string }> };

  it.each(['sandwich-zca', 'plain-standardised'])('%s: grokdiff computes the x̂0 PyTorch computed, within 1e-5', (name) => {
    const file = join(FIXTURES, `${name}.safetensors`);
    const configFile = join(FIXTURES, `${name}.config.json`);
    for (const f of [file, configFile]) {
      const recorded = provenance.files[f.slice(FIXTURES.length)].sha256;
      expect(createHash('sha256').update(readFileSync(f)).digest('hex'), `${f} differs from provenance.json: regenerate with make_pytorch_fixture.py`).toBe(
        recorded,
      );
    }
    const { config } = parseImportConfig(JSON.parse(readFileSync(configFile, 'utf8')), configFile);
    const model = runModelConfig(config);
    const { weights, reference } = fromPytorchTensors(model, decodeSafetensors(readFileSync(file), file), file);
    expect(reference).not.toBeNull();
    const ref = reference as Float32Array;
    expect(Math.max(...ref.map(Math.abs))).toBeGreaterThan(0.5); // an output of order 1: the tolerance means something
    const ours = referenceOutput(model, weights);
    let diff = 0;
    for (let i = 0; i < ref.length; i++) diff = Math.max(diff, Math.abs(ours[i] - ref[i]));
    expect(diff).toBeLessThanOrEqual(1e-5);
    // And the import accepts it, storing exactly the converted weights.
    const out = fresh(name);
    const r = importPytorch({ file, configFile, outDir: out, pool });
    expect(r.check.kind).toBe('reference');
    const stored = loadCheckpoint(out);
    for (const [k, v] of weights) expect(stored.weights.get(k), k).toEqual(v);
    expect(readImportRecord(out)?.provenance).toBe(`imported from ${file}, sha256 ${provenance.files[`${name}.safetensors`].sha256}`);
  });

  it('a square matrix stored transposed has the right shape but is an error naming it (and two are named together)', () => {
    const file = join(FIXTURES, 'sandwich-zca.safetensors');
    const configFile = join(FIXTURES, 'sandwich-zca.config.json');
    const one = edited(file, (t) => transposeIn(t, 'blocks.1.attn.v.weight'));
    const outOne = fresh('transposed');
    const e1 = thrown(() => importPytorch({ file: one, configFile, outDir: outOne, pool }));
    expect(e1).toBeInstanceOf(CheckpointError);
    expect(e1.code).toBe('import-transposed');
    expect(e1.message).toContain('tensor "blocks.1.attn.v.weight" is stored transposed');
    nothingWritten(outOne);
    const two = edited(file, (t) => {
      transposeIn(t, 'time_mlp.2.weight');
      transposeIn(t, 'blocks.0.pre_ffn.fc2.weight');
    });
    const e2 = thrown(() => importPytorch({ file: two, configFile, outDir: fresh('transposed'), pool }));
    expect(e2.code).toBe('import-transposed');
    expect(e2.message).toMatch(
      /tensors "(time_mlp\.2\.weight|blocks\.0\.pre_ffn\.fc2\.weight)", "(time_mlp\.2\.weight|blocks\.0\.pre_ffn\.fc2\.weight)" are stored transposed/,
    );
    // A change no transposition explains.
    const other = edited(file, (t) => {
      (t['blocks.0.attn.o.bias'].data as Float32Array)[0] += 1;
    });
    expect(thrown(() => importPytorch({ file: other, configFile, outDir: fresh('other'), pool })).code).toBe('import-function-mismatch');
  });

  it('without reference.x0hat a model that does not fit its training pairs (random weights) cannot be verified', () => {
    const file = edited(join(FIXTURES, 'plain-standardised.safetensors'), (t) => delete t[REFERENCE_TENSOR]);
    const out = fresh('unverifiable');
    const e = thrown(() => importPytorch({ file, configFile: join(FIXTURES, 'plain-standardised.config.json'), outDir: out, pool }));
    expect(e.code).toBe('import-unverifiable');
    expect(e.message).toContain('Add reference.x0hat');
    nothingWritten(out);
  });
});

describe('export and import of a grokdiff run', () => {
  const exported = join(root, 'cpu-n1', 'm.safetensors');
  beforeAll(() => {
    mkdirSync(join(root, 'cpu-n1'));
    exportPytorch({ runDir: CPU_N1, outFile: exported });
  });

  it('gives the same weights, the same data and the same samples', () => {
    expect(exportConfigPath(exported)).toBe(join(root, 'cpu-n1', 'm.config.json'));
    const out = fresh('imported');
    importPytorch({ file: exported, configFile: exportConfigPath(exported), outDir: out, pool });
    const a = loadCheckpoint(CPU_N1);
    const b = loadCheckpoint(out);
    expect(a.step).not.toBe(a.config.train.steps);
    expect(b.step).toBe(a.step);
    for (const [k, v] of a.weights) expect(b.weights.get(k), k).toEqual(v);
    expect(b.config).toEqual({ ...a.config, preset: 'imported' });
    const ra = loadRun(CPU_N1, { pool });
    const rb = loadRun(out, { pool });
    try {
      expect(rb.data.train).toEqual(ra.data.train);
      expect(rb.data.heldoutNovel).toEqual(ra.data.heldoutNovel);
      const gen = (r: typeof ra) =>
        generateForPairs(r.model, r.params, r.data.symbols, r.data.heldout.slice(0, 6), { draws: 1, steps: 5, rng: rootRng(3).fork('t') }).images;
      expect(gen(rb)).toEqual(gen(ra));
    } finally {
      ra.dispose();
      rb.dispose();
    }
  });

  it('without reference.x0hat, the self-consistency check accepts the trained model and names a transposed matrix', () => {
    const configFile = exportConfigPath(exported);
    const bare = edited(exported, (t) => delete t[REFERENCE_TENSOR]);
    const ok = importPytorch({ file: bare, configFile, outDir: fresh('self'), pool });
    expect(ok.check.kind).toBe('self-consistency');
    expect(ok.check.numbers.trainLoss).toBeLessThan(0.5 * ok.check.numbers.meanImageLoss);
    const flipped = edited(exported, (t) => {
      delete t[REFERENCE_TENSOR];
      transposeIn(t, 'blocks.0.attn.k.weight');
    });
    const out = fresh('self-flipped');
    const e = thrown(() => importPytorch({ file: flipped, configFile, outDir: out, pool }));
    expect(e.code).toBe('import-transposed');
    expect(e.message).toContain('"blocks.0.attn.k.weight"');
    nothingWritten(out);
  });

  it('refuses a pickled file with the conversion command, and a folder that is not empty', () => {
    const pt = join(root, 'model.pt');
    writeFileSync(pt, Uint8Array.from([0x50, 0x4b, 0x03, 0x04]));
    const e = thrown(() => importPytorch({ file: pt, configFile: exportConfigPath(exported), outDir: fresh('pickle'), pool }));
    expect(e.code).toBe('import-pickle');
    expect(e.message).toContain('never unpickles');
    expect(e.message).toContain("save_file({k: v.float().contiguous() for k, v in sd.items()}, 'model.safetensors')");
    const busy = fresh('busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'notes.txt'), 'mine');
    expect(thrown(() => importPytorch({ file: exported, configFile: exportConfigPath(exported), outDir: busy, pool })).code).toBe('import-out-exists');
    expect(readdirSync(busy)).toEqual(['notes.txt']);
  });

  it("takes the user's own training pairs as the split, and export writes them back", () => {
    const config = JSON.parse(readFileSync(exportConfigPath(exported), 'utf8'));
    const run = loadRun(CPU_N1, { pool });
    const pairs = run.data.train.slice(0, 400).map((p) => [p.a, p.b]);
    run.dispose();
    delete config.data.trainingRatio;
    config.data.trainPairs = pairs;
    const configFile = join(root, 'pairs.config.json');
    writeFileSync(configFile, JSON.stringify(config));
    const out = fresh('pairs');
    importPytorch({ file: exported, configFile, outDir: out, pool });
    const imported = loadRun(out, { pool });
    try {
      expect(imported.data.train.map((p) => [p.a, p.b])).toEqual([...pairs].sort((x, y) => x[0] * 23 + x[1] - (y[0] * 23 + y[1])));
      expect(imported.data.heldout).toHaveLength(23 * 23 - 400);
      const trained = new Set(pairs.map(([a, b]) => a * 23 + b));
      expect(imported.data.heldoutNovel.map((i) => imported.data.heldout[i]).every((p) => !trained.has(p.b * 23 + p.a))).toBe(true);
    } finally {
      imported.dispose();
    }
    const again = join(root, 'pairs-again.safetensors');
    exportPytorch({ runDir: out, outFile: again });
    const written = JSON.parse(readFileSync(exportConfigPath(again), 'utf8'));
    expect(written.data.trainPairs).toHaveLength(400);
    expect(written.origin.imported).toMatch(/^imported from .*m\.safetensors, sha256 [0-9a-f]{64}$/);
  });
});

const skipReason = torchAvailable ? '' : ` — skipped: ${PYTHON} cannot import torch (bench/setup-peer.sh installs Debian's python3-torch)`;

describe('round trip through PyTorch', () => {
  it.skipIf(!torchAvailable)(`a freshly initialised module: PyTorch → import → export → PyTorch gives the same weights and x̂0${skipReason}`, () => {
    const python = (args: string[]) => {
      const r = spawnSync(PYTHON, [DOCS_MODULE, ...args], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>;
    };
    const first = join(root, 'torch-init.safetensors');
    python(['init', '--config', join(FIXTURES, 'sandwich-zca.config.json'), '--out', first, '--seed', '11']);
    const out = fresh('torch');
    const imported = importPytorch({ file: first, configFile: exportConfigPath(first), outDir: out, pool });
    expect(imported.check.kind).toBe('reference');
    expect(imported.check.numbers.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    const back = join(root, 'torch-back.safetensors');
    exportPytorch({ runDir: out, outFile: back });
    const verified = python(['verify', back, '--config', exportConfigPath(back), '--same-as', first]);
    expect(verified.names).toBe(true);
    expect(verified.maxWeightDiff).toBe(0);
    expect(verified.maxAbsDiff as number).toBeLessThanOrEqual(1e-5);
  });
});
