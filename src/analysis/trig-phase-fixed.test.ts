// Tests of Table 3 as the paper writes it (trig-fit.ts part C, issue 32): the phase-fixed two-product fit
// (phaseFixedFit) against the four-product fit, the synthetic phase-shifted pre-activation
// (phaseShiftedActivations), the a ↔ b symmetry check (pairAsymmetry) and the FFN direct-write decoding
// (directWriteDecoding). Seeded fast-check properties: on the full grid the two coefficients are the
// four-product fit's and the two-product FVE is the four-product FVE times their share of the coefficient
// power; a signal cos(w_k(a+b) + φ) has two-product FVE cos²φ and four-product FVE 1 with phase φ; on a grid
// symmetric in a and b every projection's sin ratio is +1 (why the symmetry check exists); a Nanda-style
// circuit writes c for every pair. Plus the bootstrap interval, degenerate input and bad input.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams, seedTitle, PROPERTY } from '../../test-support/fc.ts';
import { productColumns } from '../../test-support/analysis-arbitraries.ts';
import { expectAnalysisError } from '../../test-support/analysis-assert.ts';
import { rootRng } from '../engine/random.ts';
import { omega } from './basis.ts';
import {
  directWriteDecoding,
  fitTrigProducts,
  pairAsymmetry,
  phaseFixedFit,
  phaseShiftedActivations,
  readoutFourierDirections,
  trigReadoutFit,
} from './trig-fit.ts';

/** A random [rows, cols] block of standard-normal values from a seed. */
function normalBlock(rows: number, cols: number, seed: number): Float64Array {
  return Float64Array.from(
    rootRng(seed)
      .fork('trig-phase-fixed-test')
      .normalArray(rows * cols),
  );
}

/** The grid signal A·cos(w_k(a+b) + φ) (or sin) plus `noise`·N(0, 1) (seeded), [P*P]. */
function shifted(P: number, k: number, phi: number, target: 'cos' | 'sin', noise: number, seed: number): Float64Array {
  const eps = normalBlock(P * P, 1, seed);
  const out = new Float64Array(P * P);
  for (let a = 0; a < P; a++) {
    for (let b = 0; b < P; b++) {
      const theta = omega((k * (a + b)) % P, P) + phi;
      out[a * P + b] = (target === 'cos' ? Math.cos(theta) : Math.sin(theta)) + noise * eps[a * P + b];
    }
  }
  return out;
}

/** The angle difference x − y wrapped to (−π, π]. */
function angleGap(x: number, y: number): number {
  const d = (((x - y) % (2 * Math.PI)) + 3 * Math.PI) % (2 * Math.PI);
  return d - Math.PI;
}

const arbGrid = fc.integer({ min: 3, max: 19 }).chain((P) =>
  fc.record({
    P: fc.constant(P),
    k: fc.integer({ min: 1, max: Math.floor((P - 1) / 2) }),
    seed: fc.nat(),
  }),
);

