// Compact fixtures (issue 14, train/compact.ts): a committed cpu-n1 fixture is copied and compacted. By
// default its final checkpoint stays float32 (bit-identical: every claim is judged there) and the
// memorisation-phase one becomes F16. With every checkpoint narrowed to F16, the N = 1 measurements are
// compared with the float32 ones within each claim's golden tolerance: frequencies, single-step and the grok
// status agree (so did the ablation, measured once: 3 minutes, too slow for a unit test); Table 3's small coefficients do not (−2.638 → −2.624 against a 5e-3 tolerance),
// which is why the final checkpoint is kept in float32.

import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../engine/backend.ts';
import { measureGrokStatus } from '../eval/grok-status.ts';
import { compactRun } from '../train/compact.ts';
import { loadRun, type LoadedRun } from '../eval/loaded-run.ts';
import { readSafetensorsFile } from '../io/safetensors.ts';
import { measureFrequencies } from './defs/selective-frequencies.ts';
import { measureSingleStep } from './defs/single-step.ts';
import { measureTrig } from './defs/trig-identities.ts';
import { compareGolden, formatDifferences, GOLDEN_TOLERANCE, toGolden } from './golden.ts';
import { fixtureRunDir } from './provider.ts';
import { sharedPool } from './setup.ts';

const SEED = 2;
let dir = '';
let original: LoadedRun;
let compacted: LoadedRun;
let partialRun: LoadedRun;

describe('compact F16 fixtures (cpu-n1 seed 2, final checkpoint)', () => {
  beforeAll(async () => {
    await initBackend(undefined, { log: () => {} });
    dir = mkdtempSync(join(tmpdir(), 'grokdiff-compact-'));
    const run = join(dir, 'run');
    cpSync(fixtureRunDir('cpu-n1', SEED), run, { recursive: true });
    rmSync(join(run, 'MANIFEST.sha256'), { force: true });
    const partial = join(dir, 'partial');
    cpSync(fixtureRunDir('cpu-n1', SEED), partial, { recursive: true });
    rmSync(join(partial, 'MANIFEST.sha256'), { force: true });
    compactRun(partial);
    const result = compactRun(run, { finalToo: true });
    expect(result.checkpoints).toBeGreaterThan(0);
    expect(result.bytesAfter).toBeLessThan(result.bytesBefore / 1.9);
    partialRun = loadRun(partial, { pool: sharedPool() });
    original = loadRun(fixtureRunDir('cpu-n1', SEED), { pool: sharedPool() });
    compacted = loadRun(run, { pool: sharedPool() });
  }, 300_000);

  afterAll(() => {
    original?.dispose();
    compacted?.dispose();
    partialRun?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stores F16 and reads back float32 weights within half-precision rounding', () => {
    const file = readSafetensorsFile(join(dir, 'run', 'checkpoints', `step-${String(original.step).padStart(6, '0')}`, 'weights.safetensors'));
    expect(Object.values(file.tensors).every((t) => t.dtype === 'F16')).toBe(true);
    for (const [name, v] of original.params) {
      const a = v.dataSync();
      const b = compacted.params.get(name)!.dataSync();
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(Math.abs(a[i]) * 2 ** -11 + 2 ** -25);
    }
  });

  it('by default the final checkpoint stays float32, bit for bit, and only earlier ones are narrowed', () => {
    expect(partialRun.step).toBe(original.step);
    for (const [name, v] of original.params) expect(Array.from(partialRun.params.get(name)!.dataSync())).toEqual(Array.from(v.dataSync()));
    const ckpts = join(dir, 'partial', 'checkpoints');
    const dtypes = (step: number) =>
      new Set(Object.values(readSafetensorsFile(join(ckpts, `step-${String(step).padStart(6, '0')}`, 'weights.safetensors')).tensors).map((t) => t.dtype));
    expect(dtypes(original.step)).toEqual(new Set(['F32']));
    const first = readdirSync(ckpts).sort()[0];
    expect(first).not.toBe(`step-${String(original.step).padStart(6, '0')}`);
    expect(dtypes(Number(first.slice(5)))).toEqual(new Set(['F16']));
  });

  it('trig-identities on all-F16 weights: the key coefficients stay within 0.1 % of their row scale (the golden is stricter, hence float32 finals)', () => {
    const a = measureTrig(original, SEED).key!;
    const b = measureTrig(compacted, SEED).key!;
    for (const target of ['cos', 'sin'] as const) {
      const ca = a[target].anyPhase.coefficients;
      const cb = b[target].anyPhase.coefficients;
      const scale = Math.max(...Object.values(ca).map(Math.abs));
      for (const k of Object.keys(ca) as Array<keyof typeof ca>) expect(Math.abs(ca[k] - cb[k])).toBeLessThanOrEqual(1e-3 * scale);
      expect(Math.abs(a[target].anyPhase.fve - b[target].anyPhase.fve)).toBeLessThanOrEqual(5e-3);
      expect(Math.abs(a[target].phaseFixed.fve - b[target].phaseFixed.fve)).toBeLessThanOrEqual(5e-3);
    }
  }, 300_000);

  const cases: Array<[string, (run: LoadedRun) => unknown]> = [
    ['selective-frequencies', (run) => measureFrequencies(run, SEED)],
    ['single-step', (run) => measureSingleStep(run, SEED)],
  ];
  // Sample counts (`correct`) are compared through their accuracies: one flipped sample of a thousand moves a
  // count by 1, which the golden compares exactly, while its accuracy moves by 0.001, within every tolerance.
  // The cos cos / sin sin ratio of a non-key Table 3 row divides two coefficients that are both near zero
  // (seed 2, k = 6: −2.6 over 0.14): it is ill-conditioned noise, not a measured quantity, and is left out;
  // the coefficients themselves are compared.
  const withoutCounts = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(withoutCounts);
    if (!v || typeof v !== 'object') return v;
    const nonKeyRow = (v as { key?: unknown }).key === false;
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k !== 'correct')
        .map(([k, x]) => [k, nonKeyRow && (k === 'cos' || k === 'sin') && x && typeof x === 'object' ? { ...(x as object), ratio: null } : withoutCounts(x)]),
    );
  };
  for (const [id, measure] of cases) {
    it(`${id}: the measurement on F16 weights matches float32 within the golden tolerance (${GOLDEN_TOLERANCE[id]})`, () => {
      const diffs = compareGolden(withoutCounts(toGolden(measure(original))), withoutCounts(toGolden(measure(compacted))), GOLDEN_TOLERANCE[id]);
      expect(diffs, formatDifferences(diffs)).toEqual([]);
    }, 300_000);
  }

  it('the grok status (the precondition) is the same', () => {
    const a = measureGrokStatus(original);
    const b = measureGrokStatus(compacted);
    expect(b.grokked).toBe(a.grokked);
    expect(Math.abs(a.train.accuracy - b.train.accuracy)).toBeLessThanOrEqual(0.02);
    expect(Math.abs(a.novel.accuracy - b.novel.accuracy)).toBeLessThanOrEqual(0.02);
  }, 300_000);
});
