// The grok statuses a claims run shares between its claim processes (provenance.ts, GROKDIFF_GROK_STATUS_DIR):
// the first process that needs a checkpoint's status measures it and writes it to the run's folder; a later
// process reads it instead of measuring again; a file written for another checkpoint is not read. Runs on the
// committed cpu-n1 seed 2 fixture; a fresh module instance stands for another process.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { overrideEnvironment, resetEnvironment } from '../config/environment.ts';
import { initBackend } from '../engine/backend.ts';

const dir = mkdtempSync(join(tmpdir(), 'grokdiff-grok-status-test-'));

/** provenance.ts and the fixture as a new process sees them (no statuses measured yet in this module instance). */
async function freshProcess() {
  vi.resetModules();
  const { overrideEnvironment: override } = await import('../config/environment.ts');
  override({ grokStatusDir: dir });
  const { initBackend: init } = await import('../engine/backend.ts');
  await init(undefined, { log: () => {} });
  const { grokStatusOf } = await import('./provenance.ts');
  const { provide } = await import('./setup.ts');
  const provided = await provide('cpu-n1', 2);
  if (!provided.ok) throw new Error(provided.reason);
  return { grokStatusOf, run: provided.run };
}

beforeAll(async () => {
  await initBackend(undefined, { log: () => {} });
  overrideEnvironment({ grokStatusDir: dir });
});

afterAll(() => {
  resetEnvironment();
  rmSync(dir, { recursive: true, force: true });
});

describe('grok statuses shared in a claims run', () => {
  it('the first process measures and writes the status; the next one reads it instead of measuring', async () => {
    const first = await freshProcess();
    const measured = first.grokStatusOf(first.run);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    const file = join(dir, files[0]);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { key: string; status: typeof measured };
    expect(saved.status).toEqual(measured);

    // Marked, so that reading it (and not measuring again) is what the next process shows.
    writeFileSync(file, JSON.stringify({ ...saved, status: { ...saved.status, summary: 'read from the shared folder' } }));
    const next = await freshProcess();
    expect(next.grokStatusOf(next.run).summary).toBe('read from the shared folder');

    // A file whose key names another checkpoint is not used: the status is measured again.
    writeFileSync(file, JSON.stringify({ key: 'another checkpoint', status: { ...saved.status, summary: 'not this one' } }));
    const third = await freshProcess();
    expect(third.grokStatusOf(third.run)).toEqual(measured);
  });
});
