// A corrupt fixture checkpoint makes a claim "not evaluated" with the reason (issue #6, bad input): never a
// crash, never a verdict. Runs the real catalog against a copy of the fixtures with one weights file cut; the
// intact seeds are still loaded (the record names them with their grok status).
// @module-tag reliability
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = mkdtempSync(join(tmpdir(), 'grokdiff-corrupt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('claims on a corrupt fixture', () => {
  beforeAll(async () => {
    const { FIXTURE_RUNS_DIR } = await import('./provider.ts');
    cpSync(FIXTURE_RUNS_DIR, root, { recursive: true });
    const run = join(root, 'cpu-n1', 'seed-1');
    const latest = JSON.parse(readFileSync(join(run, 'latest.json'), 'utf8')) as { dir: string };
    truncateSync(join(run, latest.dir, 'weights.safetensors'), 1000);
    process.env.GROKDIFF_FIXTURES_DIR = root;
    const { vi } = await import('vitest');
    vi.resetModules();
    const { initBackend } = await import('../engine/backend.ts');
    await initBackend(undefined, { log: () => {} });
  });
  it('is not evaluated, with the file named in the reason', async () => {
    const { claimById } = await import('./catalog.ts');
    const rec = await claimById('selective-frequencies').evaluate();
    expect(rec.verdict.outcome).toBe('not-evaluated');
    // Refused by the fixture's MANIFEST.sha256 before the weights are read (issue 19).
    expect(rec.verdict.summary).toMatch(/seed-1\/checkpoints\/step-\d+\/weights\.safetensors: sha256 .* differs/);
    // The corrupt run is in the reduced tier (cpu-n1): that tier is not evaluated, control included; the
    // paper-width tier (paper-n1, intact) is judged as usual.
    const reduced = rec.tiers?.find((t) => t.preset === 'cpu-n1');
    expect(reduced?.verdict.outcome).toBe('not-evaluated');
    expect(reduced?.verdict.summary).toMatch(/weights\.safetensors: sha256 .* differs/);
    expect(reduced?.control?.verdict.outcome).toBe('not-evaluated');
  });
});
