// Tests of the DFT over Z_n (dft.ts): the fast path (fft.js radix-2 and Bluestein) against the direct O(n²)
// reference, and the transform's defining properties — inverse, Parseval, linearity, shift theorem,
// Hermitian symmetry, separability of the 2-D transform, the packed real block transform.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams, seedTitle, PROPERTY } from '../../test-support/fc.ts';
import { type ComplexArray, createDftEngine, dft, dft2d, dft2dBlock, dftBlock, directDft, directDft2d, directDft2dBlock, idft, idft2d } from './dft.ts';
import { arbComplexSignal, arbSignal } from '../../test-support/analysis-arbitraries.ts';
import { expectAnalysisError, expectClose, peak } from '../../test-support/analysis-assert.ts';

/** Tolerance for a transform of n values of magnitude ≤ m: rounding grows like n·ε·m (Bluestein: log n more). */
const tol = (n: number, m: number): number => 1e-12 * (1 + n) * (1 + m);

function sumAbs(x: { re: ArrayLike<number>; im: ArrayLike<number> }): number {
  let s = 0;
  for (let i = 0; i < x.re.length; i++) s += Math.hypot(x.re[i], x.im[i]);
  return s;
}

function expectComplexClose(a: ComplexArray, b: ComplexArray, tolerance: number, what: string): void {
  expectClose(a.re, b.re, tolerance, `${what} (re)`);
  expectClose(a.im, b.im, tolerance, `${what} (im)`);
}

