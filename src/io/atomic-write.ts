// Crash-safe file writing for checkpoints, configs and metrics logs. A checkpoint is written to a uniquely
// named temp file in the same directory, fsynced and renamed over the target, so a reader sees the old file
// or the new one, never half of one. The metrics log is JSON Lines, appended one record per write; a run
// killed mid-append leaves at most a truncated last line, which the reader tolerates and the next append
// repairs, while corruption anywhere else is reported with its line number.

import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CheckpointError } from '../errors.ts';
import { makeFolder } from './make-folder.ts';

/** What can be written: bytes, text (UTF-8), or chunks produced one by one (a throwing producer aborts). */
export type WriteData = Uint8Array | string | Iterable<Uint8Array>;

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function ensureParentDir(path: string): void {
  makeFolder(dirname(path));
}

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

function writeData(fd: number, data: WriteData): void {
  if (typeof data === 'string') writeAll(fd, Buffer.from(data, 'utf8'));
  else if (data instanceof Uint8Array) writeAll(fd, data);
  else for (const chunk of data) writeAll(fd, chunk);
}

/** Flushes a directory entry (the rename) to disk; not possible on every platform, so best effort. */
function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows and some filesystems cannot open or fsync a directory; the rename itself is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes `data` to `path` atomically: temp file in the same directory, fsync, rename. Parent directories
 * are created. On any failure the temp file is removed, the old file (if any) is untouched, and a
 * CheckpointError('write-failed') names the path.
 */
export function writeFileAtomic(path: string, data: WriteData): void {
  let temp: string | undefined;
  let fd: number | undefined;
  try {
    ensureParentDir(path);
    temp = tempPathFor(path);
    fd = openSync(temp, 'wx', 0o644);
    writeData(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
    temp = undefined;
    fsyncDir(dirname(path));
  } catch (err) {
    throw new CheckpointError('write-failed', `${path}: atomic write failed (${errorMessage(err)}); the previous file, if any, is unchanged`, {
      cause: err,
    });
  } finally {
    if (fd !== undefined) closeSync(fd);
    if (temp !== undefined) rmSync(temp, { force: true });
  }
}

/** Writes `value` as pretty-printed JSON (2 spaces) with a final newline, atomically. */
export function writeJsonAtomic(path: string, value: unknown): void {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, null, 2);
  } catch (err) {
    throw new CheckpointError('json-unserialisable', `${path}: value cannot be written as JSON (${errorMessage(err)})`, { cause: err });
  }
  if (text === undefined) throw new CheckpointError('json-unserialisable', `${path}: value ${String(value)} has no JSON form`);
  writeFileAtomic(path, `${text}\n`);
}

// ---------------------------------------------------------------------------------------------------------
// JSON Lines

/** Byte offset just after the last newline of an open file (0 if none); scans backwards in chunks. */
function endOfLastCompleteLine(fd: number, size: number): number {
  const chunk = Buffer.alloc(64 * 1024);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const n = readSync(fd, chunk, 0, end - start, start);
    const i = chunk.subarray(0, n).lastIndexOf(0x0a);
    if (i >= 0) return start + i + 1;
    end = start;
  }
  return 0;
}

/** Cuts an unterminated last line (left by an interrupted append) so the next record starts a clean line. */
function dropUnterminatedTail(fd: number): void {
  const size = fstatSync(fd).size;
  if (size === 0) return;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  if (last[0] !== 0x0a) ftruncateSync(fd, endOfLastCompleteLine(fd, size));
}

/**
 * Appends one record as a single JSON line (a metrics log). Parent directories are created; an
 * unterminated last line left by an interrupted run is removed first. The line is written with one
 * write call and fsynced.
 */
export function appendJsonl(path: string, record: unknown): void {
  const line = JSON.stringify(record);
  if (line === undefined || line.includes('\n')) {
    throw new CheckpointError('jsonl-record', `${path}: record ${String(record)} has no single-line JSON form`);
  }
  let fd: number | undefined;
  try {
    ensureParentDir(path);
    fd = openSync(path, 'a+');
    dropUnterminatedTail(fd);
    writeAll(fd, Buffer.from(`${line}\n`, 'utf8'));
    fsyncSync(fd);
  } catch (err) {
    throw new CheckpointError('write-failed', `${path}: cannot append to JSONL log (${errorMessage(err)})`, { cause: err });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export interface JsonlContents<T = unknown> {
  records: T[];
  /** The unterminated, unparsable last line that was skipped (an interrupted append), or null. */
  truncatedTail: string | null;
}

function parseLine(path: string, line: string, lineNo: number): unknown {
  if (line.trim() === '') throw new CheckpointError('jsonl-corrupt', `${path}: line ${lineNo} is empty, expected one JSON record per line`);
  try {
    return JSON.parse(line);
  } catch (err) {
    const shown = line.length > 60 ? `${line.slice(0, 57)}...` : line;
    throw new CheckpointError('jsonl-corrupt', `${path}: line ${lineNo} is not valid JSON (${errorMessage(err)}): ${shown}`, { cause: err });
  }
}

/**
 * Reads a JSON Lines file and says whether a truncated last line was skipped. A last line without its
 * newline is kept if it parses and skipped if not; any other bad line is a CheckpointError naming it.
 */
export function readJsonlWithStatus<T = unknown>(path: string): JsonlContents<T> {
  if (!existsSync(path)) throw new CheckpointError('file-missing', `${path}: JSONL file does not exist`);
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const tail = lines.pop() ?? '';
  const records = lines.map((line, i) => parseLine(path, line, i + 1) as T);
  if (tail === '') return { records, truncatedTail: null };
  try {
    records.push(JSON.parse(tail) as T);
    return { records, truncatedTail: null };
  } catch {
    return { records, truncatedTail: tail };
  }
}

/** Reads the records of a JSON Lines file, tolerating a truncated last line (see readJsonlWithStatus). */
export function readJsonl<T = unknown>(path: string): T[] {
  return readJsonlWithStatus<T>(path).records;
}
