// The one body every claim spec shares: evaluate the claim once (before its tests, in a child process), save its record, then
//   1. "replicates the paper": asserts the verdict is `replicated`; a claim that could not be evaluated
//      (missing fixture, unavailable backend) is *skipped* with the reason, never passed or failed;
//   2. "negative control is rejected": asserts the judgement says `not-replicated` on the control input.
// Measured values are attached to the vitest result as annotations (and written to reports/claims/<id>.json).

import { afterAll, beforeAll, describe, expect, inject, it, type TestContext } from 'vitest';
import { environment } from '../src/config/environment.ts';
import { initBackend } from '../src/engine/backend.ts';
import { claimById, knownDeviation, saveRecord } from '../src/claims/catalog.ts';
import { cancelIsolatedClaims, evaluateClaimIsolated } from '../src/claims/isolated.ts';
import type { ClaimRecord } from '../src/claims/contract.ts';
import { compareGolden, formatDifferences, GOLDEN_TOLERANCE, readGolden, toGolden, updateGolden } from '../src/claims/golden.ts';

/** What a claim's golden file holds: the measurements on the fixtures and on the negative control (per tier when tiered). */
function goldenValue(rec: ClaimRecord): unknown {
  const one = (r: Pick<ClaimRecord, 'measurement' | 'control' | 'verdict' | 'models'>) => ({
    measurement: r.measurement,
    control: r.control?.measurement ?? null,
    outcome: r.verdict.outcome,
    controlOutcome: r.control?.verdict.outcome ?? null,
  });
  return rec.tiers ? { tiers: Object.fromEntries(rec.tiers.map((t) => [`${t.tier} ${t.preset}`, one(t)])) } : one(rec);
}

/** Whether anything of the record was evaluated (its verdict, or a tier's, or a control). */
function anythingEvaluated(rec: ClaimRecord): boolean {
  const parts = rec.tiers ?? [rec];
  return parts.some((p) => p.verdict.outcome !== 'not-evaluated' || (p.control !== null && p.control.verdict.outcome !== 'not-evaluated'));
}

/** The negative controls of a record: one per tier when tiered. */
function controlsOf(rec: ClaimRecord): Array<{ label: string; control: NonNullable<ClaimRecord['control']> }> {
  const parts = rec.tiers ? rec.tiers.map((t) => ({ label: `${t.tier} (${t.preset})`, control: t.control })) : [{ label: '', control: rec.control }];
  return parts.filter(
    (p): p is { label: string; control: NonNullable<ClaimRecord['control']> } => p.control !== null && p.control.verdict.outcome !== 'not-evaluated',
  );
}

export function claimSpec(id: string): void {
  const entry = claimById(id);
  const d = entry.declaration;
  let rec: ClaimRecord;
  describe(`${d.title} — paper ${d.where}`, { tags: ['claims'] }, () => {
    beforeAll(async () => {
      // In a child process, so minutes of synchronous measurement never block this worker's RPC with vitest (src/claims/isolated.ts).
      if (environment().claimsInProcess) {
        await initBackend(undefined, { log: () => {} });
        rec = await entry.evaluate();
      } else {
        // The run's shared grok-status folder (global-setup.ts): each checkpoint's grok status is measured once per run.
        const dir = inject('grokStatusDir');
        rec = await evaluateClaimIsolated(id, dir ? { GROKDIFF_GROK_STATUS_DIR: dir } : {});
      }
      saveRecord(rec);
      // The worker stays responsive while the child measures, so on a crowded machine the limit can be raised safely.
    }, environment().claimTimeoutS * 1000);
    // A child still measuring (the hook above timed out) is killed, not left running after the spec.
    afterAll(cancelIsolatedClaims);

    const deviation = knownDeviation(id);
    // A known deviation expects the non-replication: the test passes while the verdict is not-replicated and
    // fails (asking to remove the declaration from the claim's module) once the claim replicates. A claim that
    // was not evaluated (models missing, or too few seeds grokked) is skipped with the reason either way.
    it(`${deviation ? '[known deviation] ' : ''}replicates: ${d.statement}`, async (ctx: TestContext) => {
      await ctx.annotate(`${rec.verdict.outcome}: ${rec.verdict.summary}`, 'measurement');
      if (rec.verdict.outcome === 'not-evaluated') ctx.skip(`not evaluated: ${rec.verdict.summary}`);
      if (deviation) {
        expect(rec.verdict.outcome, `${id} replicates now (${rec.verdict.summary}): remove knownDeviation from src/claims/defs/${id}.ts`).toBe(
          'not-replicated',
        );
      } else {
        expect(rec.verdict.outcome, rec.verdict.summary).toBe('replicated');
      }
    });

    it(`matches its golden output (golden/${id}.json)`, async (ctx: TestContext) => {
      if (!anythingEvaluated(rec)) ctx.skip('not evaluated, nothing to compare');
      if (environment().goldenUpdate) {
        const changed = updateGolden(id, goldenValue(rec));
        process.stdout.write(`golden/${id}.json: ${changed.length === 0 ? 'unchanged' : `${changed.length} change(s)\n${formatDifferences(changed)}`}\n`);
        return;
      }
      const golden = readGolden(id);
      expect(golden, `golden/${id}.json is missing; create it with npm run golden:update`).not.toBeNull();
      const diffs = compareGolden(golden, toGolden(goldenValue(rec)), GOLDEN_TOLERANCE[id] ?? 0);
      expect(
        diffs,
        `differs from golden/${id}.json (tolerance ${GOLDEN_TOLERANCE[id]}):\n${formatDifferences(diffs)}\nIf the change is intended, run npm run golden:update and say why in the commit message.`,
      ).toEqual([]);
    });

    it(`negative control is rejected: ${d.negativeControl}`, async (ctx: TestContext) => {
      const controls = controlsOf(rec);
      if (controls.length === 0) ctx.skip(`control not evaluated: ${rec.control?.verdict.summary ?? 'none'}`);
      for (const { label, control } of controls) {
        await ctx.annotate(`${label ? `${label}: ` : ''}control ${control.verdict.outcome}: ${control.verdict.summary}`, 'negative-control');
        expect(control.verdict.outcome, `${label} ${control.verdict.summary}`).toBe('not-replicated');
      }
    });
  });
}