describe(seedTitle('dft: properties'), PROPERTY, () => {
  it('equals the direct DFT for lengths 1..200 (complex input)', () => {
    fc.assert(
      fc.property(arbComplexSignal(1, 200), (x) => {
        expectComplexClose(dft(x), directDft(x), tol(x.re.length, sumAbs(x)), 'dft vs direct');
      }),
      fcParams(60),
    );
  });

  it('equals the direct DFT for real input, forward and inverse', () => {
    fc.assert(
      fc.property(arbSignal(1, 200), (x) => {
        const scale = tol(
          x.length,
          x.reduce((s, v) => s + Math.abs(v), 0),
        );
        expectComplexClose(dft(x), directDft(x), scale, 'real forward');
        expectComplexClose(idft(x), directDft(x, 'inverse'), scale, 'real inverse');
      }),
      fcParams(40),
    );
  });

  it('inverse(forward(x)) = x', () => {
    fc.assert(
      fc.property(arbComplexSignal(1, 200), (x) => {
        const back = idft(dft(x));
        expectComplexClose(back, x, tol(x.re.length, Math.max(peak(x.re), peak(x.im))), 'round trip');
      }),
      fcParams(60),
    );
  });

  it('Parseval: Σ|x|² = Σ|X|² / n', () => {
    fc.assert(
      fc.property(arbComplexSignal(1, 200), (x) => {
        const X = dft(x);
        const n = x.re.length;
        let ex = 0;
        let eX = 0;
        for (let i = 0; i < n; i++) {
          ex += x.re[i] ** 2 + x.im[i] ** 2;
          eX += X.re[i] ** 2 + X.im[i] ** 2;
        }
        expect(Math.abs(ex - eX / n)).toBeLessThanOrEqual(1e-11 * (1 + ex));
      }),
      fcParams(60),
    );
  });

  it('is linear: dft(αx + βy) = α·dft(x) + β·dft(y)', () => {
    const pair = fc
      .integer({ min: 1, max: 150 })
      .chain((n) => fc.tuple(arbSignal(n, n), arbSignal(n, n), fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true })));
    fc.assert(
      fc.property(pair, ([x, y, alpha, beta]) => {
        const combined = x.map((v, i) => alpha * v + beta * y[i]);
        const X = dft(x);
        const Y = dft(y);
        const expected = { re: X.re.map((v, i) => alpha * v + beta * Y.re[i]), im: X.im.map((v, i) => alpha * v + beta * Y.im[i]) };
        expectComplexClose(dft(combined), expected, tol(x.length, 6 * 100 * x.length), 'linearity');
      }),
      fcParams(40),
    );
  });

  it('shift theorem: x[j − s] ↦ X[k]·e^{−2πi·ks/n}', () => {
    const shifted = arbComplexSignal(1, 150).chain((x) => fc.tuple(fc.constant(x), fc.integer({ min: 0, max: x.re.length - 1 })));
    fc.assert(
      fc.property(shifted, ([x, s]) => {
        const n = x.re.length;
        const y = { re: new Float64Array(n), im: new Float64Array(n) };
        for (let j = 0; j < n; j++) {
          y.re[j] = x.re[(j - s + n) % n];
          y.im[j] = x.im[(j - s + n) % n];
        }
        const X = dft(x);
        const expected = { re: new Float64Array(n), im: new Float64Array(n) };
        for (let k = 0; k < n; k++) {
          const theta = (-2 * Math.PI * ((k * s) % n)) / n;
          expected.re[k] = X.re[k] * Math.cos(theta) - X.im[k] * Math.sin(theta);
          expected.im[k] = X.re[k] * Math.sin(theta) + X.im[k] * Math.cos(theta);
        }
        expectComplexClose(dft(y), expected, tol(n, sumAbs(x)), 'shift');
      }),
      fcParams(40),
    );
  });

  it('real input has a Hermitian spectrum: X[n − k] = conj X[k]', () => {
    fc.assert(
      fc.property(arbSignal(1, 200), (x) => {
        const X = dft(x);
        const n = x.length;
        const t = tol(
          n,
          x.reduce((s, v) => s + Math.abs(v), 0),
        );
        for (let k = 0; k < n; k++) {
          expect(Math.abs(X.re[(n - k) % n] - X.re[k])).toBeLessThanOrEqual(t);
          expect(Math.abs(X.im[(n - k) % n] + X.im[k])).toBeLessThanOrEqual(t);
        }
      }),
      fcParams(40),
    );
  });

  it('2-D DFT = 1-D DFT of every row, then of every column; and equals the 2-D definition', () => {
    const grid = fc
      .record({ rows: fc.integer({ min: 1, max: 12 }), cols: fc.integer({ min: 1, max: 12 }) })
      .chain(({ rows, cols }) => fc.record({ rows: fc.constant(rows), cols: fc.constant(cols), x: arbComplexSignal(rows * cols, rows * cols) }));
    fc.assert(
      fc.property(grid, ({ rows, cols, x }) => {
        const re = Float64Array.from(x.re);
        const im = Float64Array.from(x.im);
        for (let r = 0; r < rows; r++) {
          const line = dft({ re: re.slice(r * cols, (r + 1) * cols), im: im.slice(r * cols, (r + 1) * cols) });
          re.set(line.re, r * cols);
          im.set(line.im, r * cols);
        }
        for (let c = 0; c < cols; c++) {
          const line = dft({ re: Array.from({ length: rows }, (_, r) => re[r * cols + c]), im: Array.from({ length: rows }, (_, r) => im[r * cols + c]) });
          for (let r = 0; r < rows; r++) {
            re[r * cols + c] = line.re[r];
            im[r * cols + c] = line.im[r];
          }
        }
        const X = dft2d(x, rows, cols);
        const t = tol(rows * cols, sumAbs(x));
        expectComplexClose(X, { re, im }, t, 'rows then columns');
        expectComplexClose(X, directDft2d(x, rows, cols), t, '2-D definition');
        expectComplexClose(idft2d(X, rows, cols), x, t, '2-D round trip');
      }),
      fcParams(40),
    );
  });

  it('the packed real block transforms equal per-unit transforms', () => {
    const block = fc
      .record({ P: fc.integer({ min: 2, max: 11 }), units: fc.integer({ min: 1, max: 5 }) })
      .chain(({ P, units }) => fc.record({ P: fc.constant(P), units: fc.constant(units), values: arbSignal(P * P * units, P * P * units) }));
    fc.assert(
      fc.property(block, ({ P, units, values }) => {
        const spectrum = dft2dBlock(values, P, units);
        const direct = directDft2dBlock(values, P, units);
        const t = tol(P * P, 100 * P * P);
        expectComplexClose(spectrum, direct, t, 'block vs direct block');
        for (let u = 0; u < units; u++) {
          const unit = Float64Array.from({ length: P * P }, (_, i) => values[i * units + u]);
          const X = dft2d(unit, P);
          expectClose(
            Float64Array.from({ length: P * P }, (_, i) => spectrum.re[i * units + u]),
            X.re,
            t,
            `unit ${u} re`,
          );
          expectClose(
            Float64Array.from({ length: P * P }, (_, i) => spectrum.im[i * units + u]),
            X.im,
            t,
            `unit ${u} im`,
          );
        }
        const rows = values.slice(0, P * units);
        const spectrum1d = dftBlock(rows, P, units);
        for (let u = 0; u < units; u++) {
          const X = dft(Float64Array.from({ length: P }, (_, i) => rows[i * units + u]));
          expectClose(
            Float64Array.from({ length: P }, (_, i) => spectrum1d.re[i * units + u]),
            X.re,
            t,
            `1-D unit ${u}`,
          );
        }
      }),
      fcParams(30),
    );
  });
});

