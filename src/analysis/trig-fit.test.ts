// Tests of the trig-identity reconstruction (trig-fit.ts, paper Table 3): exact coefficients on data built
// from the four products, the identity ratio −1 / +1 on cos/sin(w_k(a+b)), low FVE for noise (in-sample with
// few units, held-out with many), degenerate input, direction options and bad input.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams, seedTitle, PROPERTY } from '../../test-support/fc.ts';
import { rootRng } from '../engine/random.ts';
import { arbProductBlock, productColumns } from '../../test-support/analysis-arbitraries.ts';
import { expectAnalysisError } from '../../test-support/analysis-assert.ts';
import { fitTrigProducts, trigFitNoiseBaseline, trigIdentityFit } from './trig-fit.ts';

/** A [P*P, units] block from a per-pair function of (a, b, unit). */
function block(P: number, units: number, f: (a: number, b: number, u: number) => number): Float64Array {
  const out = new Float64Array(P * P * units);
  for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) for (let u = 0; u < units; u++) out[(a * P + b) * units + u] = f(a, b, u);
  return out;
}

describe(seedTitle('trig fit: exact recovery'), PROPERTY, () => {
  it('fitTrigProducts returns the exact coefficients of a signal built from the products', () => {
    fc.assert(
      fc.property(arbProductBlock({ maxUnits: 1 }), ({ P, k, gamma, intercepts, valuesByPair }) => {
        if (Math.hypot(...gamma) < 1e-3) return; // a (nearly) constant signal has no R²
        const fit = fitTrigProducts(valuesByPair, P, k);
        expect(fit.intercept).toBeCloseTo(intercepts[0], 9);
        expect(fit.cosCos).toBeCloseTo(gamma[0], 9);
        expect(fit.sinSin).toBeCloseTo(gamma[1], 9);
        expect(fit.cosSin).toBeCloseTo(gamma[2], 9);
        expect(fit.sinCos).toBeCloseTo(gamma[3], 9);
        expect(fit.fve).toBeCloseTo(1, 9);
      }),
      fcParams(50),
    );
  });

  it('trigIdentityFit: the coefficients are Γᵀd for activations X = Σ Γ·products, with FVE 1', () => {
    fc.assert(
      fc.property(arbProductBlock({ maxUnits: 5 }), ({ P, k, units, gamma, valuesByPair }) => {
        const result = trigIdentityFit(valuesByPair, P, units, k);
        for (const target of ['cos', 'sin'] as const) {
          const r = result[target];
          if (r.degenerate) continue; // the units carry no trace of this target
          const d = r.direction;
          const expected = [0, 1, 2, 3].map((c) => Array.from(d).reduce((s, du, u) => s + du * gamma[u * 4 + c], 0));
          const scale = 1 + Math.hypot(...expected);
          expect(Math.abs(r.fit.cosCos - expected[0])).toBeLessThan(1e-9 * scale);
          expect(Math.abs(r.fit.sinSin - expected[1])).toBeLessThan(1e-9 * scale);
          expect(Math.abs(r.fit.cosSin - expected[2])).toBeLessThan(1e-9 * scale);
          expect(Math.abs(r.fit.sinCos - expected[3])).toBeLessThan(1e-9 * scale);
          expect(Math.abs(r.fit.intercept)).toBeLessThan(1e-9 * scale);
          expect(r.fit.fve).toBeCloseTo(1, 9);
          expect(Math.hypot(...d)).toBeCloseTo(1, 12);
        }
      }),
      fcParams(40),
    );
  });

  it('recovers the identities: cos(w(a+b)) → ratio −1, sin(w(a+b)) → ratio +1', () => {
    const input = fc
      .integer({ min: 3, max: 29 })
      .chain((P) =>
        fc.record({ P: fc.constant(P), k: fc.integer({ min: 1, max: Math.floor((P - 1) / 2) }), gain: fc.double({ min: 0.1, max: 50, noNaN: true }) }),
      );
    fc.assert(
      fc.property(input, ({ P, k, gain }) => {
        const w = (2 * Math.PI * k) / P;
        const X = block(P, 2, (a, b, u) => gain * (u === 0 ? Math.cos(w * (a + b)) : Math.sin(w * (a + b))) + u);
        const r = trigIdentityFit(X, P, 2, k);
        expect(r.cos.identity.ratio).toBeCloseTo(-1, 9);
        expect(r.cos.identity.alignment).toBeCloseTo(1, 9);
        expect(r.cos.fit.cosCos).toBeCloseTo(gain, 8);
        expect(r.sin.identity.ratio).toBeCloseTo(1, 9);
        expect(r.sin.fit.sinCos).toBeCloseTo(gain, 8);
        expect(r.cos.fit.fve).toBeCloseTo(1, 9);
        expect(r.cos.targetCorrelation).toBeCloseTo(1, 9);
      }),
      fcParams(40),
    );
  });
});

