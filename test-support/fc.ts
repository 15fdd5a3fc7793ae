// Shared fast-check settings for property and fuzz tests. The seed comes from FC_SEED (fixed in CI by
// vitest.config.ts) or is drawn once per process; every describe title prints it, so any failure replays
// with `FC_SEED=<seed> npx vitest run <file>`.

const envSeed = process.env.FC_SEED;
const drawnSeed = (Date.now() ^ (process.pid << 8)) >>> 0;

/** The seed used by every property test in this process. */
export const FC_SEED: number = envSeed && envSeed.trim() !== '' ? Number.parseInt(envSeed, 10) >>> 0 : drawnSeed;

/** Number of runs for quick property tests; FC_RUNS overrides (the long fuzz budget uses it). */
export function fcRuns(base: number): number {
  const env = process.env.FC_RUNS;
  return env && env.trim() !== '' ? Math.max(1, Number.parseInt(env, 10)) : base;
}

/** Parameters for fc.assert: the shared seed and a run count. */
export function fcParams(numRuns: number): { seed: number; numRuns: number; verbose: number } {
  return { seed: FC_SEED, numRuns: fcRuns(numRuns), verbose: 1 };
}

/** A describe-title suffix that names the seed. */
export function seedTitle(title: string): string {
  return `${title} (fast-check seed ${FC_SEED})`;
}
