// A corpus of bad command lines (issue 19): each must print exactly one line
// `grokdiff: error [<code>]: <what was wrong>` on stderr — no stack trace, no help text — and exit 2,
// before anything is written. The corpus runs in this process through runCli (what bin/grokdiff.js calls);
// a few cases also run through the real entry point in a child process. commander's own errors (unknown command or option, missing option or value,
// excess arguments) go through the same format. Before, several exited 1 with "unexpected error", a stack
// from inside tfjs (eval --draws 0), or the whole help (an unknown command).
// @module-tag reliability
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../engine/backend.ts';
import { runCli } from './main.ts';
import { pseudoFilesystem } from '../io/make-folder.ts';

const bin = new URL('../../bin/grokdiff.js', import.meta.url).pathname;
const FIXTURE = new URL('../../fixtures/checkpoints/cpu-n1/seed-2', import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), 'grokdiff-badargs-'));
chmodSync(out, 0o755);
afterAll(() => rmSync(out, { recursive: true, force: true }));

const aFile = join(out, 'a-file');
writeFileSync(aFile, 'x');
const notARun = join(out, 'not-a-run');
mkdirSync(notARun);
writeFileSync(join(notARun, 'notes.txt'), 'mine');
const empty = join(out, 'empty');
mkdirSync(empty);
const readOnly = join(out, 'read-only');
mkdirSync(readOnly, { mode: 0o555 });
chmodSync(readOnly, 0o555);
const missing = join(out, 'missing');
// As root a read-only folder is writable anyway: run that case as an unprivileged user.
const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

/** Whether the unprivileged user can start the CLI (read the repository and node_modules). */
function userCanRun(): boolean {
  const r = spawnSync(process.execPath, [bin, '--help'], { ...asUser, env: { ...process.env, HOME: out }, encoding: 'utf8' });
  return r.status === 0;
}

/** Runs bin/grokdiff.js; a child still running after `killAfterMs` is killed (SIGKILL: a hang must not hang the test). */
function grokdiff(
  args: readonly string[],
  extra: { uid?: number; gid?: number } = {},
  killAfterMs = 120_000,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, GROKDIFF_BACKEND: 'cpu', HOME: out }, ...extra });
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.resume();
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

const onLinuxProc = process.platform === 'linux' && pseudoFilesystem('/proc') === 'proc';

