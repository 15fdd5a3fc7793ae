// Tests of the (a, b) pairs and their train / held-out split: order, c = (a + b) mod P, sizes round(R·P²),
// disjoint cover, seeded reproducibility, and the errors for P and R.
import { describe, expect, it } from 'vitest';
import { rootRng } from '../engine/random.ts';
import { PAPER } from '../paper/registry.ts';
import { allPairs, pairAt, paperPairSplit, splitPairs, trainPairCount } from './pairs.ts';
import { expectConfigError } from '../../test-support/synthetic-data.ts';

const rng = (seed = 3) => rootRng(seed).fork('pairs');

describe('allPairs', () => {
  it('lists the P² pairs in order a·P + b with c = (a + b) mod P', () => {
    const pairs = allPairs(5);
    expect(pairs).toHaveLength(25);
    pairs.forEach((p, i) => {
      expect(p.a * 5 + p.b).toBe(i);
      expect(p.c).toBe((p.a + p.b) % 5);
    });
    expect(pairs[7]).toEqual({ a: 1, b: 2, c: 3 });
    expect(pairAt(23, 22 * 23 + 22)).toEqual({ a: 22, b: 22, c: 21 });
  });

  it('refuses P < 2 and non-integer P', () => {
    expectConfigError(() => allPairs(1), 'pairs-P', 'P = 1');
    expectConfigError(() => allPairs(4.5), 'pairs-P', 'P = 4.5');
  });
});

describe('splitPairs', () => {
  it('splits P = 23, R = 0.9 into 476 + 53 disjoint pairs covering all 529', () => {
    const s = splitPairs(23, 0.9, rng());
    expect(s.train).toHaveLength(476);
    expect(s.heldout).toHaveLength(53);
    const all = [...s.trainIndices, ...s.heldoutIndices].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 529 }, (_, i) => i));
    expect(Array.from(s.trainIndices)).toEqual([...s.trainIndices].sort((x, y) => x - y));
    s.train.forEach((p, i) => {
      expect(p).toEqual(pairAt(23, s.trainIndices[i]));
    });
    s.heldout.forEach((p, i) => {
      expect(p).toEqual(pairAt(23, s.heldoutIndices[i]));
    });
  });

  it('is reproducible from the seed and changes with it', () => {
    expect(splitPairs(23, 0.9, rng(1)).heldoutIndices).toEqual(splitPairs(23, 0.9, rng(1)).heldoutIndices);
    expect(splitPairs(23, 0.9, rng(1)).heldoutIndices).not.toEqual(splitPairs(23, 0.9, rng(2)).heldoutIndices);
  });

  it('uses round(R·P²) and the registry defaults', () => {
    expect(trainPairCount(23, 0.9)).toBe(Math.round(0.9 * 529));
    expect(splitPairs(5, 0.5, rng()).train).toHaveLength(13); // 12.5 rounds up
    const d = paperPairSplit(rng());
    expect([d.P, d.R]).toEqual([PAPER.modulus.value, PAPER.trainingRatio.value]);
  });

  it('refuses R outside (0, 1) and R that empties a side, naming R', () => {
    for (const R of [0, 1, -0.1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expectConfigError(() => splitPairs(23, R, rng()), 'pairs-R', `R = ${R}`);
    }
    expectConfigError(() => splitPairs(2, 0.1, rng()), 'pairs-R', 'R = 0.1', 'P = 2', 'round(R·P²) = 0');
    expectConfigError(() => splitPairs(2, 0.9, rng()), 'pairs-R', 'round(R·P²) = 4');
  });
});

describe('splitPairs with the unordered split (a pair and its mirror on the same side)', () => {
  for (const [P, R, seed] of [
    [23, 0.9, 1],
    [23, 0.5, 2],
    [7, 0.3, 3],
    [2, 0.5, 4],
  ] as const) {
    it(`P = ${P}, R = ${R}, seed ${seed}: round(R·P²) training pairs, no mirror across the split, a partition`, () => {
      const split = splitPairs(P, R, rootRng(seed).fork('split'), 'unordered');
      expect(split.train.length).toBe(trainPairCount(P, R));
      const train = new Set(Array.from(split.trainIndices));
      for (const p of split.heldout) expect(train.has(p.b * P + p.a), `mirror of (${p.a}, ${p.b}) is trained`).toBe(false);
      expect(split.train.length + split.heldout.length).toBe(P * P);
      expect(new Set([...split.trainIndices, ...split.heldoutIndices]).size).toBe(P * P);
    });
  }

  it('the ordered split is the default and unchanged by the option (the committed fixtures depend on it)', () => {
    const a = splitPairs(23, 0.9, rootRng(5).fork('split'));
    const b = splitPairs(23, 0.9, rootRng(5).fork('split'), 'ordered');
    expect(Array.from(a.trainIndices)).toEqual(Array.from(b.trainIndices));
    // Under the ordered split most held-out pairs have their mirror in training (R = 0.9).
    const train = new Set(Array.from(a.trainIndices));
    const mirrored = a.heldout.filter((p) => p.a !== p.b && train.has(p.b * 23 + p.a)).length;
    expect(mirrored).toBeGreaterThan(a.heldout.length / 2);
  });

  it('an unknown split kind is a ConfigError naming the accepted kinds', () => {
    expectConfigError(() => splitPairs(23, 0.9, rootRng(1), 'diagonal' as never), 'pairs-split', 'ordered, unordered');
  });
});
