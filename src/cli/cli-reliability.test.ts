// The CLI's reliability cases of issue 19 through the real entry point: SIGTERM saves a checkpoint like
// Ctrl-C (it used to exit without one), and `replicate` with a refused fixture still writes the whole report,
// into a temporary folder swapped in whole: nothing of the previous report is left beside the new records.
// @module-tag reliability
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

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