describe(seedTitle('trig fit: noise'), PROPERTY, () => {
  const noiseInput = fc.record({
    P: fc.integer({ min: 13, max: 23 }),
    units: fc.integer({ min: 1, max: 4 }),
    seed: fc.nat(),
    k: fc.integer({ min: 1, max: 6 }),
  });

  it('reports a low in-sample FVE for noise with few units (U ≪ P²)', () => {
    fc.assert(
      fc.property(noiseInput, ({ P, units, seed, k }) => {
        const rng = rootRng(seed);
        const X = Float64Array.from({ length: P * P * units }, () => rng.normal());
        const r = trigIdentityFit(X, P, units, k);
        expect(r.cos.fit.fve).toBeLessThan(0.35);
        expect(r.sin.fit.fve).toBeLessThan(0.35);
      }),
      fcParams(15),
    );
  });

  it('reports a low held-out FVE for noise even with many units', () => {
    fc.assert(
      fc.property(fc.record({ seed: fc.nat(), units: fc.integer({ min: 40, max: 120 }) }), ({ seed, units }) => {
        const P = 11;
        const rng = rootRng(seed);
        const X = Float64Array.from({ length: P * P * units }, () => rng.normal());
        const r = trigIdentityFit(X, P, units, 2, { heldOut: { seed } });
        expect(r.cos.heldOutFve!).toBeLessThan(0.35);
        expect(r.sin.heldOutFve!).toBeLessThan(0.35);
      }),
      fcParams(10),
    );
  });
});

describe('trig fit: options, degenerate input and errors', () => {
  const P = 23;
  const w = (2 * Math.PI) / P;
  const rng = rootRng(5);
  // Unit 0 carries cos(w(a+b)), unit 1 sin(w(a+b)), plus noise units.
  const X = block(P, 6, (a, b, u) => (u === 0 ? 3 * Math.cos(w * (a + b)) : u === 1 ? 3 * Math.sin(w * (a + b)) : 0) + 0.2 * rng.normal());

  it('keeps a high held-out FVE for a genuine representation', () => {
    const r = trigIdentityFit(X, P, 6, 1, { heldOut: { seed: 9 } });
    expect(r.cos.fit.fve).toBeGreaterThan(0.95);
    expect(r.cos.heldOutFve!).toBeGreaterThan(0.9);
    expect(r.sin.heldOutFve!).toBeGreaterThan(0.9);
  });

  it("'raw' directions scale the coefficients by ‖X̃ᵀt‖ and leave the FVE and ratio unchanged", () => {
    const unit = trigIdentityFit(X, P, 6, 1);
    const raw = trigIdentityFit(X, P, 6, 1, { directionNorm: 'raw' });
    const norm = Math.hypot(...raw.cos.direction);
    expect(raw.cos.fit.cosCos).toBeCloseTo(unit.cos.fit.cosCos * norm, 6);
    expect(raw.cos.fit.fve).toBeCloseTo(unit.cos.fit.fve, 12);
    expect(raw.cos.identity.ratio!).toBeCloseTo(unit.cos.identity.ratio!, 12);
  });

  it("'regression' directions reproduce the target where the units can", () => {
    const r = trigIdentityFit(X, P, 6, 1, { direction: 'regression', directionNorm: 'raw' });
    expect(r.cos.fit.cosCos).toBeCloseTo(1, 1);
    expect(r.cos.fit.sinSin).toBeCloseTo(-1, 1);
    expect(r.cos.targetCorrelation).toBeGreaterThan(0.99);
  });

  it('is degenerate (FVE 0, no NaN) when the activations carry no trace of the target', () => {
    const onlyA = block(P, 3, (a, _b, u) => Math.cos(w * (u + 1) * a));
    const r = trigIdentityFit(onlyA, P, 3, 1, { heldOut: { seed: 1 } });
    expect(r.cos.degenerate).toBe(true);
    expect(r.cos.fit.fve).toBe(0);
    expect(r.cos.identity.ratio).toBeNull();
    expect(r.cos.heldOutFve).toBe(0);
  });

  it('works with a single unit', () => {
    const one = block(P, 1, (a, b) => Math.cos(w * (a + b)));
    expect(trigIdentityFit(one, P, 1, 1).cos.identity.ratio).toBeCloseTo(-1, 12);
  });

  it('products of the arbitrary are the cos/sin products of Table 3', () => {
    const [cc, ss] = productColumns(P, 1);
    const sumAngle = Float64Array.from({ length: P * P }, (_, i) => cc[i] - ss[i]);
    const fit = fitTrigProducts(sumAngle, P, 1);
    expect([fit.cosCos, fit.sinSin]).toEqual([expect.closeTo(1, 12), expect.closeTo(-1, 12)]);
  });

  it('estimates the in-sample FVE of noise (≈ U/(U+N)), far below the held-out one', () => {
    const base = trigFitNoiseBaseline(11, 60, 1, { seed: 3, draws: 3 });
    expect(base.cos.meanFve).toBeGreaterThan(0.2);
    expect(base.cos.meanHeldOutFve).toBeLessThan(0.3);
  });

  it('rejects bad frequencies, sizes and options', () => {
    expectAnalysisError(() => trigIdentityFit(X, P, 6, 0), 'out-of-range');
    expectAnalysisError(() => trigIdentityFit(X, P, 6, 12), 'out-of-range');
    expectAnalysisError(() => fitTrigProducts(new Float64Array(16), 4, 2), 'out-of-range'); // Nyquist of P = 4
    expectAnalysisError(() => fitTrigProducts(new Float64Array(25).fill(1), 5, 1), 'zero-variance');
    expectAnalysisError(() => trigIdentityFit(X, P, 5, 1), 'length-mismatch');
    expectAnalysisError(() => trigIdentityFit(X, P, 6, 1, { direction: 'pca' as never }), 'bad-option');
    expectAnalysisError(() => trigIdentityFit(new Float64Array(9), 3, 1, 1, { heldOut: { seed: 1 } }), 'too-few-points');
  });
});
