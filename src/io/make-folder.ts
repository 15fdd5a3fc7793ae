// Making folders (issue 31): `mkdir -p` that cannot loop. Node's own recursive mkdirSync never returns on a
// filesystem that refuses to create a folder but reports its parent as missing (/proc answers ENOENT for
// /proc/x; Node then makes the parent, which exists, and tries the child again, forever, inside one native call
// where no signal handler runs). Here each missing component is created once, top down, and checked to be a
// folder afterwards: at most one mkdir per path component, and every failure is a typed error naming the path.
// Also: which pseudo filesystems (proc, sysfs, ...) hold no files at all, so output folders there are refused
// before anything is attempted (train/run-folder.ts checkOutputFolder).

import { mkdirSync, statfsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CheckpointError } from '../errors.ts';

function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
}

/** What is at `path`: a folder, something else, or nothing (a path under a file, a dangling link: nothing). */
function kindOf(path: string): 'folder' | 'other' | 'none' {
  try {
    return statSync(path).isDirectory() ? 'folder' : 'other';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'none';
    throw new CheckpointError('folder-create', `${path}: cannot be examined (${errorCode(err)})`, { cause: err });
  }
}

/**
 * Creates the folder `path` and any missing parents (like `mkdir -p`), with at most one mkdir call per path
 * component: never loops, whatever the filesystem answers. Throws CheckpointError 'folder-create' naming the
 * component that could not be made (or that is a file), and why.
 */
export function makeFolder(path: string): void {
  const missing: string[] = [];
  let p = resolve(path);
  for (;;) {
    const kind = kindOf(p);
    if (kind === 'folder') break;
    if (kind === 'other') throw new CheckpointError('folder-create', `cannot create the folder ${path}: ${p} is a file, not a folder`);
    missing.push(p);
    const parent = dirname(p);
    if (parent === p) break;
    p = parent;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new CheckpointError('folder-create', `cannot create the folder ${path}: mkdir ${dir} failed (${errorCode(err)})`, { cause: err });
      }
    }
    if (kindOf(dir) !== 'folder') {
      throw new CheckpointError('folder-create', `cannot create the folder ${path}: ${dir} is not a folder after mkdir (the filesystem refuses folders here)`);
    }
  }
}

/** Magic numbers (statfs f_type) of Linux pseudo filesystems on which no regular files or folders can be made. */
const PSEUDO_FILESYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0xcafe4a11, 'bpf'],
]);

/**
 * The name of the pseudo filesystem (proc, sysfs, ...) that holds the existing path `path`, or null for an
 * ordinary one (or where statfs is not available).
 */
export function pseudoFilesystem(path: string): string | null {
  try {
    return PSEUDO_FILESYSTEMS.get(Number(statfsSync(path).type)) ?? null;
  } catch {
    return null;
  }
}
