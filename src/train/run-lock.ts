// The lock of a run folder (issue 19): the process that writes a run (train, resume, prune, a manifest)
// holds <run>/.grokdiff.lock, created with O_EXCL and holding its pid, host and a random token. A second
// writer gets CheckpointError 'run-locked' naming the holder. A lock whose process is gone (killed with
// kill -9, a crash) is stale: it is detected by its pid (on the same host) and taken over. The lock is
// released when the writer finishes and, as a last resort, when the process exits.

import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CheckpointError } from '../errors.ts';

export const LOCK_NAME = '.grokdiff.lock';

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly purpose: string;
  readonly startedAt: string;
  readonly token: string;
}

export interface RunLock {
  readonly path: string;
  release(): void;
}

const held = new Map<string, string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [path, token] of held) releasePath(path, token);
  });
}

function releasePath(path: string, token: string): void {
  try {
    const holder = readHolder(path);
    if (holder?.token === token) rmSync(path, { force: true });
  } catch {
    // Already gone or unreadable: nothing of ours to remove.
  }
  held.delete(path);
}

function readHolder(path: string): LockHolder | null {
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (typeof raw.pid !== 'number' || typeof raw.token !== 'string') return null;
    return { pid: raw.pid, host: String(raw.host ?? ''), purpose: String(raw.purpose ?? '?'), startedAt: String(raw.startedAt ?? '?'), token: raw.token };
  } catch {
    return null;
  }
}

/** Whether the process of a lock may still be running (another host's cannot be checked: assumed alive). */
export function holderAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockedError(runDir: string, path: string, holder: LockHolder | null): CheckpointError {
  const who = holder
    ? `process ${holder.pid} on ${holder.host} (${holder.purpose}, since ${holder.startedAt})`
    : 'another process (its lock file is being written)';
  return new CheckpointError(
    'run-locked',
    `${runDir} is being written by ${who}; two writers would mix their checkpoints and metrics. Wait for it to finish or stop it; if no such process is running, remove ${path}`,
  );
}

/**
 * The live holder of a run's lock, or null when the run is free (no lock, or a stale one). A lock file that
 * cannot be read is counted as held while it is young (its writer may be between create and write).
 */
export function lockHolder(runDir: string): { holder: LockHolder | null; held: boolean } {
  const path = join(runDir, LOCK_NAME);
  if (!existsSync(path)) return { holder: null, held: false };
  const holder = readHolder(path);
  if (!holder) {
    let young = false;
    try {
      young = Date.now() - statSync(path).mtimeMs < 10_000;
    } catch {
      return { holder: null, held: false };
    }
    return { holder: null, held: young };
  }
  return { holder, held: holderAlive(holder) };
}

/** Throws 'run-locked' when another live process holds the run's lock (for writers that do not take it). */
export function assertRunWritable(runDir: string): void {
  const { holder, held: isHeld } = lockHolder(runDir);
  const path = join(runDir, LOCK_NAME);
  if (isHeld && !(holder && held.get(path) === holder.token)) throw lockedError(runDir, path, holder);
}

/**
 * Takes the lock of an existing run folder for `purpose`. Throws CheckpointError 'run-locked' when a live
 * process holds it (this process too: two writers in one process are refused alike); takes over a stale lock.
 */
export function acquireRunLock(runDir: string, purpose: string, log: (line: string) => void = () => {}): RunLock {
  const path = join(runDir, LOCK_NAME);
  const token = randomBytes(12).toString('hex');
  const holder: LockHolder = { pid: process.pid, host: hostname(), purpose, startedAt: new Date().toISOString(), token };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number | undefined;
    try {
      fd = openSync(path, 'wx', 0o644);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new CheckpointError('run-lock', `${path}: cannot create the run lock (${(err as Error).message})`, { cause: err });
      const current = lockHolder(runDir);
      if (current.held) throw lockedError(runDir, path, current.holder);
      // Stale: move it aside (atomic, so two processes cannot both take it over) and try again.
      const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
      try {
        renameSync(path, aside);
        rmSync(aside, { force: true });
        log(`grokdiff: removed the stale lock of ${runDir} (process ${current.holder?.pid ?? '?'} is gone)`);
      } catch {
        // Another process took it over first; the next attempt sees its lock.
      }
      continue;
    }
    try {
      writeSync(fd, `${JSON.stringify(holder)}\n`);
    } finally {
      closeSync(fd);
    }
    held.set(path, token);
    installExitHook();
    return { path, release: () => releasePath(path, token) };
  }
  throw lockedError(runDir, path, readHolder(path));
}
