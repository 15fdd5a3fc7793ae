// Training runs as separate processes, for the commands that train many independent runs at once
// (`grokdiff screen`, issue 27; `grokdiff search --jobs`, issue 28): a child is `grokdiff ARGS` with its output
// appended to a log file and one native thread unless GROKDIFF_NATIVE_THREADS says otherwise (J children on J
// cores, not J × cores threads), and a queue runs up to `jobs` of them at once. One that fails, crashes or is
// killed is reported and the others go on.

import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnvironment, environment, VARIABLES, type EnvironmentSettings } from '../config/environment.ts';

/** The CLI's entry point, run by the children with this process's Node. */
export const GROKDIFF_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'grokdiff.js');

/** How a child ended: its exit code (128 + the signal's number when a signal ended it) and the signal, if any. */
export interface ChildExit {
  readonly code: number;
  readonly signal: NodeJS.Signals | null;
}

/** What a child's environment changes: one native thread, unless GROKDIFF_NATIVE_THREADS is set (then it is passed on). */
export function childThreadSetting(settings: EnvironmentSettings = environment()): Record<string, string> {
  return settings.nativeThreads === null ? { [VARIABLES.nativeThreads.name]: '1' } : {};
}

/** "exit 3", or "killed by SIGKILL" for a child a signal ended. */
export function describeExit(exit: ChildExit): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit ${exit.code}`;
}

export interface ChildOptions {
  /** Aborting it sends the child SIGTERM (a training child then saves a checkpoint and stops). */
  readonly abort?: AbortSignal;
  /** The program run instead of bin/grokdiff.js (tests). */
  readonly bin?: string;
}

/** Runs `grokdiff ARGS` as a child process appending its stdout and stderr to `logPath`; resolves to how it ended. */
export function runChild(args: readonly string[], logPath: string, options: ChildOptions = {}): Promise<ChildExit> {
  return new Promise((done) => {
    const out = openSync(logPath, 'a');
    let settled = false;
    const finish = (exit: ChildExit): void => {
      if (settled) return;
      settled = true;
      closeSync(out);
      done(exit);
    };
    // A training child does not judge its final checkpoint (train --no-judge): the screen judges its runs itself and a search logs them.
    const childArgs = args.includes('train') && !args.includes('--no-judge') ? [...args, '--no-judge'] : args;
    const p = spawn(process.execPath, [options.bin ?? GROKDIFF_BIN, ...childArgs], {
      env: childEnvironment(childThreadSetting()),
      stdio: ['ignore', out, out],
      ...(options.abort ? { signal: options.abort, killSignal: 'SIGTERM' as const } : {}),
    });
    p.on('exit', (code, signal) => finish({ code: code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1), signal }));
    // A failed spawn, or the abort's AbortError (the exit event still follows with the signal).
    p.on('error', (err) => {
      if ((err as { name?: string }).name !== 'AbortError') finish({ code: 1, signal: null });
    });
  });
}

/** One item's outcome: the line printed for it and whether it counts as a failure. */
export interface QueueOutcome {
  readonly line: string;
  readonly failed: boolean;
}

/**
 * Runs `one` over the queue's items with up to `jobs` at once, in queue order as workers come free, printing each
 * outcome's line (`print`, default console.log) as it comes; `stop()` true: no further item starts. A rejected
 * `one` is an outcome too (failed, with its message), so one item's error never stops the others.
 * Returns how many items failed.
 */
export async function runQueue<T>(
  items: readonly T[],
  jobs: number,
  one: (item: T) => Promise<QueueOutcome>,
  options: { stop?: () => boolean; print?: (line: string) => void } = {},
): Promise<number> {
  const queue = [...items];
  const print = options.print ?? ((line: string) => console.log(line));
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (queue.length > 0 && !options.stop?.()) {
      const item = queue.shift() as T;
      let outcome: QueueOutcome;
      try {
        outcome = await one(item);
      } catch (err) {
        outcome = { line: `failed: ${err instanceof Error ? err.message : String(err)}`, failed: true };
      }
      if (outcome.failed) failed++;
      print(outcome.line);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  return failed;
}
