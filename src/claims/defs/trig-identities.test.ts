// The trig-identities claim's judged reading on synthetic pre-activations (no fixtures; issue 32): a seeded
// property over random phases and noise levels — cos/sin(w_k(a+b) + φ) on a random readout's u_k / v_k fails
// the judged two-product reading once φ is far from 0 or π and passes the four-product one while the noise is
// small; the phase-shifted negative control (φ = π/4, PAPER.trigFitPhaseControl) fails the judged reading and
// passes the four-product one; the judgement, the control's judgement (an accepted or mis-built control is not
// rejected), the decoders and the report section.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams, seedTitle, PROPERTY } from '../../../test-support/fc.ts';
import { pairAsymmetry, phaseShiftedActivations, readoutFourierDirections, trigReadoutFit } from '../../analysis/index.ts';
import { rootRng } from '../../engine/random.ts';
import { PAPER } from '../../paper/registry.ts';
import { ClaimError } from '../../errors.ts';
import { thresholdRows, type ClaimRecord } from '../contract.ts';
import {
  claim,
  declaration,
  judgeTrig,
  judgeTrigControl,
  phaseShiftedReading,
  readingsOf,
  sinRatioSymmetryLevel,
  trigChecks,
  trigIdentitiesSection,
  type PhaseShiftedControl,
  type SeedTrig,
  type TrigControl,
  type TrigRow,
} from './trig-identities.ts';

function normal(n: number, seed: number, name: string): Float64Array {
  return Float64Array.from(rootRng(seed).fork(name).normalArray(n));
}

/** A synthetic pre-activation carrying cos/sin(w_k(a+b) + φ) on the readout W, plus activation noise whose projections have std ≤ `noise`. */
function synthetic(W: Float64Array, P: number, units: number, k: number, phi: number, noise: number, seed: number) {
  const x = phaseShiftedActivations(W, P, units, k, phi);
  const dirs = readoutFourierDirections(W, P, units, k);
  const norm = Math.max(Math.hypot(...dirs.cos), Math.hypot(...dirs.sin));
  const eps = normal(P * P * units, seed, 'noise');
  const noisy = x.map((v, i) => v + (noise / norm) * eps[i]);
  return { x: noisy };
}

function rowOf(P: number, units: number, k: number, x: Float64Array, W: Float64Array): TrigRow {
  const asymmetry = pairAsymmetry(x, P, units, k);
  return { k, key: true, tapFve: 0.5, ...readingsOf(trigReadoutFit(x, P, units, W, k), P, asymmetry), asymmetry, heldOut: { cos: 0, sin: 0 } };
}

function seedOf(seed: number, P: number, row: TrigRow): SeedTrig {
  const checks = trigChecks(row);
  const share = { correct: P, total: P * P, share: 1 / P };
  return {
    seed,
    step: 1000,
    P,
    depth: 1,
    block: 0,
    key: row,
    maxNonKeyFve: { phaseFixed: 0.01, anyPhase: 0.02 },
    blocks: [{ block: 0, keySet: [row.k], topKey: row.k, rows: [row], directWrite: { pairDependent: share, whole: share } }],
    checks,
    pass: checks.cosFve && checks.sinFve && checks.cosRatio,
  };
}

describe(seedTitle('trig-identities judged reading over random phases and noise levels'), PROPERTY, () => {
  it('fails cos/sin(w_k(a+b) + φ) with φ ≥ π/8 from 0 and π at any noise; passes the four-product reading at small noise; passes near φ = 0', () => {
    const lv = PAPER.trigFitFve.value;
    fc.assert(
      fc.property(
        fc
          .integer({ min: 11, max: 23 })
          .chain((P) =>
            fc.record({ P: fc.constant(P), k: fc.integer({ min: 1, max: Math.floor((P - 1) / 2) }), units: fc.integer({ min: 2, max: 8 }), seed: fc.nat() }),
          ),
        fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        ({ P, k, units, seed }, phi, noise) => {
          const W = normal(P * units, seed, 'readout');
          const { x } = synthetic(W, P, units, k, phi, noise, seed);
          const row = rowOf(P, units, k, x, W);
          const checks = trigChecks(row);
          for (const t of ['cos', 'sin'] as const) expect(row[t].phaseFixed.fve).toBeLessThanOrEqual(row[t].anyPhase.fve + 1e-12);
          if (Math.cos(phi) ** 2 <= Math.cos(Math.PI / 8) ** 2) {
            expect(checks.cosFve).toBe(false);
            expect(checks.sinFve).toBe(false);
          }
          if (noise <= 0.05) {
            expect(row.cos.anyPhase.fve).toBeGreaterThanOrEqual(lv.cos);
            expect(row.sin.anyPhase.fve).toBeGreaterThanOrEqual(lv.sin);
            if (Math.abs(Math.sin(phi)) <= 0.05) expect(checks).toEqual({ cosFve: true, sinFve: true, cosRatio: true });
          }
          // Symmetry in a and b never constrains the cos ratio; without noise the grid depends on a + b only and the sin ratio cannot discriminate.
          expect(row.cos.phaseFixed.ratioInformative).toBe(true);
          if (noise === 0) expect(row.sin.phaseFixed.ratioInformative).toBe(false);
        },
      ),
      fcParams(25),
    );
  });
});

