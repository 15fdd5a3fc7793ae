// The import graph's rules, checked by dependency-cruiser (`npm run check:imports`, part of `npm test`).
//
// The layers of src/, bottom to top. A module may import from its own layer and from layers below it, never
// from a layer above (the arrows point down, as data flows through the paper's pipeline):
//
//   errors     src/errors.ts: the typed error classes
//   io         atomic files, JSON / JSON Lines, safetensors, half precision, IDX, npy/npz: generic formats
//   config     environment variables and settings
//   paper      the registry of the paper's numbers
//   engine     tfjs backends, kernels, AdamW, seeded random streams
//   analysis   pure float64 math (DFT, FVE, key frequencies, ...)   } siblings: neither imports the other
//   data       EMNIST / K49 symbols, pairs, the evaluation set      }
//   model      the DiT, its parameters, taps
//   flow       rectified flow and the sampler
//   train      run configs and presets, the trainer, a run's files (checkpoints, metrics, provenance)
//   eval       accuracy, classifiers, loaded runs, grid activations, the critical-timestep sweeps
//   claims     the claim contract, the model provider, one module per claim
//   report     badges, plots, the markdown report
//   cli        one file per command; nothing imports it
//
// Tests (*.test.ts) may exercise a module with real collaborators from any layer, so the layer rules apply
// to the code that ships; the rules on cycles, on tfjs and on test helpers apply to tests too. Production
// code never imports a test helper (test-support/), except the fuzz properties (src/analysis/fuzz/), which
// run outside vitest (`npm run fuzz`) on the shared fast-check generators.
//
// A file that must break a rule for a while is named in EXCEPTIONS below with its reason; remove the entry when
// the file is fixed (the check then holds it to the rule).

/** Layers bottom to top; modules of one entry are siblings (neither may import the other). */
const LAYERS = [
  { name: 'errors', path: '^src/errors(\\.test)?\\.ts$' },
  { name: 'io', path: '^src/io/' },
  { name: 'config', path: '^src/config/' },
  { name: 'paper', path: '^src/paper/' },
  { name: 'engine', path: '^src/engine/' },
  [
    { name: 'analysis', path: '^src/analysis/' },
    { name: 'data', path: '^src/data/' },
    { name: 'plot', path: '^src/plot/' },
  ],
  { name: 'model', path: '^src/model/' },
  { name: 'flow', path: '^src/flow/' },
  { name: 'train', path: '^src/train/' },
  { name: 'eval', path: '^src/eval/' },
  { name: 'claims', path: '^src/claims/' },
  { name: 'report', path: '^src/report/' },
  { name: 'cli', path: '^src/cli/' },
];

/** Files exempt from one rule, with the reason (none today: an entry names a rule and the files it skips). */
const EXCEPTIONS = {};

const TEST_FILE = '\\.test\\.ts$';
const TFJS = '(^|/)node_modules/@tensorflow/';

/** One rule per layer: nothing in it imports a layer above it (or a sibling). */
function layerRules() {
  const levels = LAYERS.map((level) => (Array.isArray(level) ? level : [level]));
  const rules = [];
  levels.forEach((level, i) => {
    const above = levels.slice(i + 1).flat();
    for (const layer of level) {
      const forbidden = [...above, ...level.filter((other) => other !== layer)];
      if (forbidden.length === 0) continue;
      rules.push({
        name: `layer-${layer.name}`,
        comment: `${layer.name} imports only from the layers below it (${
          levels
            .slice(0, i)
            .flat()
            .map((l) => l.name)
            .join(', ') || 'none'
        }); not from ${forbidden.map((l) => l.name).join(', ')}`,
        severity: 'error',
        from: { path: layer.path, pathNot: [TEST_FILE, ...(EXCEPTIONS[`layer-${layer.name}`] ?? [])] },
        to: { path: forbidden.map((l) => l.path) },
      });
    }
  });
  return rules;
}

module.exports = {
  forbidden: [
    ...layerRules(),
    {
      name: 'every-module-in-a-layer',
      comment: 'Every module of src/ sits in one of the LAYERS above: a new folder is given its place in the order first.',
      severity: 'error',
      from: { path: '^src/', pathNot: LAYERS.flat().map((l) => l.path) },
      to: {},
    },
    {
      name: 'no-circular',
      comment: 'No import cycles, between files or through a chain of them: each module has one place in the order.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'tfjs-only-in-engine-model-flow-train-eval',
      comment: 'tfjs (@tensorflow/*) is imported only by engine, model, flow, train and eval (and by tests, benchmarks and test helpers of those).',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/(engine|model|flow|train|eval)/', ...(EXCEPTIONS['tfjs-only-in-engine-model-flow-train-eval'] ?? [])] },
      to: { path: TFJS },
    },
    {
      name: 'analysis-never-reaches-tfjs',
      comment: 'The analysis library is pure float64 math: nothing it imports, directly or through other modules, loads tfjs.',
      severity: 'error',
      from: { path: '^src/analysis/' },
      to: { path: TFJS, reachable: true },
    },
    {
      name: 'no-test-helpers-in-production',
      comment:
        'Code that ships never imports a test file or a test helper (test-support/); the fuzz properties are the one user of the shared generators outside vitest.',
      severity: 'error',
      from: { path: '^src/', pathNot: [TEST_FILE, '^src/analysis/fuzz/'] },
      to: { path: ['^test-support/', TEST_FILE] },
    },
    {
      name: 'report-never-names-a-claim',
      comment: "The report iterates the claims' typed sections (claims/contract.ts); it never imports a claim by its name (claims/defs/).",
      severity: 'error',
      from: { path: '^src/report/' },
      to: { path: '^src/claims/defs/' },
    },
    {
      name: 'nothing-imports-cli',
      comment: 'The CLI is the top: only the CLI itself, its tests and bin/ import it.',
      severity: 'error',
      from: { pathNot: ['^src/cli/', '^bin/'] },
      to: { path: '^src/cli/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves to a file or an installed package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Follow the sources only; packages are leaves.
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too (`import type` from a layer above is still an upward arrow).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // The sources import with explicit .ts extensions (allowImportingTsExtensions).
    enhancedResolveOptions: {
      extensions: ['.ts', '.mts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
