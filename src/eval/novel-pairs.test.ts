// Per-pair novel held-out results (novel-pairs.ts): predictions read pair-major, the wrap-around split, and
// the one-line description `grokdiff eval` prints.
import { describe, expect, it } from 'vitest';
import type { Pair } from '../data/pairs.ts';
import { describeFailures, describeNovelPair, failureKind, novelPairBreakdown } from './novel-pairs.ts';

const P = 23;
const pair = (a: number, b: number): Pair => ({ a, b, c: (a + b) % P });

describe('novelPairBreakdown', () => {
  const pairs = [pair(1, 2), pair(7, 8), pair(9, 17), pair(13, 13)];
  // 2 draws per pair, pair-major: (1, 2) is not novel; (7, 8) right twice; (9, 17) and (13, 13) drew 1 for 3.
  const predictions = [3, 3, 15, 15, 1, 1, 3, 1];
  const b = novelPairBreakdown(pairs, [1, 2, 3], predictions, 2, P);
  it('counts each novel pair’s draws, and splits pairs whose sum wraps the modulus from those whose sum does not', () => {
    expect(b.pairs.map((r) => [r.a, r.b, r.wraps, r.correct])).toEqual([
      [7, 8, false, 2],
      [9, 17, true, 0],
      [13, 13, true, 1],
    ]);
    expect(b.all).toMatchObject({ correct: 3, total: 6 });
    expect(b.notWrapping).toMatchObject({ correct: 2, total: 2, pairs: 1 });
    expect(b.wrapping).toMatchObject({ correct: 1, total: 4, pairs: 2 });
  });
  it('describes a pair by what it drew', () => {
    expect(describeNovelPair(b.pairs[1])).toBe('(9, 17) → 3 (wraps): 0/2, drew 1×2');
    expect(describeNovelPair(b.pairs[2])).toBe('(13, 13) → 3 (wraps): 1/2, drew 1×1 3×1');
  });
  it('predictions that do not match pairs × draws are a RangeError naming the counts', () => {
    expect(() => novelPairBreakdown(pairs, [1], [1, 2, 3], 2, P)).toThrow(/3 predictions for 4 pairs × 2 draws/);
  });
});

describe('failureKind', () => {
  it('sorts a wrong draw into c ± 1 (cyclically), P − 1, a, b, or other, in that order', () => {
    expect(failureKind(pair(9, 17), 4, P)).toBe('c±1'); // c = 3
    expect(failureKind(pair(9, 17), 2, P)).toBe('c±1');
    expect(failureKind(pair(20, 3), 1, P)).toBe('c±1'); // c = 0: c − 1 wraps to 22, c + 1 = 1
    expect(failureKind(pair(20, 3), 22, P)).toBe('c±1');
    expect(failureKind(pair(9, 17), 22, P)).toBe('P−1');
    expect(failureKind(pair(9, 17), 9, P)).toBe('a');
    expect(failureKind(pair(9, 17), 17, P)).toBe('b');
    expect(failureKind(pair(9, 17), 11, P)).toBe('other');
  });
  it('tallies the wrong draws of the breakdown by kind and by whether the sum wraps', () => {
    const b = novelPairBreakdown([pair(9, 17), pair(7, 8)], [0, 1], [22, 22, 9, 15, 16, 15], 3, P);
    expect(b.failures.wrapping).toEqual({ 'c±1': 0, 'P−1': 2, a: 1, b: 0, other: 0 });
    expect(b.failures.notWrapping).toEqual({ 'c±1': 1, 'P−1': 0, a: 0, b: 0, other: 0 });
    expect(describeFailures(b.failures.wrapping)).toBe('c±1 0, P−1 2, a 1, b 0, other 0');
  });
});
