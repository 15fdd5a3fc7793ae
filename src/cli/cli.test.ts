// CLI smoke tests through the real entry point (bin/grokdiff.js): --help lists every command, `data`
// prints the split and writes a PNG, bad input prints one clear line (no stack trace) with exit 2, and `eval`
// of an N > 1 run reports the two kinds of generalisation apart.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const bin = new URL('../../bin/grokdiff.js', import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), 'grokdiff-cli-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function grokdiff(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, GROKDIFF_BACKEND: 'cpu' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('grokdiff CLI', () => {
  it('--help lists the commands, and each command has --help', () => {
    const r = grokdiff('--help');
    expect(r.code).toBe(0);
    for (const c of ['data', 'train', 'sample', 'eval', 'search', 'registry', 'presets', 'classifier']) expect(r.stdout).toContain(c);
    const t = grokdiff('train', '--help');
    expect(t.stdout).toContain('--preset');
    expect(t.stdout).toContain('--resume');
    const c = grokdiff('classifier', '--help');
    for (const flag of ['--P', '--side', '--seed', '--out', '--epochs']) expect(c.stdout).toContain(flag);
  });
  it('data prints the symbols and split sizes and writes a contact sheet PNG', () => {
    const r = grokdiff('data', '--P', '23', '--N', '1', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('0=0 1=1');
    expect(r.stdout).toContain('pairs: 529 in all, 476 train, 53 held out (R = 0.9)');
    const png = join(out, 'symbols-P23-N1-s0.png');
    expect(existsSync(png)).toBe(true);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
  });
  it('bad input is one line naming the problem, exit code 2, no stack trace', () => {
    const r = grokdiff('train', '--preset', 'nope', '--out', join(out, 'x'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/grokdiff: error \[preset-unknown\]: unknown preset "nope"; available: paper-n1, cpu-n1, cpu-n1-unordered, cpu-n1-r85/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const p = grokdiff('data', '--P', '60', '--out', out);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/P/);
    const o = grokdiff('train', '--set', 'train.lr', '--out', join(out, 'y'));
    expect(o.stderr).toMatch(/must look like section.field=value/);
  });
  it('eval of an N > 1 run separates the arithmetic (held-out pairs, training images) from reading unseen images', () => {
    const run = new URL('../../fixtures/checkpoints/cpu-n4/seed-1', import.meta.url).pathname;
    const r = spawnSync(process.execPath, [bin, 'eval', '--run', run, '--draws', '1', '--steps', '2', '--json'], {
      encoding: 'utf8',
      env: { ...process.env, GROKDIFF_BACKEND: 'wasm' },
    });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as Record<string, { total: number; accuracy: number }>;
    expect(result.heldoutOperandImages).toBe('unseen-test-split-images');
    expect(result.train.total).toBe(476);
    expect(result.heldout.total).toBe(53);
    expect(result.heldoutTrainingImages.total).toBe(53);
    expect(result.trainUnseenImages.total).toBe(476);
    // The novel held-out pairs one by one, split by whether a + b wraps the modulus.
    const novel = result.heldoutNovel as unknown as {
      pairs: Array<{ a: number; b: number; wraps: boolean; predictions: number[] }>;
      wrapping: { pairs: number };
      notWrapping: { pairs: number };
    };
    expect(novel.pairs.length).toBeGreaterThan(0);
    expect(novel.wrapping.pairs + novel.notWrapping.pairs).toBe(novel.pairs.length);
    for (const p of novel.pairs) {
      expect(p.wraps).toBe(p.a + p.b >= 23);
      expect(p.predictions).toHaveLength(1);
    }
    // The loss references of the run's targets, with the loss logged at the checkpoint's step.
    const refs = result.lossReferences as unknown as { operandBlind: number; cAware: number; loggedLoss: { step: number; value: number }; gapClosed: number };
    expect(refs.operandBlind).toBeGreaterThan(refs.cAware);
    expect(refs.cAware).toBeGreaterThan(0); // four images per symbol: knowing c leaves the within-class variance
    expect(refs.loggedLoss.step).toBe(8000);
    expect(refs.gapClosed).toBeCloseTo((refs.operandBlind - refs.loggedLoss.value) / (refs.operandBlind - refs.cAware), 12);
  });
});
