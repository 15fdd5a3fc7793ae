// Statistics helpers for judging the paper's claims across seeds and test sets: Wilson intervals for
// accuracies (grokking, rectification accuracy of Sec. 4.2, separability of Figure 5), a seeded bootstrap
// interval for a mean across seeds (e.g. FVE of Table 3), one-sided exact binomial and one-sample t tests,
// and a mean/sd summary. Built on simple-statistics (mean, sd, quantiles, gammaln).
//
// Choices: the bootstrap is the percentile bootstrap of the mean; the binomial tail uses the identity
// P(X ≥ s) = I_p(s, n − s + 1) (regularised incomplete beta, continued fraction with gammaln); the t test's
// p-value uses the Student t tail I_{ν/(ν+t²)}(ν/2, 1/2)/2. A sample with zero spread (all values equal
// within 1e-12 relative) has no t statistic: t is null and the p-value is the limit (0 when the mean lies on
// the alternative's side of mu0, else 1).

import { gammaln, max, mean, median, min, quantileSorted, sampleStandardDeviation } from 'simple-statistics';
import { rootRng } from '../engine/random.ts';
import {
  MAX_COUNT,
  fail,
  maxAbs,
  requireChoice,
  requireFiniteArray,
  requireInteger,
  requireNumber,
  requireOpenInterval,
  requireOptions,
  requireSeed,
  requireUniformSource,
} from './validate.ts';

export interface Interval {
  /** Point estimate. */
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
}