const CORPUS: ReadonlyArray<{ args: string[]; code: string; says: RegExp }> = [
  { args: ['eval', '--run', FIXTURE, '--draws', '0'], code: 'cli-option', says: /--draws must be an integer from 1 to 256, got 0/ },
  { args: ['eval', '--run', FIXTURE, '--draws', '-3'], code: 'cli-option', says: /--draws must be an integer from 1 to 256, got -3/ },
  { args: ['eval', '--run', FIXTURE, '--draws', '1e9'], code: 'cli-option', says: /--draws must be an integer from 1 to 256, got 1e9/ },
  { args: ['eval', '--run', FIXTURE, '--draws', 'many'], code: 'cli-option', says: /--draws must be an integer, got "many"/ },
  { args: ['eval', '--run', FIXTURE, '--steps', '0'], code: 'cli-option', says: /--steps must be an integer from 1/ },
  { args: ['eval', '--run', missing], code: 'cli-folder', says: /--run .*missing: no such folder/ },
  { args: ['sample', '--run', FIXTURE, '--draws', '0', '--out', join(out, 's.png')], code: 'cli-option', says: /--draws must be an integer from 1/ },
  { args: ['sample', '--run', FIXTURE, '--out', empty], code: 'out-is-folder', says: /--out .*empty is a folder; give a file name/ },
  { args: ['sample', '--run', FIXTURE, '--out', join(aFile, 's.png')], code: 'out-under-file', says: /a-file is a file, so no file can be made under it/ },
  { args: ['train', '--out', aFile], code: 'out-not-folder', says: /--out .*a-file is a file, not a folder/ },
  { args: ['train', '--out', join(aFile, 'run')], code: 'out-under-file', says: /a-file is a file, so no folder can be made under it/ },
  {
    args: ['train', '--steps', '1', '--out', notARun],
    code: 'out-not-run',
    says: /exists and is not a grokdiff run \(it holds notes\.txt\); nothing was written/,
  },
  { args: ['train', '--seed', '-1', '--out', join(out, 'r')], code: 'cli-option', says: /--seed must be an integer from 0 to 4294967295, got -1/ },
  { args: ['train', '--steps', '0', '--out', join(out, 'r')], code: 'cli-option', says: /--steps must be an integer from 1/ },
  { args: ['train', '--resume', '--out', empty], code: 'resume-no-run', says: /holds no run to resume/ },
  { args: ['data', '--out', aFile], code: 'out-not-folder', says: /--out .*a-file is a file, not a folder/ },
  { args: ['classifier', '--epochs', '0', '--out', join(out, 'c')], code: 'cli-option', says: /--epochs must be an integer from 1/ },
  { args: ['search', '--from-runs', missing, '--log', join(out, 'log.jsonl')], code: 'cli-folder', says: /--from-runs .*missing: no such folder/ },
  { args: ['replicate', '--only', 'nope', '--out', join(out, 'rep')], code: 'cli-only', says: /--only: unknown claim id "nope"; claims: grokking-lag, / },
  { args: ['replicate', '--only', 'grokking-lag,', '--out', join(out, 'rep')], code: 'cli-only', says: /give comma-separated claim ids/ },
  { args: ['replicate', '--out', notARun], code: 'out-not-report', says: /is not a grokdiff report folder \(it holds notes\.txt\)/ },
  { args: ['prune', '--run', missing], code: 'cli-run', says: /--run .*missing: no such folder/ },
  { args: ['prune', '--run', notARun], code: 'cli-run', says: /is not a grokdiff run/ },
  { args: ['fixtures', missing], code: 'cli-fixtures', says: /missing: no such folder/ },
  { args: ['nope'], code: 'unknown-command', says: /unknown command 'nope' \(see grokdiff --help\)/ },
  { args: ['train', '--out', join(out, 'r'), '--bogus'], code: 'unknown-option', says: /unknown option '--bogus' \(see grokdiff train --help\)/ },
  { args: ['eval'], code: 'missing-mandatory-option-value', says: /required option '--run <dir>' not specified \(see grokdiff eval --help\)/ },
  { args: ['train', '--out'], code: 'option-missing-argument', says: /option '--out <dir>' argument missing/ },
  { args: ['presets', 'a', 'b'], code: 'excess-arguments', says: /too many arguments for 'presets'/ },
  // Issue 31: values that cannot run, refused before anything is written.
  {
    args: ['train', '--set', 'train.steps=1e20', '--out', join(out, 'r')],
    code: 'config-field',
    says: /train\.steps must be an integer from 1 to \d+ \(100 × the paper-width budget/,
  },
  {
    args: ['train', '--steps', '1e20', '--out', join(out, 'r')],
    code: 'cli-option',
    says: /--steps must be an integer from 1 to \d+ \(100 × the paper-width budget\), got 1e20/,
  },
  { args: ['train', '--set', 'train.evalDraws=1e9', '--out', join(out, 'r')], code: 'config-field', says: /train\.evalDraws must be an integer from 1 to 256/ },
  {
    args: ['train', '--set', 'train.samplingSteps=1e12', '--out', join(out, 'r')],
    code: 'config-field',
    says: /train\.samplingSteps must be an integer from 1 to 10000/,
  },
  { args: ['train', '--set', 'train.beta1=1', '--out', join(out, 'r')], code: 'config-field', says: /train\.beta1 must be a number in \[0, 1\)/ },
  { args: ['train', '--set', 'model.depth=1e9', '--out', join(out, 'r')], code: 'config-size', says: /model\.depth 1000000000 is above 64 blocks/ },
  {
    args: ['search', '--seeds', '', '--out', join(out, 's'), '--log', join(out, 'log.jsonl')],
    code: 'cli-option',
    says: /--seeds "": give comma-separated integers/,
  },
  {
    args: ['search', '--seeds', '1,,2', '--out', join(out, 's'), '--log', join(out, 'log.jsonl')],
    code: 'cli-option',
    says: /--seeds "1,,2": give comma-separated/,
  },
  { args: ['search', '--seeds', ' ', '--out', join(out, 's'), '--log', join(out, 'log.jsonl')], code: 'cli-option', says: /--seeds " ": give comma-separated/ },
  { args: ['fixtures', '--root', empty], code: 'cli-fixtures', says: /--root .*empty holds no fixture runs .*nothing was checked/ },
  { args: ['train', '--resume', '--set', 'train.lr=0.1', '--out', empty], code: 'cli-resume-flag', says: /so --set cannot be honoured; drop it/ },
  {
    args: ['train', '--resume', '--preset', 'paper-n1', '--seed', '3', '--out', empty],
    code: 'cli-resume-flag',
    says: /so --preset, --seed cannot be honoured; drop them/,
  },
  { args: ['train', '--restart-moments', '--out', join(out, 'r')], code: 'cli-resume-flag', says: /--restart-moments applies only with --resume/ },
  ...(onLinuxProc
    ? [
        { args: ['train', '--out', '/proc/grokdiff-x'], code: 'out-pseudo-fs', says: /--out \/proc\/grokdiff-x: \/proc is on a proc filesystem/ },
        { args: ['data', '--out', '/proc/grokdiff-x'], code: 'out-pseudo-fs', says: /--out \/proc\/grokdiff-x: \/proc is on a proc filesystem/ },
        {
          args: ['replicate', '--out', '/proc/grokdiff-x/reports'],
          code: 'out-pseudo-fs',
          says: /\/proc is on a proc filesystem, where no files or folders can be made/,
        },
      ]
    : []),
];

/** Runs the CLI in this process; returns its exit code and what it wrote to stderr. */
async function inProcess(args: readonly string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    const code = await runCli(['node', 'grokdiff', ...args]);
    return { code, stderr };
  } finally {
    write.mockRestore();
    log.mockRestore();
    process.exitCode = undefined;
  }
}