describe(seedTitle('phase-fixed fit: exact structure over random phases and noise levels'), PROPERTY, () => {
  it('has the four-product coefficients, and FVE = four-product FVE × the two coefficients’ share of the coefficient power', () => {
    fc.assert(
      fc.property(
        arbGrid,
        fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        fc.constantFrom('cos' as const, 'sin' as const),
        ({ P, k, seed }, phi, noise, target) => {
          const y = shifted(P, k, phi, target, noise, seed);
          const four = fitTrigProducts(y, P, k);
          const two = phaseFixedFit(y, P, k, target, { seed, resamples: 0 });
          const [n, d] = two.products;
          const scale = 1 + Math.hypot(four.cosCos, four.sinSin, four.cosSin, four.sinCos);
          expect(Math.abs(two.coefficients[0] - four[n])).toBeLessThan(1e-9 * scale);
          expect(Math.abs(two.coefficients[1] - four[d])).toBeLessThan(1e-9 * scale);
          const power = four.cosCos ** 2 + four.sinSin ** 2 + four.cosSin ** 2 + four.sinCos ** 2;
          if (power > 1e-12) expect(two.fve).toBeCloseTo((four.fve * (four[n] ** 2 + four[d] ** 2)) / power, 9);
          expect(two.fve).toBeLessThanOrEqual(four.fve + 1e-12);
          expect(two.intercept).toBeCloseTo(y.reduce((s, v) => s + v, 0) / y.length, 9);
          expect(two.ratioInterval).toBeNull(); // resamples: 0
        },
      ),
      fcParams(60),
    );
  });

  it('a synthetic pre-activation carrying cos/sin(w_k(a+b) + φ): two-product FVE cos²φ, four-product FVE 1, phase φ, ratios −1 / +1', () => {
    fc.assert(
      fc.property(arbGrid, fc.integer({ min: 2, max: 6 }), fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }), ({ P, k, seed }, units, phi) => {
        const W = normalBlock(P, units, seed);
        const x = phaseShiftedActivations(W, P, units, k, phi);
        const r = trigReadoutFit(x, P, units, W, k);
        for (const target of ['cos', 'sin'] as const) {
          const f = r[target];
          // The projections are the targets exactly.
          const expected = shifted(P, k, phi, target, 0, seed);
          const amp = 1 + Math.max(...Array.from(f.projected, Math.abs));
          f.projected.forEach((v, i) => {
            expect(Math.abs(v - expected[i])).toBeLessThan(1e-8 * amp);
          });
          const two = phaseFixedFit(f.projected, P, k, target, { seed, resamples: 0 });
          expect(f.fit.fve).toBeCloseTo(1, 8);
          expect(two.fve).toBeCloseTo(Math.cos(phi) ** 2, 7);
          expect(f.identityFve).toBeCloseTo(1, 8);
          expect(Math.abs(angleGap(f.phase!, phi))).toBeLessThan(1e-6);
          // The ratio does not see the phase: cos φ·(cc − ss) and cos φ·(sc + cs) keep −1 / +1.
          if (Math.abs(Math.cos(phi)) > 1e-3) expect(two.ratio).toBeCloseTo(target === 'cos' ? -1 : 1, 6);
        }
      }),
      fcParams(40),
    );
  });

  it('on a grid symmetric in a and b every projection has sin ratio +1, and pairAsymmetry is 0 there', () => {
    fc.assert(
      fc.property(arbGrid, fc.integer({ min: 1, max: 5 }), ({ P, k, seed }, units) => {
        const raw = normalBlock(P * P, units, seed);
        const x = new Float64Array(P * P * units);
        for (let a = 0; a < P; a++) {
          for (let b = 0; b < P; b++) {
            for (let i = 0; i < units; i++) x[(a * P + b) * units + i] = raw[(a * P + b) * units + i] + raw[(b * P + a) * units + i];
          }
        }
        const asym = pairAsymmetry(x, P, units, k);
        expect(asym.overall).toBeLessThan(1e-12);
        expect(asym.sinProducts).toBeLessThan(1e-12);
        const W = normalBlock(P, units, seed + 1);
        const two = phaseFixedFit(trigReadoutFit(x, P, units, W, k).sin.projected, P, k, 'sin', { seed, resamples: 0 });
        if (two.ratio !== null && Math.abs(two.coefficients[1]) > 1e-6) expect(two.ratio).toBeCloseTo(1, 6);
      }),
      fcParams(40),
    );
  });

  it('pairAsymmetry is 1 for a grid carrying sin(w_k(a−b)) and lies in [0, 1] for any grid', () => {
    fc.assert(
      fc.property(arbGrid, fc.integer({ min: 1, max: 4 }), ({ P, k, seed }, units) => {
        const anti = new Float64Array(P * P * units);
        for (let a = 0; a < P; a++) {
          for (let b = 0; b < P; b++) for (let i = 0; i < units; i++) anti[(a * P + b) * units + i] = (i + 1) * Math.sin(omega((k * (a - b + P)) % P, P));
        }
        const r = pairAsymmetry(anti, P, units, k);
        expect(r.overall).toBeCloseTo(1, 9);
        expect(r.sinProducts).toBeCloseTo(1, 9);
        const any = pairAsymmetry(normalBlock(P * P, units, seed), P, units, k);
        for (const v of [any.overall, any.sinProducts]) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
      }),
      fcParams(40),
    );
  });
});

