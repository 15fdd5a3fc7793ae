// The lock of a run folder (issue 19): the process that writes a run (train, resume, prune, a manifest)
// holds <run>/.grokdiff.lock, created with O_EXCL and holding its pid, host and a random token. A second
// writer gets CheckpointError 'run-locked' naming the holder. A lock whose process is gone (killed with
// kill -9, a crash) is stale: it is detected by its pid (on the same host) and taken over. The lock is
// released when the writer finishes and, as a last resort, when the process exits.
// Whoever takes the lock also clears the litter of dead writers (issue 31): the temporary files of an atomic
// write (io/atomic-write.ts: .<name>.<pid>.<random>.tmp) that a writer killed mid-write left in the run folder
// or its checkpoint folders, and stale locks moved aside. A temporary file whose process is still running (on
// this host) is kept and reported: it belongs to a writer that did not take the lock.

import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, relative } from 'node:path';
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
    removeStaleTemporaries(runDir, log);
    return { path, release: () => releasePath(path, token) };
  }
  throw lockedError(runDir, path, readHolder(path));
}

/** The temporary file of an atomic write (.<name>.<pid>.<12 hex>.tmp) and its writer's pid, or a stale lock moved aside. */
const TEMPORARY = /^\.(?:.+)\.(\d+)\.[0-9a-f]{12}\.tmp$/;
const STALE_LOCK = new RegExp(`^${LOCK_NAME.replace(/\./g, '\\.')}\\.stale-(\\d+)-[0-9a-f]{8}$`);

/** Whether process `pid` on this host may be running. */
function pidAlive(pid: number): boolean {
  return holderAlive({ pid, host: hostname(), purpose: '', startedAt: '', token: '' });
}

/** The folders of a run that atomic writes write into: the run folder and each checkpoint folder. */
function writtenFolders(runDir: string): string[] {
  const folders = [runDir];
  const checkpoints = join(runDir, 'checkpoints');
  try {
    for (const e of readdirSync(checkpoints, { withFileTypes: true })) if (e.isDirectory()) folders.push(join(checkpoints, e.name));
  } catch {
    // No checkpoints yet.
  }
  return folders;
}

export interface StaleTemporaries {
  /** Files removed: their writer is gone. */
  readonly removed: string[];
  /** Files kept: their writer (another process on this host) is still running. */
  readonly inUse: string[];
}

/**
 * Removes the temporary files dead writers left in a run folder (see the file comment); the caller holds the
 * run's lock. Returns what was removed and what was kept, each relative to the run folder, and logs both.
 */
export function removeStaleTemporaries(runDir: string, log: (line: string) => void = () => {}): StaleTemporaries {
  const removed: string[] = [];
  const inUse: string[] = [];
  for (const folder of writtenFolders(runDir)) {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      continue;
    }
    for (const name of names) {
      const m = TEMPORARY.exec(name) ?? STALE_LOCK.exec(name);
      if (!m) continue;
      const path = join(folder, name);
      const pid = Number(m[1]);
      if (pid !== process.pid && pidAlive(pid)) {
        inUse.push(relative(runDir, path));
        continue;
      }
      try {
        rmSync(path, { force: true });
        removed.push(relative(runDir, path));
      } catch {
        inUse.push(relative(runDir, path));
      }
    }
  }
  if (removed.length > 0) log(`grokdiff: removed ${removed.length} temporary file(s) left in ${runDir} by a writer that died: ${removed.join(', ')}`);
  if (inUse.length > 0) log(`grokdiff: kept ${inUse.length} temporary file(s) in ${runDir} whose writer is still running: ${inUse.join(', ')}`);
  return { removed, inUse };
}