describe('trig-identities negative controls and judgement', () => {
  const P = 23;
  const units = 16;
  const k = 5;
  const W = normal(P * units, 3, 'readout');

  it('the phase-shifted control (φ = π/4) fails the judged reading (FVE 0.5) and passes the four-product one', () => {
    expect(PAPER.trigFitPhaseControl.value).toBeCloseTo(Math.PI / 4, 12);
    const c = phaseShiftedReading(W, P, units, k);
    expect(c.judgedPass).toBe(false);
    expect(c.anyPhasePass).toBe(true);
    expect(c.cos.phaseFixed.fve).toBeCloseTo(0.5, 9);
    expect(c.sin.phaseFixed.fve).toBeCloseTo(0.5, 9);
    expect(c.cos.anyPhase.fve).toBeCloseTo(1, 9);
    expect(c.cos.anyPhase.phase).toBeCloseTo(Math.PI / 4, 9);
    // The ratio does not see the phase: the FVE is what rejects it.
    expect(c.cos.phaseFixed.ratio).toBeCloseTo(-1, 9);
    expect(c.checks).toEqual({ cosFve: false, sinFve: false, cosRatio: true });
    // It depends on a + b only: its sin ratio is +1 by symmetry, and flagged so.
    expect(c.sin.phaseFixed.ratio).toBeCloseTo(1, 9);
    expect(c.sin.phaseFixed.ratioInformative).toBe(false);
    const d = PAPER.trigFitRatioTolerance.value;
    expect(sinRatioSymmetryLevel()).toBeCloseTo(d ** 2 / ((2 + d) ** 2 + d ** 2), 12);
  });

  const identity = rowOf(P, units, k, synthetic(W, P, units, k, 0, 0.02, 5).x, W);
  const shiftedRow = rowOf(P, units, k, synthetic(W, P, units, k, Math.PI / 4, 0.02, 5).x, W);

  it('replicates on seeds carrying the identity at phase 0 and not when one seed carries it at π/4', () => {
    const good = [seedOf(1, P, identity), seedOf(2, P, identity)];
    expect(judgeTrig(good).outcome).toBe('replicated');
    const v = judgeTrig([seedOf(1, P, identity), seedOf(2, P, shiftedRow)]);
    expect(v.outcome).toBe('not-replicated');
    expect(v.summary).toContain('in 1/2 seeds');
    expect(v.summary).toContain('seed 2 block 0 k=5: two-product FVE 0.50/0.50');
    expect(v.summary).toMatch(/four-product \(any phase\) FVE 1\.00\/1\.00, phase 45°\/45°/);
    expect(v.summary).toContain('uninformative: the grid is symmetric in a and b');
    expect(v.summary).toContain(`FFN direct write decodes c on 4 % of pairs (chance 4 %)`);
    expect(v.keyNumber).toBe('FVE 0.50');
  });

  it('fails a cos ratio far from −1 even at a high two-product FVE (cos(w_k(a−b)) mixed in)', () => {
    const mixed: TrigRow = {
      ...identity,
      cos: { ...identity.cos, phaseFixed: { ...identity.cos.phaseFixed, ratio: -0.5, ratioInterval: [-0.6, -0.4] } },
    };
    expect(trigChecks(mixed)).toEqual({ cosFve: true, sinFve: true, cosRatio: false });
    expect(trigChecks({ ...mixed, cos: { ...mixed.cos, phaseFixed: { ...mixed.cos.phaseFixed, ratioInterval: [-0.95, -0.4] } } }).cosRatio).toBe(true);
  });

  function control(untrained: SeedTrig[], shifted: PhaseShiftedControl[]): TrigControl {
    return { untrained, phaseShifted: shifted };
  }
  const untrainedSeed = seedOf(1, P, rowOf(P, units, k, normal(P * P * units, 9, 'untrained'), W));
  const shifted: PhaseShiftedControl = { seed: 1, block: 0, ...phaseShiftedReading(W, P, units, k) };

  it('rejects the control when the untrained model and the phase-shifted synthetic fail the judged reading', () => {
    expect(untrainedSeed.pass).toBe(false);
    const v = judgeTrigControl(control([untrainedSeed], [shifted]));
    expect(v.outcome).toBe('not-replicated');
    expect(v.summary).toContain('Phase-shifted synthetic: seed 1 k=5 φ = 45°: two-product FVE 0.50/0.50, four-product 1.00/1.00');
  });

  it('does not reject a control the judged reading accepts, or a phase-shifted control that fails the four-product reading too', () => {
    const accepted = judgeTrigControl(control([seedOf(1, P, identity)], [shifted]));
    expect(accepted.outcome).toBe('replicated');
    expect(accepted.summary).toContain('the judged reading accepts the untrained model of seed(s) 1');
    const misbuilt = judgeTrigControl(control([untrainedSeed], [{ ...shifted, anyPhasePass: false }]));
    expect(misbuilt.outcome).toBe('replicated');
    expect(misbuilt.summary).toContain('does not test the phase');
  });

  function recordOf(measurement: SeedTrig[], ctl: TrigControl): ClaimRecord<SeedTrig[], TrigControl> {
    return {
      id: 'trig-identities',
      kind: 'paper',
      title: 'trig',
      statement: '',
      where: '',
      thresholds: thresholdRows(declaration.thresholds),
      verdict: judgeTrig(measurement),
      measurement,
      control: { description: 'controls', verdict: judgeTrigControl(ctl), measurement: ctl },
      models: [],
      createdAt: '2026-01-01T00:00:00.000Z',
    };
  }

  it('reads its record back and renders the judged reading, the secondary readings, the direct write and the controls', () => {
    const rec = recordOf([seedOf(1, P, identity)], control([untrainedSeed], [shifted]));
    const json = JSON.parse(JSON.stringify(rec)) as unknown;
    const back = claim.check(json, 'claims.json') as ClaimRecord<SeedTrig[], TrigControl>;
    expect(back.measurement![0].key.cos.phaseFixed.fve).toBeCloseTo(identity.cos.phaseFixed.fve, 12);
    expect(back.measurement![0].key.sin.anyPhase.phase).toBe(identity.sin.anyPhase.phase);
    const md = trigIdentitiesSection(back).filter((b): b is string => typeof b === 'string');
    const text = md.join('\n');
    expect(text).toContain('| seed | block | k | key | W′L u_k·x ≈ (cos(w_k(a+b))) | FVE | ratio cos cos : sin sin [95 %]');
    expect(text).toContain('Paper (Table 3, its first key frequency): 138910·cos cos − 139849·sin sin (FVE 0.95)');
    expect(text).toMatch(/\| 1 \| 0 \(judged\) \| 5 \| yes \(top\) \| [\d.]+·cos cos − [\d.]+·sin sin \| 0\.99\d \| -1\.0\d \[/);
    expect(text).toContain('(symmetric) |');
    expect(text).toContain(`| 1 | 0 (judged) | ${P}/${P * P} (4 %) | ${P}/${P * P} (4 %) | 4 % |`);
    expect(text).toContain('**Negative controls** (not-replicated)');
    expect(trigIdentitiesSection(back).some((b) => typeof b !== 'string' && b.file === 'trig-identities-seed-1.png')).toBe(true);

    const broken = JSON.parse(JSON.stringify(rec)) as { measurement: Array<{ key: { cos: Record<string, unknown> } }> };
    delete broken.measurement[0].key.cos.phaseFixed;
    const err = (() => {
      try {
        claim.check(broken, 'claims.json');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(ClaimError);
    expect((err as ClaimError).message).toBe('claims.json: measurement[0].key.cos.phaseFixed: expected an object, found nothing (the field is missing)');
  });
});