describe(seedTitle('direct-write decoding'), PROPERTY, () => {
  it('decodes c for every pair of a Nanda-style circuit (class scores cos(w_k(a+b−c))), at any per-unit offset', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(5, 7, 11, 13, 23),
        fc.integer({ min: 3, max: 6 }),
        fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
        fc.nat(),
        (P, n, phi0, seed) => {
          const k = 1 + (seed % Math.floor((P - 1) / 2));
          const offsets = normalBlock(1, n, seed);
          const post = new Float64Array(P * P * n);
          const W = new Float64Array(P * n);
          for (let i = 0; i < n; i++) {
            const phi = phi0 + (2 * Math.PI * i) / n;
            for (let c = 0; c < P; c++) W[c * n + i] = Math.cos(omega((k * c) % P, P) - phi);
            for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) post[(a * P + b) * n + i] = 5 * offsets[i] + Math.cos(omega((k * (a + b)) % P, P) - phi);
          }
          const d = directWriteDecoding(post, P, n, W);
          expect(d.correct).toBe(P * P);
          expect(d.share).toBe(1);
          expect(d.total).toBe(P * P);
        },
      ),
      fcParams(30),
    );
  });

  it('a pair-independent write decodes to the first class (chance 1/P); the whole write keeps the mean', () => {
    const P = 7;
    const post = new Float64Array(P * P * 2).fill(3);
    const W = normalBlock(P, 2, 5);
    const d = directWriteDecoding(post, P, 2, W);
    expect(Array.from(d.predicted).every((c) => c === 0)).toBe(true);
    expect(d.correct).toBe(P);
    const whole = directWriteDecoding(post, P, 2, W, { centre: false });
    let best = 0;
    for (let c = 1; c < P; c++) if (W[c * 2] + W[c * 2 + 1] > W[best * 2] + W[best * 2 + 1]) best = c;
    expect(Array.from(whole.predicted).every((c) => c === best)).toBe(true);
  });
});