function expectOneLineError(r: { code: number | null; stderr: string }, code: string, says: RegExp): void {
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('grokdiff: backend'));
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^grokdiff: error \\[${code}\\]: `));
  expect(lines[0]).toMatch(says);
  expect(r.stderr).not.toMatch(/Usage:|\n\s+at /);
  expect(r.code).toBe(2);
}

describe('bad command lines: one line, a typed code, exit 2, nothing written', () => {
  beforeAll(async () => {
    process.env.GROKDIFF_BACKEND = 'cpu';
    await initBackend('cpu', { log: () => {} });
  });
  it.each(CORPUS)('grokdiff $args', async ({ args, code, says }) => {
    const before = readdirSync(out).sort();
    expectOneLineError(await inProcess(args), code, says);
    expect(readdirSync(out).sort()).toEqual(before);
    expect(readdirSync(empty)).toEqual([]);
  });
  // Issue 31: Node's recursive mkdir never returned on /proc and the process ignored signals; now exit 2 before
  // anything is attempted. A child still running after the guard is killed (a hang), which fails the case; the
  // 10 s of the issue are measured on the real CLI (docs/TESTING.md: no test asserts a duration).
  it.runIf(onLinuxProc)(
    'through bin/grokdiff.js: train, data and replicate --out under /proc exit 2 (they hung before)',
    async () => {
      for (const args of [
        ['train', '--preset', 'cpu-n1', '--set', 'train.steps=20', '--out', '/proc/grokdiff-x'],
        ['data', '--out', '/proc/grokdiff-x'],
        ['replicate', '--only', 'grokking-lag', '--out', '/proc/grokdiff-x/reports'],
      ]) {
        expectOneLineError(await grokdiff(args, {}, 240_000), 'out-pseudo-fs', /\/proc is on a proc filesystem/);
      }
    },
    900_000,
  );
  it('through bin/grokdiff.js: an unknown command, --draws 0', async () => {
    const [unknown, draws] = await Promise.all([grokdiff(['nope']), grokdiff(['eval', '--run', FIXTURE, '--draws', '0'])]);
    expectOneLineError(unknown, 'unknown-command', /unknown command 'nope' \(see grokdiff --help\)/);
    expectOneLineError(draws, 'cli-option', /--draws must be an integer from 1 to 256, got 0/);
  });
  // As root every folder is writable: the case runs as an unprivileged user, where that user can read the repository.
  it.runIf(!('uid' in asUser) || userCanRun())('through bin/grokdiff.js: a read-only --out folder', async () => {
    const ro = await grokdiff(['train', '--out', join(readOnly, 'run')], asUser);
    expectOneLineError(ro, 'out-read-only', /read-only is not writable/);
    expect(readdirSync(readOnly)).toEqual([]);
  });
});
