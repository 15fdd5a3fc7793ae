// Every environment variable grokdiff reads, declared once (name, values allowed, default, meaning, who uses
// it), parsed and validated in one place. `readEnvironment(env)` is pure: it returns a frozen, typed settings
// object or throws an EnvironmentError naming the variable, the value and what is allowed. `environment()` is
// the one memoised accessor over process.env; no other module reads process.env (src/config/environment.test.ts
// checks it; native/build.mjs, which runs at install before TypeScript can load, reads CC and
// npm_config_nodedir itself). Command-line flags that stand for a variable (`--k49 DIR`, `replicate --train`)
// are applied with `overrideEnvironment`, never by writing process.env. `grokdiff env` prints the table and the
// current values; the README's table is generated from it (src/config/readme-table.ts).

import { ConfigError } from '../errors.ts';

/** The backend choices of GROKDIFF_BACKEND and --backend (src/engine/backend.ts). */
export const BACKEND_CHOICES = ['auto', 'node-gpu', 'webgpu', 'node', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** The micro-kernels of the native products (native/gemm.c). */
export const NATIVE_ISAS = ['avx512', 'avx2', 'scalar'] as const;
export type NativeIsaChoice = (typeof NATIVE_ISAS)[number];

/** Seed of the property tests in CI (vitest.config.ts), when FC_SEED is not set. */
export const CI_FC_SEED = 20260417;

/** One declared variable: how it is written, what it means and how its text becomes a typed value. */
export interface Variable<T> {
  readonly name: string;
  /** What may be written (for the table and for the error). */
  readonly values: string;
  /** The value when the variable is unset or blank. */
  readonly default: T;
  /** The default as the documentation says it (paths and defaults that depend on the machine). */
  readonly defaultText: string;
  readonly meaning: string;
  /** The commands (or test runs, benchmarks) that read it. */
  readonly usedBy: string;
  /** The typed value of a non-blank text, or undefined when the text is not understood. */
  readonly parse: (text: string) => T | undefined;
}

function variable<T>(v: Variable<T>): Variable<T> {
  return v;
}

/** Thrown for a value that is not understood: names the variable, the value and what is allowed. */
export class EnvironmentError extends ConfigError {
  constructor(
    readonly variable: string,
    readonly value: string,
    readonly allowed: string,
  ) {
    super('env-value', `${variable}=${JSON.stringify(value)} is not understood; use ${allowed}.`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Parsers (each gets the text of a variable that is set and not blank).

const ON = ['1', 'true', 'on'];
const OFF = ['0', 'false', 'off'];

/** 1 / true / on → true; 0 / false / off → false (any case, spaces around ignored). */
function onOff(text: string): boolean | undefined {
  const v = text.trim().toLowerCase();
  if (ON.includes(v)) return true;
  if (OFF.includes(v)) return false;
  return undefined;
}

/** One of `choices` (any case, spaces around ignored); `aliases` maps other spellings onto a choice. */
function oneOf<C extends string>(choices: readonly C[], aliases: Readonly<Record<string, C>> = {}): (text: string) => C | undefined {
  return (text) => {
    const v = text.trim().toLowerCase();
    if ((choices as readonly string[]).includes(v)) return v as C;
    return aliases[v];
  };
}

/** A whole number from `min` to `max`. */
function wholeNumber(min: number, max: number): (text: string) => number | undefined {
  return (text) => {
    const v = text.trim();
    if (!/^[+]?\d+$/.test(v)) return undefined;
    const n = Number(v);
    return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
  };
}

/** A number greater than zero. */
function positiveNumber(text: string): number | undefined {
  const n = Number(text.trim());
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Comma-separated names, none empty. */
function names(text: string): readonly string[] | undefined {
  const parts = text.split(',').map((s) => s.trim());
  return parts.some((p) => p === '') ? undefined : Object.freeze(parts);
}

/** Comma-separated whole numbers from `min` to `max`. */
function wholeNumbers(min: number, max: number): (text: string) => readonly number[] | undefined {
  const one = wholeNumber(min, max);
  return (text) => {
    const parts = text.split(',').map(one);
    return parts.some((p) => p === undefined) ? undefined : Object.freeze(parts as number[]);
  };
}

/** Any text, as written (a folder, a command). */
function asWritten(text: string): string {
  return text;
}

/** Folders separated by ':' (empty entries dropped). */
function searchPath(text: string): readonly string[] {
  return Object.freeze(text.split(':').filter((d) => d !== ''));
}

const ON_OFF = '1 (also true, on) or 0 (also false, off)';
const PARSING = 'commands that compute (train, sample, eval, search, classifier, replicate), tests, benchmarks';

// ---------------------------------------------------------------------------------------------------------------
// The declarations. The key is the field of the settings object; the order is the table's.

export const VARIABLES = {
  backend: variable<BackendChoice>({
    name: 'GROKDIFF_BACKEND',
    values: BACKEND_CHOICES.join(', '),
    default: 'auto',
    defaultText: 'auto',
    meaning: 'the tensor backend when no --backend flag is given; auto picks the fastest that loads (node-gpu, webgpu on a GPU, node, wasm, cpu)',
    usedBy: PARSING,
    parse: oneOf(BACKEND_CHOICES),
  }),
  wasmFastPath: variable<boolean>({
    name: 'GROKDIFF_WASM_FASTPATH',
    values: ON_OFF,
    default: true,
    defaultText: 'on',
    meaning: "0 leaves tfjs's wasm matMul kernels as they are (no fast path for transposed and batched products)",
    usedBy: PARSING,
    parse: onOff,
  }),
  native: variable<boolean>({
    name: 'GROKDIFF_NATIVE',
    values: ON_OFF,
    default: true,
    defaultText: 'on when built',
    meaning: "0 turns grokdiff's native CPU kernels off (plain wasm)",
    usedBy: PARSING,
    parse: onOff,
  }),
  nativeBlas: variable<'builtin' | 'openblas'>({
    name: 'GROKDIFF_NATIVE_BLAS',
    values: 'builtin (also 0, off, false) or openblas (also 1, on, true)',
    default: 'builtin',
    defaultText: 'builtin',
    meaning: "the native kernels' matrix product: grokdiff's own, or the system's libopenblas.so.0 (falling back to built-in when it does not load)",
    usedBy: PARSING,
    parse: oneOf(['builtin', 'openblas'] as const, {
      'built-in': 'builtin',
      '0': 'builtin',
      off: 'builtin',
      false: 'builtin',
      '1': 'openblas',
      on: 'openblas',
      true: 'openblas',
    }),
  }),
  nativeThreads: variable<number | null>({
    name: 'GROKDIFF_NATIVE_THREADS',
    values: 'a whole number of threads from 1 to 64',
    default: null,
    defaultText: 'the cores this process may run on (sched_getaffinity)',
    meaning: 'threads of the large native products (small ones stay on the calling thread); give each of several trainings on the same cores 1',
    usedBy: PARSING,
    parse: wholeNumber(1, 64),
  }),
  nativeIsa: variable<NativeIsaChoice | null>({
    name: 'GROKDIFF_NATIVE_ISA',
    values: NATIVE_ISAS.join(', '),
    default: null,
    defaultText: 'the best the CPU runs',
    meaning: 'forces a micro-kernel of the native product (tests, comparisons); one the CPU lacks falls back to the best it has',
    usedBy: PARSING,
    parse: oneOf(NATIVE_ISAS),
  }),
  ldLibraryPath: variable<readonly string[]>({
    name: 'LD_LIBRARY_PATH',
    values: "folders separated by ':'",
    default: Object.freeze([]),
    defaultText: '(none)',
    meaning: "folders searched for the Vulkan loader (libvulkan.so.1) before the system's, on Linux",
    usedBy: 'the webgpu backend (--backend webgpu, auto)',
    parse: searchPath,
  }),
  k49Dir: variable<string | null>({
    name: 'GROKDIFF_K49_DIR',
    values: 'a folder with the official k49-*.npz files',
    default: null,
    defaultText: '(none: K49 runs are refused, the K49 study is not evaluated)',
    meaning: 'the Kuzushiji-49 data set (the --k49 DIR flag takes precedence)',
    usedBy: 'train, classifier, replicate, claims tests',
    parse: asWritten,
  }),
  classifierDir: variable<string | null>({
    name: 'GROKDIFF_CLASSIFIER_DIR',
    values: 'a folder',
    default: null,
    defaultText: 'fixtures/classifiers',
    meaning: 'where the classifier fixtures that score N > 1 runs are looked for',
    usedBy: 'train, eval, sample, replicate, claims tests',
    parse: asWritten,
  }),
  fixturesDir: variable<string | null>({
    name: 'GROKDIFF_FIXTURES_DIR',
    values: 'a folder of PRESET/seed-N runs',
    default: null,
    defaultText: 'fixtures/checkpoints',
    meaning: 'the fixture runs the claims are judged on (tests, your own checkpoints)',
    usedBy: 'replicate, fixtures, claims tests',
    parse: asWritten,
  }),
  trainMissing: variable<boolean>({
    name: 'GROKDIFF_TRAIN_MISSING',
    values: ON_OFF,
    default: false,
    defaultText: 'off',
    meaning: 'train the models a claim needs when neither a fixture nor a cached run exists (as replicate --train does)',
    usedBy: 'replicate, claims tests',
    parse: onOff,
  }),
  reportsDir: variable<string | null>({
    name: 'GROKDIFF_REPORTS_DIR',
    values: 'a folder',
    default: null,
    defaultText: 'reports',
    meaning: 'where the claims tests write claim records, badges and REPORT.md (grokdiff replicate writes to --out)',
    usedBy: 'claims tests',
    parse: asWritten,
  }),
  grokStatusDir: variable<string | null>({
    name: 'GROKDIFF_GROK_STATUS_DIR',
    values: 'a folder',
    default: null,
    defaultText: '(none: each process measures its own)',
    meaning:
      "where the claim processes of one claims run share the grok statuses they measure (one checkpoint's status is measured once per run, not once per claim); the claims' global setup creates one for the run and removes it after",
    usedBy: 'claims tests',
    parse: asWritten,
  }),
  claimsInProcess: variable<boolean>({
    name: 'GROKDIFF_CLAIMS_IN_PROCESS',
    values: ON_OFF,
    default: false,
    defaultText: 'off',
    meaning: 'evaluate each claim in the test worker instead of a child process (for a debugger)',
    usedBy: 'claims tests',
    parse: onOff,
  }),
  claimTimeoutS: variable<number>({
    name: 'GROKDIFF_CLAIM_TIMEOUT_S',
    values: 'seconds, a number > 0',
    default: 2400,
    defaultText: '2400',
    meaning: "time limit of one claim's evaluation in the claims tests: a hang guard, not a speed test (a busy machine is several times slower)",
    usedBy: 'claims tests',
    parse: positiveNumber,
  }),
  goldenUpdate: variable<boolean>({
    name: 'GROKDIFF_GOLDEN_UPDATE',
    values: ON_OFF,
    default: false,
    defaultText: 'off',
    meaning: 'rewrite golden/*.json from this run instead of comparing with them (npm run golden:update sets it)',
    usedBy: 'claims tests',
    parse: onOff,
  }),
  fcSeed: variable<number | null>({
    name: 'FC_SEED',
    values: 'a whole number from 0 to 4294967295',
    default: null,
    defaultText: `drawn per process; ${CI_FC_SEED} when CI is set`,
    meaning: 'seed of the fast-check property and fuzz tests (printed in each describe title, so a failure replays)',
    usedBy: 'unit tests, npm run fuzz',
    parse: wholeNumber(0, 0xffffffff),
  }),
  fcRuns: variable<number | null>({
    name: 'FC_RUNS',
    values: 'a whole number ≥ 1',
    default: null,
    defaultText: "each property's own count",
    meaning: 'runs of every quick property test',
    usedBy: 'unit tests',
    parse: wholeNumber(1, Number.MAX_SAFE_INTEGER),
  }),
  ci: variable<boolean>({
    name: 'CI',
    values: 'any non-empty value',
    default: false,
    defaultText: '(unset)',
    meaning: 'running in CI: the property tests take the fixed seed',
    usedBy: 'tests (vitest.config.ts)',
    parse: () => true,
  }),
  benchConfigs: variable<readonly string[]>({
    name: 'BENCH_CONFIGS',
    values: 'comma-separated presets',
    default: Object.freeze(['cpu-n1', 'paper-n1']),
    defaultText: 'cpu-n1,paper-n1',
    meaning: 'presets of the training-step benchmark',
    usedBy: 'npm run bench -- train-step',
    parse: names,
  }),
  benchBackends: variable<readonly string[] | null>({
    name: 'BENCH_BACKENDS',
    values: 'comma-separated engines: native, native-openblas, wasm, cpu, webgpu',
    default: null,
    defaultText: 'native,native-openblas,wasm (and webgpu when Dawn finds an adapter)',
    meaning: 'engines of the training-step benchmark',
    usedBy: 'npm run bench -- train-step',
    parse: names,
  }),
  benchThreads: variable<readonly number[]>({
    name: 'BENCH_THREADS',
    values: 'comma-separated thread counts from 1 to 64',
    default: Object.freeze([1, 2]),
    defaultText: '1,2',
    meaning: 'thread counts of the training-step benchmark',
    usedBy: 'npm run bench -- train-step',
    parse: wholeNumbers(1, 64),
  }),
  benchPeerOpenblas: variable<'pinned' | 'own' | 'both'>({
    name: 'BENCH_PEER_OPENBLAS',
    values: 'pinned, own or both',
    default: 'pinned',
    defaultText: 'pinned',
    meaning:
      "the training-step benchmark's PyTorch peer: OpenBLAS kernels as OPENBLAS_CORETYPE pins them (pinned), OpenBLAS's own choice with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from the peer's environment alone (own), or both, keeping the faster peer whose first loss matches grokdiff's",
    usedBy: 'npm run bench -- train-step',
    parse: oneOf(['pinned', 'own', 'both'] as const),
  }),
  benchRepeats: variable<number | null>({
    name: 'BENCH_REPEATS',
    values: 'a whole number ≥ 1',
    default: null,
    defaultText: '20 for cpu presets, 6 for the others',
    meaning: 'timed steps per configuration of the training-step benchmark',
    usedBy: 'npm run bench -- train-step',
    parse: wholeNumber(1, Number.MAX_SAFE_INTEGER),
  }),
  benchWarmup: variable<number>({
    name: 'BENCH_WARMUP',
    values: 'a whole number ≥ 0',
    default: 5,
    defaultText: '5',
    meaning: 'untimed steps before the timed ones in the training-step benchmark',
    usedBy: 'npm run bench -- train-step',
    parse: wholeNumber(0, Number.MAX_SAFE_INTEGER),
  }),
  benchSlow: variable<boolean>({
    name: 'BENCH_SLOW',
    values: ON_OFF,
    default: false,
    defaultText: 'off',
    meaning: 'also run the pure-JS cpu backend at paper width (minutes per step)',
    usedBy: 'npm run bench -- train-step',
    parse: onOff,
  }),
  benchRows: variable<number>({
    name: 'BENCH_ROWS',
    values: 'a whole number ≥ 3',
    default: 1428,
    defaultText: '1428 (batch 476 × 3 tokens)',
    meaning: 'rows of the products of the gemm benchmark',
    usedBy: 'npm run bench -- gemm',
    parse: wholeNumber(3, Number.MAX_SAFE_INTEGER),
  }),
  benchGemmRuns: variable<number>({
    name: 'BENCH_GEMM_RUNS',
    values: 'a whole number ≥ 1',
    default: 15,
    defaultText: '15',
    meaning: 'runs of each product in the gemm benchmark',
    usedBy: 'npm run bench -- gemm',
    parse: wholeNumber(1, Number.MAX_SAFE_INTEGER),
  }),
  benchConfig: variable<string>({
    name: 'BENCH_CONFIG',
    values: 'a preset',
    default: 'cpu-n1',
    defaultText: 'cpu-n1',
    meaning: 'preset of the per-kernel profile',
    usedBy: 'bench/profile-step.bench.ts',
    parse: (text) => text.trim(),
  }),
  benchBackend: variable<BackendChoice>({
    name: 'BENCH_BACKEND',
    values: BACKEND_CHOICES.join(', '),
    default: 'wasm',
    defaultText: 'wasm',
    meaning: 'backend of the per-kernel profile',
    usedBy: 'bench/profile-step.bench.ts',
    parse: oneOf(BACKEND_CHOICES),
  }),
  benchProfileSteps: variable<number>({
    name: 'BENCH_PROFILE_STEPS',
    values: 'a whole number ≥ 1',
    default: 7,
    defaultText: '7',
    meaning: 'profiled steps of the per-kernel profile (each kernel gets the median over them)',
    usedBy: 'bench/profile-step.bench.ts',
    parse: wholeNumber(1, Number.MAX_SAFE_INTEGER),
  }),
  cc: variable<string | null>({
    name: 'CC',
    values: 'a C compiler command',
    default: null,
    defaultText: 'cc, then gcc, then clang',
    meaning: 'the compiler of the native kernels (read by native/build.mjs itself)',
    usedBy: 'npm ci (postinstall), npm run build:native',
    parse: asWritten,
  }),
  npmConfigNodedir: variable<string | null>({
    name: 'npm_config_nodedir',
    values: 'a Node source or headers folder (npm sets it from --nodedir)',
    default: null,
    defaultText: "Node's own include/node",
    meaning: 'where native/build.mjs looks for node_api.h first (read by native/build.mjs itself)',
    usedBy: 'npm ci (postinstall), npm run build:native',
    parse: asWritten,
  }),
} as const;

export type SettingKey = keyof typeof VARIABLES;

/** The typed value of every declared variable. */
export type EnvironmentSettings = { readonly [K in SettingKey]: (typeof VARIABLES)[K] extends Variable<infer T> ? T : never };

/** The declarations in table order. */
export function declaredVariables(): ReadonlyArray<Variable<unknown> & { readonly key: SettingKey }> {
  return (Object.keys(VARIABLES) as SettingKey[]).map((key) => ({ key, ...(VARIABLES[key] as Variable<unknown>) }));
}

/** The value of one variable's text (unset or blank → the default); an EnvironmentError when not understood. */
export function parseVariable<K extends SettingKey>(key: K, text: string | undefined): EnvironmentSettings[K] {
  const v = VARIABLES[key] as unknown as Variable<EnvironmentSettings[K]>;
  if (text === undefined || text.trim() === '') return v.default;
  const value = v.parse(text);
  if (value === undefined) throw new EnvironmentError(v.name, text, v.values);
  return value;
}

/**
 * The settings of an environment (pure: reads only `env`). Throws an EnvironmentError (a ConfigError, code
 * 'env-value') for the first variable, in table order, whose value is not understood.
 */
export function readEnvironment(env: NodeJS.ProcessEnv): EnvironmentSettings {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(VARIABLES) as SettingKey[]) out[key] = parseVariable(key, env[VARIABLES[key].name]);
  return Object.freeze(out) as EnvironmentSettings;
}

/** One variable as `grokdiff env` shows it: its text (undefined when unset) and its value, or why not. */
export interface VariableState {
  readonly key: SettingKey;
  readonly variable: Variable<unknown>;
  readonly text: string | undefined;
  readonly value: unknown;
  readonly error: EnvironmentError | null;
}

/** Every variable of `env` (default: this process's) with its value or its error (never throws). */
export function inspectEnvironment(env: NodeJS.ProcessEnv = process.env): VariableState[] {
  return (Object.keys(VARIABLES) as SettingKey[]).map((key) => {
    const variable = VARIABLES[key] as Variable<unknown>;
    const text = env[variable.name];
    try {
      return { key, variable, text, value: parseVariable(key, text), error: null };
    } catch (err) {
      if (!(err instanceof EnvironmentError)) throw err;
      return { key, variable, text, value: undefined, error: err };
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The process's settings: read once, on first use.

let current: EnvironmentSettings | null = null;
let overrides: Partial<EnvironmentSettings> = {};

/** The settings of this process: process.env read and validated on the first call, then the same object. */
export function environment(): EnvironmentSettings {
  current ??= Object.freeze({ ...readEnvironment(process.env), ...overrides });
  return current;
}

/**
 * Command-line flags that stand for a variable and take precedence over it for the rest of this process
 * (`--k49 DIR` → k49Dir, `replicate --train` → trainMissing). Child processes do not see them.
 */
export function overrideEnvironment(values: Partial<EnvironmentSettings>): void {
  overrides = { ...overrides, ...values };
  current = null;
}

/** Forgets the settings and the overrides: the next `environment()` reads process.env again (tests, each CLI run). */
export function resetEnvironment(): void {
  current = null;
  overrides = {};
}

/**
 * The environment of a child process: this process's variables with `changes` applied (undefined removes
 * one). Passing the environment on is not reading a setting; the child validates what it reads.
 */
export function childEnvironment(changes: Readonly<Record<string, string | undefined>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}
