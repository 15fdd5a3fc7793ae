// Test runner configuration: two projects and the tags of the slow categories (docs/TESTING.md lists every
// category and the command line that selects it).
//   unit   — src/**/*.test.ts and test-support: pure functions, engine kernels, data readers, the CLI, property
//            and fuzz tests. `npx vitest run --project unit`.
//   claims — claims/**/*.spec.ts: the paper's claims, judged on committed fixture checkpoints (slow); its global
//            setup writes the report. `npx vitest run --project claims` (`npm run test:claims`).
// Tags (a test file's `// @module-tag NAME`, or `{ tags: [...] }` on a describe) select a category across
// both projects: `npx vitest run --tags-filter=property`, `--tags-filter='!webgpu && !claims'`; an unknown tag
// is an error. `npm test` runs both projects after the type check; `npx vitest run claims` still selects the
// files whose path contains "claims" (the specs and src/claims).
import { defineConfig } from 'vitest/config';
import { CI_FC_SEED, environment } from './src/config/environment.ts';

const settings = environment();

export default defineConfig({
  test: {
    pool: 'forks',
    // Two cores: one worker per core, so CPU-heavy specs do not thrash (both projects share the workers).
    maxWorkers: 2,
    // The property tests' seed (test-support/fc.ts): FC_SEED, else fixed in CI, else drawn per worker.
    env: { FC_SEED: settings.fcSeed !== null ? String(settings.fcSeed) : settings.ci ? String(CI_FC_SEED) : '' },
    tags: [
      { name: 'engine-every-backend', description: 'one engine spec body run on every tfjs backend present (test-support/backends.ts)' },
      { name: 'webgpu', description: "on Dawn's WebGPU: skipped with the reason when Dawn finds no adapter (.ci/webgpu-setup.sh installs lavapipe)" },
      { name: 'property', description: 'fast-check properties; the seed (FC_SEED) is in the describe title' },
      { name: 'fuzz', description: 'arbitrary bad input to the analysis library gets a typed AnalysisError' },
      { name: 'reliability', description: 'corrupt fixtures and checkpoints, run-folder safety, bad command lines: typed errors, nothing written or judged' },
      { name: 'claims', description: "the paper's claims on the committed fixture checkpoints (slow)" },
    ],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test-support/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'claims',
          include: ['claims/**/*.spec.ts'],
          globalSetup: ['claims/global-setup.ts'],
          // Each spec's evaluation runs in its beforeAll, in a child process, limited by GROKDIFF_CLAIM_TIMEOUT_S
          // (default 2400 s: a hang guard, not a speed test); the hook gets a minute more. Its tests only read the record.
          testTimeout: 120_000,
          hookTimeout: settings.claimTimeoutS * 1000 + 60_000,
        },
      },
    ],
  },
});
