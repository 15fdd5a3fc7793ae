// `grokdiff env`: lists every declared variable with its value or default; a value that is not understood is
// one typed error line with exit 2; --markdown is the README's table. Runs through runCli in this process.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { declaredVariables } from '../config/environment.ts';
import { environmentTable } from '../config/readme-table.ts';
import { runCli } from './main.ts';

const FIXTURE = new URL('../../fixtures/checkpoints/cpu-n1/seed-2', import.meta.url).pathname;

/** Runs the CLI, capturing stdout and stderr. */
async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    stdout += `${a.join(' ')}\n`;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await runCli(['node', 'grokdiff', ...args]);
    return { code, stdout, stderr };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

afterEach(() => {
  vi.unstubAllEnvs();
  process.exitCode = undefined;
});

describe('grokdiff env', () => {
  it('lists every declared variable with its current value, or unset and its default', async () => {
    vi.stubEnv('GROKDIFF_BACKEND', 'cpu');
    vi.stubEnv('GROKDIFF_NATIVE_BLAS', '1');
    vi.stubEnv('GROKDIFF_NATIVE_ISA', undefined);
    const r = await run('env');
    expect(r.code).toBe(0);
    for (const v of declaredVariables()) expect(r.stdout).toMatch(new RegExp(`^${v.name}[ =]`, 'm'));
    expect(r.stdout).toMatch(/^GROKDIFF_BACKEND=cpu$/m);
    expect(r.stdout).toMatch(/^GROKDIFF_NATIVE_BLAS="1" → openblas$/m);
    expect(r.stdout).toMatch(/^GROKDIFF_NATIVE_ISA unset → the best the CPU runs$/m);
    expect(r.stdout).toMatch(/^tensor backend: cpu \(GROKDIFF_BACKEND\)$/m);
    expect(r.stderr).toBe('');
  });

  it('a value that is not understood is shown, then one typed error line with exit 2', async () => {
    vi.stubEnv('GROKDIFF_NATIVE_THREADS', 'all');
    const r = await run('env');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^GROKDIFF_NATIVE_THREADS="all" NOT UNDERSTOOD$/m);
    expect(r.stderr).toBe('grokdiff: error [env-value]: GROKDIFF_NATIVE_THREADS="all" is not understood; use a whole number of threads from 1 to 64.\n');
  });

  it('--markdown prints the README table; --json one row per variable', async () => {
    expect((await run('env', '--markdown')).stdout).toBe(`${environmentTable()}\n`);
    const rows = JSON.parse((await run('env', '--json')).stdout) as Array<{ name: string }>;
    expect(rows.map((r) => r.name)).toEqual(declaredVariables().map((v) => v.name));
  });

  it('a bad variable stops a command that reads the settings with the same line', async () => {
    vi.stubEnv('GROKDIFF_BACKEND', 'tpu');
    const r = await run('eval', '--run', FIXTURE, '--draws', '1', '--steps', '2');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('grokdiff: error [env-value]: GROKDIFF_BACKEND="tpu" is not understood; use auto, node-gpu, webgpu, node, wasm, cpu.\n');
  });
});
