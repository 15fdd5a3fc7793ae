// `grokdiff export` and `grokdiff import` as a user runs them (issue 30, "Done when"): export a fixture, import it
// into a new folder, `grokdiff sample` draws the same images from both; a copy with one square matrix transposed
// exits 2 with an error naming that tensor, and writes nothing; export-data writes the images and pairs to train on.
// @module-tag reliability
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { encodeSafetensors, readSafetensorsFile } from '../io/safetensors.ts';
import { transpose } from '../train/pytorch-layout.ts';
import { loadRun } from '../eval/loaded-run.ts';
import { runCli } from './main.ts';

const FIXTURE = new URL('../../fixtures/checkpoints/cpu-n1/seed-1', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'grokdiff-port-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** Runs the CLI in this process; returns the exit code, stdout lines and stderr. */
async function cli(args: string[]): Promise<{ code: number; out: string[]; err: string }> {
  const out: string[] = [];
  let err = '';
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  const code = await runCli(['node', 'grokdiff', '--backend', 'cpu', ...args]);
  vi.restoreAllMocks();
  return { code, out, err };
}

describe('grokdiff export / import', () => {
  const file = join(root, 'm.safetensors');
  const config = join(root, 'm.config.json');
  const imported = join(root, 'imported');

  it('export writes FILE and FILE-stem.config.json; import writes a run folder; sample draws the same images from both', async () => {
    expect((await cli(['export', '--run', FIXTURE, '--layout', 'pytorch', '--out', file])).code).toBe(0);
    expect(existsSync(file) && existsSync(config)).toBe(true);
    const imp = await cli(['import', file, '--config', config, '--out', imported]);
    expect(imp.code, imp.err).toBe(0);
    expect(imp.out.join('\n')).toContain('function check (reference)');
    // The same generated samples from both folders (eval over every pair is the same code: checked on the real CLI, docs/BRING-YOUR-OWN.md).
    const samples = async (run: string) =>
      (await cli(['sample', '--run', run, '--pairs', '1+2,20+7,5+5', '--draws', '2', '--steps', '5', '--out', join(root, 's.png')])).out;
    const a = await samples(FIXTURE);
    expect(a.at(-1)).toMatch(/^accuracy \d+\/6; grid written/);
    expect(await samples(imported)).toEqual(a);
  });

  it('a copy with one square matrix transposed exits 2 naming the tensor, and writes nothing', async () => {
    const f = readSafetensorsFile(file);
    const w = f.tensors['blocks.0.attn.o.weight'];
    f.tensors['blocks.0.attn.o.weight'] = { dtype: 'F32', shape: w.shape, data: transpose(w.data as Float32Array, w.shape[0], w.shape[1]) };
    const copy = join(root, 'transposed.safetensors');
    writeFileSync(copy, encodeSafetensors(f.tensors, f.metadata));
    const out = join(root, 'never');
    const r = await cli(['import', copy, '--config', config, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^grokdiff: error \[import-transposed\]: .*tensor "blocks\.0\.attn\.o\.weight" is stored transposed/m);
    expect(existsSync(out)).toBe(false);
  });

  it('export-data writes the images and pairs the model is trained and judged on', async () => {
    const data = join(root, 'data.safetensors');
    const r = await cli(['export-data', '--config', config, '--out', data]);
    expect(r.code, r.err).toBe(0);
    const t = readSafetensorsFile(data).tensors;
    const run = loadRun(imported);
    try {
      expect(t['symbols.images'].shape).toEqual([23, 1, 256]);
      expect(t['symbols.images'].data).toEqual(run.data.symbols.images);
      expect(Array.from(t['pairs.train'].data as Int32Array)).toEqual(run.data.train.flatMap((p) => [p.a, p.b, p.c]));
      expect(Array.from(t['pairs.heldout_novel'].data as Int32Array)).toEqual(run.data.heldoutNovel);
    } finally {
      run.dispose();
    }
  });

  it('export needs --layout pytorch; import refuses a pickled file with the conversion command', async () => {
    const noLayout = await cli(['export', '--run', FIXTURE, '--out', join(root, 'x.safetensors')]);
    expect(noLayout.code).toBe(2);
    expect(noLayout.err).toContain('--layout');
    const pt = join(root, 'model.pt');
    writeFileSync(pt, 'not read');
    const r = await cli(['import', pt, '--config', config, '--out', join(root, 'pt')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('[import-pickle]');
    expect(r.err).toContain('python3 -c "import torch; from safetensors.torch import save_file;');
  });
});
