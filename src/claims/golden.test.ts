// Tests of the golden comparison (golden.ts, issue #6): integers exactly, other numbers within the claim's
// tolerance (absolute up to 1 in size, relative above), run-specific keys ignored.
import { describe, expect, it } from 'vitest';
import { compareGolden } from './golden.ts';

describe('golden comparison', () => {
  it('integers exactly, floats within tolerance, ignores run-specific keys', () => {
    expect(compareGolden({ a: 1, b: 0.5, dir: '/x' }, { a: 1, b: 0.5004, dir: '/y' }, 1e-3)).toEqual([]);
    expect(compareGolden({ a: 1 }, { a: 2 }, 10)).toEqual([{ path: '$.a', expected: 1, actual: 2 }]);
    expect(compareGolden({ b: 0.5 }, { b: 0.6 }, 1e-3)).toEqual([{ path: '$.b', expected: 0.5, actual: 0.6 }]);
  });
  it('numbers above 1 in size are compared relative to their size', () => {
    expect(compareGolden({ c: 138910.5 }, { c: 138910.5 + 138910.5 * 0.9e-3 }, 1e-3)).toEqual([]);
    expect(compareGolden({ c: -169.83 }, { c: -169.84 }, 1e-3)).toEqual([]);
    expect(compareGolden({ c: 138910.5 }, { c: 138910.5 * 1.002 }, 1e-3)).toHaveLength(1);
    expect(compareGolden({ c: 0.5 }, { c: 0.5015 }, 1e-3)).toHaveLength(1);
  });
  it('reports length changes and missing keys', () => {
    expect(compareGolden([1, 2], [1], 0)).toEqual([{ path: '$.length', expected: 2, actual: 1 }]);
    expect(compareGolden({ k: [1, 3] }, {}, 0)).toEqual([{ path: '$.k', expected: [1, 3], actual: undefined }]);
    expect(compareGolden({ s: 'replicated' }, { s: 'not-replicated' }, 0)).toHaveLength(1);
  });
});