describe('dft: examples and engine', () => {
  it('transforms a delta to ones and a constant to n·δ', () => {
    const n = 47;
    const delta = new Float64Array(n);
    delta[0] = 1;
    expectClose(dft(delta).re, new Float64Array(n).fill(1), 1e-13);
    const X = dft(new Float64Array(n).fill(2));
    expect(X.re[0]).toBeCloseTo(2 * n, 10);
    expect(peak(X.re.slice(1))).toBeLessThan(1e-12);
  });

  it('gives cos(2πkx/n) its two spectral lines n/2 at ±k', () => {
    const n = 23;
    const x = Float64Array.from({ length: n }, (_, j) => Math.cos((2 * Math.PI * 3 * j) / n));
    const X = dft(x);
    expect(X.re[3]).toBeCloseTo(n / 2, 12);
    expect(X.re[n - 3]).toBeCloseTo(n / 2, 12);
  });

  it('chooses the plan by length and caches per engine without changing results', () => {
    const engine = createDftEngine();
    expect(engine.planKind(1)).toBe('identity');
    expect(engine.planKind(64)).toBe('radix-2');
    expect(engine.planKind(47)).toBe('bluestein');
    const x = Float64Array.from({ length: 47 }, (_, j) => Math.sin(j * j));
    const a = dft(x, engine);
    const b = dft(x, engine);
    const c = dft(x);
    expect(Array.from(a.re)).toEqual(Array.from(b.re));
    expect(Array.from(a.re)).toEqual(Array.from(c.re));
  });

  it('does not modify its input', () => {
    const x = Float64Array.from([1, 2, 3, 4, 5]);
    dft(x);
    dft2dBlock(
      Float64Array.from({ length: 9 }, (_, i) => i),
      3,
      1,
    );
    expect(Array.from(x)).toEqual([1, 2, 3, 4, 5]);
  });

  it('rejects bad input with typed errors', () => {
    expectAnalysisError(() => dft([]), 'empty');
    expectAnalysisError(() => dft([1, NaN]), 'non-finite');
    expectAnalysisError(() => dft({ re: [1, 2], im: [1] }), 'length-mismatch');
    expectAnalysisError(() => dft2d([1, 2, 3], 2), 'length-mismatch');
    expectAnalysisError(() => dft2dBlock(new Float64Array(8), 2, 0), 'out-of-range');
    expectAnalysisError(() => dft2dBlock(new Float64Array(8), 1.5, 2), 'not-an-integer');
    expectAnalysisError(() => dft2dBlock(new Float64Array(2), 1, 2), 'out-of-range');
    expectAnalysisError(() => dft([1, 2], {} as never), 'bad-option');
    const message = expectAnalysisError(() => dft2dBlock(new Float64Array(10), 3, 2), 'length-mismatch').message;
    expect(message).toContain('[P*P, units] = [9, 2]');
  });
});
