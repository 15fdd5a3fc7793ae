// The CLI's reliability cases of issue 19 through the real entry point: SIGTERM saves a checkpoint like
// Ctrl-C (it used to exit without one), and `replicate` with a refused fixture still writes the whole report,
// into a temporary folder swapped in whole: nothing of the previous report is left beside the new records.
// Issue 31: a run whose optimizer state holds a NaN refuses to resume (exit 2) with its checkpoints unchanged
// byte for byte; `search` saves and stops on Ctrl-C like `train` (it was killed mid-run); a command busy in a
// long computation still ends on SIGTERM (no handler holds it back).
// @module-tag reliability
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensorsFile, writeSafetensorsFile } from '../io/safetensors.ts';

const bin = new URL('../../bin/grokdiff.js', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'grokdiff-cli-rel-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function start(args: readonly string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/** sha256 of every file under `dir`, by relative path. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out[full.slice(dir.length + 1)] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

/** The first folder under `dir` that holds `file`, waiting for it. */
async function waitForRunWith(dir: string, file: string, timeoutMs: number): Promise<string> {
  const t0 = Date.now();
  for (;;) {
    const found = existsSync(dir) ? readdirSync(dir).find((name) => existsSync(join(dir, name, file))) : undefined;
    if (found) return join(dir, found);
    if (Date.now() - t0 > timeoutMs) throw new Error(`no run with ${file} under ${dir} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function waitFor(path: string, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (!existsSync(path)) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${path} did not appear within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('CLI reliability', () => {
  it('SIGTERM saves a checkpoint and stops, like Ctrl-C (exit 143), and releases the run lock', async () => {
    const out = join(root, 'run');
    const { child, done } = start(['train', '--preset', 'cpu-n1', '--steps', '100000', '--out', out], { GROKDIFF_BACKEND: 'wasm' });
    await waitFor(join(out, 'provenance.json'), 120_000);
    child.kill('SIGTERM');
    const r = await done;
    expect(r.stderr).toMatch(/SIGTERM: saving a checkpoint after this step/);
    expect(r.code, r.stderr).toBe(143);
    const latest = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as { step: number };
    expect(latest.step).toBeGreaterThan(0);
    expect(existsSync(join(out, '.grokdiff.lock'))).toBe(false);
  }, 240_000);

  it('a NaN in the optimizer state: --resume exits 2 naming the file, and every checkpoint file is unchanged byte for byte', async () => {
    const out = join(root, 'nan-run');
    const tiny = ['--preset', 'cpu-n1', '--set', 'train.steps=20', '--set', 'train.evalEvery=10', '--set', 'train.checkpointEvery=10'];
    const trained = await start(['train', ...tiny, '--out', out], { GROKDIFF_BACKEND: 'wasm' }).done;
    expect(trained.code, trained.stderr).toBe(0);
    const opt = join(out, 'checkpoints', 'step-000020', 'optimizer.safetensors');
    const file = readSafetensorsFile(opt);
    const v = Object.keys(file.tensors).find((n) => n.startsWith('v.'))!;
    (file.tensors[v].data as Float32Array)[0] = Number.NaN;
    writeSafetensorsFile(opt, file.tensors, file.metadata);
    const before = snapshot(out);
    for (const extra of [[], ['--steps', '30']]) {
      const r = await start(['train', '--resume', ...extra, '--out', out], { GROKDIFF_BACKEND: 'wasm' }).done;
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/grokdiff: error \[optimizer-nonfinite\]: .*step-000020\/optimizer\.safetensors: moment "v\..*" holds NaN at element 0/);
      expect(r.stderr).toMatch(/resume with --restart-moments/);
      expect(snapshot(out)).toEqual(before);
    }
  }, 600_000);

  it('search: Ctrl-C saves a checkpoint of the run in progress, starts no further run and exits 130', async () => {
    const runs = join(root, 'search-runs');
    const log = join(root, 'search-log', 'log.jsonl');
    const { child, done } = start(['search', '--preset', 'cpu-n1', '--set', 'train.steps=100000', '--seeds', '1,2', '--out', runs, '--log', log], {
      GROKDIFF_BACKEND: 'wasm',
    });
    const run = await waitForRunWith(runs, 'provenance.json', 240_000);
    child.kill('SIGINT');
    const r = await done;
    expect(r.stderr).toMatch(/Ctrl-C: saving a checkpoint after this step/);
    expect(r.code, r.stderr).toBe(130);
    expect(readdirSync(runs)).toHaveLength(1);
    expect((JSON.parse(readFileSync(join(run, 'latest.json'), 'utf8')) as { step: number }).step).toBeGreaterThan(0);
    expect(existsSync(join(run, '.grokdiff.lock'))).toBe(false);
    const records = readFileSync(log, 'utf8').trim().split('\n');
    expect(records).toHaveLength(1);
    expect(JSON.parse(records[0]).note).toMatch(/\(interrupted at step \d+\)/);
  }, 360_000);

  it('SIGTERM ends a command busy in a long computation (no handler holds it back)', async () => {
    const fixture = new URL('../../fixtures/checkpoints/cpu-n1/seed-2', import.meta.url).pathname;
    const { child, done } = start(['eval', '--run', fixture, '--draws', '256', '--steps', '10000'], { GROKDIFF_BACKEND: 'auto' });
    await new Promise<void>((resolve) => child.stderr.on('data', (c: Buffer) => c.toString().includes('grokdiff: backend') && resolve()));
    await new Promise((r) => setTimeout(r, 2000));
    child.kill('SIGTERM');
    // A hang guard, not a timing (no test asserts a duration): a child that ignored SIGTERM is killed with SIGKILL, which fails the case.
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const r = await done;
    clearTimeout(guard);
    expect(r.signal === 'SIGTERM' || r.code === 143, `${r.signal} ${r.code} ${r.stderr}`).toBe(true);
  }, 300_000);

  it('replicate: a refused fixture makes its claim "not evaluated", the report is written whole and replaces the previous one', async () => {
    // Fixtures: cpu-n1 with one exponent byte of seed 2's weights flipped.
    const fixtures = join(root, 'fixtures');
    cpSync(new URL('../../fixtures/checkpoints/cpu-n1', import.meta.url).pathname, join(fixtures, 'cpu-n1'), { recursive: true });
    const weights = join(fixtures, 'cpu-n1', 'seed-2', 'checkpoints', 'step-002250', 'weights.safetensors');
    const bytes = readFileSync(weights);
    bytes[8 + Number(bytes.readBigUInt64LE(0)) + 3] ^= 0x40;
    writeFileSync(weights, bytes);
    // A previous report that said "replicated" for another claim.
    const reports = join(root, 'parent', 'reports');
    mkdirSync(join(reports, 'claims'), { recursive: true });
    mkdirSync(join(reports, 'badges'));
    writeFileSync(join(reports, 'REPORT.md'), 'old report: selective-frequencies replicated\n');
    writeFileSync(join(reports, 'claims', 'selective-frequencies.json'), '{"id": "selective-frequencies"}\n');
    writeFileSync(join(reports, 'badges', 'selective-frequencies.svg'), '<svg/>');
    const { done } = start(['replicate', '--only', 'grokking-lag', '--out', reports], { GROKDIFF_FIXTURES_DIR: fixtures, GROKDIFF_BACKEND: 'wasm' });
    const r = await done;
    expect(r.code, r.stderr).toBe(0);
    const all = JSON.parse(readFileSync(join(reports, 'claims.json'), 'utf8')) as {
      claims: Array<{ id: string; verdict: { outcome: string; summary: string } }>;
    };
    expect(all.claims.map((c) => c.id)).toEqual(['grokking-lag']);
    expect(all.claims[0].verdict.outcome).toBe('not-evaluated');
    expect(all.claims[0].verdict.summary).toMatch(/seed-2\/checkpoints\/step-002250\/weights\.safetensors: sha256 .* differs/);
    expect(readdirSync(join(reports, 'claims'))).toEqual(['grokking-lag.json']);
    expect(readdirSync(join(reports, 'badges'))).toEqual(['grokking-lag.svg']);
    expect(readFileSync(join(reports, 'REPORT.md'), 'utf8')).not.toContain('old report');
    // No temporary or old report folder is left beside it.
    expect(readdirSync(join(root, 'parent'))).toEqual(['reports']);
  }, 240_000);
});
