// A claim on a corrupted fixture (issue 19): one flipped exponent byte in a fixture's weights makes the claim
// "not evaluated" with the reason naming the file and the command that rebuilds it; it is never judged, and the
// summary says the run was refused (why), not that it is missing (issue 31).
// Before fixtures were content-addressed, the claims judged the corrupted model ("replicated").
// @module-tag reliability
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const root = mkdtempSync(join(tmpdir(), 'grokdiff-fixtures-'));
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(root, { recursive: true, force: true });
});

describe('claims on a corrupted fixture', () => {
  it('a flipped byte in a fixture makes the claim "not evaluated", naming the file and the rebuild command', async () => {
    const source = new URL('../../fixtures/checkpoints/cpu-n1', import.meta.url).pathname;
    cpSync(source, join(root, 'cpu-n1'), { recursive: true });
    const weights = join(root, 'cpu-n1', 'seed-2', 'checkpoints', 'step-002250', 'weights.safetensors');
    const bytes = readFileSync(weights);
    bytes[8 + Number(bytes.readBigUInt64LE(0)) + 3] ^= 0x40;
    writeFileSync(weights, bytes);
    vi.stubEnv('GROKDIFF_FIXTURES_DIR', root);
    vi.resetModules();
    // The seeds still intact are loaded (the record names them with their grok status): a backend is needed.
    const { initBackend } = await import('../engine/backend.ts');
    await initBackend(undefined, { log: () => {} });
    const { claimById } = await import('./catalog.ts');
    const rec = await claimById('grokking-lag').evaluate();
    expect(rec.verdict.outcome).toBe('not-evaluated');
    expect(rec.verdict.summary).toMatch(/seed-2\/checkpoints\/step-002250\/weights\.safetensors: sha256 .* differs/);
    expect(rec.verdict.summary).toContain('npx grokdiff train --preset cpu-n1 --seed 2');
    expect(rec.control?.verdict.outcome).toBe('not-evaluated');
    const reduced = rec.tiers?.find((t) => t.preset === 'cpu-n1');
    expect(reduced?.models.map((m) => m.seed)).toEqual([1, 3]);
    // Issue 31: a corrupted fixture is "refused" with why, not counted as "missing".
    expect(reduced?.verdict.summary).toMatch(/^1 of 3 runs refused; .*preset "cpu-n1" seed 2 refused \(.*weights\.safetensors: sha256 .* differs/);
    expect(reduced?.verdict.summary).not.toMatch(/missing/);
  });
});
