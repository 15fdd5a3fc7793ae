// The registry of claims (catalog.ts) against the repository: one module per claim id, named after it
// (src/claims/defs/<id>.ts), one spec (claims/<id>.spec.ts) and a golden tolerance per claim, no id twice,
// no claim module left out of the registry; and every claim's decoders (claim.ts) read the measurements
// and controls of its golden file (golden/<id>.json), which are records' measurements as the claim wrote them;
// a declared known deviation rests on one of its claim's thresholds and states no number (the report prints
// the numbers from the record, issue 29).

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAIMS } from './catalog.ts';
import type { ClaimRecord } from './contract.ts';
import { GOLDEN_TOLERANCE, readGolden } from './golden.ts';
import { REPO_ROOT } from './provider.ts';

const ids = CLAIMS.map((c) => c.declaration.id);

/** A record of the claim around a golden part ({measurement, control, outcome, controlOutcome}). */
function recordAround(id: string, part: { measurement: unknown; control: unknown }): ClaimRecord {
  const verdict = { outcome: 'not-evaluated' as const, summary: 'golden' };
  return {
    id,
    kind: 'paper',
    title: id,
    statement: '',
    where: '',
    thresholds: [],
    verdict,
    measurement: part.measurement,
    control: { description: 'control', verdict, measurement: part.control },
    models: [],
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('the registry of claims', () => {
  it('has one module, spec and golden tolerance per claim id, and every claim module is registered', () => {
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(existsSync(join(REPO_ROOT, 'src', 'claims', 'defs', `${id}.ts`)), `src/claims/defs/${id}.ts`).toBe(true);
      expect(existsSync(join(REPO_ROOT, 'claims', `${id}.spec.ts`)), `claims/${id}.spec.ts`).toBe(true);
      expect(GOLDEN_TOLERANCE[id], `GOLDEN_TOLERANCE['${id}']`).toBeTypeOf('number');
    }
    const modules = readdirSync(join(REPO_ROOT, 'src', 'claims', 'defs')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(modules.map((f) => f.replace(/\.ts$/, '')).sort()).toEqual([...ids].sort());
  });

  it("reads every golden measurement and control through the claim's own decoders", () => {
    let read = 0;
    for (const claim of CLAIMS) {
      const id = claim.declaration.id;
      const golden = readGolden(id) as { tiers?: Record<string, { measurement: unknown; control: unknown }>; measurement?: unknown; control?: unknown } | null;
      if (golden === null) continue;
      const parts = golden.tiers ? Object.entries(golden.tiers) : [['', { measurement: golden.measurement, control: golden.control }] as const];
      for (const [tier, part] of parts) {
        const rec = claim.check(recordAround(id, part), `golden/${id}.json${tier ? ` (${tier})` : ''}`);
        expect(rec.measurement).toEqual(part.measurement);
        read++;
      }
    }
    expect(read).toBeGreaterThanOrEqual(10);
  });

  it("declares each known deviation on one of its claim's thresholds, in words without numbers", () => {
    let declared = 0;
    for (const claim of CLAIMS) {
      const deviation = claim.knownDeviation;
      if (!deviation) continue;
      declared++;
      const id = claim.declaration.id;
      expect(claim.declaration.thresholds, `${id}: registryEntry ${deviation.registryEntry}`).toContain(deviation.registryEntry);
      expect(deviation.reason.trim(), `${id}: reason`).not.toBe('');
      // Paper references (Figure 6, Table 3) name what the claim is about; any other digit is a number of a run, which the record holds.
      const digits = deviation.reason.replace(/\b(?:Figures?|Table|Sec\.|Appendix|Eq\.)\s+[A-Z]?\d+(?:\.\d+)*[a-z]?/g, '').match(/\d+(?:\.\d+)?/g);
      expect(digits, `${id}: a number typed into the known deviation's reason (src/claims/defs/${id}.ts)`).toBeNull();
    }
    expect(declared).toBeGreaterThan(0);
  });
});