describe('phase-fixed fit: bootstrap interval, degenerate and bad input', () => {
  const P = 11;
  const k = 3;

  it('gives a seeded interval around the identity ratio that narrows with less noise', () => {
    const y = shifted(P, k, 0, 'cos', 0.3, 4);
    const a = phaseFixedFit(y, P, k, 'cos', { seed: 9, resamples: 400 });
    const b = phaseFixedFit(y, P, k, 'cos', { seed: 9, resamples: 400 });
    expect(b.ratioInterval).toEqual(a.ratioInterval);
    const ci = a.ratioInterval!;
    expect(ci.lower).toBeLessThan(-1 + 0.3);
    expect(ci.upper).toBeGreaterThan(-1 - 0.3);
    expect(ci.lower).toBeLessThanOrEqual(a.ratio!);
    expect(ci.upper).toBeGreaterThanOrEqual(a.ratio!);
    expect(ci.defined).toBe(400);
    expect(ci.level).toBe(0.95);
    const quiet = phaseFixedFit(shifted(P, k, 0, 'cos', 0.03, 4), P, k, 'cos', { seed: 9, resamples: 400 }).ratioInterval!;
    expect(quiet.upper - quiet.lower).toBeLessThan((ci.upper - ci.lower) / 3);
    const other = phaseFixedFit(y, P, k, 'cos', { seed: 10, resamples: 400 }).ratioInterval!;
    expect(other.lower).not.toBe(ci.lower);
  });

  it('gives no interval when the resamples do not settle the sign of the denominator (an unbounded ratio)', () => {
    const cols = productColumns(P, k);
    const eps = normalBlock(P * P, 1, 8);
    const tiny = cols[0].map((v, i) => v + 0.001 * cols[1][i] + 0.3 * eps[i]); // sin·sin far below its noise
    const f = phaseFixedFit(tiny, P, k, 'cos', { seed: 3, resamples: 400 });
    expect(f.ratio).not.toBeNull();
    expect(f.ratioInterval).toBeNull();
    const resolved = cols[0].map((v, i) => v - cols[1][i] + 0.3 * eps[i]);
    expect(phaseFixedFit(resolved, P, k, 'cos', { seed: 3, resamples: 400 }).ratioInterval).not.toBeNull();
  });

  it('tells cos(w_k(a+b)) from cos(w_k(a−b)) by the ratio, not by the FVE', () => {
    const cols = productColumns(P, k);
    const minus = cols[0].map((v, i) => v + cols[1][i]); // cos(w_k(a−b)) = cos cos + sin sin
    const f = phaseFixedFit(minus, P, k, 'cos', { seed: 1, resamples: 200 });
    expect(f.fve).toBeCloseTo(1, 9);
    expect(f.ratio).toBeCloseTo(1, 9);
    expect(f.products).toEqual(['cosCos', 'sinSin']);
  });

  it('is degenerate (FVE 0, no ratio, no NaN) on a constant signal or one without the two products', () => {
    const flat = phaseFixedFit(new Float64Array(P * P).fill(2), P, k, 'sin', { seed: 1 });
    expect(flat.degenerate).toBe(true);
    expect(flat.fve).toBe(0);
    expect(flat.ratio).toBeNull();
    const cols = productColumns(P, k);
    const other = phaseFixedFit(cols[2], P, k, 'cos', { seed: 1, resamples: 50 }); // cos·sin only: no cos·cos or sin·sin
    expect(other.fve).toBeCloseTo(0, 9);
    expect(other.ratio).toBeNull();
    expect(other.ratioInterval).toBeNull();
  });

  it('refuses a readout whose u_k and v_k are parallel, and bad arguments', () => {
    const units = 2;
    const W = new Float64Array(P * units);
    for (let c = 0; c < P; c++) W[c * units] = Math.cos(omega((k * c) % P, P)); // only unit 0 reads cos: v_k = 0
    expect(Array.from(readoutFourierDirections(W, P, units, k).sin).every((v) => Math.abs(v) < 1e-12)).toBe(true);
    expectAnalysisError(() => phaseShiftedActivations(W, P, units, k, 0.5), 'zero-variance');
    const y = shifted(P, k, 0, 'cos', 0.1, 1);
    expectAnalysisError(() => phaseFixedFit(y, P, k, 'tan' as never, { seed: 1 }), 'bad-option');
    expectAnalysisError(() => phaseFixedFit(y, P, k, 'cos', {} as never), 'not-a-number');
    expectAnalysisError(() => phaseFixedFit(y, P, k, 'cos', { seed: 1, level: 1 }), 'out-of-range');
    expectAnalysisError(() => phaseFixedFit(y, P, 0, 'cos', { seed: 1 }), 'out-of-range');
    expectAnalysisError(() => phaseFixedFit(y.subarray(1), P, k, 'cos', { seed: 1 }), 'length-mismatch');
    expectAnalysisError(() => pairAsymmetry(y, P, 2, k), 'length-mismatch');
    expectAnalysisError(() => directWriteDecoding(y, P, 1, new Float64Array(P), { centre: 'yes' as never }), 'bad-option');
    expectAnalysisError(() => phaseShiftedActivations(normalBlock(P, 3, 2), P, 3, k, Number.NaN), 'non-finite');
  });
});
