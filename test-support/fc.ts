// Shared fast-check settings for property and fuzz tests. The seed comes from FC_SEED (fixed in CI by
// vitest.config.ts) or is drawn once per process; every describe title prints it, so any failure replays
// with `FC_SEED=<seed> npx vitest run <file>`. Both variables are read through src/config/environment.ts.

import { environment } from '../src/config/environment.ts';

let seed: number | undefined;

/** The seed used by every property test in this process (FC_SEED, else drawn on first use). */
export function fcSeed(): number {
  seed ??= environment().fcSeed ?? (Date.now() ^ (process.pid << 8)) >>> 0;
  return seed;
}

/** Number of runs for quick property tests; FC_RUNS overrides (the long fuzz budget uses it). */
export function fcRuns(base: number): number {
  return environment().fcRuns ?? base;
}

/** Parameters for fc.assert: the shared seed and a run count. */
export function fcParams(numRuns: number): { seed: number; numRuns: number; verbose: number } {
  return { seed: fcSeed(), numRuns: fcRuns(numRuns), verbose: 1 };
}

/** Options of a describe block of property tests: the `property` tag (vitest.config.ts). */
export const PROPERTY = { tags: ['property'] };

/** A describe-title suffix that names the seed. */
export function seedTitle(title: string): string {
  return `${title} (fast-check seed ${fcSeed()})`;
}