/** Wilson score interval for a proportion successes/trials (z = 1.96: 95 %). */
export function wilsonInterval(successes: number, trials: number, z = 1.96): Interval {
  const fn = 'wilsonInterval';
  const n = requireInteger(trials, `${fn}: trials`, 1, Number.MAX_SAFE_INTEGER);
  const s = requireInteger(successes, `${fn}: successes`, 0, n);
  const zz = requireNumber(z, `${fn}: z`, { min: 1e-6, max: 10 });
  const p = s / n;
  const z2 = zz * zz;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (zz / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { estimate: p, lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

export interface BootstrapOptions {
  /** Seed for the resampling stream (engine/random.ts). Give this or `uniform`. */
  readonly seed?: number;
  /** A uniform source in [0, 1) (used instead of `seed`). */
  readonly uniform?: () => number;
  /** Number of resamples (default 2000). */
  readonly resamples?: number;
  /** Interval level (default 0.95). */
  readonly level?: number;
}

/** Percentile-bootstrap interval for the mean of `values` (e.g. one value per seed). */
export function bootstrapMeanInterval(values: ArrayLike<number>, options: BootstrapOptions): Interval & { readonly level: number; readonly resamples: number } {
  const fn = 'bootstrapMeanInterval';
  const x = requireFiniteArray(values, `${fn}: values`, { shape: '[n], n ≥ 1' });
  const opts = requireOptions<BootstrapOptions>(options, `${fn}: options`);
  const resamples = requireInteger(opts.resamples ?? 2000, `${fn}: options.resamples`, 1, 1_000_000);
  const level = requireOpenInterval(opts.level ?? 0.95, `${fn}: options.level`, 0, 1);
  if (x.length * resamples > 1e8) fail('out-of-range', `${fn}: ${resamples} resamples of ${x.length} values is more work than supported (n·resamples ≤ 1e8)`);
  if ((opts.seed === undefined) === (opts.uniform === undefined)) {
    fail('bad-option', `${fn}: options must give exactly one of seed (an integer) or uniform (a () => number source)`);
  }
  const uniform =
    opts.uniform !== undefined ? requireUniformSource(opts.uniform, `${fn}: options.uniform`) : seededUniform(requireSeed(opts.seed, `${fn}: options.seed`));
  const n = x.length;
  const scale = maxAbs(x) || 1;
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[Math.floor(uniform() * n)] / scale;
    means[r] = (s / n) * scale;
  }
  const sorted = Array.from(means).sort((a, b) => a - b);
  const alpha = (1 - level) / 2;
  return {
    estimate: mean(Array.from(x)),
    lower: quantileSorted(sorted, alpha),
    upper: quantileSorted(sorted, 1 - alpha),
    level,
    resamples,
  };
}

function seededUniform(seed: number): () => number {
  const rng = rootRng(seed).fork('bootstrap');
  return () => rng.uniform();
}

/** Regularised incomplete beta I_x(a, b) by the continued fraction (modified Lentz). */
function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  if (x > (a + 1) / (a + b + 2)) return 1 - regularizedBeta(1 - x, b, a);
  const logFront = gammaln(a + b) - gammaln(a) - gammaln(b) + a * Math.log(x) + b * Math.log1p(-x);
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.min(1, Math.max(0, (Math.exp(logFront) * h) / a));
}

export type Alternative = 'greater' | 'less';

/**
 * Exact one-sided binomial test of H0: success probability p0. 'greater': P(X ≥ successes);
 * 'less': P(X ≤ successes), X ~ Binomial(trials, p0).
 */
export function binomialTest(
  successes: number,
  trials: number,
  p0: number,
  alternative: Alternative = 'greater',
): { readonly pValue: number; readonly estimate: number } {
  const fn = 'binomialTest';
  const n = requireInteger(trials, `${fn}: trials`, 1, Number.MAX_SAFE_INTEGER);
  const s = requireInteger(successes, `${fn}: successes`, 0, n);
  const p = requireNumber(p0, `${fn}: p0`, { min: 0, max: 1 });
  const alt = requireChoice(alternative, `${fn}: alternative`, ['greater', 'less'] as const, 'greater');
  const upper = (k: number): number => (k <= 0 ? 1 : k > n ? 0 : regularizedBeta(p, k, n - k + 1)); // P(X ≥ k)
  const pValue = alt === 'greater' ? upper(s) : 1 - upper(s + 1);
  return { pValue: Math.min(1, Math.max(0, pValue)), estimate: s / n };
}

export interface TTestResult {
  readonly mean: number;
  readonly sd: number;
  readonly n: number;
  readonly df: number;
  /** (mean − mu0)/(sd/√n); null when the sample has no spread. */
  readonly t: number | null;
  readonly pValue: number;
}

/** One-sample one-sided t test of H0: mean = mu0 against mean > mu0 ('greater') or < mu0 ('less'). */
export function oneSampleTTest(values: ArrayLike<number>, mu0: number, alternative: Alternative = 'greater'): TTestResult {
  const fn = 'oneSampleTTest';
  const x = Array.from(requireFiniteArray(values, `${fn}: values`, { minLength: 2, shape: '[n], n ≥ 2' }));
  const mu = requireNumber(mu0, `${fn}: mu0`, { min: -1e100, max: 1e100 });
  const alt = requireChoice(alternative, `${fn}: alternative`, ['greater', 'less'] as const, 'greater');
  const n = x.length;
  const m = mean(x);
  const sd = sampleStandardDeviation(x);
  const df = n - 1;
  const spread = maxAbs(x);
  const sideSign = alt === 'greater' ? 1 : -1;
  if (!(sd > 1e-12 * spread)) {
    const diff = m - mu;
    const onSide = Math.abs(diff) > 1e-12 * Math.max(Math.abs(m), Math.abs(mu)) && sideSign * diff > 0;
    return { mean: m, sd: 0, n, df, t: null, pValue: onSide ? 0 : 1 };
  }
  const t = (m - mu) / (sd / Math.sqrt(n));
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5); // P(T > |t|)
  const upperTail = t >= 0 ? tail : 1 - tail; // P(T > t)
  const pValue = alt === 'greater' ? upperTail : 1 - upperTail;
  return { mean: m, sd, n, df, t, pValue: Math.min(1, Math.max(0, pValue)) };
}

export interface Summary {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (n − 1); 0 when n = 1. */
  readonly sd: number;
  readonly min: number;
  readonly max: number;
  readonly median: number;
}

/** Mean, sample sd, min, max and median of a non-empty sample. */
export function summarise(values: ArrayLike<number>): Summary {
  const x = Array.from(requireFiniteArray(values, 'summarise: values', { shape: '[n], n ≥ 1', maxLength: MAX_COUNT }));
  return {
    n: x.length,
    mean: mean(x),
    sd: x.length > 1 ? sampleStandardDeviation(x) : 0,
    min: min(x),
    max: max(x),
    median: median(x),
  };
}
