import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fcParams, seedTitle, PROPERTY } from '../../test-support/fc.ts';
import { fromHalfArray, fromHalfBits, toHalfArray, toHalfBits } from './half-precision.ts';

describe('binary16 conversion', () => {
  it('every one of the 65,536 half patterns widens and narrows back to itself (NaNs stay NaN)', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const v = fromHalfBits(bits);
      if (Number.isNaN(v)) {
        expect(Number.isNaN(fromHalfBits(toHalfBits(v)))).toBe(true);
        continue;
      }
      expect(toHalfBits(v), `pattern ${bits.toString(16)}`).toBe(bits);
    }
  });

  it('known values: 1, -2, 65504 (max), 2^-24 (min subnormal), overflow to ∞, ties to even', () => {
    expect(toHalfBits(1)).toBe(0x3c00);
    expect(toHalfBits(-2)).toBe(0xc000);
    expect(toHalfBits(65504)).toBe(0x7bff);
    expect(toHalfBits(65520)).toBe(0x7c00); // halfway to the next (absent) value rounds to even: ∞
    expect(toHalfBits(2 ** -24)).toBe(0x0001);
    expect(toHalfBits(2 ** -25)).toBe(0x0000); // tie between 0 and the smallest subnormal: even is 0
    expect(toHalfBits(1 + 2 ** -11)).toBe(0x3c00); // tie: 1.0 is even
    expect(toHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie: rounds up to the even mantissa
    expect(toHalfBits(1e6)).toBe(0x7c00);
    expect(toHalfBits(-Infinity)).toBe(0xfc00);
  });

  describe(seedTitle('rounding is to the nearest half value'), PROPERTY, () => {
    it('no half value lies closer to x than the chosen one', () => {
      fc.assert(
        fc.property(fc.float({ min: -60000, max: 60000, noNaN: true }), (x) => {
          const x32 = Math.fround(x);
          const h = toHalfBits(x32);
          const err = Math.abs(fromHalfBits(h) - x32);
          const down = fromHalfBits(h - 1 >= 0 ? h - 1 : h);
          const up = fromHalfBits(h + 1);
          const neighbours = [down, up].filter((v) => Number.isFinite(v) && Math.sign(v) * Math.sign(fromHalfBits(h)) >= 0);
          return neighbours.every((n) => Math.abs(n - x32) >= err);
        }),
        fcParams(2000),
      );
    });
  });

  it('arrays convert element-wise', () => {
    const xs = new Float32Array([0, -0.5, 3.140625, 1e-8]);
    expect(Array.from(fromHalfArray(toHalfArray(xs)))).toEqual([0, -0.5, 3.140625, 0]);
  });
});
