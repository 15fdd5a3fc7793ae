import { describe, expect, it } from 'vitest';
import { Rng, rootRng } from './random.ts';
import { ConfigError } from '../errors.ts';

describe('Rng', () => {
  it('same seed and path gives the same stream', () => {
    const a = rootRng(7).fork('init');
    const b = rootRng(7).fork('init');
    expect(Array.from(a.normalArray(16))).toEqual(Array.from(b.normalArray(16)));
  });
  it('different forks are independent of draws in the parent', () => {
    const root = rootRng(7);
    const before = root.fork('noise').uniform();
    root.uniformArray(100);
    expect(root.fork('noise').uniform()).toBe(before);
    expect(rootRng(7).fork('split').uniform()).not.toBe(before);
  });
  it('uniform is in [0,1) with mean near 1/2 and normal has unit variance', () => {
    const r = rootRng(1);
    const u = r.uniformArray(20000);
    const n = r.normalArray(20000);
    const mean = (xs: Float32Array) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(Math.abs(mean(u) - 0.5)).toBeLessThan(0.01);
    const m = mean(n);
    const v = n.reduce((s, x) => s + (x - m) ** 2, 0) / n.length;
    expect(Math.abs(m)).toBeLessThan(0.03);
    expect(Math.abs(v - 1)).toBeLessThan(0.04);
  });
  it('shuffle is a permutation and state round-trips', () => {
    const r = rootRng(3);
    const s = r.shuffle([...Array(50).keys()]);
    expect([...s].sort((x, y) => x - y)).toEqual([...Array(50).keys()]);
    const st = r.getState();
    const x = r.uniform();
    r.setState(st);
    expect(r.uniform()).toBe(x);
  });
  it('rejects a bad seed with a ConfigError', () => {
    expect(() => new Rng(-1)).toThrow(ConfigError);
    expect(() => new Rng(1.5)).toThrow(/seed must be an integer/);
  });
});
