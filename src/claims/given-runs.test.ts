// Claims on runs the user gives (`grokdiff replicate --run`, issue 30): a claim applies to the given runs of the
// family of its own models (N = 1 / N > 1, depth, sandwich), not when it reads the training log they lack or
// compares several trained configurations; on an imported run the record's models say "imported from FILE,
// sha256 …", and the grokked gate is the same (≥ 3 grokked runs, else "not evaluated" with the numbers).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../engine/backend.ts';
import { importPytorch } from '../eval/pytorch-port.ts';
import { getPreset } from '../train/presets.ts';
import { applyOverrides } from '../train/config.ts';
import type { MetricsRow } from '../train/grokking.ts';
import { evaluateClaimOnRuns, givenRunsFor, type ClaimEvaluation } from './claim-runner.ts';
import { notEvaluated, verdict, type ClaimDeclaration } from './contract.ts';
import { readGivenRun, type ProvidedRun } from './provider.ts';

const FIXTURES = new URL('../../fixtures/pytorch/', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'grokdiff-given-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function run(preset: string, overrides: string[] = [], metrics: MetricsRow[] = []): ProvidedRun {
  const config = applyOverrides(getPreset(preset), overrides, { seed: 1 });
  return { preset: 'imported', seed: 1, dir: `/x/${preset}`, source: 'imported', config, metrics, checkpoints: [1] };
}

describe('which given runs a claim is judged on', () => {
  const n1 = run('cpu-n1', ['model.dModel=32']);
  const depth2 = run('cpu-n1', ['model.depth=2']);
  const n4 = run('cpu-n4');

  it('the N = 1 claims take the N = 1, depth-1 runs of any width and leave the others out', () => {
    const r = givenRunsFor({ kind: 'n1-tiers' }, { trainingLog: false }, [n1, depth2, n4]);
    expect(r.applies && r.runs).toEqual([n1]);
    const none = givenRunsFor({ kind: 'n1-tiers' }, { trainingLog: false }, [depth2]);
    expect(none.applies).toBe(false);
    expect(!none.applies && none.reason).toContain(
      'about models with N = 1, depth 1, no FFN sandwich (like preset paper-n1); the given runs have N = 1, depth 2',
    );
  });

  it('a claim measured on the training log does not apply to runs without one (imported models)', () => {
    const r = givenRunsFor({ kind: 'n1-tiers' }, { trainingLog: true }, [n1]);
    expect(!r.applies && r.reason).toContain('training log');
    const logged = run('cpu-n1', [], [{ step: 1 } as MetricsRow]);
    expect(givenRunsFor({ kind: 'n1-tiers' }, { trainingLog: true }, [n1, logged])).toMatchObject({ applies: true, runs: [logged] });
  });

  it('a one-preset study takes the runs of its family; a comparison of several presets does not apply', () => {
    const one = givenRunsFor({ kind: 'runs', groups: [{ preset: 'cpu-n1-depth2', seeds: [1, 2, 3] }] }, { trainingLog: false }, [n1, depth2]);
    expect(one.applies && one.runs).toEqual([depth2]);
    const several = givenRunsFor(
      {
        kind: 'runs',
        groups: [
          { preset: 'cpu-n1', seeds: [1] },
          { preset: 'cpu-n4', seeds: [1] },
        ],
      },
      { trainingLog: false },
      [n1, n4],
    );
    expect(!several.applies && several.reason).toContain('compares several trained configurations (presets cpu-n1, cpu-n4)');
  });
});

describe('a claim judged on an imported run', () => {
  let given: ProvidedRun;
  beforeAll(async () => {
    await initBackend('cpu');
    const out = join(root, 'imported');
    importPytorch({ file: join(FIXTURES, 'plain-standardised.safetensors'), configFile: join(FIXTURES, 'plain-standardised.config.json'), outDir: out });
    given = readGivenRun(out);
  });

  const declaration: ClaimDeclaration = {
    id: 'test-claim',
    kind: 'paper',
    title: 't',
    statement: 's',
    where: 'w',
    thresholds: [],
    negativeControl: 'the untrained model',
  };
  const evaluation: ClaimEvaluation<number, number> = {
    measure: (runs) => runs.length,
    judge: (n) => verdict(n === 1, `measured ${n} run`),
    control: { measure: () => 0, judge: () => verdict(false, 'control') },
  };

  it('names the import in the provenance of its models', async () => {
    expect(given.source).toBe('imported');
    const rec = await evaluateClaimOnRuns(declaration, { kind: 'n1-tiers' }, evaluation, [given], { trainingLog: false });
    expect(rec.verdict.outcome).toBe('replicated');
    expect(rec.verdict.summary).toContain('[judged on 1 given run (imported; N = 1, depth 1, no FFN sandwich) of 1]');
    expect(rec.models[0].source).toMatch(/^imported .*imported \(imported from .*plain-standardised\.safetensors, sha256 [0-9a-f]{64}\)$/);
    expect(rec.control?.verdict.outcome).toBe('not-replicated');
  });

  it('keeps the grokked gate: one ungrokked run is "not evaluated" with its numbers', async () => {
    const rec = await evaluateClaimOnRuns({ ...declaration, precondition: 'grokked' }, { kind: 'n1-tiers' }, evaluation, [given], { trainingLog: false });
    expect(rec.verdict.outcome).toBe('not-evaluated');
    expect(rec.verdict.summary).toMatch(/needs ≥ 3 grokked seeds; 0 of 1 grokked \(seed 2 did not grok in 1 steps/);
    expect(rec.excluded?.[0].model.source).toMatch(/^imported /);
  });

  it('a claim that does not apply is "not evaluated" with the reason', async () => {
    const rec = await evaluateClaimOnRuns(declaration, { kind: 'n1-tiers' }, evaluation, [given], { trainingLog: true });
    expect(rec.verdict).toEqual(
      notEvaluated(expect.stringContaining('does not apply to the given runs: the claim is measured on the training log') as unknown as string),
    );
  });
});
