// The child-process pool of `grokdiff screen` and `grokdiff search --jobs` (issue 28): at most `jobs` items at
// once, a failed, crashed or killed item reported while the others go on, one native thread per child by
// default, and an abort that reaches the child as SIGTERM.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { environment } from '../config/environment.ts';
import { childThreadSetting, describeExit, runChild, runQueue } from './child-runs.ts';

const dir = mkdtempSync(join(tmpdir(), 'grokdiff-child-runs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in for bin/grokdiff.js: does what its first argument says. */
const fake = join(dir, 'fake.mjs');
writeFileSync(
  fake,
  [
    'const [what, arg] = process.argv.slice(2);',
    "if (what === 'exit') { console.log('exiting', arg, process.env.GROKDIFF_NATIVE_THREADS); process.exit(Number(arg)); }",
    "if (what === 'kill') process.kill(process.pid, 'SIGKILL');",
    "if (what === 'wait') { process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(143); }); console.log('waiting'); setInterval(() => {}, 1000); }",
  ].join('\n'),
);

describe('runQueue', () => {
  it('runs at most `jobs` items at once, in queue order, and counts the failures', async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const lines: string[] = [];
    const failed = await runQueue(
      [1, 2, 3, 4, 5],
      2,
      async (n) => {
        started.push(n);
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, n % 2 === 0 ? 5 : 20));
        running--;
        return { line: `item ${n}`, failed: n === 3 };
      },
      { print: (l) => lines.push(l) },
    );
    expect(most).toBe(2);
    expect(started).toEqual([1, 2, 3, 4, 5]);
    expect(failed).toBe(1);
    expect([...lines].sort()).toEqual(['item 1', 'item 2', 'item 3', 'item 4', 'item 5']);
  });

  it('reports an item that throws as failed and goes on with the others', async () => {
    const lines: string[] = [];
    const failed = await runQueue(
      ['a', 'b', 'c'],
      1,
      async (x) => {
        if (x === 'b') throw new Error('b crashed');
        return { line: x, failed: false };
      },
      { print: (l) => lines.push(l) },
    );
    expect(failed).toBe(1);
    expect(lines).toEqual(['a', 'failed: b crashed', 'c']);
  });

  it('starts no further item once stop() says so', async () => {
    const done: number[] = [];
    let stop = false;
    await runQueue(
      [1, 2, 3],
      1,
      async (n) => {
        done.push(n);
        stop = true;
        return { line: '', failed: false };
      },
      { stop: () => stop, print: () => {} },
    );
    expect(done).toEqual([1]);
  });
});

describe('runChild', () => {
  it('gives each child one native thread unless GROKDIFF_NATIVE_THREADS is set', () => {
    expect(childThreadSetting({ ...environment(), nativeThreads: null })).toEqual({ GROKDIFF_NATIVE_THREADS: '1' });
    expect(childThreadSetting({ ...environment(), nativeThreads: 2 })).toEqual({});
  });

  it('returns the exit code and appends the output to the log', async () => {
    const log = join(dir, 'exit.log');
    writeFileSync(log, 'before\n');
    const exit = await runChild(['exit', '3'], log, { bin: fake });
    expect(exit).toEqual({ code: 3, signal: null });
    expect(describeExit(exit)).toBe('exit 3');
    const expected = process.env.GROKDIFF_NATIVE_THREADS ?? '1';
    expect(readFileSync(log, 'utf8')).toBe(`before\nexiting 3 ${expected}\n`);
  });

  it('says which signal killed a child', async () => {
    const exit = await runChild(['kill'], join(dir, 'kill.log'), { bin: fake });
    expect(exit).toEqual({ code: 137, signal: 'SIGKILL' });
    expect(describeExit(exit)).toBe('killed by SIGKILL');
  });

  it('sends SIGTERM to the child when aborted', async () => {
    const log = join(dir, 'wait.log');
    const abort = new AbortController();
    const exit = runChild(['wait'], log, { bin: fake, abort: abort.signal });
    for (let i = 0; i < 200 && !readFileSync(log, 'utf8').includes('waiting'); i++) await new Promise((r) => setTimeout(r, 25));
    abort.abort();
    expect((await exit).code).toBe(143);
    expect(readFileSync(log, 'utf8')).toContain('got SIGTERM');
  });
});

describe('runChild of a training run', () => {
  it('passes --no-judge (the screen and search judge or log their runs themselves)', async () => {
    const echo = join(dir, 'echo.mjs');
    writeFileSync(echo, 'console.log(JSON.stringify(process.argv.slice(2)));');
    const log = join(dir, 'train.log');
    await runChild(['--backend', 'cpu', 'train', '--out', 'x'], log, { bin: echo });
    expect(JSON.parse(readFileSync(log, 'utf8'))).toEqual(['--backend', 'cpu', 'train', '--out', 'x', '--no-judge']);
  });
});
