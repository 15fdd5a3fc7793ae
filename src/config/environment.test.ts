// The environment module: defaults, parsing, typed errors naming the variable, the value and what is allowed,
// the memoised accessor and its overrides, and that no other module reads process.env.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../errors.ts';
import {
  childEnvironment,
  declaredVariables,
  environment,
  EnvironmentError,
  inspectEnvironment,
  overrideEnvironment,
  readEnvironment,
  resetEnvironment,
  VARIABLES,
} from './environment.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

afterEach(() => {
  vi.unstubAllEnvs();
  resetEnvironment();
});

describe('readEnvironment', () => {
  it('gives every declared default for an empty environment, frozen', () => {
    const s = readEnvironment({});
    expect(Object.isFrozen(s)).toBe(true);
    expect(s).toMatchObject({
      backend: 'auto',
      wasmFastPath: true,
      native: true,
      nativeBlas: 'builtin',
      nativeThreads: null,
      nativeIsa: null,
      k49Dir: null,
      classifierDir: null,
      fixturesDir: null,
      reportsDir: null,
      trainMissing: false,
      claimsInProcess: false,
      claimTimeoutS: 2400,
      goldenUpdate: false,
      fcSeed: null,
      fcRuns: null,
      ci: false,
      benchConfigs: ['cpu-n1', 'paper-n1'],
      benchThreads: [1, 2],
    });
    for (const v of declaredVariables()) expect(s[v.key]).toEqual(v.default);
  });

  it('treats a blank value as unset', () => {
    const blank = Object.fromEntries(declaredVariables().map((v) => [v.name, '  ']));
    expect(readEnvironment(blank)).toEqual(readEnvironment({}));
  });

  it('parses the values each variable allows', () => {
    const s = readEnvironment({
      GROKDIFF_BACKEND: 'WASM',
      GROKDIFF_NATIVE_BLAS: 'on',
      GROKDIFF_NATIVE_THREADS: ' 3 ',
      GROKDIFF_NATIVE_ISA: 'Scalar',
      GROKDIFF_K49_DIR: '/data/k49',
      GROKDIFF_TRAIN_MISSING: '1',
      GROKDIFF_CLAIM_TIMEOUT_S: '1.5',
      GROKDIFF_GOLDEN_UPDATE: 'true',
      FC_SEED: '4294967295',
      FC_RUNS: '20000',
      CI: 'true',
      BENCH_THREADS: '1,2,4',
      BENCH_BACKENDS: 'native, wasm',
      LD_LIBRARY_PATH: '/a::/b',
    });
    expect(s).toMatchObject({
      backend: 'wasm',
      nativeBlas: 'openblas',
      nativeThreads: 3,
      nativeIsa: 'scalar',
      k49Dir: '/data/k49',
      trainMissing: true,
      claimTimeoutS: 1.5,
      goldenUpdate: true,
      fcSeed: 4294967295,
      fcRuns: 20000,
      ci: true,
      benchThreads: [1, 2, 4],
      benchBackends: ['native', 'wasm'],
      ldLibraryPath: ['/a', '/b'],
    });
  });

  it.each([
    ['GROKDIFF_BACKEND', 'tpu', 'auto, node-gpu, webgpu, node, wasm, cpu'],
    ['GROKDIFF_WASM_FASTPATH', 'fast', '1 (also true, on) or 0 (also false, off)'],
    ['GROKDIFF_NATIVE', 'maybe', '1 (also true, on) or 0 (also false, off)'],
    ['GROKDIFF_NATIVE_BLAS', 'mkl', 'builtin (also 0, off, false) or openblas (also 1, on, true)'],
    ['GROKDIFF_NATIVE_THREADS', '0', 'a whole number of threads from 1 to 64'],
    ['GROKDIFF_NATIVE_THREADS', '1.5', 'a whole number of threads from 1 to 64'],
    ['GROKDIFF_NATIVE_ISA', 'sse4', 'avx512, avx2, scalar'],
    ['GROKDIFF_TRAIN_MISSING', 'yes', '1 (also true, on) or 0 (also false, off)'],
    ['GROKDIFF_CLAIM_TIMEOUT_S', '-1', 'seconds, a number > 0'],
    ['FC_SEED', '12abc', 'a whole number from 0 to 4294967295'],
    ['FC_SEED', '4294967296', 'a whole number from 0 to 4294967295'],
    ['FC_RUNS', '0', 'a whole number ≥ 1'],
    ['BENCH_THREADS', '1,,2', 'comma-separated thread counts from 1 to 64'],
    ['BENCH_CONFIGS', 'cpu-n1,', 'comma-separated presets'],
  ])('%s=%s is a ConfigError naming the variable, the value and what is allowed', (name, value, allowed) => {
    const err = (() => {
      try {
        readEnvironment({ [name]: value });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as EnvironmentError;
    expect(e.code).toBe('env-value');
    expect({ variable: e.variable, value: e.value, allowed: e.allowed }).toEqual({ variable: name, value, allowed });
    expect(e.message).toBe(`${name}=${JSON.stringify(value)} is not understood; use ${allowed}.`);
  });

  it('inspectEnvironment reports every variable, the bad ones with their error, and never throws', () => {
    const states = inspectEnvironment({ GROKDIFF_NATIVE: 'maybe', GROKDIFF_BACKEND: 'cpu' });
    expect(states.map((s) => s.variable.name)).toEqual(declaredVariables().map((v) => v.name));
    expect(states.find((s) => s.key === 'backend')).toMatchObject({ text: 'cpu', value: 'cpu', error: null });
    expect(states.find((s) => s.key === 'native')?.error).toBeInstanceOf(EnvironmentError);
  });
});

describe('the declarations', () => {
  it('name each variable once, with values, a default, a meaning and who uses it', () => {
    const names = declaredVariables().map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    for (const v of declaredVariables()) {
      for (const field of [v.values, v.defaultText, v.meaning, v.usedBy]) expect(field.trim(), v.name).not.toBe('');
    }
    expect(VARIABLES.backend.name).toBe('GROKDIFF_BACKEND');
  });
});

describe('environment()', () => {
  it('reads process.env once: later changes are seen only after resetEnvironment', () => {
    vi.stubEnv('GROKDIFF_NATIVE_THREADS', '3');
    resetEnvironment();
    const first = environment();
    expect(first.nativeThreads).toBe(3);
    vi.stubEnv('GROKDIFF_NATIVE_THREADS', '4');
    expect(environment()).toBe(first);
    resetEnvironment();
    expect(environment().nativeThreads).toBe(4);
  });

  it('a bad value is the typed error on first use', () => {
    vi.stubEnv('GROKDIFF_NATIVE_ISA', 'sse4');
    resetEnvironment();
    expect(() => environment()).toThrow(/GROKDIFF_NATIVE_ISA="sse4" is not understood; use avx512, avx2, scalar/);
  });

  it('overrideEnvironment (command-line flags) takes precedence without writing process.env', () => {
    vi.stubEnv('GROKDIFF_K49_DIR', '/from/env');
    resetEnvironment();
    expect(environment().k49Dir).toBe('/from/env');
    overrideEnvironment({ k49Dir: '/from/flag', trainMissing: true });
    expect(environment()).toMatchObject({ k49Dir: '/from/flag', trainMissing: true });
    expect(childEnvironment().GROKDIFF_K49_DIR).toBe('/from/env');
    resetEnvironment();
    expect(environment()).toMatchObject({ k49Dir: '/from/env', trainMissing: false });
  });

  it('childEnvironment copies this process environment with changes applied', () => {
    vi.stubEnv('GROKDIFF_NATIVE', '0');
    const env = childEnvironment({ OMP_NUM_THREADS: '2', GROKDIFF_NATIVE: undefined });
    expect(env.OMP_NUM_THREADS).toBe('2');
    expect('GROKDIFF_NATIVE' in env).toBe(false);
  });
});

/** Source files under `dir` (recursively), skipping node_modules, build outputs and dot-folders. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.') || name === 'node_modules' || name === 'build') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (/\.(ts|mts|js|mjs)$/.test(name)) out.push(path);
  }
  return out;
}

describe('the only reader', () => {
  // Tests may set up the environment of the children they start; native/build.mjs runs at install, before
  // TypeScript can load, and reads the declared CC and npm_config_nodedir itself.
  const allowed = (rel: string) => rel === 'src/config/environment.ts' || rel === 'native/build.mjs' || /\.test\.ts$/.test(rel);

  it('no module outside src/config/environment.ts reads process.env', () => {
    const files = ['src', 'bench', 'claims', 'test-support', 'bin', 'native'].flatMap((d) => sources(join(ROOT, d))).concat(join(ROOT, 'vitest.config.ts'));
    const readers = files.map((f) => relative(ROOT, f)).filter((rel) => !allowed(rel) && /process\.env\b/.test(readFileSync(join(ROOT, rel), 'utf8')));
    expect(readers, 'read the variable through src/config/environment.ts (declare it there)').toEqual([]);
  });

  it('native/build.mjs reads only variables declared here', () => {
    const text = readFileSync(join(ROOT, 'native', 'build.mjs'), 'utf8');
    const read = [...text.matchAll(/process\.env\.(\w+)/g)].map((m) => m[1]);
    const declared = declaredVariables().map((v) => v.name);
    expect(read.length).toBeGreaterThan(0);
    expect(read.filter((n) => !declared.includes(n))).toEqual([]);
  });
});
