// Test runner configuration. Categories (see docs/TESTING.md):
//   unit   — src/**/*.test.ts: pure functions, engine kernels, data readers, property and fuzz tests (fast).
//   claims — claims/**/*.spec.ts: the paper's claims, judged on committed fixture checkpoints (slow).
// `vitest run claims` runs only the claims; `npm test` runs everything after the type check.
import { defineConfig } from 'vitest/config';
import { CI_FC_SEED, environment } from './src/config/environment.ts';

const settings = environment();

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'claims/**/*.spec.ts', 'test-support/**/*.test.ts'],
    globalSetup: ['claims/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    pool: 'forks',
    // Two cores: keep one worker per core so CPU-heavy specs do not thrash.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    // The property tests' seed (test-support/fc.ts): FC_SEED, else fixed in CI, else drawn per worker.
    env: { FC_SEED: settings.fcSeed !== null ? String(settings.fcSeed) : settings.ci ? String(CI_FC_SEED) : '' },
  },
});
